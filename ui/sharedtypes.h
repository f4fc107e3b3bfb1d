#pragma once
// The shared pointers through which pages, models, charts and loaders hold the core's results.
// Immutable once built on a worker (const), shared by every view of a tab without copying, and
// passed through queued signals (hence the metatypes).
#include "analyze/analysis.h"
#include "index/captureindex.h"

#include <QMetaType>

#include <memory>

namespace ikev2wb {
struct CompareResult;
struct Diagnosis;
class Investigation;
} // namespace ikev2wb

namespace ikev2wb::ui {

using IndexPtr = std::shared_ptr<const CaptureIndex>;
using AnalysisPtr = std::shared_ptr<const CaptureAnalysis>;
using ComparePtr = std::shared_ptr<const CompareResult>;
using InvestigationPtr = std::shared_ptr<const Investigation>;
using DiagnosisPtr = std::shared_ptr<const Diagnosis>;

} // namespace ikev2wb::ui

Q_DECLARE_METATYPE(ikev2wb::ui::ComparePtr)
Q_DECLARE_METATYPE(ikev2wb::ui::InvestigationPtr)
