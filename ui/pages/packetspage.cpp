#include "packetspage.h"
#include "filter/displayfilter.h"
#include "report/packetexport.h"
#include "theme/theme.h"
#include "widgets/plaintext.h"
#include "widgets/viewactions.h"
#include "widgets/windowedtableview.h"

#include "models/packetdetails.h"
#include "models/packettablemodel.h"
#include "settings/timedisplay.h"
#include "settings/workbenchsettings.h"

#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontMetrics>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QSplitter>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace ikev2wb::ui {

PacketsPage::PacketsPage(IndexPtr index, QWidget *parent) : QWidget(parent), m_index(std::move(index))
{
    auto *layout = new QVBoxLayout(this);
    auto *top = new QHBoxLayout;
    m_filter = new QLineEdit(this);
    m_filter->setObjectName(QStringLiteral("packetsFilter"));
    m_filter->setPlaceholderText(
        tr("Display filter, as in Wireshark: e.g. esp.spi == 0xc1a2b3c4, "
           "ip.addr == 10.0.0.0/8 && !isakmp, udp.port in {500, 4500}, wb.esp.after_gap"));
    m_filter->setToolTip(tr("Wireshark display-filter syntax; the fields are listed in the README "
                            "(\"Display filters\"). An empty filter shows every packet."));
    m_filter->setClearButtonEnabled(true);
    top->addWidget(m_filter, 1);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("packetsStatus"));
    m_status->setTextFormat(Qt::PlainText); // notes quote file names
    top->addWidget(m_status);
    layout->addLayout(top);
    // Under the box: why the filter does not compile, with the character position.
    m_filterError = new QLabel(this);
    m_filterError->setObjectName(QStringLiteral("filterError"));
    m_filterError->setTextFormat(Qt::PlainText); // quotes the filter, which may hold a value from a cell
    m_filterError->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_filterError->setWordWrap(true);
    m_filterError->hide();
    layout->addWidget(m_filterError);

    auto *split = new QSplitter(Qt::Vertical, this);
    m_model = new PacketTableModel(this);
    m_model->setIndex(m_index);
    m_table = new WindowedTableView(split);
    m_table->verticalHeader()->setVisible(false);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 4);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    // The Time column's width follows View ▸ Time Display (dates are wider than seconds).
    connect(m_model, &QAbstractItemModel::headerDataChanged, this, [this]() {
        if (m_attached) setColumnWidths();
    });
    installTableActions(m_table, QStringLiteral("packets"),
                        [this](QMenu *menu, const QModelIndex &at) { addPacketActions(menu, at); });
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_details = new QTextBrowser(split);
    m_details->setObjectName(QStringLiteral("packetDetails"));
    m_details->setOpenLinks(false);
    // The details are built on a worker (no palette there): warnings carry class 'warn'.
    m_details->document()->setDefaultStyleSheet(
        QStringLiteral(".warn { color: %1; }").arg(roleCss(ColorRole::Bad, m_details->palette())));
    m_details->setPlaceholderText(tr("Select a packet for its details."));
    split->addWidget(m_table);
    split->addWidget(m_details);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    layout->addWidget(split, 1);

    m_filterPause.setSingleShot(true);
    m_filterPause.setInterval(150);
    connect(&m_filterPause, &QTimer::timeout, this, [this]() {
        const QString text = m_filter->text().trimmed();
        FilterError error;
        const bool valid = DisplayFilter::compile(text, &error).isValid();
        showFilterError(valid ? QString() : error.toString());
        if (!valid) {
            updateStatus(); // the previous result stays on screen
            return;
        }
        m_wanted.filter = text;
        requestOrder();
    });
    connect(m_filter, &QLineEdit::textChanged, this, [this]() {
        m_filterPause.start();
        updateStatus();
    });
    updateStatus();
}

void PacketsPage::addPacketActions(QMenu *menu, const QModelIndex &at)
{
    menu->setToolTipsVisible(true);
    // Counts only here (the menu opens on every right click); the frame lists are built when an
    // export is chosen.
    const qint64 selectedRows = m_table->selectedRowRanges().count();
    QAction *sel = menu->addAction(tr("Export Selected Packets (%1)…").arg(selectedRows), this,
                                   [this]() { exportPackets(selectedFrames()); });
    sel->setEnabled(selectedRows > 0);
    const int shown = m_model->shownCount();
    QAction *all = menu->addAction(tr("Export Shown Packets (%1)…").arg(shown), this,
                                   [this]() { exportPackets(m_model->shownFrames()); });
    all->setEnabled(shown > 0 && !m_exporting);
    sel->setEnabled(sel->isEnabled() && !m_exporting);
    menu->addSeparator();
    if (at.isValid()) {
        const quint64 packet = m_model->packetAt(at.row());
        QAction *ref = menu->addAction(tr("Set Time Reference (Packet %1)").arg(packet + 1), this,
                                       [this, packet]() { setTimeReference(packet); });
        ref->setObjectName(QStringLiteral("setTimeReference"));
        ref->setToolTip(tr("Show the times of this capture's packets as seconds since this one"));
    }
    if (m_model->referencePacket()) {
        QAction *clear =
            menu->addAction(tr("Clear Time Reference"), this, [this]() { setTimeReference({}); });
        clear->setObjectName(QStringLiteral("clearTimeReference"));
    }
}

void PacketsPage::setTimeReference(std::optional<quint64> packet)
{
    m_model->setReferencePacket(packet);
    // Setting a reference is asking to see times since it (the choice is the program's).
    if (m_model->referencePacket()) TimeDisplayChoice::instance().setMode(TimeDisplay::SinceReference);
}

std::vector<std::uint64_t> PacketsPage::selectedFrames() const
{
    // From the selection's row ranges: no model index per selected row.
    std::vector<std::uint64_t> frames;
    for (const RowRanges::Range &r : m_table->selectedRowRanges().ranges())
        for (int row = r.first; row <= r.second; ++row)
            frames.push_back(m_model->packetAt(row) + 1);
    std::sort(frames.begin(), frames.end());
    frames.erase(std::unique(frames.begin(), frames.end()), frames.end());
    return frames;
}

void PacketsPage::exportPackets(std::vector<std::uint64_t> frames)
{
    if (!m_index || frames.empty() || m_exporting) return;
    const QString source = m_index->file.path;
    // A capture read as a set of files is exported from its files, frame numbers across them.
    QStringList sources;
    for (const CaptureSetFile &f : m_index->set.files)
        sources << f.path;
    if (sources.isEmpty()) sources << source;
    const QFileInfo fi(m_index->set.isSet() ? m_index->set.files.front().path : source);
    auto *dlg = new QFileDialog(this, tr("Export packets as pcapng"),
                                fi.dir().filePath(fi.completeBaseName() + QStringLiteral("-export.pcapng")),
                                tr("pcapng (*.pcapng)"));
    dlg->setAcceptMode(QFileDialog::AcceptSave);
    dlg->setAttribute(Qt::WA_DeleteOnClose);
    connect(dlg, &QFileDialog::fileSelected, this, [this, sources, frames = std::move(frames)](QString path) {
        if (QFileInfo(path).suffix().isEmpty()) path += QStringLiteral(".pcapng");
        m_exporting = true;
        notify(this, tr("Writing %1 packets to %2…").arg(frames.size()).arg(path));
        auto stop = std::make_shared<std::atomic_bool>(false);
        m_exportCancel = stop;
        auto *watcher = new QFutureWatcher<QString>(this);
        connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, path]() {
            watcher->deleteLater();
            m_exporting = false;
            notify(this, watcher->result());
        });
        watcher->setFuture(QtConcurrent::run([sources, frames, path, stop]() {
            PacketExportResult r;
            QString error;
            if (!ikev2wb::exportPackets(sources, frames, path, &r, &error, stop.get()))
                return tr("Export failed: %1").arg(error);
            QString msg = tr("%1 packets written to %2").arg(r.written).arg(path);
            if (!r.warning.isEmpty()) msg += QStringLiteral(" (") + r.warning + QLatin1Char(')');
            return msg;
        }));
    });
    dlg->open();
}

PacketsPage::~PacketsPage()
{
    if (m_exportCancel) m_exportCancel->store(true);
}

bool PacketsPage::isBusy() const
{
    return m_orderJobs.isRunning() || m_filterPause.isActive();
}

void PacketsPage::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    // Attach in a later event-loop turn: the tab appears at once, the table fills right after.
    if (!m_attached)
        QTimer::singleShot(0, this, [this]() {
            if (!m_attached) attachModel();
        });
}

void PacketsPage::attachModel()
{
    m_attached = true;
    m_table->setSourceModel(m_model);
    m_userWidths = WorkbenchSettings().packetColumnWidths();
    setColumnWidths();
    auto *header = m_table->horizontalHeader();
    connect(header, &QHeaderView::sectionResized, this, [this](int column, int, int width) {
        // The last column stretches with the window: only the others are the user's choice.
        if (m_settingWidths || column < 0 || column >= PacketTableModel::ColFlags) return;
        while (m_userWidths.size() < PacketTableModel::ColFlags)
            m_userWidths << 0;
        m_userWidths[column] = width;
        WorkbenchSettings().setPacketColumnWidths(m_userWidths);
    });
    header->setSortIndicator(m_wanted.column, m_wanted.order);
    header->setSortIndicatorShown(true);
    header->setSectionsClickable(true);
    connect(header, &QHeaderView::sortIndicatorChanged, this, &PacketsPage::sortBy);
    connect(m_table, &WindowedTableView::currentRowChanged, this, [this](int row) {
        if (m_applying) return;
        m_selectedPacket = row >= 0 ? qint64(m_model->packetAt(row)) : -1;
        showDetails(m_selectedPacket);
    });
    if (m_selectedPacket >= 0) selectRowOf(quint64(m_selectedPacket));
}

void PacketsPage::setColumnWidths()
{
    // From sample strings, not resizeColumnToContents (which formats 1000 rows per column).
    const QFontMetrics fm = m_table->fontMetrics();
    const QFontMetrics hm = m_table->horizontalHeader()->fontMetrics();
    bool v6 = false;
    for (const Flow &f : m_index->flows)
        v6 |= f.src.v6 || f.dst.v6;
    const double span = double(m_index->lastNs - m_index->firstNs) / 1e9;
    const QString endpoint =
        v6 ? QStringLiteral("[2001:db8:ffff:ffff::ffff]:65535") : QStringLiteral("255.255.255.255:65535");
    const TimeDisplay mode = m_model->timeDisplay();
    const bool dated = mode == TimeDisplay::Utc || mode == TimeDisplay::Local;
    const QString samples[] = {QString::number(m_index->packetCount()) + QLatin1Char('0'),
                               dated ? QStringLiteral("2000-00-00 00:00:00.0000000")
                                     : QLatin1Char('-') + QString::number(span, 'f', 6) + QLatin1Char('0'),
                               endpoint,
                               endpoint,
                               QStringLiteral("icmp_need_frag"),
                               QStringLiteral("CREATE_CHILD_SA response"),
                               QStringLiteral("4294967295"),
                               QStringLiteral("65535"),
                               QString()};
    m_settingWidths = true;
    for (int c = 0; c < PacketTableModel::ColFlags; ++c) {
        if (c < m_userWidths.size() && m_userWidths[c] > 0) {
            m_table->setColumnWidth(c, m_userWidths[c]);
            continue;
        }
        const QString title = m_model->headerData(c, Qt::Horizontal, Qt::DisplayRole).toString();
        m_table->setColumnWidth(
            c, std::max(fm.horizontalAdvance(samples[c]), hm.horizontalAdvance(title) + 24) + 16);
    }
    m_settingWidths = false;
}

void PacketsPage::setAnalysis(AnalysisPtr analysis)
{
    m_analysis = std::move(analysis);
    if (m_detailsPacket >= 0) showDetails(m_detailsPacket); // now with the SA's analysis facts
}

void PacketsPage::setPairing(std::shared_ptr<const CompareResult> comparison, int side, IndexPtr other,
                             const QString &otherName)
{
    m_comparison = std::move(comparison);
    m_side = side;
    m_otherIndex = std::move(other);
    m_otherName = otherName;
    m_model->setPairing(m_comparison, side, otherName);
    // wb.esp.lost reads the pairing: a filter using it is computed again.
    m_wanted.comparison = m_comparison;
    m_wanted.side = side;
    if (m_attached && m_wanted.filter.contains(QLatin1String("wb.esp.lost"))) requestOrder();
    if (m_detailsPacket >= 0) showDetails(m_detailsPacket);
}

void PacketsPage::sortBy(int column, Qt::SortOrder order)
{
    m_wanted.column = column;
    m_wanted.order = order;
    if (m_attached) {
        QHeaderView *header = m_table->horizontalHeader();
        if (header->sortIndicatorSection() != column || header->sortIndicatorOrder() != order) {
            const QSignalBlocker block(header);
            header->setSortIndicator(column, order);
        }
    }
    requestOrder();
}

void PacketsPage::setFilterText(const QString &text)
{
    m_filter->setText(text); // textChanged → the keystroke pause → requestOrder()
}

void PacketsPage::showFilterError(const QString &message)
{
    m_filterInvalid = !message.isEmpty();
    if (m_filterInvalid) m_filterError->setText(tr("Invalid filter, %1").arg(message));
    applyFilterColors();
    m_filterError->setVisible(m_filterInvalid);
}

void PacketsPage::applyFilterColors()
{
    // Derived from the page's palette, which follows the theme: recomputed on every change
    // (changeEvent). A valid box gets no palette of its own, so it follows the theme by itself.
    m_filter->setPalette(m_filterInvalid ? invalidInputPalette(palette()) : QPalette());
    QPalette error;
    if (m_filterInvalid) {
        error = palette();
        error.setColor(QPalette::WindowText, statusColor(StepStatus::Fail, palette()));
    }
    m_filterError->setPalette(error);
    m_details->document()->setDefaultStyleSheet(
        QStringLiteral(".warn { color: %1; }").arg(roleCss(ColorRole::Bad, m_details->palette())));
}

void PacketsPage::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) applyFilterColors();
}

void PacketsPage::requestOrder()
{
    if (m_wanted.isIdentity()) {
        // Packet order needs no permutation and no worker.
        m_orderJobs.drop();
        m_shown = m_wanted;
        applyOrder(PacketOrder{});
        return;
    }
    const PacketOrderRequest request = m_wanted;
    m_orderJobs.start([index = m_index,
                       request](Job &job) { return computePacketOrder(*index, request, job.cancelFlag()); },
                      [this, request](PacketOrder order) {
                          m_shown = request;
                          applyOrder(std::move(order));
                      });
    updateStatus();
}

void PacketsPage::applyOrder(PacketOrder order)
{
    if (order.cancelled) return;
    // A new order of the same rows (a sort): the selected packets stay selected.
    const bool sameRows =
        (order.rows ? order.rows->size() : m_index->packetCount()) == std::size_t(m_model->shownCount());
    std::vector<bool> selected;
    if (m_attached && sameRows && m_table->selectedRowRanges().count() > 1) {
        selected.assign(m_index->packetCount(), false);
        for (const RowRanges::Range &r : m_table->selectedRowRanges().ranges())
            for (int row = r.first; row <= r.second; ++row)
                selected[m_model->packetAt(row)] = true;
    }
    m_applying = true;
    m_model->setOrder(std::move(order));
    m_applying = false;
    if (m_attached && m_selectedPacket >= 0) selectRowOf(quint64(m_selectedPacket));
    if (!selected.empty()) {
        // One pass over the new order; the current row stays where selectRowOf put it.
        const int rows = m_model->shownCount();
        RowRanges keep = m_table->selectedRowRanges();
        for (int row = 0; row < rows;) {
            if (!selected[m_model->packetAt(row)]) {
                ++row;
                continue;
            }
            int last = row;
            while (last + 1 < rows && selected[m_model->packetAt(last + 1)])
                ++last;
            keep.add(row, last);
            row = last + 1;
        }
        m_table->setSelectedRows(std::move(keep));
    }
    updateStatus();
    Q_EMIT orderApplied();
}

void PacketsPage::selectRowOf(quint64 packet)
{
    const int row = m_model->rowOfPacket(packet);
    m_applying = true;
    if (row < 0)
        m_table->clearRowSelection();
    else
        m_table->selectOnly(row);
    m_applying = false;
    if (row >= 0) m_table->scrollToRow(row, QAbstractItemView::PositionAtCenter);
}

void PacketsPage::selectPacket(quint64 packet)
{
    if (packet >= m_index->packetCount()) return;
    if (!m_attached) attachModel();
    m_selectedPacket = qint64(packet);
    showDetails(m_selectedPacket);
    if (m_model->rowOfPacket(packet) >= 0) {
        selectRowOf(packet);
        return;
    }
    if (!m_wanted.filter.isEmpty() || !m_filter->text().trimmed().isEmpty()) {
        // Hidden by the filter: show everything (in the current sort) and select it then.
        m_note = tr("filter cleared to show packet %1").arg(packet + 1);
        const QSignalBlocker block(m_filter);
        m_filter->clear();
        m_filterPause.stop();
        showFilterError(QString());
        m_wanted.filter.clear();
        requestOrder();
    }
}

void PacketsPage::showDetails(qint64 packet)
{
    if (packet < 0) {
        m_detailsJobs.drop();
        m_detailsPacket = -1;
        m_details->clear();
        return;
    }
    const std::shared_ptr<const CompareResult> comparison = m_otherIndex ? m_comparison : nullptr;
    m_detailsJobs.start(
        [index = m_index, analysis = m_analysis, packet, comparison, side = m_side, other = m_otherIndex,
         otherName = m_otherName](Job &job) {
            PacketDetails d = packetDetails(*index, analysis.get(), quint64(packet), job.cancelFlag());
            if (comparison) addPairRows(d, comparison->pairing, side, *index, *other, otherName);
            return d;
        },
        [this, packet](const PacketDetails &d) {
            m_detailsPacket = packet;
            m_details->setHtml(d.toHtml());
            Q_EMIT detailsShown(quint64(packet));
        });
}

void PacketsPage::updateStatus()
{
    const QLocale locale;
    const quint64 total = m_index->packetCount();
    QString text;
    if (m_orderJobs.isRunning() || m_filterPause.isActive()) {
        const bool filtering = m_filterPause.isActive() || m_wanted.filter != m_shown.filter;
        text = filtering ? tr("filtering…") : tr("sorting…");
    } else if (m_filterInvalid) {
        text = tr("invalid filter (the table shows the last valid one)");
    } else if (!m_shown.filter.isEmpty()) {
        text = tr("%1 of %2 packets match").arg(locale.toString(m_model->rowCount()), locale.toString(total));
    } else {
        text = tr("%1 packets").arg(locale.toString(total));
    }
    if (total > quint64(std::numeric_limits<int>::max()))
        text += tr(" (table shows the first %1)").arg(locale.toString(std::numeric_limits<int>::max()));
    if (!m_note.isEmpty() && !m_orderJobs.isRunning()) {
        text += QStringLiteral(" — ") + m_note;
        m_note.clear();
    }
    m_status->setText(visibleText(text));
}

} // namespace ikev2wb::ui
