#include "evidencemodel.h"

#include "models/checklistmodel.h"
#include "settings/timedisplay.h"
#include "widgets/plaintext.h"

#include <QFileInfo>
#include <QFont>
#include <QGuiApplication>
#include <QPalette>
#include <QTimeZone>

#include <algorithm>
#include <array>
#include <cmath>

namespace ikev2wb::ui {

bool isBadCounter(EvidenceKind kind, const QString &name)
{
    // /proc/net/xfrm_stat counts nothing but errors: every change there is a drop.
    if (kind == EvidenceKind::XfrmStat) return true;
    const QString leaf = name.section(QLatin1Char('.'), -1).section(QLatin1Char('/'), -1).toLower();
    static const std::array<QLatin1String, 9> words{
        QLatin1String("drop"),    QLatin1String("err"),     QLatin1String("fail"),
        QLatin1String("miss"),    QLatin1String("overrun"), QLatin1String("replay"),
        QLatin1String("discard"), QLatin1String("toobig"),  QLatin1String("noroute")};
    return std::any_of(words.begin(), words.end(), [&leaf](QLatin1String w) { return leaf.contains(w); });
}

double logTimeOnCapture(const LogTime &time, std::int64_t captureStartNs)
{
    if (!time.dateTime.isValid()) return std::numeric_limits<double>::quiet_NaN();
    QDateTime wall = time.dateTime;
    if (!time.yearKnown) {
        // Syslog lines have no year: the capture's (UTC) date supplies it.
        const QDate captureDate =
            QDateTime::fromMSecsSinceEpoch(captureStartNs / 1'000'000, QTimeZone::utc()).date();
        const QDate d = wall.date();
        wall.setDate(QDate(captureDate.year(), d.month(), d.day()));
    }
    qint64 ms = wall.toMSecsSinceEpoch();
    if (time.offsetKnown) ms -= qint64(time.utcOffsetSec) * 1000;
    return double(ms * 1'000'000 - captureStartNs) / 1e9;
}

EvidenceRows evidenceRows(const EvidenceSet &evidence, std::int64_t captureStartNs,
                          const std::atomic_bool *cancel, std::atomic<quint64> *walked)
{
    EvidenceRows out;
    const auto stop = [&]() {
        out.cancelled = cancel && cancel->load(std::memory_order_relaxed);
        return out.cancelled;
    };
    if (stop()) return out;
    for (const SnapshotDelta &d : evidence.deltas()) {
        if (stop()) return out;
        if (walked) walked->fetch_add(1, std::memory_order_relaxed);
        for (const CounterDelta &c : d.counters) {
            CounterRow r;
            r.host = d.host;
            r.kind = d.kind;
            r.subject = d.subject;
            r.counter = c;
            r.bad = c.delta != 0 && isBadCounter(d.kind, c.name);
            out.counters.push_back(std::move(r));
        }
    }
    for (const EvidenceFile &f : evidence.files()) {
        const auto *log = std::get_if<CharonLog>(&f.data);
        if (!log) continue;
        if (stop()) return out;
        const QString file = QFileInfo(f.path).fileName();
        for (const LogEvent &e : log->events) {
            LogRow r;
            r.host = f.host;
            r.file = file;
            r.event = e;
            if (e.time) r.captureS = logTimeOnCapture(*e.time, captureStartNs);
            out.logEvents.push_back(std::move(r));
            if (walked) walked->fetch_add(1, std::memory_order_relaxed);
        }
    }
    return out;
}

// --- counters

CounterDeltaModel::CounterDeltaModel(QObject *parent) : QAbstractTableModel(parent) {}

void CounterDeltaModel::setRows(std::vector<CounterRow> rows)
{
    // Counters that count drops and changed come first: what the engineer looks for.
    std::stable_sort(rows.begin(), rows.end(),
                     [](const CounterRow &a, const CounterRow &b) { return a.bad > b.bad; });
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

int CounterDeltaModel::find(const QString &host, const QString &name) const
{
    for (std::size_t i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].host == host && m_rows[i].counter.name == name) return int(i);
    return -1;
}

int CounterDeltaModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int CounterDeltaModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant CounterDeltaModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const CounterRow &r = m_rows[std::size_t(index.row())];
    const CounterDelta &c = r.counter;
    const int col = index.column();
    switch (role) {
    case Qt::DisplayRole:
        switch (col) {
        case ColHost:
            return r.host.isEmpty() ? tr("(unnamed)") : r.host;
        case ColSource:
            return r.subject.isEmpty() ? evidenceKindName(r.kind)
                                       : evidenceKindName(r.kind) + QStringLiteral(" ") + r.subject;
        case ColCounter:
            return c.name;
        case ColBefore:
            return c.inBefore ? QString::number(c.before) : tr("absent");
        case ColAfter:
            return c.inAfter ? QString::number(c.after) : tr("absent");
        case ColDelta:
            return c.delta > 0 ? QStringLiteral("+%1").arg(c.delta) : QString::number(c.delta);
        }
        return {};
    case SortRole:
        switch (col) {
        case ColBefore:
            return qulonglong(c.before);
        case ColAfter:
            return qulonglong(c.after);
        case ColDelta:
            return qlonglong(c.delta);
        default:
            return data(index, Qt::DisplayRole);
        }
    case BadRole:
        return r.bad;
    case ChangedRole:
        return c.delta != 0 || c.inBefore != c.inAfter;
    case Qt::TextAlignmentRole:
        return col >= ColBefore ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    case Qt::ForegroundRole:
        if (r.bad) return statusColor(StepStatus::Fail, QGuiApplication::palette());
        return {};
    case Qt::FontRole:
        if (r.bad && (col == ColCounter || col == ColDelta)) {
            QFont f;
            f.setBold(true);
            return f;
        }
        return {};
    case Qt::ToolTipRole:
        if (r.bad)
            return plainToolTip(tr("%1 counts dropped or failed packets and changed by %2")
                                    .arg(c.name, QString::number(c.delta)));
        return {};
    default:
        return {};
    }
}

QVariant CounterDeltaModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case ColHost:
        return tr("Host");
    case ColSource:
        return tr("Source");
    case ColCounter:
        return tr("Counter");
    case ColBefore:
        return tr("Before");
    case ColAfter:
        return tr("After");
    case ColDelta:
        return tr("Delta");
    }
    return {};
}

CounterFilterProxy::CounterFilterProxy(QObject *parent) : QSortFilterProxyModel(parent)
{
    setFilterKeyColumn(-1);
    setFilterCaseSensitivity(Qt::CaseInsensitive);
    setSortRole(CounterDeltaModel::SortRole);
}

void CounterFilterProxy::setOnlyChanged(bool on)
{
    if (on == m_onlyChanged) return;
    m_onlyChanged = on;
    invalidateRowsFilter();
}

void CounterFilterProxy::setOnlyNonZero(bool on)
{
    if (on == m_onlyNonZero) return;
    m_onlyNonZero = on;
    invalidateRowsFilter();
}

bool CounterFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_onlyChanged &&
        !sourceModel()->index(sourceRow, 0, sourceParent).data(CounterDeltaModel::ChangedRole).toBool())
        return false;
    if (m_onlyNonZero && sourceModel()
                                 ->index(sourceRow, CounterDeltaModel::ColAfter, sourceParent)
                                 .data(CounterDeltaModel::SortRole)
                                 .toULongLong() == 0)
        return false;
    return QSortFilterProxyModel::filterAcceptsRow(sourceRow, sourceParent);
}

// --- log events

LogMarker logMarkerOf(LogEventKind kind)
{
    switch (kind) {
    case LogEventKind::Retransmit:
    case LogEventKind::GiveUp:
    case LogEventKind::ResponseRetransmit:
    case LogEventKind::PeerNotResponding:
        return LogMarker::Retransmit;
    case LogEventKind::DpdRequest:
    case LogEventKind::DpdUnsupported:
        return LogMarker::Dpd;
    case LogEventKind::Rekey:
    case LogEventKind::RekeyFailed:
    case LogEventKind::RekeyCollision:
        return LogMarker::Rekey;
    case LogEventKind::NatDetected:
    case LogEventKind::NatMappingChanged:
    case LogEventKind::EndpointChanged:
        return LogMarker::Nat;
    case LogEventKind::Delete:
        return LogMarker::Delete;
    case LogEventKind::EstablishFailed:
    case LogEventKind::AuthFailed:
    case LogEventKind::NoProposal:
    case LogEventKind::TsUnacceptable:
        return LogMarker::Failure;
    default:
        return LogMarker::None;
    }
}

QString logMarkerName(LogMarker marker)
{
    switch (marker) {
    case LogMarker::Retransmit:
        return QObject::tr("Retransmits");
    case LogMarker::Dpd:
        return QObject::tr("DPD");
    case LogMarker::Rekey:
        return QObject::tr("Rekeys");
    case LogMarker::Nat:
        return QObject::tr("NAT changes");
    case LogMarker::Delete:
        return QObject::tr("Deletes");
    case LogMarker::Failure:
        return QObject::tr("Failures");
    default:
        return {};
    }
}

LogEventModel::LogEventModel(QObject *parent) : QAbstractTableModel(parent)
{
    // View ▸ Time Display: the capture-clock column reads as the packet tables do.
    connect(&TimeDisplayChoice::instance(), &TimeDisplayChoice::changed, this, [this]() {
        Q_EMIT headerDataChanged(Qt::Horizontal, ColCaptureTime, ColCaptureTime);
        if (!m_rows.empty())
            Q_EMIT dataChanged(index(0, ColCaptureTime), index(rowCount() - 1, ColCaptureTime));
    });
}

void LogEventModel::setCaptureStart(std::int64_t ns)
{
    if (ns == m_startNs) return;
    m_startNs = ns;
    if (!m_rows.empty()) Q_EMIT dataChanged(index(0, ColCaptureTime), index(rowCount() - 1, ColCaptureTime));
}

void LogEventModel::setRows(std::vector<LogRow> rows)
{
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

void LogEventModel::setClockOffset(double seconds)
{
    if (seconds == m_offsetS) return;
    m_offsetS = seconds;
    if (!m_rows.empty()) Q_EMIT dataChanged(index(0, ColCaptureTime), index(rowCount() - 1, ColCaptureTime));
}

double LogEventModel::captureSeconds(int r) const
{
    return m_rows[std::size_t(r)].captureS + m_offsetS;
}

int LogEventModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int LogEventModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LogEventModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const LogRow &r = m_rows[std::size_t(index.row())];
    const LogEvent &e = r.event;
    const int col = index.column();
    const double s = captureSeconds(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (col) {
        case ColTime:
            if (!e.time) return QString();
            return e.time->dateTime.toString(e.time->yearKnown ? QStringLiteral("yyyy-MM-dd hh:mm:ss.zzz")
                                                               : QStringLiteral("MMM d hh:mm:ss.zzz"));
        case ColCaptureTime:
            return std::isnan(s)
                       ? QString()
                       : TimeDisplayChoice::eventTimeText(m_startNs + std::llround(s * 1e9), m_startNs);
        case ColHost:
            return r.host;
        case ColKind:
            return logEventKindName(e.kind);
        case ColMessage:
            return e.message;
        case ColLine:
            return e.line;
        }
        return {};
    case SortRole:
        switch (col) {
        case ColTime:
        case ColCaptureTime:
            return std::isnan(r.captureS) ? -1e18 : r.captureS;
        case ColLine:
            return e.line;
        default:
            return data(index, Qt::DisplayRole);
        }
    case KindRole:
        return int(e.kind);
    case MarkerRole:
        return int(logMarkerOf(e.kind));
    case CaptureSecondsRole:
        return s;
    case Qt::ToolTipRole:
        return plainToolTip(tr("%1 line %2:\n%3").arg(r.file, QString::number(e.line), e.raw));
    case Qt::TextAlignmentRole:
        return col == ColCaptureTime || col == ColLine ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                                                       : QVariant();
    default:
        return {};
    }
}

QVariant LogEventModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal) return {};
    if (role == Qt::ToolTipRole && section == ColCaptureTime)
        return tr("The log time on the capture's clock (the clock offset applied), as View ▸ Time Display "
                  "shows times: a date, or seconds since the capture's first packet");
    if (role != Qt::DisplayRole) return {};
    switch (section) {
    case ColTime:
        return tr("Time (host clock)");
    case ColCaptureTime:
        return TimeDisplayChoice::eventTimeTitle(tr("Capture time"));
    case ColHost:
        return tr("Host");
    case ColKind:
        return tr("Kind");
    case ColMessage:
        return tr("Message");
    case ColLine:
        return tr("Line");
    }
    return {};
}

} // namespace ikev2wb::ui
