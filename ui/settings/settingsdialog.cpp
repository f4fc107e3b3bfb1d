#include "settingsdialog.h"

#include "settings/timedisplay.h"
#include "settings/workbenchsettings.h"
#include "theme/theme.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>

namespace ikev2wb::ui {

SettingsDialog::SettingsDialog(QWidget *parent) : QDialog(parent)
{
    setWindowTitle(tr("Preferences"));
    setObjectName(QStringLiteral("settingsDialog"));
    auto *root = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("Inputs of the diagnosis wherever no imported host evidence names the value: "
                                "the anti-replay step emulates this window on the captured sequence numbers, "
                                "the NAT step judges idle gaps against this timeout. Imported xfrm states, "
                                "configurations and sysctl output take precedence. Changing them re-runs the "
                                "checklist of the open captures."),
                             this);
    intro->setWordWrap(true);
    root->addWidget(intro);
    auto *form = new QFormLayout;
    const WorkbenchSettings settings;
    m_replayWindow = new QSpinBox(this);
    m_replayWindow->setRange(1, 1 << 20);
    m_replayWindow->setSuffix(tr(" packets"));
    m_replayWindow->setValue(settings.assumedReplayWindow());
    m_replayWindow->setToolTip(tr("Anti-replay window of the receiving kernel SA (strongSwan replay_window, "
                                  "default 32)"));
    form->addRow(tr("Receiver &replay window:"), m_replayWindow);
    m_natTimeout = new QSpinBox(this);
    m_natTimeout->setRange(1, 24 * 3600);
    m_natTimeout->setSuffix(tr(" s"));
    m_natTimeout->setValue(settings.assumedNatUdpTimeoutS());
    m_natTimeout->setToolTip(
        tr("How long a NAT keeps an idle UDP mapping of an established tunnel. 30 s is conservative "
           "(many home routers); a Linux NAT uses nf_conntrack_udp_timeout_stream, 120 s by default"));
    form->addRow(tr("NAT &UDP timeout:"), m_natTimeout);
    root->addLayout(form);
    auto *look = new QFormLayout;
    m_theme = new QComboBox(this);
    m_theme->addItem(tr("System"), QStringLiteral("system"));
    m_theme->addItem(tr("Light"), QStringLiteral("light"));
    m_theme->addItem(tr("Dark"), QStringLiteral("dark"));
    m_theme->setCurrentIndex(std::max(0, m_theme->findData(settings.theme())));
    m_theme->setToolTip(tr("System follows the desktop; Light and Dark use Qt's Fusion style. Charts of tabs "
                           "already open take the new colours when reopened."));
    look->addRow(tr("&Theme:"), m_theme);
    m_timeDisplay = new QComboBox(this);
    m_timeDisplay->setObjectName(QStringLiteral("timeDisplayChoice"));
    for (TimeDisplay mode : TimeDisplayChoice::modes())
        m_timeDisplay->addItem(TimeDisplayChoice::menuText(mode).remove(QLatin1Char('&')), int(mode));
    m_timeDisplay->setCurrentIndex(
        std::max(0, m_timeDisplay->findData(int(TimeDisplayChoice::instance().mode()))));
    m_timeDisplay->setToolTip(
        tr("How packet times read in every table and CSV export (also View ▸ Time Display)"));
    look->addRow(tr("Packet t&imes:"), m_timeDisplay);
    root->addLayout(look);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    root->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(this, &QDialog::accepted, this, &SettingsDialog::save);
}

void SettingsDialog::save()
{
    WorkbenchSettings settings;
    settings.setAssumedReplayWindow(m_replayWindow->value());
    settings.setAssumedNatUdpTimeoutS(m_natTimeout->value());
    const QString theme = m_theme->currentData().toString();
    if (theme != settings.theme()) {
        settings.setTheme(theme);
        applyTheme(themeChoice(theme));
    }
    TimeDisplayChoice::instance().setMode(TimeDisplay(m_timeDisplay->currentData().toInt()));
    Q_EMIT assumptionsChanged(settings.assumedReplayWindow(), settings.assumedNatUdpTimeoutS());
}

} // namespace ikev2wb::ui
