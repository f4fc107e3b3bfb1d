#pragma once
// Text and JSON of the analyzers' results. core/analyze returns facts (plain structs); these
// write them for `ikev2wb analyze` and the pages. The JSON shapes are public (README.md): fields
// are added, never renamed.
#include "../analyze/analysis.h"

#include <QString>

#include <string>

namespace ikev2wb {

class JsonWriter;

/// `ikev2wb analyze FILE --json`: {"schema", "file", "sas": [...], "ike": {...}, "natt": {...}, "mtu": {...}}
std::string analysisJson(const CaptureIndex &index, const CaptureAnalysis &analysis, bool pretty = true);
/// `ikev2wb analyze FILE`
QString analysisText(const CaptureIndex &index, const CaptureAnalysis &analysis);

/// Writes the key "sas" and its array (schema documented in README.md, "ESP sequence analysis").
void writeEspSequenceJson(JsonWriter &w, const CaptureIndex &index, const EspSequenceAnalysis &a);
/// Human-readable report, one block per SA.
QString espSequenceText(const CaptureIndex &index, const EspSequenceAnalysis &a);

void writeIkeExchangesJson(JsonWriter &w, const CaptureIndex &index, const IkeExchangeAnalysis &a);
QString ikeExchangesText(const CaptureIndex &index, const IkeExchangeAnalysis &a);

void writeMtuJson(JsonWriter &w, const CaptureIndex &index, const MtuAnalysis &a);
QString mtuText(const CaptureIndex &index, const MtuAnalysis &a);

void writeNattJson(JsonWriter &w, const CaptureIndex &index, const NattAnalysis &a);
QString nattText(const CaptureIndex &index, const NattAnalysis &a);

} // namespace ikev2wb
