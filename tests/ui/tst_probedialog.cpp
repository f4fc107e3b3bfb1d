// "Probe path MTU…" on the MTU page: the dialog runs the real probe on a worker and stays
// responsive, shows each size, hands the measured MTU to the calculator, and Stop / Close cancel.
// The whole test process moves into a network namespace of its own at start (unshare, root), so
// its probes can reach nothing but that namespace's loopback. The truths are the values the test
// configures there: the loopback MTU (1400: sizes above it are refused by the local stack) and an
// iptables rule dropping echo requests longer than 1000 bytes (a black hole above 1000).
#include "pages/mtupage.h"
#include "pages/probedialog.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTest>

#include <sched.h>
#include <unistd.h>

using namespace ikev2wb;
using namespace ikev2wb::ui;

namespace {

bool run(const QString &program, const QStringList &args, QString *error)
{
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(10000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        *error =
            QStringLiteral("%1 %2: %3")
                .arg(program, args.join(QLatin1Char(' ')), QString::fromLocal8Bit(p.readAllStandardError()));
        return false;
    }
    return true;
}

probe::ProbeOptions loopback(double timeoutS)
{
    probe::ProbeOptions o;
    o.host = QStringLiteral("127.0.0.1");
    o.proto = probe::Proto::Icmp;
    o.minSize = 68;
    o.maxSize = 1500;
    o.tries = 1;
    o.timeoutS = timeoutS;
    return o;
}

} // namespace

class TestProbeDialog : public QObject
{
    Q_OBJECT
public:
    explicit TestProbeDialog(bool isolated) : m_isolated(isolated) {}

private slots:
    void initTestCase()
    {
        if (!m_isolated) return;
        QString e;
        if (!run(QStringLiteral("ip"),
                 {QStringLiteral("link"), QStringLiteral("set"), QStringLiteral("lo"), QStringLiteral("mtu"),
                  QStringLiteral("1400"), QStringLiteral("up")},
                 &e))
            m_why = e;
    }

    void measuresAndHandsOverToCalculator()
    {
        if (!m_isolated || !m_why.isEmpty()) QSKIP(qPrintable(skipText()));
        MtuPage page;
        page.show();
        ProbeDialog *dialog = page.openProbeDialog();
        QVERIFY(dialog && dialog->isVisible());
        dialog->setOptions(loopback(0.3));
        QSignalSpy finished(dialog, &ProbeDialog::finished);
        dialog->start();
        QVERIFY(dialog->isRunning());
        QVERIFY(finished.wait(10000));
        const probe::ProbeResult &r = dialog->result();
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
        QCOMPARE(r.pathMtu.value_or(0), 1400); // lo's MTU, set above
        QCOMPARE(r.failedBy.value_or(probe::Outcome::Silent), probe::Outcome::TooBigLocal);
        QCOMPARE(r.pmtud, probe::Pmtud::Working);
        // Every size the worker settled reached the log (one line each).
        auto *log = dialog->findChild<QPlainTextEdit *>();
        QVERIFY(log);
        QTRY_COMPARE(log->document()->blockCount(), int(r.probes.size()));

        auto *spin = page.findChild<QSpinBox *>(QStringLiteral("pathMtu"));
        QVERIFY(spin);
        QVERIFY(spin->value() != 1400);
        auto *use = dialog->findChild<QPushButton *>(QStringLiteral("probeUse"));
        QVERIFY(use && use->isEnabled());
        use->click();
        QCOMPARE(spin->value(), 1400);
    }

    void blackHoleAndStop()
    {
        if (!m_isolated || !m_why.isEmpty()) QSKIP(qPrintable(skipText()));
        QString e;
        // Echo requests longer than 1000 bytes vanish on the way in: no reply, no ICMP error.
        QVERIFY2(run(QStringLiteral("iptables"),
                     {QStringLiteral("-A"), QStringLiteral("INPUT"), QStringLiteral("-p"),
                      QStringLiteral("icmp"), QStringLiteral("--icmp-type"), QStringLiteral("echo-request"),
                      QStringLiteral("-m"), QStringLiteral("length"), QStringLiteral("--length"),
                      QStringLiteral("1001:65535"), QStringLiteral("-j"), QStringLiteral("DROP")},
                     &e),
                 qPrintable(e));
        ProbeDialog dialog;
        dialog.show();
        QSignalSpy finished(&dialog, &ProbeDialog::finished);
        dialog.setOptions(loopback(0.2));
        dialog.start();
        QVERIFY(finished.wait(20000));
        QCOMPARE(dialog.result().pathMtu.value_or(0), 1000);
        QCOMPARE(dialog.result().pmtud, probe::Pmtud::BlackHole);

        // 5 s per silent size: Stop must end it within a poll, and the window keeps turning.
        dialog.setOptions(loopback(5));
        dialog.start();
        QTest::qWait(400); // 68 delivered, 1500 refused locally, 784 delivered, 1142 silent...
        QVERIFY(dialog.isRunning());
        QElapsedTimer t;
        t.start();
        dialog.findChild<QPushButton *>(QStringLiteral("probeStop"))->click();
        QVERIFY(finished.wait(2000));
        QVERIFY2(t.elapsed() < 1000, qPrintable(QString::number(t.elapsed())));
        QVERIFY(dialog.result().cancelled);

        // Closing while running cancels and hides; the dialog closes itself when the worker ends.
        dialog.start();
        QTest::qWait(400);
        dialog.reject();
        QVERIFY(!dialog.isVisible());
        QVERIFY(finished.wait(2000));
        QVERIFY(!dialog.isRunning());
    }

private:
    QString skipText() const
    {
        return m_isolated ? m_why
                          : QStringLiteral("needs root to move the test into its own network namespace "
                                           "(unshare CLONE_NEWNET); probes never leave it");
    }
    bool m_isolated = false;
    QString m_why;
};

int main(int argc, char **argv)
{
    // Before any thread exists: threads started later (the probe's worker) inherit the namespace.
    const bool isolated = ::geteuid() == 0 && ::unshare(CLONE_NEWNET) == 0;
    QApplication app(argc, argv);
    TestProbeDialog test(isolated);
    return QTest::qExec(&test, argc, argv);
}

#include "tst_probedialog.moc"
