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

#include <memory>
#include <optional>

namespace ikev2wb {

/// The files of a diagnosis: capture A ("this" host), optionally the peer's capture B, and
/// host evidence files or folders.
struct DiagnosisFiles
{
    QString captureA;
    QString captureB;
    QStringList evidence;  // host evidence, assigned to A or B by the addresses it names
    QStringList evidenceA; // host evidence the user assigned to capture A's endpoint
    QStringList evidenceB; // ... to capture B's endpoint
    DiagnosisAssumptions assumptions;
};

/// What diagnoseFiles loaded, kept so callers can show the analyses next to the checklist.
struct LoadedDiagnosis
{
    std::unique_ptr<CaptureIndex> indexA, indexB;
    CaptureAnalysis analysisA, analysisB;
    std::optional<CompareResult> comparison;
    EvidenceSet evidence;
    Facts facts;
    Diagnosis diagnosis;
    QStringList warnings; // partial captures, evidence files that could not be parsed
};

/// Loads, analyses, compares and diagnoses. False with `error` naming the file when a capture
/// or an evidence path cannot be read at all.
bool diagnoseFiles(const DiagnosisFiles &files, LoadedDiagnosis &out, QString *error);

} // namespace ikev2wb
