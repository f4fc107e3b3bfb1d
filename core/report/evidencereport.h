#pragma once
// `ikev2wb evidence` output: what was recognised in each file, counter deltas between
// snapshots, and charon log events by kind.
#include <QString>

namespace ikev2wb {

class EvidenceSet;
class JsonWriter;

/// {"files": [...], "skipped": [...], "deltas": [...], "warnings": [...]}
void writeEvidenceJson(JsonWriter &w, const EvidenceSet &set);
QString evidenceText(const EvidenceSet &set);

} // namespace ikev2wb
