#pragma once
// The Packets tab: a packet browser over the whole index. Sorting and filtering are computed
// on a worker as a row permutation (models/packetorder.h) and applied when ready, the previous
// order staying on screen meanwhile; a JobTracker drops superseded results. The table
// gets its model only when the tab is first shown, so opening a capture pays nothing for it,
// and then only the rows on screen (widgets/windowedtableview.h): no per-row header memory.
// Below the table, the details of the selected packet (models/packetdetails.h), also built on
// a worker.
#include "loader/jobtracker.h"
#include "models/packetorder.h"
#include "sharedtypes.h"
#include "widgets/windowedtableview.h"

#include <QTimer>
#include <QWidget>

#include <atomic>
#include <memory>
#include <optional>
#include <vector>

class QLabel;
class QMenu;
class QModelIndex;
class QLineEdit;
class QTextBrowser;

namespace ikev2wb {
struct CompareResult;
} // namespace ikev2wb

namespace ikev2wb::ui {

class PacketTableModel;

class PacketsPage final : public QWidget
{
    Q_OBJECT
public:
    explicit PacketsPage(IndexPtr index, QWidget *parent = nullptr);
    ~PacketsPage() override;
    void setAnalysis(AnalysisPtr analysis);
    /// A pair: this page shows side `side` (0 = A) of `comparison`; `other` is the other end's
    /// capture, called `otherName`. The table marks each packet's fate there, the details show
    /// the same packet at the other end.
    void setPairing(std::shared_ptr<const CompareResult> comparison, int side, IndexPtr other,
                    const QString &otherName);
    /// Selects packet `packet` (0-based) and scrolls to it. A packet the filter hides clears the
    /// filter (and says so); it is selected once the unfiltered order is shown.
    void selectPacket(quint64 packet);
    /// The packet (0-based) whose time the others are shown relative to (context menu "Set Time
    /// Reference"); switches the program to TimeDisplay::SinceReference. None clears it.
    void setTimeReference(std::optional<quint64> packet);
    /// What a header click does.
    void sortBy(int column, Qt::SortOrder order);
    /// What typing in the filter box does (applied after the keystroke pause): a display filter in
    /// Wireshark's syntax (README "Display filters"); an invalid one colours the box and says why.
    void setFilterText(const QString &text);

    /// The table: its model is a window of the rows on screen over model().
    [[nodiscard]] WindowedTableView *tableView() const { return m_table; }
    [[nodiscard]] PacketTableModel *model() const { return m_model; }
    [[nodiscard]] QLineEdit *filterEdit() const { return m_filter; }
    [[nodiscard]] QTextBrowser *detailsView() const { return m_details; }
    [[nodiscard]] QLabel *statusLabel() const { return m_status; }
    /// Under the filter box: the syntax error of the typed filter (hidden while it is valid).
    [[nodiscard]] QLabel *filterErrorLabel() const { return m_filterError; }
    [[nodiscard]] bool isFilterInvalid() const { return m_filterInvalid; }
    /// The table has its model (the tab was shown, or a packet was selected).
    [[nodiscard]] bool isAttached() const { return m_attached; }
    /// A sort or filter is being computed (or waits for the keystroke pause).
    [[nodiscard]] bool isBusy() const;
    /// The packet whose details are shown, -1 for none.
    [[nodiscard]] qint64 detailsPacket() const { return m_detailsPacket; }

Q_SIGNALS:
    /// A sort / filter result is on screen.
    void orderApplied();
    /// The details pane shows packet `packet`.
    void detailsShown(quint64 packet);

protected:
    void showEvent(QShowEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void attachModel();
    void setColumnWidths();
    void requestOrder();
    void applyOrder(PacketOrder order);
    void selectRowOf(quint64 packet);
    void showDetails(qint64 packet);
    void updateStatus();
    void showFilterError(const QString &message);
    void applyFilterColors();
    void addPacketActions(QMenu *menu, const QModelIndex &at);
    void exportPackets(std::vector<std::uint64_t> frames);
    [[nodiscard]] std::vector<std::uint64_t> selectedFrames() const;

    IndexPtr m_index;
    AnalysisPtr m_analysis;
    std::shared_ptr<const CompareResult> m_comparison; // a pair: this page is side m_side of it
    int m_side = 0;
    IndexPtr m_otherIndex;
    QString m_otherName;
    PacketTableModel *m_model = nullptr;
    WindowedTableView *m_table = nullptr;
    bool m_exporting = false;
    std::shared_ptr<std::atomic_bool> m_exportCancel;
    QLineEdit *m_filter = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_filterError = nullptr;
    bool m_filterInvalid = false;
    QTextBrowser *m_details = nullptr;
    QTimer m_filterPause;
    bool m_attached = false;
    bool m_applying = false;

    PacketOrderRequest m_wanted; // what the user asked for last
    PacketOrderRequest m_shown;  // what the table shows
    JobTracker m_orderJobs;      // sorting/filtering the rows
    QString m_note;              // one-off remark for the status line ("filter cleared to show packet …")

    // Column widths the user dragged (0: the page's own, from sample texts): kept when the Time
    // Display changes the Time column's title, and across runs (WorkbenchSettings).
    QList<int> m_userWidths;
    bool m_settingWidths = false;

    qint64 m_selectedPacket = -1; // kept across order changes
    qint64 m_detailsPacket = -1;
    JobTracker m_detailsJobs;
};

} // namespace ikev2wb::ui
