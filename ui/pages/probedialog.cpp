#include "probedialog.h"
#include "report/probereport.h"
#include "widgets/filedialogs.h"

#include "theme/theme.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace ikev2wb::ui {

/// The probes on a size axis [min, max]: one tick per size, coloured by how it ended, with the
/// path MTU marked. Sizes are few (a binary search), so it paints them all.
class ProbeStrip final : public QWidget
{
public:
    explicit ProbeStrip(QWidget *parent) : QWidget(parent)
    {
        setMinimumHeight(64);
        setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    }
    void reset(int min, int max)
    {
        m_min = min;
        m_max = std::max(max, min + 1);
        m_probes.clear();
        m_pathMtu = 0;
        update();
    }
    void add(const probe::SizeProbe &p)
    {
        m_probes.push_back(p);
        update();
    }
    void setPathMtu(int mtu)
    {
        m_pathMtu = mtu;
        update();
    }
    [[nodiscard]] std::size_t count() const { return m_probes.size(); }

protected:
    void paintEvent(QPaintEvent *) override
    {
        QPainter p(this);
        const QPalette &pal = palette();
        p.fillRect(rect(), pal.color(QPalette::Base));
        const int left = 8, right = width() - 8, axisY = height() - 20;
        auto x = [&](int size) {
            return left + double(size - m_min) * (right - left) / double(m_max - m_min);
        };
        p.setPen(pal.color(QPalette::Text));
        p.drawLine(left, axisY, right, axisY);
        p.drawText(QRect(left, axisY + 2, 80, 16), Qt::AlignLeft, QString::number(m_min));
        p.drawText(QRect(right - 80, axisY + 2, 80, 16), Qt::AlignRight, QString::number(m_max));
        for (const probe::SizeProbe &s : m_probes) {
            StepStatus st = StepStatus::NotEnoughEvidence;
            if (s.outcome == probe::Outcome::Delivered)
                st = StepStatus::Pass;
            else if (s.outcome == probe::Outcome::TooBigIcmp || s.outcome == probe::Outcome::TooBigLocal)
                st = StepStatus::Warn;
            else if (s.outcome == probe::Outcome::Silent)
                st = StepStatus::Fail;
            p.setPen(QPen(statusColor(st, pal), 3));
            const double at = x(s.size);
            p.drawLine(QPointF(at, 6), QPointF(at, axisY));
        }
        if (m_pathMtu > 0) {
            p.setPen(QPen(pal.color(QPalette::Text), 1, Qt::DashLine));
            const double at = x(m_pathMtu);
            p.drawLine(QPointF(at, 2), QPointF(at, axisY));
            p.drawText(QRectF(at - 60, axisY + 2, 120, 16), Qt::AlignHCenter, QString::number(m_pathMtu));
        }
    }

private:
    int m_min = 68;
    int m_max = 1500;
    int m_pathMtu = 0;
    std::vector<probe::SizeProbe> m_probes;
};

ProbeDialog::ProbeDialog(QWidget *parent) : QDialog(parent)
{
    setWindowTitle(tr("Probe path MTU"));
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    m_host = new QLineEdit(this);
    m_host->setPlaceholderText(tr("the peer's address (outside the tunnel) or one behind it"));
    form->addRow(tr("Target"), m_host);
    m_proto = new QComboBox(this);
    m_proto->addItem(tr("ICMP echo (ping socket; raw socket needs CAP_NET_RAW)"));
    m_proto->addItem(tr("UDP (no privilege; the target's port unreachable counts as delivered)"));
    form->addRow(tr("Probes"), m_proto);
    m_port = new QSpinBox(this);
    m_port->setRange(1, 65535);
    m_port->setValue(33434);
    form->addRow(tr("UDP port"), m_port);
    auto *sizes = new QHBoxLayout;
    m_min = new QSpinBox(this);
    m_min->setRange(50, 65535);
    m_min->setValue(68);
    m_max = new QSpinBox(this);
    m_max->setRange(50, 65535);
    m_max->setValue(1500);
    sizes->addWidget(m_min);
    sizes->addWidget(new QLabel(tr("to"), this));
    sizes->addWidget(m_max);
    sizes->addWidget(new QLabel(tr("bytes (whole IP packets)"), this));
    sizes->addStretch();
    form->addRow(tr("Sizes"), sizes);
    auto *tries = new QHBoxLayout;
    m_tries = new QSpinBox(this);
    m_tries->setRange(1, 10);
    m_tries->setValue(3);
    m_timeout = new QDoubleSpinBox(this);
    m_timeout->setRange(0.05, 10);
    m_timeout->setValue(1.0);
    m_timeout->setSuffix(tr(" s"));
    tries->addWidget(m_tries);
    tries->addWidget(new QLabel(tr("tries per size, each waiting"), this));
    tries->addWidget(m_timeout);
    tries->addStretch();
    form->addRow(tr("Tries"), tries);
    m_ipv6 = new QCheckBox(tr("IPv6 (-6)"), this);
    form->addRow(QString(), m_ipv6);
    layout->addLayout(form);

    m_strip = new ProbeStrip(this);
    m_strip->setToolTip(tr("Each size tried: green delivered, orange too big (ICMP or local), red silent"));
    layout->addWidget(m_strip);
    m_status = new QLabel(this);
    m_status->setTextFormat(Qt::PlainText); // the host as typed
    layout->addWidget(m_status);
    m_verdict = new QLabel(this);
    m_verdict->setTextFormat(Qt::PlainText);
    m_verdict->setWordWrap(true);
    m_verdict->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont bold = m_verdict->font();
    bold.setBold(true);
    m_verdict->setFont(bold);
    layout->addWidget(m_verdict);
    m_log = new QPlainTextEdit(this);
    m_log->setReadOnly(true);
    m_log->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    layout->addWidget(m_log, 1);

    auto *buttons = new QDialogButtonBox(this);
    m_start = buttons->addButton(tr("Start"), QDialogButtonBox::ActionRole);
    m_stop = buttons->addButton(tr("Stop"), QDialogButtonBox::ActionRole);
    m_use = buttons->addButton(tr("Use as path MTU"), QDialogButtonBox::ActionRole);
    m_save = buttons->addButton(tr("Save JSON…"), QDialogButtonBox::ActionRole);
    buttons->addButton(QDialogButtonBox::Close);
    m_start->setObjectName(QStringLiteral("probeStart"));
    m_stop->setObjectName(QStringLiteral("probeStop"));
    m_use->setObjectName(QStringLiteral("probeUse"));
    m_use->setToolTip(tr("Puts the measured path MTU into the overhead calculator"));
    m_save->setToolTip(tr("ikev2wb.probe/1 JSON: give it to `ikev2wb diagnose --evidence`"));
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &ProbeDialog::reject);
    connect(m_start, &QPushButton::clicked, this, &ProbeDialog::start);
    connect(m_stop, &QPushButton::clicked, this, &ProbeDialog::stop);
    connect(m_use, &QPushButton::clicked, this, [this] {
        if (m_result.pathMtu) emit pathMtuMeasured(*m_result.pathMtu);
    });
    connect(m_save, &QPushButton::clicked, this, &ProbeDialog::saveJson);
    connect(m_proto, &QComboBox::currentIndexChanged, this, [this](int i) { m_port->setEnabled(i == 1); });
    connect(m_ipv6, &QCheckBox::toggled, this, [this](bool v6) {
        if (v6 && m_min->value() < 1280) m_min->setValue(1280);
        if (!v6 && m_min->value() == 1280) m_min->setValue(68);
    });
    connect(&m_watcher, &QFutureWatcherBase::finished, this, &ProbeDialog::showResult);
    m_port->setEnabled(false);
    setRunning(false);
    resize(640, 520);
}

ProbeDialog::~ProbeDialog()
{
    // The worker calls back into this dialog; it ends within one 100 ms poll once cancelled.
    if (m_cancel) m_cancel->store(true);
    m_watcher.waitForFinished();
}

void ProbeDialog::setHost(const QString &host)
{
    m_host->setText(host);
}

void ProbeDialog::setOptions(const probe::ProbeOptions &o)
{
    m_host->setText(o.host);
    m_proto->setCurrentIndex(o.proto == probe::Proto::Udp ? 1 : 0);
    m_port->setValue(o.port);
    m_ipv6->setChecked(o.ipv6);
    if (o.minSize > 0) m_min->setValue(o.minSize);
    m_max->setValue(o.maxSize);
    m_tries->setValue(o.tries);
    m_timeout->setValue(o.timeoutS);
}

probe::ProbeOptions ProbeDialog::optionsFromForm() const
{
    probe::ProbeOptions o;
    o.host = m_host->text().trimmed();
    o.proto = m_proto->currentIndex() == 1 ? probe::Proto::Udp : probe::Proto::Icmp;
    o.port = std::uint16_t(m_port->value());
    o.ipv6 = m_ipv6->isChecked();
    o.minSize = m_min->value();
    o.maxSize = m_max->value();
    o.tries = m_tries->value();
    o.timeoutS = m_timeout->value();
    return o;
}

void ProbeDialog::setRunning(bool running)
{
    m_running = running;
    for (QWidget *w :
         std::initializer_list<QWidget *>{m_host, m_proto, m_min, m_max, m_tries, m_timeout, m_ipv6})
        w->setEnabled(!running);
    m_port->setEnabled(!running && m_proto->currentIndex() == 1);
    m_start->setEnabled(!running);
    m_stop->setEnabled(running);
    m_use->setEnabled(!running && m_result.pathMtu.has_value());
    m_save->setEnabled(!running && !m_result.probes.empty());
}

void ProbeDialog::start()
{
    if (isRunning()) return;
    probe::ProbeOptions o = optionsFromForm();
    const QString invalid = probe::validateOptions(o);
    if (!invalid.isEmpty()) {
        m_verdict->setText(invalid);
        return;
    }
    m_result = {};
    m_log->clear();
    m_verdict->clear();
    m_strip->reset(o.minSize, o.maxSize);
    m_status->setText(tr("probing %1…").arg(o.host));
    m_cancel = std::make_shared<std::atomic_bool>(false);
    setRunning(true);
    // A size settles at most every few milliseconds (a binary search of < 64 sizes): one queued
    // call per size is few enough for the GUI thread.
    auto progress = [this](const probe::SizeProbe &p) {
        QMetaObject::invokeMethod(
            this, [this, p] { addProbe(p); }, Qt::QueuedConnection);
    };
    m_watcher.setFuture(QtConcurrent::run(
        [o, progress, cancel = m_cancel]() { return probe::runPathProbe(o, progress, cancel.get()); }));
}

void ProbeDialog::stop()
{
    if (m_cancel) m_cancel->store(true);
}

void ProbeDialog::reject()
{
    if (isRunning()) {
        stop();
        m_closeWhenDone = true;
        hide();
        return;
    }
    QDialog::reject();
}

void ProbeDialog::addProbe(const probe::SizeProbe &p)
{
    m_strip->add(p);
    m_log->appendPlainText(probe::sizeProbeText(p));
    m_status->setText(tr("%n size(s) tried", nullptr, int(m_strip->count())));
}

void ProbeDialog::showResult()
{
    m_result = m_watcher.result();
    setRunning(false);
    if (!m_result.error.isEmpty()) {
        m_verdict->setText(m_result.error);
        m_status->clear();
    } else {
        m_verdict->setText(tr("Path MTU %1 — PMTUD %2: %3")
                               .arg(m_result.pathMtu ? QString::number(*m_result.pathMtu) : tr("unknown"),
                                    probe::pmtudName(m_result.pmtud), m_result.verdict));
        m_strip->setPathMtu(m_result.pathMtu.value_or(0));
        m_status->setText(tr("%1 (%2) by %3, %n size(s) in %4 s", nullptr, int(m_result.probes.size()))
                              .arg(m_result.options.host, m_result.address,
                                   probe::methodName(m_result.method),
                                   QString::number(m_result.durationS, 'f', 1)));
    }
    emit finished();
    if (m_closeWhenDone) {
        m_closeWhenDone = false;
        QDialog::reject();
    }
}

void ProbeDialog::saveJson()
{
    FileDialogRequest r;
    r.title = tr("Save probe result");
    r.start = QStringLiteral("probe-%1.json").arg(m_result.address);
    r.filter = tr("JSON (*.json)");
    r.mode = QFileDialog::AnyFile;
    r.accept = QFileDialog::AcceptSave;
    askForFiles(this, r, [this](const QStringList &paths) { saveJsonTo(paths.first()); });
}

void ProbeDialog::saveJsonTo(const QString &path)
{
    QFile f(path);
    const std::string json = probe::probeJson(m_result);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
        f.write(json.data(), qint64(json.size())) != qint64(json.size()))
        m_verdict->setText(tr("%1: cannot write: %2").arg(path, f.errorString()));
}

} // namespace ikev2wb::ui
