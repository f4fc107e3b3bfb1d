#pragma once
// Shared by the GUI tests that give a page a capture read and analysed up front.
#include "analyze/analysis.h"
#include "index/indexbuilder.h"
#include "sharedtypes.h"

#include <QString>

#include <memory>

namespace ikev2wb::ui {

struct Loaded
{
    IndexPtr index;
    AnalysisPtr analysis;
};

/// `path` read into an index and analysed; both null (with a warning) when unreadable.
inline Loaded load(const QString &path)
{
    QString error;
    std::shared_ptr<const CaptureIndex> index(loadCapture(path, &error).release());
    if (!index) qWarning("%s", qPrintable(error));
    Loaded l;
    l.index = index;
    if (index) l.analysis = std::make_shared<const CaptureAnalysis>(analyzeCapture(*index));
    return l;
}

} // namespace ikev2wb::ui
