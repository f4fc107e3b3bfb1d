#pragma once
// Hand-painted IKE ladder: initiator and responder lanes, one arrow per message labelled with
// exchange and message ID; retransmissions orange, unanswered requests red, gaps to scale.
#include "charts/ladderlayout.h"
#include "loader/captureloader.h"

#include <QWidget>

namespace ikev2wb::ui {

class IkeLadder final : public QWidget
{
    Q_OBJECT
public:
    explicit IkeLadder(QWidget *parent = nullptr);
    /// Shows the messages of IKE SA `ikeSa` (index into analysis->ike.ikeSas).
    void setData(IndexPtr index, AnalysisPtr analysis, int ikeSa);
    [[nodiscard]] int arrowCount() const { return int(m_arrows.size()); }
    [[nodiscard]] QSize sizeHint() const override;

Q_SIGNALS:
    /// A message was clicked: its packet index and a one-paragraph description.
    void messageSelected(quint64 packet, const QString &details);

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;

private:
    struct Arrow
    {
        std::int64_t tsNs;
        bool fromInitiator;
        enum Kind { Request, Response, Retransmission, Unanswered, CaptureDuplicate } kind;
        QString label;
        QString details;
        quint64 packet;
    };
    std::vector<Arrow> m_arrows;
    std::vector<double> m_ys;
    LadderLayout m_layout;
    QString m_initiator;
    QString m_responder;
    int m_selected = -1;
};

} // namespace ikev2wb::ui
