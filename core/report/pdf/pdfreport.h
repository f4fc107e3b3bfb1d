#pragma once
// The PDF report: the checklist verdict (ranked findings, the six steps with their evidence),
// the fixes with their real values, what the captures show (ESP SAs, IKE, MTU, the endpoint
// comparison) and two plots drawn with QPainter (no OpenGL, no widgets, so it also runs in the
// CLI without a display). QtGui only; shared by the GUI's File menu and `ikev2wb diagnose --pdf`.
#include "analyze/analysis.h"
#include "compare/endpointcompare.h"
#include "diagnose/checklist.h"
#include "diagnose/diagnosis.h"
#include "session/investigation.h"

#include <QImage>
#include <QString>

namespace ikev2wb::report {

struct PdfReportInput
{
    const Diagnosis *diagnosis = nullptr; // required
    const CaptureIndex *indexA = nullptr; // optional: the capture the checklist read
    const CaptureAnalysis *analysisA = nullptr;
    const CaptureIndex *indexB = nullptr; // optional: the peer's capture
    const CaptureAnalysis *analysisB = nullptr;
    const CompareResult *comparison = nullptr; // optional
    QStringList warnings;                      // partial captures, unreadable evidence
};

/// Everything diagnoseFiles() loaded (capture B and the comparison when there was a peer
/// capture); `loaded` must outlive the returned input.
PdfReportInput reportInput(const Investigation &investigation);

/// The report as one HTML document; images are referenced as "plot://<name>".
QString reportHtml(const PdfReportInput &in);

/// The plots' sizes in pixels as the report draws them (shown 640 px wide, aspect kept).
inline constexpr QSize kTimelinePlotSize{1600, 560};
inline constexpr QSize kHistogramPlotSize{1600, 500};

/// ESP sequence number against time for one SA of `index` (the one with the most missing
/// numbers when `sa` is negative), reduced to min/max per pixel column, missing ranges marked.
/// A null image when the capture has no ESP.
QImage espTimelinePlot(const CaptureIndex &index, const CaptureAnalysis &analysis, int sa = -1,
                       QSize size = kTimelinePlotSize);
/// Outer ESP packet sizes (all SAs), 64-byte bins, with the largest outer size and the
/// diagnosis's path MTU (`pathMtu`, 0 = none; `source` its provenance in a few words) drawn in.
/// A null image when the capture has no ESP.
QImage mtuHistogramPlot(const CaptureIndex &index, const CaptureAnalysis &analysis, std::uint32_t pathMtu = 0,
                        const QString &source = {}, QSize size = kHistogramPlotSize);

/// A diagnosis path-MTU source ("link_mtu", ...) in words for labels ("link MTU on the path").
QString pathMtuSourceWords(const QString &source);

/// Writes the PDF (A4). Needs a QGuiApplication (the offscreen platform is enough). False with
/// `error` naming the file when it cannot be written.
bool writePdfReport(const QString &path, const PdfReportInput &in, QString *error);

} // namespace ikev2wb::report
