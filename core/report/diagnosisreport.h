#pragma once
// The diagnosis written out: `ikev2wb diagnose` text and JSON, one fix as text, the fix script.
// Writers of core/diagnose's results; they sit in core/report above it.
#include "diagnose/diagnosis.h"

#include <QString>

#include <string>

namespace ikev2wb {

class JsonWriter;

/// `ikev2wb diagnose --json`: {"schema": "ikev2wb.diagnosis/1", "inputs", "steps", "findings", "notes"}.
void writeDiagnosisJson(JsonWriter &w, const Diagnosis &d);
std::string diagnosisJson(const Diagnosis &d, bool pretty = true);
/// Human-readable checklist.
QString diagnosisText(const Diagnosis &d);
/// One fix as text (title, kind, snippet, changes, trade-off, verify, undo); golden files use it.
QString fixText(const Fix &fix);
/// One bash script with every fix of the diagnosis, nothing run without review: see fixes.cpp.
QString fixScript(const Diagnosis &d);

} // namespace ikev2wb
