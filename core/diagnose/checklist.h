#pragma once
// The guided checklist: runs every rule on the facts, fills the six steps (status, confidence,
// evidence, what to collect next, fixes) and ranks the findings; plus its JSON and text forms.
#include "diagnosis.h"
#include "facts.h"

#include <string>

namespace ikev2wb {

class JsonWriter;

/// Runs the rules on already-derived facts.
Diagnosis runChecklist(const Facts &facts);
/// deriveFacts + runChecklist; `inputs` lists the files for the report.
Diagnosis diagnose(const DiagnosisInput &input, const QStringList &inputs = {});

/// Ranking order: status (fail, warn, not enough evidence, pass), then confidence, then step.
bool findingRanksBefore(const Finding &a, const Finding &b);

/// `ikev2wb diagnose --json`: {"schema": "ikev2wb.diagnosis/1", "inputs", "steps", "findings", "notes"}.
void writeDiagnosisJson(JsonWriter &w, const Diagnosis &d);
std::string diagnosisJson(const Diagnosis &d, bool pretty = true);
/// Human-readable checklist.
QString diagnosisText(const Diagnosis &d);
/// One fix as text (title, kind, snippet, changes, trade-off, verify, undo); golden files use it.
QString fixText(const Fix &fix);

} // namespace ikev2wb
