#pragma once
// Hand-painted IKE ladder: initiator and responder lanes, one arrow per message labelled with
// exchange and message ID; retransmissions orange, unanswered requests red, gaps to scale.
#include "charts/ladderlayout.h"
#include "compare/endpointcompare.h"
#include "sharedtypes.h"

#include <QRectF>
#include <QWidget>

#include <algorithm>

namespace ikev2wb::ui {

class IkeLadder final : public QWidget
{
    Q_OBJECT
public:
    explicit IkeLadder(QWidget *parent = nullptr);
    /// Shows the messages of IKE SA `ikeSa` (index into analysis->ike.ikeSas). A pair: this is
    /// capture `side` of `comparison`, the other end is called `otherName`; messages lost in
    /// transit (CompareResult::ikeLost) end half-way with a cross, this end's own and the other
    /// end's (which this capture never saw, placed at their send time on this clock).
    void setData(IndexPtr index, AnalysisPtr analysis, int ikeSa,
                 std::shared_ptr<const CompareResult> comparison = {}, int side = 0,
                 const QString &otherName = {});
    [[nodiscard]] int arrowCount() const { return int(m_arrows.size()); }
    /// Arrows drawn as lost in transit (sent by this end / by the other end).
    [[nodiscard]] int lostCount(bool sentHere) const;
    /// Arrow `i`'s label and the details a click on it shows (arrows in time order).
    [[nodiscard]] QString arrowLabel(int i) const { return m_arrows.at(std::size_t(i)).label; }
    [[nodiscard]] QString arrowDetails(int i) const { return m_arrows.at(std::size_t(i)).details; }
    [[nodiscard]] QSize sizeHint() const override;
    /// The time beside a message, as View ▸ Time Display says: the time of day (UTC or local,
    /// to the microsecond; the date is in the IKE SA picker), else seconds since the SA's first
    /// message shown.
    [[nodiscard]] QString timeLabel(std::int64_t tsNs) const;
    /// The initiator's (or responder's) lane label ("Initiator ADDR"; in a pair "Capture A: Initiator ADDR"
    /// when the capture's own addresses tell which end it is) and the box it is drawn in:
    /// centred over its lane when it fits 260 px, else from the widget's edge towards the middle,
    /// wrapped onto a second line (a full IPv6 address does not fit 260 px).
    [[nodiscard]] QString laneLabel(bool initiator) const { return initiator ? m_initiator : m_responder; }
    [[nodiscard]] QRectF laneLabelRect(bool initiator) const;
    [[nodiscard]] static constexpr int laneLabelFlags(bool initiator, bool wide)
    {
        return wide ? int(Qt::TextWordWrap) | int(Qt::AlignVCenter) |
                          int(initiator ? Qt::AlignLeft : Qt::AlignRight)
                    : int(Qt::AlignCenter);
    }

Q_SIGNALS:
    /// A message was clicked: its packet index and a one-paragraph description.
    void messageSelected(quint64 packet, const QString &details);

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;

private:
    [[nodiscard]] double leftX() const { return 140; }
    [[nodiscard]] double rightX() const { return std::max(leftX() + 300, double(width()) - 140); }
    [[nodiscard]] bool laneLabelWide(bool initiator) const;
    [[nodiscard]] QFont laneFont() const; // the lane labels' (bold) font
    /// Arrows for the messages of `sa` the other end sent that never arrived here (`lost`).
    void addLostFromOther(const CompareResult &comparison, int side, const IkeSaExchanges &sa,
                          const std::vector<IkeLostMessage> &lost, const QString &otherName);
    struct Arrow
    {
        std::int64_t tsNs;
        bool fromInitiator;
        enum Kind { Request, Response, Retransmission, Unanswered, CaptureDuplicate } kind;
        QString label;
        QString details;
        quint64 packet;
        std::uint32_t messageId = 0;
        bool lost = false;    // lost in transit (a pair's comparison says so)
        bool fromHere = true; // in this capture (false: only in the other end's)
    };
    std::vector<Arrow> m_arrows;
    std::vector<double> m_ys;
    LadderLayout m_layout;
    QString m_initiator;
    QString m_responder;
    int m_selected = -1;
};

} // namespace ikev2wb::ui
