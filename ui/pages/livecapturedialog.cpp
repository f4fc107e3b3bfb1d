#include "livecapturedialog.h"
#include "widgets/filedialogs.h"
#include "widgets/plaintext.h"

#include "live/capturedefaults.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace ikev2wb::ui {

LiveCaptureDialog::LiveCaptureDialog(const QString &programDir, QWidget *parent)
    : QDialog(parent), m_check(checkCaptureHelper(programDir))
{
    setWindowTitle(tr("Start Live Capture"));
    setObjectName(QStringLiteral("liveCaptureDialog"));
    auto *layout = new QVBoxLayout(this);

    m_interfaces = new QTreeWidget(this);
    m_interfaces->setObjectName(QStringLiteral("liveInterfaces"));
    showControlsVisibly(m_interfaces);
    m_interfaces->setColumnCount(3);
    m_interfaces->setHeaderLabels({tr("Interface"), tr("Addresses"), tr("State")});
    m_interfaces->setRootIsDecorated(false);
    m_interfaces->header()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_interfaces->setToolTip(
        tr("Listed by libpcap (pcap_findalldevs): names and addresses need no privilege"));
    QString listError;
    for (const CaptureInterface &i : listCaptureInterfaces(&listError)) {
        QStringList state;
        state << (i.up ? tr("up") : tr("down"));
        if (i.running) state << tr("running");
        if (i.loopback) state << tr("loopback");
        auto *item = new QTreeWidgetItem(
            m_interfaces, {i.name, i.addresses.join(QStringLiteral(", ")), state.join(QStringLiteral(", "))});
        item->setData(0, Qt::UserRole, i.name);
        if (!i.description.isEmpty()) item->setToolTip(0, plainToolTip(i.description));
    }
    for (int c = 0; c < 3; ++c)
        m_interfaces->resizeColumnToContents(c);
    layout->addWidget(new QLabel(tr("Capture on:"), this));
    layout->addWidget(m_interfaces, 1);

    auto *form = new QFormLayout;
    m_filter = new QLineEdit(QString::fromLatin1(kDefaultCaptureFilter), this);
    m_filter->setObjectName(QStringLiteral("liveFilter"));
    m_filter->setToolTip(tr("A libpcap filter. The default keeps IKE, ESP (also in UDP 4500), ICMP and "
                            "ICMPv6 errors, and IP fragments (large IKE messages)"));
    form->addRow(tr("Filter:"), m_filter);
    m_duration = new QSpinBox(this);
    m_duration->setObjectName(QStringLiteral("liveDuration"));
    m_duration->setRange(0, 604800);
    m_duration->setSuffix(tr(" s"));
    m_duration->setSpecialValueText(tr("until Stop"));
    form->addRow(tr("Duration:"), m_duration);
    m_count = new QSpinBox(this);
    m_count->setObjectName(QStringLiteral("liveCount"));
    m_count->setRange(0, 1000000000);
    m_count->setSpecialValueText(tr("no limit"));
    form->addRow(tr("Stop after packets:"), m_count);
    auto *ringRow = new QHBoxLayout;
    m_ring = new QCheckBox(tr("Ring of"), this);
    m_ring->setObjectName(QStringLiteral("liveRing"));
    m_ring->setToolTip(tr("Write numbered files of a fixed size and keep only the newest ones"));
    m_ringFiles = new QSpinBox(this);
    m_ringFiles->setObjectName(QStringLiteral("liveRingFiles"));
    m_ringFiles->setRange(2, 1000);
    m_ringFiles->setValue(10);
    m_ringFiles->setSuffix(tr(" files"));
    m_ringSize = new QSpinBox(this);
    m_ringSize->setObjectName(QStringLiteral("liveRingSize"));
    m_ringSize->setRange(1, 10240);
    m_ringSize->setValue(100);
    m_ringSize->setSuffix(tr(" MB each"));
    m_ringFiles->setEnabled(false);
    m_ringSize->setEnabled(false);
    connect(m_ring, &QCheckBox::toggled, m_ringFiles, &QWidget::setEnabled);
    connect(m_ring, &QCheckBox::toggled, m_ringSize, &QWidget::setEnabled);
    ringRow->addWidget(m_ring);
    ringRow->addWidget(m_ringFiles);
    ringRow->addWidget(m_ringSize);
    ringRow->addStretch(1);
    form->addRow(tr("Files:"), ringRow);
    auto *outRow = new QHBoxLayout;
    QString dir = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    if (dir.isEmpty() || !QFileInfo(dir).isDir()) dir = QDir::homePath();
    m_output =
        new QLineEdit(QDir(dir).filePath(
                          QStringLiteral("ikev2wb-live-%1.pcapng")
                              .arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss")))),
                      this);
    m_output->setObjectName(QStringLiteral("liveOutput"));
    auto *browseButton = new QPushButton(tr("Browse…"), this);
    connect(browseButton, &QPushButton::clicked, this, &LiveCaptureDialog::browse);
    outRow->addWidget(m_output, 1);
    outRow->addWidget(browseButton);
    form->addRow(tr("Save to:"), outRow);
    // The peer gateway's side over ssh, captured over the same interval and opened as a pair.
    auto *peerRow = new QHBoxLayout;
    m_peer = new QLineEdit(this);
    m_peer->setObjectName(QStringLiteral("livePeer"));
    m_peer->setPlaceholderText(tr("USER@HOST (optional)"));
    m_peer->setToolTip(tr("Also capture on the other gateway through ssh (key login; ~/.ssh/config applies), "
                          "started and stopped together; the two files open as a pair"));
    m_peerIface = new QLineEdit(this);
    m_peerIface->setObjectName(QStringLiteral("livePeerIface"));
    m_peerIface->setPlaceholderText(tr("its interface (same name)"));
    m_peerTool = new QComboBox(this);
    m_peerTool->setObjectName(QStringLiteral("livePeerTool"));
    m_peerTool->addItem(tr("ikev2wb-capture there"), QStringLiteral("helper"));
    m_peerTool->addItem(tr("tcpdump there"), QStringLiteral("tcpdump"));
    peerRow->addWidget(m_peer, 2);
    peerRow->addWidget(m_peerIface, 1);
    peerRow->addWidget(m_peerTool);
    form->addRow(tr("Peer over SSH:"), peerRow);
    m_sshOptions = new QLineEdit(this);
    m_sshOptions->setObjectName(QStringLiteral("liveSshOptions"));
    m_sshOptions->setPlaceholderText(tr("ssh -o options, e.g. Port=2222 IdentityFile=/path/key (optional)"));
    form->addRow(tr("SSH options:"), m_sshOptions);
    layout->addLayout(form);

    m_permission = new QLabel(this);
    m_permission->setObjectName(QStringLiteral("livePermission"));
    m_permission->setTextFormat(Qt::PlainText); // paths and what the helper printed
    m_permission->setWordWrap(true);
    m_permission->setTextInteractionFlags(Qt::TextSelectableByMouse);
    if (m_check.ready())
        m_permission->setText(tr("This window never opens an interface: the capture helper %1 does (it holds "
                                 "CAP_NET_RAW and CAP_NET_ADMIN, or runs as root) and streams the packets "
                                 "here. Listing the interfaces needs no privilege.")
                                  .arg(m_check.path));
    else
        m_permission->setText(m_check.message);
    if (!m_check.ready()) m_permission->setStyleSheet(QStringLiteral("QLabel { font-family: monospace; }"));
    layout->addWidget(m_permission);
    m_problem = new QLabel(this);
    m_problem->setObjectName(QStringLiteral("liveProblem"));
    m_problem->setTextFormat(Qt::PlainText);
    m_problem->setWordWrap(true);
    m_listError = listError;
    layout->addWidget(m_problem);

    auto *buttons = new QDialogButtonBox(this);
    m_start = buttons->addButton(tr("Start"), QDialogButtonBox::AcceptRole);
    m_start->setObjectName(QStringLiteral("liveStart"));
    buttons->addButton(QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &LiveCaptureDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);

    connect(m_interfaces, &QTreeWidget::itemSelectionChanged, this, &LiveCaptureDialog::validate);
    connect(m_output, &QLineEdit::textChanged, this, &LiveCaptureDialog::validate);
    connect(m_filter, &QLineEdit::textChanged, this, &LiveCaptureDialog::validate);
    connect(m_peer, &QLineEdit::textChanged, this, &LiveCaptureDialog::validate);
    connect(m_peerIface, &QLineEdit::textChanged, this, &LiveCaptureDialog::validate);
    connect(m_sshOptions, &QLineEdit::textChanged, this, &LiveCaptureDialog::validate);
    connect(m_peerTool, &QComboBox::currentIndexChanged, this, &LiveCaptureDialog::validate);
    connect(m_ring, &QCheckBox::toggled, this, &LiveCaptureDialog::validate);
    // The first interface that is up and not the loopback, else the first one.
    QTreeWidgetItem *pick = nullptr;
    for (int i = 0; i < m_interfaces->topLevelItemCount() && !pick; ++i) {
        QTreeWidgetItem *it = m_interfaces->topLevelItem(i);
        if (it->text(2).startsWith(tr("up")) && !it->text(2).contains(tr("loopback"))) pick = it;
    }
    if (!pick && m_interfaces->topLevelItemCount() > 0) pick = m_interfaces->topLevelItem(0);
    if (pick) pick->setSelected(true);
    validate();
    resize(760, 620);
}

bool LiveCaptureDialog::selectInterface(const QString &name)
{
    for (int i = 0; i < m_interfaces->topLevelItemCount(); ++i) {
        QTreeWidgetItem *it = m_interfaces->topLevelItem(i);
        if (it->data(0, Qt::UserRole).toString() == name) {
            m_interfaces->clearSelection();
            it->setSelected(true);
            m_interfaces->setCurrentItem(it);
            return true;
        }
    }
    return false;
}

LiveCaptureOptions LiveCaptureDialog::options() const
{
    LiveCaptureOptions o;
    o.helper = m_check.path;
    const QList<QTreeWidgetItem *> sel = m_interfaces->selectedItems();
    if (!sel.isEmpty()) o.interfaceName = sel.first()->data(0, Qt::UserRole).toString();
    o.filter = m_filter->text().trimmed();
    o.durationS = m_duration->value();
    o.count = m_count->value();
    if (m_ring->isChecked()) {
        o.ringFiles = m_ringFiles->value();
        o.ringSizeMb = m_ringSize->value();
    }
    o.output = m_output->text().trimmed();
    if (!m_peer->text().trimmed().isEmpty()) {
        o.peer.destination = m_peer->text().trimmed();
        o.peer.iface =
            m_peerIface->text().trimmed().isEmpty() ? o.interfaceName : m_peerIface->text().trimmed();
        o.peer.tool = m_peerTool->currentData().toString();
        o.peer.filter = o.filter;
        if (o.count > 0) o.peer.count = QString::number(o.count);
        o.peer.sshOptions = m_sshOptions->text().split(QLatin1Char(' '), Qt::SkipEmptyParts);
        o.peerOutput = defaultPeerOutput(o.output, o.peer.tool == QLatin1String("tcpdump"));
    }
    return o;
}

void LiveCaptureDialog::browse()
{
    FileDialogRequest r;
    r.title = tr("Save the live capture as");
    r.start = m_output->text();
    r.filter = tr("pcapng captures (*.pcapng)");
    r.mode = QFileDialog::AnyFile;
    r.accept = QFileDialog::AcceptSave;
    r.options = QFileDialog::DontConfirmOverwrite;
    askForFiles(this, r, [this](const QStringList &paths) { m_output->setText(paths.first()); });
}

void LiveCaptureDialog::validate()
{
    const LiveCaptureOptions o = options();
    QString problem;
    if (!m_check.ready())
        problem = tr("Capturing is not possible for you yet: see above.");
    else if (o.interfaceName.isEmpty())
        problem = tr("Choose the interface to capture on.");
    else if (o.output.isEmpty())
        problem = tr("Choose the file to save the capture to.");
    else if (QFileInfo::exists(o.output) || QFileInfo(o.output).isSymLink())
        problem = tr("%1 exists; captures never overwrite a file: choose another name.").arg(o.output);
    else if (!QFileInfo(QFileInfo(o.output).absolutePath()).isDir())
        problem = tr("The folder %1 does not exist.").arg(QFileInfo(o.output).absolutePath());
    else if (o.withPeer() && o.ringFiles > 0)
        problem = tr("A peer's capture does not go with a ring of files.");
    else if (o.withPeer() && !checkPeerCapture(o.peer).isEmpty())
        problem = tr("Peer over SSH: %1.").arg(checkPeerCapture(o.peer));
    else if (o.withPeer() && (QFileInfo::exists(o.peerOutput) || QFileInfo(o.peerOutput).isSymLink()))
        problem = tr("%1 (the peer's file) exists; captures never overwrite a file: choose another name.")
                      .arg(o.peerOutput);
    else if (o.filter.size() > 4096)
        problem = tr("The filter is longer than 4096 characters.");
    for (const QChar c : o.filter)
        if (problem.isEmpty() && (c.unicode() < 0x20 || c.unicode() >= 0x7f))
            problem = tr("The filter must be printable ASCII.");
    m_start->setEnabled(problem.isEmpty());
    // libpcap could not list the interfaces (the list is empty): its reason first.
    if (!m_listError.isEmpty()) problem = m_listError + QLatin1Char('\n') + problem;
    m_problem->setText(problem);
}

void LiveCaptureDialog::accept()
{
    validate();
    if (!m_start->isEnabled()) return;
    Q_EMIT startRequested(options());
    QDialog::accept();
}

} // namespace ikev2wb::ui
