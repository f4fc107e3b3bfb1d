#pragma once
// "Probe path MTU…": runs core/probe on a worker thread (the GUI never runs as root: ICMP goes
// through a ping socket where net.ipv4.ping_group_range allows it, UDP always works), shows each
// size as it settles on a strip (size against delivered / too big / silent), the verdict, and
// offers the measured path MTU to the calculator and the result as ikev2wb.probe/1 JSON for
// `diagnose --evidence`. Closing or Stop cancels within 100 ms.
#include "probe/pathprobe.h"

#include <QDialog>
#include <QFutureWatcher>

#include <atomic>
#include <memory>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

namespace ikev2wb::ui {

class ProbeStrip;

class ProbeDialog final : public QDialog
{
    Q_OBJECT
public:
    explicit ProbeDialog(QWidget *parent = nullptr);
    ~ProbeDialog() override;

    void setHost(const QString &host);
    void setOptions(const probe::ProbeOptions &o);
    /// A probe was started and its result has not been shown yet (the worker may have ended
    /// already: its result is on its way to the GUI thread).
    [[nodiscard]] bool isRunning() const { return m_running; }
    /// The last finished run (empty options.host before the first).
    [[nodiscard]] const probe::ProbeResult &result() const { return m_result; }

public slots:
    void start();
    void stop();
    /// Close: while a run goes on, cancels it and hides; closes when the worker has ended.
    void reject() override;

signals:
    /// "Use as path MTU" on a result that proved one.
    void pathMtuMeasured(int bytes);
    /// A run ended (finished, failed to start or cancelled).
    void finished();

private:
    [[nodiscard]] probe::ProbeOptions optionsFromForm() const;
    void addProbe(const probe::SizeProbe &p);
    void showResult();
    void saveJson();
    void saveJsonTo(const QString &path);
    void setRunning(bool running);

    QLineEdit *m_host = nullptr;
    QComboBox *m_proto = nullptr;
    QSpinBox *m_port = nullptr;
    QSpinBox *m_min = nullptr;
    QSpinBox *m_max = nullptr;
    QSpinBox *m_tries = nullptr;
    QDoubleSpinBox *m_timeout = nullptr;
    QCheckBox *m_ipv6 = nullptr;
    QPushButton *m_start = nullptr;
    QPushButton *m_stop = nullptr;
    QPushButton *m_use = nullptr;
    QPushButton *m_save = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_verdict = nullptr;
    QPlainTextEdit *m_log = nullptr;
    ProbeStrip *m_strip = nullptr;

    QFutureWatcher<probe::ProbeResult> m_watcher;

    bool m_running = false;
    std::shared_ptr<std::atomic_bool> m_cancel;
    probe::ProbeResult m_result;
    bool m_closeWhenDone = false;
};

} // namespace ikev2wb::ui
