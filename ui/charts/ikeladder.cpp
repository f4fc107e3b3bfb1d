#include "ikeladder.h"

#include "compare/ikeoutcome.h"

#include "models/packetorder.h"
#include "settings/timedisplay.h"
#include "theme/theme.h"
#include "widgets/plaintext.h"

#include "report/jsonwriter.h"
#include "util/timeformat.h"

#include <QFontMetricsF>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace ikev2wb::ui {

IkeLadder::IkeLadder(QWidget *parent) : QWidget(parent)
{
    setMinimumWidth(520);
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::Base);
    connect(&TimeDisplayChoice::instance(), &TimeDisplayChoice::changed, this, qOverload<>(&QWidget::update));
}

QString IkeLadder::timeLabel(std::int64_t tsNs) const
{
    const TimeDisplay mode = TimeDisplayChoice::instance().mode();
    if (mode == TimeDisplay::Utc || mode == TimeDisplay::Local)
        return formatPacketTime(mode, tsNs, 0, QTimeZone::systemTimeZone()).mid(11); // HH:mm:ss.uuuuuu
    const std::int64_t t0 = m_arrows.empty() ? tsNs : m_arrows.front().tsNs;
    return tr("+%1 s").arg(double(tsNs - t0) / 1e9, 0, 'f', 3);
}

QFont IkeLadder::laneFont() const
{
    QFont bold = font();
    bold.setBold(true);
    return bold;
}

bool IkeLadder::laneLabelWide(bool initiator) const
{
    return QFontMetricsF(laneFont()).horizontalAdvance(laneLabel(initiator)) > 256;
}

QRectF IkeLadder::laneLabelRect(bool initiator) const
{
    const double h = m_layout.top - m_layout.rowHeight - 8;
    if (!laneLabelWide(initiator)) return {(initiator ? leftX() : rightX()) - 130, 4, 260, h};
    const double half = (leftX() + rightX()) / 2 - 8;
    return initiator ? QRectF(4, 4, half, h) : QRectF(double(width()) - 4 - half, 4, half, h);
}

QSize IkeLadder::sizeHint() const
{
    const int h = m_ys.empty() ? 200 : int(m_ys.back() + 2 * m_layout.rowHeight);
    return {720, h};
}

int IkeLadder::lostCount(bool sentHere) const
{
    return int(std::count_if(m_arrows.begin(), m_arrows.end(),
                             [sentHere](const Arrow &a) { return a.lost && a.fromHere == sentHere; }));
}

void IkeLadder::setData(IndexPtr index, AnalysisPtr analysis, int ikeSa,
                        std::shared_ptr<const CompareResult> comparison, int side, const QString &otherName)
{
    m_arrows.clear();
    m_selected = -1;
    if (!index || !analysis || ikeSa < 0 || std::size_t(ikeSa) >= analysis->ike.ikeSas.size()) {
        m_ys.clear();
        updateGeometry();
        update();
        return;
    }
    const IkeSaExchanges &sa = analysis->ike.ikeSas[std::size_t(ikeSa)];
    m_initiator = tr("Initiator %1").arg(QString::fromStdString(sa.initiator.toString()));
    m_responder = tr("Responder %1").arg(QString::fromStdString(sa.responder.toString()));
    // A pair: which lane is capture A and which is B (the ladder may be B's own, on B's clock).
    if (comparison && (side == 0 || side == 1)) {
        const auto &own = comparison->side[side].localAddresses;
        const auto here = [&own](const IpAddress &a) {
            return std::find(own.begin(), own.end(), a) != own.end();
        };
        const bool initiatorHere = here(sa.initiator), responderHere = here(sa.responder);
        if (initiatorHere != responderHere) {
            const QString self = side == 0 ? tr("Capture A") : tr("Capture B");
            const QString other = side == 0 ? tr("Capture B") : tr("Capture A");
            // In front: a long IPv6 address wraps onto the second line, the tag stays on the first.
            m_initiator = tr("%1: %2").arg(initiatorHere ? self : other, m_initiator);
            m_responder = tr("%1: %2").arg(responderHere ? self : other, m_responder);
        }
    }
    // Wide enough for each wrapped lane label's longest line in its half of the width.
    {
        const QFontMetricsF fm(laneFont());
        double widest = 0;
        for (const QString &label : {m_initiator, m_responder})
            for (const QString &line : label.split(QLatin1Char(' ')))
                widest = std::max(widest, fm.horizontalAdvance(line));
        setMinimumWidth(std::max(520, int(std::ceil(2 * (widest + 16)))));
    }
    // What became of each exchange and which messages died on the way: judged in core, the
    // exchange table (models/ikeexchangemodel.h) shows the same words.
    const IkeSaOutcomes outcomes = judgeIkeSa(*index, sa, comparison.get(), side);
    const auto lostHere = [&](Arrow &a) {
        a.lost = true;
        a.label += tr(" — lost in transit");
        a.details += tr("<br><b>never arrived at %1: lost in transit</b>").arg(htmlText(otherName));
    };
    for (std::size_t e = 0; e < sa.exchanges.size(); ++e) {
        const IkeExchange &ex = sa.exchanges[e];
        const IkeExchangeOutcome &outcome = outcomes.exchanges[e];
        const QString name = exchangeTypeText(ex.exchange);
        const QString cls = QString::fromLatin1(exchangeClassName(ex.cls)) +
                            (ex.classInferred ? tr(" (inferred)") : QString());
        for (std::size_t k = 0; k < ex.requestMessages.size(); ++k) {
            const IkeMessage &m = index->ikeMessages[ex.requestMessages[k]];
            Arrow a;
            a.tsNs = m.tsNs;
            a.fromInitiator = ex.byInitiator;
            // An outcome in a missing file of a set is not drawn as unanswered.
            a.kind = k == 0 ? (ex.answered || ex.fileGap >= 0 ? Arrow::Request : Arrow::Unanswered)
                            : Arrow::Retransmission;
            a.label = tr("%1 #%2 request%3")
                          .arg(name)
                          .arg(ex.messageId)
                          .arg(k ? tr(" (retransmit %1)").arg(k) : QString());
            QString extra;
            if (k > 0 && k - 1 < ex.retransmissions.size()) {
                const auto &rt = ex.retransmissions[k - 1];
                extra = tr("<br>gap %1 s; strongSwan default %2 s (ratio %3)")
                            .arg(rt.gapS, 0, 'f', 2)
                            .arg(rt.expectedGapS, 0, 'f', 2)
                            .arg(rt.ratio(), 0, 'f', 2);
            }
            a.details = tr("<b>%1</b> message ID %2, %3 request, %4 bytes, packet %5<br>class: %6%7%8")
                            .arg(name)
                            .arg(ex.messageId)
                            .arg(ex.byInitiator ? tr("initiator's") : tr("responder's"))
                            .arg(m.header.length)
                            .arg(m.packet + 1)
                            .arg(cls, extra,
                                 ex.answered || ex.fileGap >= 0 ? tr("<br>%1").arg(outcome.text)
                                                                : tr("<br><b>%1</b>").arg(outcome.text));
            a.packet = m.packet;
            a.messageId = ex.messageId;
            if (outcome.requestLost[k]) lostHere(a);
            m_arrows.push_back(a);
        }
        for (std::size_t k = 0; k < ex.responseMessages.size(); ++k) {
            const IkeMessage &m = index->ikeMessages[ex.responseMessages[k]];
            Arrow a;
            a.tsNs = m.tsNs;
            a.fromInitiator = !ex.byInitiator;
            a.kind = k == 0 ? Arrow::Response : Arrow::Retransmission;
            a.label =
                tr("%1 #%2 response%3").arg(name).arg(ex.messageId).arg(k ? tr(" (re-sent)") : QString());
            a.details = tr("<b>%1</b> message ID %2 response, %3 bytes, packet %4%5")
                            .arg(name)
                            .arg(ex.messageId)
                            .arg(m.header.length)
                            .arg(m.packet + 1)
                            .arg(ex.answered && k == 0
                                     ? tr("<br>%1 ms after the first request").arg(ex.responseMs(), 0, 'f', 1)
                                     : QString());
            a.packet = m.packet;
            a.messageId = ex.messageId;
            if (outcome.responseLost[k]) lostHere(a);
            m_arrows.push_back(a);
        }
    }
    if (comparison) addLostFromOther(*comparison, side, sa, outcomes.lostFromOther, otherName);
    std::stable_sort(m_arrows.begin(), m_arrows.end(),
                     [](const Arrow &x, const Arrow &y) { return x.tsNs < y.tsNs; });
    std::vector<std::int64_t> times;
    times.reserve(m_arrows.size());
    for (const Arrow &a : m_arrows)
        times.push_back(a.tsNs);
    m_layout.rowHeight = fontMetrics().height() * 1.6;
    // Two lines of lane label (a long IPv6 address wraps under "Initiator"), then the first
    // arrow's own label a row above it: below the lane labels, not over them.
    m_layout.top = std::max(fontMetrics().height() * 3.0,
                            2 * QFontMetricsF(laneFont()).lineSpacing() + 12 + m_layout.rowHeight);
    m_ys = m_layout.place(times);
    updateGeometry();
    resize(sizeHint());
    update();
}

void IkeLadder::addLostFromOther(const CompareResult &comparison, int side, const IkeSaExchanges &sa,
                                 const std::vector<IkeLostMessage> &lost, const QString &otherName)
{
    // The other end's times onto this clock: θ = clock(B) − clock(A).
    const double offsetS = side == 0 ? comparison.pairing.offsetS : -comparison.pairing.offsetS;
    const auto shiftNs = std::int64_t(std::llround(offsetS * 1e9));
    const auto &own = comparison.side[side].localAddresses;
    const bool otherIsInitiator = std::find(own.begin(), own.end(), sa.initiator) == own.end();
    for (const IkeLostMessage &l : lost) {
        const QString what = tr("%1 #%2 %3%4")
                                 .arg(exchangeTypeText(l.exchange))
                                 .arg(l.messageId)
                                 .arg(l.response ? tr("response") : tr("request"))
                                 .arg(l.fragment ? tr(" fragment %1").arg(l.fragment) : QString());
        // Sent by the other end and never seen here: only its capture has it.
        Arrow a;
        a.tsNs = l.tsNs - shiftNs;
        const auto ex = std::find_if(sa.exchanges.begin(), sa.exchanges.end(),
                                     [&](const IkeExchange &e) { return e.messageId == l.messageId; });
        // A request comes from the exchange's initiator, a response from the other side.
        a.fromInitiator = ex != sa.exchanges.end() ? (ex->byInitiator != l.response) : otherIsInitiator;
        a.kind = l.response ? Arrow::Response : (l.attempt > 1 ? Arrow::Retransmission : Arrow::Request);
        a.label = tr("%1 (sent by %2) — lost in transit").arg(what, visibleText(otherName));
        a.details =
            tr("<b>%1</b>, attempt %2, %3 bytes, sent by %4 at %5 s on this capture's clock "
               "(its clock offset %6 ms applied)<br><b>never arrived here: lost in transit</b>")
                .arg(what, QString::number(l.attempt), QString::number(l.size),
                     htmlText(otherName), // it holds the other capture's file name
                     QString::number(double(a.tsNs) / 1e9, 'f', 6), QString::number(offsetS * 1e3, 'f', 3));
        a.packet = ~quint64(0);
        a.messageId = l.messageId;
        a.lost = true;
        a.fromHere = false;
        m_arrows.push_back(a);
    }
}

void IkeLadder::paintEvent(QPaintEvent *event)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing, m_arrows.size() < 2000);
    const QPalette pal = palette();
    const double leftX = this->leftX();
    const double rightX = this->rightX();
    const double bottom = m_ys.empty() ? height() : m_ys.back() + m_layout.rowHeight;
    p.setPen(QPen(pal.color(QPalette::Text), 2));
    p.drawLine(QPointF(leftX, m_layout.top - 8), QPointF(leftX, bottom));
    p.drawLine(QPointF(rightX, m_layout.top - 8), QPointF(rightX, bottom));
    p.setFont(laneFont());
    for (const bool initiator : {true, false})
        p.drawText(laneLabelRect(initiator), laneLabelFlags(initiator, laneLabelWide(initiator)),
                   laneLabel(initiator));
    p.setFont(font());
    if (m_arrows.empty()) {
        p.drawText(rect(), Qt::AlignCenter, tr("No IKE messages"));
        return;
    }
    const bool dark = isDarkPalette(pal);
    // Only rows inside the exposed rectangle are painted (binary search on y).
    const int firstRow = std::max(0, LadderLayout::hitTest(m_ys, event->rect().top()) - 1);
    const int lastRow =
        std::min(int(m_arrows.size()) - 1, LadderLayout::hitTest(m_ys, event->rect().bottom()) + 1);
    for (int i = firstRow; i <= lastRow; ++i) {
        const Arrow &a = m_arrows[std::size_t(i)];
        const double y = m_ys[std::size_t(i)];
        QColor c;
        switch (a.kind) {
        case Arrow::Request:
            c = roleColor(ColorRole::Primary, pal);
            break;
        case Arrow::Response:
            c = roleColor(ColorRole::Good, pal);
            break;
        case Arrow::Retransmission:
            c = roleColor(ColorRole::Warning, pal);
            break;
        case Arrow::Unanswered:
            c = roleColor(ColorRole::Bad, pal);
            break;
        case Arrow::CaptureDuplicate:
            c = pal.color(QPalette::PlaceholderText);
            break;
        }
        const double x1 = a.fromInitiator ? leftX : rightX;
        // Lost in transit: the arrow stops half-way, a cross where it died.
        const double x2 = a.lost ? (leftX + rightX) / 2 : (a.fromInitiator ? rightX : leftX);
        if (a.lost) c = statusColor(StepStatus::Fail, pal);
        if (i == m_selected)
            p.fillRect(QRectF(0, y - m_layout.rowHeight / 2, width(), m_layout.rowHeight),
                       pal.color(QPalette::Highlight).lighter(dark ? 60 : 170));
        p.setPen(QPen(c, a.kind == Arrow::Unanswered ? 2.5 : 1.6,
                      a.kind == Arrow::Retransmission ? Qt::DashLine : Qt::SolidLine));
        p.drawLine(QPointF(x1, y), QPointF(x2, y));
        const double dir = x2 > x1 ? -1 : 1;
        if (a.lost) {
            p.setPen(QPen(c, 2.5));
            p.drawLine(QPointF(x2 - 5, y - 4), QPointF(x2 + 5, y + 4));
            p.drawLine(QPointF(x2 - 5, y + 4), QPointF(x2 + 5, y - 4));
        } else {
            QPainterPath head;
            head.moveTo(x2, y);
            head.lineTo(x2 + dir * 10, y - 5);
            head.lineTo(x2 + dir * 10, y + 5);
            head.closeSubpath();
            p.fillPath(head, c);
        }
        p.setPen(c);
        // Elided in the middle when longer than the lanes' gap (a long file name in "sent by …"):
        // the whole text is in the details pane when the arrow is clicked.
        // A lost arrow's label ends above its cross (which reaches 4 px above the line).
        const QRectF labelBox(leftX + 12, y - m_layout.rowHeight, rightX - leftX - 24,
                              m_layout.rowHeight - (a.lost ? 6 : 2));
        p.drawText(labelBox, Qt::AlignHCenter | Qt::AlignBottom,
                   p.fontMetrics().elidedText(a.label, Qt::ElideMiddle, int(labelBox.width())));
        p.setPen(pal.color(QPalette::Text));
        p.drawText(QRectF(4, y - m_layout.rowHeight / 2, leftX - 16, m_layout.rowHeight),
                   Qt::AlignRight | Qt::AlignVCenter, timeLabel(a.tsNs));
    }
}

void IkeLadder::mousePressEvent(QMouseEvent *event)
{
    const int row = LadderLayout::hitTest(m_ys, event->position().y());
    if (row < 0) return;
    m_selected = row;
    update();
    Q_EMIT messageSelected(m_arrows[std::size_t(row)].packet, m_arrows[std::size_t(row)].details);
}

} // namespace ikev2wb::ui
