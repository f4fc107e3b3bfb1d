#include "sideswitch.h"
#include "widgets/plaintext.h"

#include <QButtonGroup>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>
#include <QVBoxLayout>

namespace ikev2wb::ui {

SideSwitch::SideSwitch(const QString &prefix, QWidget *parent) : QWidget(parent)
{
    auto *rows = new QVBoxLayout(this);
    rows->setContentsMargins(9, 6, 9, 0);
    auto *row = new QHBoxLayout;
    rows->addLayout(row);
    row->addWidget(new QLabel(tr("Capture:"), this));
    auto *group = new QButtonGroup(this);
    for (int side = 0; side < 2; ++side) {
        m_button[side] = new QToolButton(this);
        m_button[side]->setCheckable(true);
        m_button[side]->setObjectName(prefix +
                                      (side == 0 ? QStringLiteral("SideA") : QStringLiteral("SideB")));
        group->addButton(m_button[side], side);
        row->addWidget(m_button[side]);
    }
    row->addStretch(1);
    m_line = new QLabel(this);
    m_line->setObjectName(prefix + QStringLiteral("PairLine"));
    m_line->setTextFormat(Qt::PlainText);
    // Wraps instead of widening the window past a small screen (1366 px: the Packets page's line
    // is ~1,100 px), on a row of its own: beside the buttons its second line was cut off.
    m_line->setWordWrap(true);
    m_line->setMinimumWidth(1);
    rows->addWidget(m_line);
    setSide(0);
    setVisible(false);
    connect(group, &QButtonGroup::idClicked, this, [this](int side) {
        setSide(side);
        Q_EMIT sideClicked(side);
    });
}

void SideSwitch::setNames(const QString &a, const QString &b)
{
    m_button[0]->setText(mnemonicText(a));
    m_button[1]->setText(mnemonicText(b));
    setVisible(true);
}

void SideSwitch::setSide(int side)
{
    if (side != 0 && side != 1) return;
    m_side = side;
    m_button[side]->setChecked(true);
    for (QToolButton *b : m_button) {
        // The capture shown reads in bold: a checked button's frame alone is faint in some themes.
        QFont f = b->font();
        f.setBold(b->isChecked());
        b->setFont(f);
    }
}

void SideSwitch::setLine(const QString &text)
{
    m_line->setText(visibleText(text));
}

QString SideSwitch::line() const
{
    return m_line->text();
}

} // namespace ikev2wb::ui
