#pragma once
// The path-MTU probe's result as JSON (`ikev2wb.probe/1`, README.md) and as text: the writers
// sit in core/report above the probe itself.
#include "probe/pathprobe.h"

#include <QString>

#include <string>

namespace ikev2wb::probe {

/// JSON `ikev2wb.probe/1` (pretty) and a few lines of text.
std::string probeJson(const ProbeResult &r);
QString probeText(const ProbeResult &r);
QString sizeProbeText(const SizeProbe &p);

} // namespace ikev2wb::probe
