#include "pdfreport.h"

#include "analyze/espdirections.h"
#include "compare/pairtotals.h"
#include "report/capturesummary.h"
#include "report/jsonwriter.h"
#include "report/outputfile.h"
#include "util/seriesreducer.h"

#include <QAbstractTextDocumentLayout>
#include <QBuffer>
#include <QDateTime>
#include <QFileInfo>
#include <QPageLayout>
#include <QPageSize>
#include <QPainter>
#include <QPainterPath>
#include <QPdfWriter>
#include <QPolygonF>
#include <QTextDocument>
#include <QTimeZone>
#include <QUrl>

#include <algorithm>
#include <cmath>
#include <limits>

namespace ikev2wb::report {

namespace {

QString esc(const QString &s)
{
    return s.toHtmlEscaped();
}

/// The report's document shows only the plots added to it (plot://…). QTextDocument would read
/// any other <img src> it meets as a local file (a path from evidence, /dev/zero): every string
/// from evidence is escaped (esc), and should one ever slip through, nothing is loaded for it.
class ReportDocument final : public QTextDocument
{
protected:
    QVariant loadResource(int, const QUrl &) override { return {}; }
};

QString statusColour(StepStatus s)
{
    switch (s) {
    case StepStatus::Fail:
        return QStringLiteral("#b3261e");
    case StepStatus::Warn:
        return QStringLiteral("#a15c00");
    case StepStatus::NotEnoughEvidence:
        return QStringLiteral("#5f6368");
    case StepStatus::Pass:
        return QStringLiteral("#1e7d32");
    }
    return QStringLiteral("#000000");
}

QString statusLabel(StepStatus s)
{
    switch (s) {
    case StepStatus::Fail:
        return QStringLiteral("FAIL");
    case StepStatus::Warn:
        return QStringLiteral("WARN");
    case StepStatus::NotEnoughEvidence:
        return QStringLiteral("NOT ENOUGH EVIDENCE");
    case StepStatus::Pass:
        return QStringLiteral("PASS");
    }
    return {};
}

QString badge(StepStatus s)
{
    return QStringLiteral("<span style=\"color:%1; font-weight:bold\">[%2]</span>")
        .arg(statusColour(s), statusLabel(s));
}

QString evidenceLine(const EvidenceItem &e)
{
    QString where;
    const EvidenceRef &r = e.ref;
    if (!r.source.isEmpty()) where += QFileInfo(r.source).fileName();
    if (r.packet >= 0) where += QStringLiteral(" packet %1").arg(r.packet);
    if (r.line > 0) where += QStringLiteral(" line %1").arg(r.line);
    if (r.hasSpi) where += QStringLiteral(" SPI %1").arg(spiText(r.spi));
    if (!r.counter.isEmpty()) where += QStringLiteral(" (%1)").arg(r.counter);
    QString out = esc(e.text);
    if (!where.trimmed().isEmpty())
        out += QStringLiteral(" <span style=\"color:#5f6368\">— %1</span>").arg(esc(where.trimmed()));
    if (!r.logLine.isEmpty())
        out += QStringLiteral("<br/><span style=\"font-family:monospace; font-size:8pt\">%1</span>")
                   .arg(esc(r.logLine.left(200)));
    return out;
}

struct PlotFrame
{
    QRectF area; // the data area inside the axes
    double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
    [[nodiscard]] double px(double x) const
    {
        return area.left() + (x - x0) / (x1 - x0 == 0 ? 1 : x1 - x0) * area.width();
    }
    [[nodiscard]] double py(double y) const
    {
        return area.bottom() - (y - y0) / (y1 - y0 == 0 ? 1 : y1 - y0) * area.height();
    }
};

/// A "nice" step (1, 2, 5 × 10^k) giving about `ticks` intervals over `span`.
double niceStep(double span, int ticks)
{
    if (span <= 0) return 1;
    const double raw = span / ticks;
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    const double f = raw / mag;
    return (f < 1.5 ? 1 : (f < 3.5 ? 2 : (f < 7.5 ? 5 : 10))) * mag;
}

QString tickText(double v)
{
    if (std::fabs(v) >= 1e6) return QString::number(v, 'g', 4);
    if (std::fabs(v - std::round(v)) < 1e-9) return QString::number(qint64(std::llround(v)));
    return QString::number(v, 'f', 1);
}

void drawAxes(QPainter &p, const PlotFrame &f, const QString &xLabel, const QString &yLabel,
              const QString &title)
{
    const QColor grid(0xdd, 0xdd, 0xdd);
    const QColor ink(0x20, 0x20, 0x20);
    QFont font = p.font();
    font.setPixelSize(22);
    p.setFont(font);
    const double xs = niceStep(f.x1 - f.x0, 8);
    const double ys = niceStep(f.y1 - f.y0, 6);
    for (double x = std::ceil(f.x0 / xs) * xs; x <= f.x1 + xs * 1e-9; x += xs) {
        const double X = f.px(x);
        p.setPen(QPen(grid, 1));
        p.drawLine(QPointF(X, f.area.top()), QPointF(X, f.area.bottom()));
        p.setPen(ink);
        p.drawText(QRectF(X - 80, f.area.bottom() + 6, 160, 28), Qt::AlignHCenter | Qt::AlignTop,
                   tickText(x));
    }
    for (double y = std::ceil(f.y0 / ys) * ys; y <= f.y1 + ys * 1e-9; y += ys) {
        const double Y = f.py(y);
        p.setPen(QPen(grid, 1));
        p.drawLine(QPointF(f.area.left(), Y), QPointF(f.area.right(), Y));
        p.setPen(ink);
        p.drawText(QRectF(0, Y - 14, f.area.left() - 10, 28), Qt::AlignRight | Qt::AlignVCenter, tickText(y));
    }
    p.setPen(QPen(ink, 2));
    p.drawRect(f.area);
    p.drawText(QRectF(f.area.left(), f.area.bottom() + 36, f.area.width(), 30), Qt::AlignHCenter, xLabel);
    font.setBold(true);
    p.setFont(font);
    p.drawText(QRectF(f.area.left(), 4, f.area.width(), 30), Qt::AlignLeft, title);
    font.setBold(false);
    p.setFont(font);
    p.save();
    p.translate(24, f.area.center().y());
    p.rotate(-90);
    p.drawText(QRectF(-f.area.height() / 2, -14, f.area.height(), 28), Qt::AlignCenter, yLabel);
    p.restore();
}

QImage blankPlot(QSize size)
{
    QImage img(size, QImage::Format_RGB32);
    img.fill(Qt::white);
    return img;
}

} // namespace

QImage espTimelinePlot(const CaptureIndex &index, const CaptureAnalysis &analysis, int sa, QSize size)
{
    if (index.espSas.empty() || analysis.esp.sas.empty()) return {};
    const std::size_t pick = sa >= 0 && std::size_t(sa) < index.espSas.size()
                                 ? std::size_t(sa)
                                 : std::size_t(std::max(0, worstEspSa(index, &analysis)));
    const EspSa &espSa = index.espSas[pick];
    const EspSaSequence *seq = nullptr;
    for (const EspSaSequence &s : analysis.esp.sas)
        if (s.saIndex == pick) seq = &s;

    QImage img = blankPlot(size);
    QPainter p(&img);
    p.setRenderHint(QPainter::Antialiasing);
    PlotFrame f;
    f.area = QRectF(150, 80, size.width() - 190, size.height() - 170); // title and legend rows above
    f.x0 = 0;
    f.x1 = std::max(1e-3, double(espSa.lastNs - espSa.firstNs) / 1e9);
    f.y0 = espSa.minSeq;
    f.y1 = std::max<double>(espSa.maxSeq, espSa.minSeq + 1);
    const Flow &fl = index.flows[espSa.flowId];
    drawAxes(p, f, QStringLiteral("seconds since the SA's first packet"),
             QStringLiteral("ESP sequence number"),
             QStringLiteral("ESP SA %1  %2 → %3: %4 packets, %5 missing")
                 .arg(spiText(espSa.spi), addressText(fl.src), addressText(fl.dst))
                 .arg(espSa.packets)
                 .arg(seq ? seq->missing : 0));

    // The charts' reduction: per pixel column its first, lowest, highest and last number, the
    // line broken where numbers never arrived (a rise of more than one between neighbours).
    const int columns = std::max(1, int(f.area.width()));
    std::vector<SeriesPoint> points;
    points.reserve(std::size_t(espSa.packets));
    index.packets.forEach([&](const PacketRecord &r) {
        if (r.isEsp() && r.spi() == espSa.spi && r.flowId == espSa.flowId)
            points.push_back({r.tsNs, double(r.seq())});
    });
    p.setPen(QPen(QColor(0x1a, 0x73, 0xe8), 3));
    for (const QVector<QPointF> &piece :
         reduceMinMaxSplit(points, espSa.firstNs, espSa.lastNs + 1, columns, espSa.firstNs, 1.0)) {
        QPolygonF line;
        line.reserve(piece.size());
        for (const QPointF &pt : piece)
            line << QPointF(f.px(pt.x()), f.py(pt.y()));
        if (line.size() == 1)
            p.drawPoint(line.front());
        else
            p.drawPolyline(line);
    }
    if (seq) {
        // Missing ranges: a red tick below the line where the gap was noticed.
        p.setPen(QPen(QColor(0xd9, 0x30, 0x25), 3));
        for (const EspMissingRange &m : seq->missingRanges) {
            const double t = double(std::min(m.afterNs, m.beforeNs) - espSa.firstNs) / 1e9;
            const double X = f.px(std::clamp(t, f.x0, f.x1));
            const double Y = f.py(double(m.first));
            p.drawLine(QPointF(X, Y + 8), QPointF(X, Y + 30));
        }
    }
    QFont font = p.font();
    font.setPixelSize(20);
    p.setFont(font);
    p.setPen(QColor(0x1a, 0x73, 0xe8));
    p.drawText(QRectF(f.area.left(), 40, f.area.width(), 30), Qt::AlignLeft,
               QStringLiteral("■ packets (min–max per pixel column)"));
    p.setPen(QColor(0xd9, 0x30, 0x25));
    p.drawText(QRectF(f.area.left() + 420, 40, f.area.width() - 420, 30), Qt::AlignLeft,
               QStringLiteral("| missing sequence numbers (where the gap was noticed)"));
    return img;
}

QImage mtuHistogramPlot(const CaptureIndex &index, const CaptureAnalysis &analysis, std::uint32_t pathMtu,
                        const QString &source, QSize size)
{
    if (analysis.mtu.sas.empty()) return {};
    std::array<std::uint64_t, kMtuBins> bins{};
    for (const MtuSaSizes &m : analysis.mtu.sas)
        for (int b = 0; b < kMtuBins; ++b)
            bins[std::size_t(b)] += m.histogram[std::size_t(b)];
    const std::uint64_t top = *std::max_element(bins.begin(), bins.end());
    if (top == 0) return {};
    (void)index;

    QImage img = blankPlot(size);
    QPainter p(&img);
    p.setRenderHint(QPainter::Antialiasing);
    PlotFrame f;
    f.area = QRectF(150, 50, size.width() - 190, size.height() - 140);
    f.x0 = 0;
    f.x1 = kMtuBins * kMtuBinBytes;
    f.y0 = 0;
    f.y1 = double(top) * 1.1;
    drawAxes(p, f, QStringLiteral("outer IP packet size, bytes (64-byte bins; the last holds ≥ 1600)"),
             QStringLiteral("ESP packets"), QStringLiteral("Outer ESP packet sizes, all SAs"));
    p.setPen(Qt::NoPen);
    p.setBrush(QColor(0x1a, 0x73, 0xe8));
    for (int b = 0; b < kMtuBins; ++b) {
        if (!bins[std::size_t(b)]) continue;
        const double x = f.px(b * kMtuBinBytes) + 2, x2 = f.px((b + 1) * kMtuBinBytes) - 2;
        const double y = f.py(double(bins[std::size_t(b)]));
        p.drawRect(QRectF(x, y, x2 - x, f.area.bottom() - y));
    }
    QFont font = p.font();
    font.setPixelSize(20);
    p.setFont(font);
    auto marker = [&](double bytes, const QColor &c, const QString &label, int row) {
        const double X = f.px(std::min(bytes, f.x1));
        p.setPen(QPen(c, 3, Qt::DashLine));
        p.drawLine(QPointF(X, f.area.top()), QPointF(X, f.area.bottom()));
        p.setPen(c);
        // The label on the side of the line with room for it.
        const QRectF box =
            X > f.area.center().x()
                ? QRectF(f.area.left(), f.area.top() + 6 + 26 * row, X - 10 - f.area.left(), 26)
                : QRectF(X + 10, f.area.top() + 6 + 26 * row, f.area.right() - X - 10, 26);
        const int align = (X > f.area.center().x() ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignVCenter;
        const QRectF used = p.boundingRect(box, align, label).adjusted(-4, -1, 4, 1);
        p.fillRect(used, QColor(255, 255, 255, 225)); // readable over a bar
        p.drawText(box, align, label);
    };
    if (analysis.mtu.largestOuter)
        marker(analysis.mtu.largestOuter, QColor(0x20, 0x20, 0x20),
               QStringLiteral("largest outer %1").arg(analysis.mtu.largestOuter), 0);
    if (pathMtu)
        marker(pathMtu, QColor(0xd9, 0x30, 0x25),
               source.isEmpty() ? QStringLiteral("path MTU %1").arg(pathMtu)
                                : QStringLiteral("path MTU %1 (%2)").arg(pathMtu).arg(source),
               1);
    return img;
}

QString pathMtuSourceWords(const QString &source)
{
    if (source == QLatin1String("probe")) return QStringLiteral("measured by a probe");
    if (source == QLatin1String("icmp")) return QStringLiteral("reported by ICMP");
    if (source == QLatin1String("link_mtu")) return QStringLiteral("link MTU on the path");
    if (source == QLatin1String("proven_delivered")) return QStringLiteral("largest proven delivered");
    return {};
}

PdfReportInput reportInput(const Investigation &investigation)
{
    PdfReportInput in;
    in.diagnosis = &investigation.diagnosis();
    in.indexA = investigation.index(Host::A).get();
    in.analysisA = investigation.analysis(Host::A).get();
    if (investigation.index(Host::B)) {
        in.indexB = investigation.index(Host::B).get();
        in.analysisB = investigation.analysis(Host::B).get();
    }
    in.comparison = investigation.comparison().get();
    in.warnings = investigation.warnings();
    return in;
}

QString reportHtml(const PdfReportInput &in)
{
    QString h;
    h += QStringLiteral("<html><body style=\"font-family:'DejaVu Sans'; font-size:10pt\">");
    h += QStringLiteral("<h1 style=\"font-size:18pt\">IKEv2/IPsec loss report</h1>");
    h += QStringLiteral("<p style=\"color:#5f6368\">ikev2-workbench %1 · %2</p>")
             .arg(QStringLiteral(IKEV2WB_VERSION),
                  esc(utcText(QDateTime::currentMSecsSinceEpoch() * 1'000'000, UtcFormat::Minutes)));
    const Diagnosis &d = *in.diagnosis;
    if (!d.inputs.isEmpty()) {
        h += QStringLiteral("<p><b>Inputs</b><br/>");
        for (const QString &i : d.inputs)
            h += esc(i) + QStringLiteral("<br/>");
        h += QStringLiteral("</p>");
    }
    for (const QString &w : in.warnings)
        h += QStringLiteral("<p style=\"color:#a15c00\">⚠ %1</p>").arg(esc(w));

    // Verdict
    h += QStringLiteral("<h2 style=\"font-size:14pt\">Verdict</h2>");
    h += QStringLiteral("<p><b>Path MTU:</b> %1<br/><span style=\"color:#5f6368\">measure it: %2</span></p>")
             .arg(esc(d.basis.pathMtuText), esc(d.basis.pathMtuRefine));
    bool any = false;
    int rank = 0;
    for (const Finding &f : d.findings) {
        if (f.status == StepStatus::Pass) continue;
        if (++rank > 5) break;
        any = true;
        h += QStringLiteral(
                 "<p>%1. %2 <b>%3</b> <span style=\"color:#5f6368\">(step %4, confidence %5 %)</span></p>")
                 .arg(QString::number(rank), badge(f.status), esc(f.title), QString::number(f.step),
                      QString::number(qRound(f.confidence * 100)));
        h += QStringLiteral("<ul>");
        for (std::size_t k = 0; k < std::min<std::size_t>(f.evidence.size(), 4); ++k)
            h += QStringLiteral("<li>%1</li>").arg(evidenceLine(f.evidence[k]));
        h += QStringLiteral("</ul>");
    }
    if (!any)
        h += QStringLiteral("<p>No step failed or warned: nothing in this evidence explains a loss.</p>");

    // Checklist
    h += QStringLiteral("<h2 style=\"font-size:14pt\">Checklist</h2>");
    for (const ChecklistStep &s : d.steps) {
        h += QStringLiteral("<h3 style=\"font-size:11pt\">%1. %2 %3</h3>")
                 .arg(s.number)
                 .arg(esc(s.title), badge(s.status));
        if (!s.evidence.empty()) {
            h += QStringLiteral("<ul>");
            const std::size_t n = std::min<std::size_t>(s.evidence.size(), 8);
            for (std::size_t k = 0; k < n; ++k)
                h += QStringLiteral("<li>%1</li>").arg(evidenceLine(s.evidence[k]));
            if (s.evidence.size() > n)
                h += QStringLiteral("<li style=\"color:#5f6368\">… %1 more in the JSON report</li>")
                         .arg(s.evidence.size() - n);
            h += QStringLiteral("</ul>");
        }
        if (!s.collectNext.isEmpty())
            h += QStringLiteral("<p style=\"color:#5f6368\">Collect next: %1</p>")
                     .arg(esc(s.collectNext.join(QStringLiteral("; "))));
    }

    // Fixes
    std::vector<const Fix *> fixes;
    for (const Finding &f : d.findings)
        if (f.status != StepStatus::Pass)
            for (const Fix &x : f.fixes)
                fixes.push_back(&x);
    if (!fixes.empty()) {
        h += QStringLiteral("<h2 style=\"font-size:14pt\">Fixes</h2>");
        for (const Fix *x : fixes) {
            h += QStringLiteral(
                     "<h3 style=\"font-size:11pt\">%1 <span style=\"color:#5f6368\">(%2)</span></h3>")
                     .arg(esc(x->title), QString::fromLatin1(fixKindName(x->kind)));
            // pre-wrap: a long command wraps instead of running off the page.
            h += QStringLiteral(
                     "<p style=\"white-space:pre-wrap; font-family:'DejaVu Sans Mono'; font-size:8pt; "
                     "background-color:#f1f3f4\">%1</p>")
                     .arg(esc(x->text));
            if (!x->changes.isEmpty()) h += QStringLiteral("<p><b>Changes:</b> %1</p>").arg(esc(x->changes));
            if (!x->tradeoff.isEmpty())
                h += QStringLiteral("<p><b>Trade-off:</b> %1</p>").arg(esc(x->tradeoff));
            if (!x->verify.isEmpty()) h += QStringLiteral("<p><b>Verify:</b> %1</p>").arg(esc(x->verify));
            if (!x->undo.isEmpty()) h += QStringLiteral("<p><b>Undo:</b> %1</p>").arg(esc(x->undo));
        }
    }

    // What the captures show
    auto captureSection = [&](const CaptureIndex &idx, const CaptureAnalysis &a, const QString &name) {
        h += QStringLiteral("<h2 style=\"font-size:14pt\">Capture %1: %2</h2>")
                 .arg(name, esc(QFileInfo(idx.file.path).fileName()));
        h += QStringLiteral("<p>%1 packets, %2 to %3 (%4 s)%5</p>")
                 .arg(idx.packetCount())
                 .arg(utcText(idx.firstNs), utcText(idx.lastNs))
                 .arg(double(idx.lastNs - idx.firstNs) / 1e9, 0, 'f', 3)
                 .arg(idx.partial ? QStringLiteral(" — partial: the read stopped early") : QString());
        if (!a.esp.sas.empty()) {
            h += QStringLiteral(
                "<table border=\"1\" cellspacing=\"0\" cellpadding=\"3\" style=\"font-size:8pt\">"
                "<tr><th>SPI</th><th>outer src → dst</th><th>encap</th><th>packets</th><th>missing</th>"
                "<th>reordered</th><th>duplicates</th><th>min safe window</th></tr>");
            for (const EspSaSequence &s : a.esp.sas) {
                const EspSa &sa = idx.espSas[s.saIndex];
                const Flow &fl = idx.flows[sa.flowId];
                h += QStringLiteral(
                         "<tr><td>%1</td><td>%2 → %3</td><td>%4</td><td align=\"right\">%5</td>"
                         "<td align=\"right\">%6</td><td align=\"right\">%7</td><td align=\"right\">%8</td>"
                         "<td align=\"right\">%9</td></tr>")
                         .arg(spiText(sa.spi),
                              endpointText(fl.src, sa.encap == Encapsulation::Udp ? fl.srcPort : 0),
                              endpointText(fl.dst, sa.encap == Encapsulation::Udp ? fl.dstPort : 0),
                              QString::fromLatin1(encapName(sa.encap)))
                         .arg(sa.packets)
                         .arg(s.missing)
                         .arg(s.reordered)
                         .arg(s.duplicates)
                         .arg(s.minSafeWindow ? QString::number(s.minSafeWindow) : QStringLiteral("> 4096"));
            }
            h += QStringLiteral("</table>");
        }
        const IkeExchangeSummary &ik = a.ike.summary;
        h += QStringLiteral(
                 "<p><b>IKE:</b> %1 IKE SAs, %2 exchanges (%3 answered, %4 unanswered), %5 retransmissions, "
                 "%6 gave up, %7 rekeys, slowest response %8 ms.</p>")
                 .arg(ik.ikeSas)
                 .arg(ik.exchanges)
                 .arg(ik.answered)
                 .arg(ik.unanswered)
                 .arg(ik.retransmissions)
                 .arg(ik.gaveUp)
                 .arg(ik.rekeys)
                 .arg(ik.maxResponseMs, 0, 'f', 1);
        h += QStringLiteral(
                 "<p><b>MTU:</b> largest outer packet in this capture %1 bytes; PMTUD black hole suspected "
                 "from this capture alone: %2 (the verdict above weighs every capture and the evidence); "
                 "%3 ICMP too-big / need-frag messages.</p>")
                 .arg(a.mtu.largestOuter)
                 .arg(QString::fromLatin1(blackHoleLevelName(a.mtu.blackHole.level)))
                 .arg(a.mtu.icmp.size());
        for (const NatPeerPair &pr : a.natt.pairs)
            h += QStringLiteral("<p><b>NAT-T:</b> %1 ⇄ %2: %3, %4 keepalives, %5 idle gaps.</p>")
                     .arg(addressText(pr.a), addressText(pr.b), QString::fromLatin1(pr.encapsulation()))
                     .arg(pr.keepalives)
                     .arg(pr.idleGaps.size());
        const QString tl = QStringLiteral("plot://timeline-") + name;
        const QString hist = QStringLiteral("plot://mtu-") + name;
        // Width and height both: with the width alone, QTextDocument in a QApplication (File ▸
        // Export Report) took the image's own height, 2.5 times too tall for its width.
        const auto img = [](const QString &src, QSize size) {
            return QStringLiteral("<p><img src=\"%1\" width=\"640\" height=\"%2\"/></p>")
                .arg(src)
                .arg(640 * size.height() / size.width());
        };
        if (!idx.espSas.empty()) h += img(tl, kTimelinePlotSize);
        if (!a.mtu.sas.empty()) h += img(hist, kHistogramPlotSize);
    };
    if (in.indexA && in.analysisA) captureSection(*in.indexA, *in.analysisA, QStringLiteral("A"));
    if (in.indexB && in.analysisB) captureSection(*in.indexB, *in.analysisB, QStringLiteral("B"));

    if (in.comparison) {
        const CompareResult &c = *in.comparison;
        h += QStringLiteral("<h2 style=\"font-size:14pt\">Endpoint comparison</h2>");
        // The same totals as the Overview's "Both ends" table and diagnose --json's pair_directions.
        const std::vector<PairDirectionTotals> totals = pairDirectionTotals(c);
        QStringList ends;
        for (const PairDirectionTotals &t : totals)
            if (!t.fromAddress.isEmpty())
                ends << QStringLiteral("%1 = %2").arg(t.from == 0 ? QStringLiteral("A") : QStringLiteral("B"),
                                                      esc(t.fromAddress));
        if (!ends.isEmpty()) h += QStringLiteral("<p>%1</p>").arg(ends.join(QStringLiteral(", ")));
        h += QStringLiteral("<table border=\"1\" cellspacing=\"0\" cellpadding=\"3\" width=\"100%\" "
                            "style=\"font-size:8pt\"><tr><th>direction</th><th>sent</th><th>received</th>"
                            "<th>lost in transit</th><th>capture drops</th><th>outside span</th>"
                            "<th>reordered</th><th>dupl.</th><th>IKE lost</th><th>outages</th></tr>");
        for (std::size_t k = 0; k < totals.size(); ++k) {
            const PairDirectionTotals &t = totals[k];
            const double pct = t.lossPercent();
            h += QStringLiteral(
                     "<tr><td>%1 → %2</td><td align=\"right\">%3</td><td align=\"right\">%4</td>"
                     "<td align=\"right\">%5</td><td align=\"right\">%6</td><td align=\"right\">%7</td>"
                     "<td align=\"right\">%8</td><td align=\"right\">%9</td><td align=\"right\">%10</td>"
                     "<td align=\"right\">%11</td></tr>")
                     .arg(t.from == 0 ? QStringLiteral("A") : QStringLiteral("B"),
                          t.from == 0 ? QStringLiteral("B") : QStringLiteral("A"))
                     .arg(t.sent)
                     .arg(t.received)
                     .arg(t.lostInTransit ? QStringLiteral("%1 (%2%)")
                                                .arg(t.lostInTransit)
                                                .arg(pct, 0, 'f', pct < 1 ? 2 : 1)
                                          : QStringLiteral("0"))
                     .arg(t.captureDrops)
                     .arg(t.outsideSpan)
                     .arg(t.reordered)
                     .arg(t.duplicated)
                     .arg(t.ikeLost)
                     .arg(c.directions[k].outages.size());
        }
        h += QStringLiteral("</table>");
        h += QStringLiteral("<p>Clock offset B − A: %1</p>")
                 .arg(c.clock.identifiable ? QStringLiteral("%1 ms (± %2 ms)")
                                                 .arg(c.clock.offsetS * 1e3, 0, 'f', 3)
                                                 .arg(c.clock.errorBoundS * 1e3, 0, 'f', 3)
                                           : esc(c.clock.assumption));
    }
    if (!d.notes.isEmpty()) {
        h += QStringLiteral("<h2 style=\"font-size:14pt\">Assumptions</h2><ul>");
        for (const QString &n : d.notes)
            h += QStringLiteral("<li>%1</li>").arg(esc(n));
        h += QStringLiteral("</ul>");
    }
    h += QStringLiteral("</body></html>");
    return h;
}

bool writePdfReport(const QString &path, const PdfReportInput &in, QString *error)
{
    if (!in.diagnosis) {
        if (error) *error = QStringLiteral("%1: no diagnosis to report").arg(path);
        return false;
    }
    // Drawn into memory, then written by writeOutputFile: QPdfWriter(path) would write through
    // a symbolic link planted at the path.
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    QPdfWriter pdf(&buffer);
    if (!pdf.setPageSize(QPageSize(QPageSize::A4)) ||
        !pdf.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout::Millimeter)) {
        if (error) *error = QStringLiteral("%1: cannot set the page layout").arg(path);
        return false;
    }
    pdf.setResolution(150);
    pdf.setTitle(QStringLiteral("IKEv2/IPsec loss report"));
    pdf.setCreator(QStringLiteral("ikev2-workbench %1").arg(QStringLiteral(IKEV2WB_VERSION)));

    ReportDocument doc;
    doc.documentLayout()->setPaintDevice(&pdf); // lay out at the PDF's resolution, not the screen's
    doc.setDefaultFont(QFont(QStringLiteral("DejaVu Sans"), 10));
    auto addPlots = [&](const CaptureIndex *idx, const CaptureAnalysis *a, const QString &name) {
        if (!idx || !a) return;
        const QImage tl = espTimelinePlot(*idx, *a);
        if (!tl.isNull())
            doc.addResource(QTextDocument::ImageResource, QUrl(QStringLiteral("plot://timeline-") + name),
                            tl);
        const QImage hist = mtuHistogramPlot(*idx, *a, in.diagnosis->basis.pathMtu,
                                             pathMtuSourceWords(in.diagnosis->basis.pathMtuSource));
        if (!hist.isNull())
            doc.addResource(QTextDocument::ImageResource, QUrl(QStringLiteral("plot://mtu-") + name), hist);
    };
    addPlots(in.indexA, in.analysisA, QStringLiteral("A"));
    addPlots(in.indexB, in.analysisB, QStringLiteral("B"));
    doc.setHtml(reportHtml(in));
    const QSizeF page = pdf.pageLayout().paintRectPixels(pdf.resolution()).size();
    doc.setPageSize(page);

    QPainter painter;
    if (!painter.begin(&pdf)) {
        if (error) *error = QStringLiteral("%1: cannot be written").arg(path);
        return false;
    }
    const int pages = doc.pageCount();
    for (int i = 0; i < pages; ++i) {
        if (i > 0) pdf.newPage();
        painter.save();
        painter.translate(0, -page.height() * i);
        doc.drawContents(&painter, QRectF(0, page.height() * i, page.width(), page.height()));
        painter.restore();
        QFont f(QStringLiteral("DejaVu Sans"), 7);
        painter.setFont(f);
        painter.setPen(QColor(0x5f, 0x63, 0x68));
        painter.drawText(QRectF(0, page.height() - 5, page.width(), 30), Qt::AlignRight | Qt::AlignTop,
                         QStringLiteral("page %1 of %2").arg(i + 1).arg(pages));
    }
    if (!painter.end()) {
        if (error) *error = QStringLiteral("%1: cannot be written").arg(path);
        return false;
    }
    return writeOutputFile(path, buffer.data(), false, error);
}

} // namespace ikev2wb::report
