#pragma once
// Capture ▸ Start Live Capture…: the interfaces of this machine (pcap_findalldevs, listed
// without any privilege) with their addresses, the filter, when to stop (duration, packet
// count), an optional ring of files, and the output file. Before anything starts it checks the
// capture helper for this user and, when it cannot capture, says exactly what to do (setcap,
// the group) instead of offering Start.
#include "live/capturehelper.h"
#include "loader/livesession.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTreeWidget;

namespace ikev2wb::ui {

class LiveCaptureDialog final : public QDialog
{
    Q_OBJECT
public:
    /// `programDir`: where the running program is (the helper is looked for beside it).
    explicit LiveCaptureDialog(const QString &programDir, QWidget *parent = nullptr);

    /// Selects interface `name` in the list (false: not listed).
    bool selectInterface(const QString &name);
    /// The form as helper options (helper path included).
    [[nodiscard]] LiveCaptureOptions options() const;
    [[nodiscard]] const CaptureHelperCheck &helperCheck() const { return m_check; }

Q_SIGNALS:
    /// Start was pressed on a form that passed its checks.
    void startRequested(const ikev2wb::ui::LiveCaptureOptions &options);

private:
    void browse();
    void validate();
    void accept() override;

    CaptureHelperCheck m_check;
    QString m_listError;
    QTreeWidget *m_interfaces = nullptr;
    QLineEdit *m_filter = nullptr;
    QSpinBox *m_duration = nullptr;
    QSpinBox *m_count = nullptr;
    QCheckBox *m_ring = nullptr;
    QSpinBox *m_ringFiles = nullptr;
    QSpinBox *m_ringSize = nullptr;
    QLineEdit *m_output = nullptr;
    QLineEdit *m_peer = nullptr;       // USER@HOST, empty: no peer
    QLineEdit *m_peerIface = nullptr;  // empty: the local interface's name
    QComboBox *m_peerTool = nullptr;   // helper, tcpdump
    QLineEdit *m_sshOptions = nullptr; // KEY=VALUE ...
    QLabel *m_permission = nullptr;
    QLabel *m_problem = nullptr;
    QPushButton *m_start = nullptr;
};

} // namespace ikev2wb::ui
