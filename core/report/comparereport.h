#pragma once
// The endpoint comparison's outputs: `ikev2wb compare A B --json` and the text report
// (core/compare computes the CompareResult, this writes it).
#include "../compare/endpointcompare.h"

#include <QString>

#include <string>

namespace ikev2wb {

/// `ikev2wb compare A B --json` document and the text report.
std::string compareJson(const CompareResult &r, bool pretty = true);
QString compareText(const CompareResult &r);

} // namespace ikev2wb
