#pragma once
// The guided checklist: runs every rule on the facts, fills the six steps (status, confidence,
// evidence, what to collect next, fixes) and ranks the findings; plus its JSON and text forms.
#include "diagnosis.h"
#include "facts.h"

#include <string>

namespace ikev2wb {

/// Runs the rules on already-derived facts.
Diagnosis runChecklist(const Facts &facts);
/// deriveFacts + runChecklist; `inputs` lists the files for the report. Cancelled (`cancel`
/// set while deriving the facts): an empty diagnosis with `cancelled` set.
Diagnosis diagnose(const DiagnosisInput &input, const QStringList &inputs = {},
                   const std::atomic_bool *cancel = nullptr);

/// Ranking order: status (fail, warn, not enough evidence, pass), then confidence, then step.
bool findingRanksBefore(const Finding &a, const Finding &b);

} // namespace ikev2wb
