#include "checklistmodel.h"
#include "cellroles.h"
#include "packetorder.h"
#include "util/textformat.h"
#include "widgets/plaintext.h"

#include <QDateTime>
#include <QFont>
#include <QGuiApplication>

namespace ikev2wb::ui {

namespace {
// internalId of a step row is 0; a child row stores its step's row + 1.
constexpr quintptr StepId = 0;

QFont boldFont()
{
    QFont f;
    f.setBold(true);
    return f;
}
} // namespace

QString statusText(StepStatus s)
{
    switch (s) {
    case StepStatus::Pass:
        return QObject::tr("PASS");
    case StepStatus::NotEnoughEvidence:
        return QObject::tr("NOT ENOUGH EVIDENCE");
    case StepStatus::Warn:
        return QObject::tr("WARN");
    case StepStatus::Fail:
        return QObject::tr("FAIL");
    }
    return {};
}

QString evidenceRefText(const EvidenceRef &r)
{
    QStringList parts;
    if (r.packet >= 0) parts << QObject::tr("packet %1").arg(r.packet);
    if (r.timeNs >= 0) parts << utcText(r.timeNs, UtcFormat::TimeOfDay);
    if (r.hasSpi) parts << QStringLiteral("SPI ") + spiText(r.spi);
    if (!r.counter.isEmpty()) parts << r.counter;
    if (!r.logLine.isEmpty()) parts << QObject::tr("line %1: %2").arg(r.line).arg(r.logLine.trimmed());
    if (parts.isEmpty()) return {};
    const QString src = r.source.mid(r.source.lastIndexOf(QLatin1Char('/')) + 1);
    return src.isEmpty() ? parts.join(QStringLiteral(", "))
                         : src + QStringLiteral(": ") + parts.join(QStringLiteral(", "));
}

// ---------------------------------------------------------------- ChecklistModel

ChecklistModel::ChecklistModel(QObject *parent) : QAbstractItemModel(parent) {}

void ChecklistModel::setDiagnosis(DiagnosisPtr diagnosis)
{
    beginResetModel();
    m_diagnosis = std::move(diagnosis);
    endResetModel();
}

QModelIndex ChecklistModel::stepIndex(int number) const
{
    if (!m_diagnosis) return {};
    for (std::size_t i = 0; i < m_diagnosis->steps.size(); ++i)
        if (m_diagnosis->steps[i].number == number) return index(int(i), 0);
    return {};
}

QModelIndex ChecklistModel::index(int row, int column, const QModelIndex &parent) const
{
    if (!hasIndex(row, column, parent)) return {};
    if (!parent.isValid()) return createIndex(row, column, StepId);
    return createIndex(row, column, quintptr(parent.row()) + 1);
}

QModelIndex ChecklistModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == StepId) return {};
    return createIndex(int(child.internalId() - 1), 0, StepId);
}

int ChecklistModel::rowCount(const QModelIndex &parent) const
{
    if (!m_diagnosis) return 0;
    if (!parent.isValid()) return int(m_diagnosis->steps.size());
    if (parent.internalId() != StepId || parent.column() != 0) return 0;
    const ChecklistStep &s = m_diagnosis->steps[std::size_t(parent.row())];
    return int(s.evidence.size() + s.fixes.size()) + int(s.collectNext.size());
}

int ChecklistModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

ChecklistModel::ChildRef ChecklistModel::childAt(const ChecklistStep &step, int row) const
{
    if (row < int(step.evidence.size())) return {ChecklistItemKind::Evidence, row};
    row -= int(step.evidence.size());
    if (row < int(step.fixes.size())) return {ChecklistItemKind::Fix, row};
    return {ChecklistItemKind::CollectNext, row - int(step.fixes.size())};
}

QVariant ChecklistModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid) || !m_diagnosis) return {};
    if (index.internalId() == StepId)
        return stepData(m_diagnosis->steps[std::size_t(index.row())], index.column(), role);
    const ChecklistStep &step = m_diagnosis->steps[std::size_t(index.internalId() - 1)];
    return childData(step, index.row(), index.column(), role);
}

QVariant ChecklistModel::stepData(const ChecklistStep &s, int column, int role) const
{
    switch (role) {
    case KindRole:
        return int(ChecklistItemKind::Step);
    case StatusRole:
        return int(s.status);
    case ConfidenceRole:
        return s.confidence;
    case StepNumberRole:
        return s.number;
    case ItemIndexRole:
        return -1;
    case CauseRole:
        return s.causes.join(QLatin1Char(','));
    case Qt::DisplayRole:
        if (column == ColStep) return QStringLiteral("%1. %2").arg(s.number).arg(s.title);
        if (column == ColStatus) // the tree is narrow: the short word, the full one in the tooltip
            return s.status == StepStatus::NotEnoughEvidence ? tr("NEEDS EVIDENCE") : statusText(s.status);
        if (column == ColConfidence)
            return s.status == StepStatus::NotEnoughEvidence ? QString()
                                                             : QString::number(s.confidence, 'f', 2);
        return {};
    case Qt::DecorationRole:
        if (column == ColStep) return statusColor(s.status, QGuiApplication::palette());
        return {};
    case Qt::ForegroundRole:
        if (column == ColStatus) return statusColor(s.status, QGuiApplication::palette());
        return {};
    case Qt::FontRole:
        if (column == ColStatus || s.status == StepStatus::Fail) return boldFont();
        return {};
    case Qt::ToolTipRole:
        if (!s.causes.isEmpty())
            return plainToolTip(tr("%1. %2: %3\nCauses: %4")
                                    .arg(QString::number(s.number), s.title, statusText(s.status),
                                         s.causes.join(QStringLiteral(", "))));
        return plainToolTip(tr("%1. %2: %3").arg(QString::number(s.number), s.title, statusText(s.status)));
    default:
        return {};
    }
}

QVariant ChecklistModel::childData(const ChecklistStep &step, int row, int column, int role) const
{
    const ChildRef c = childAt(step, row);
    switch (role) {
    case KindRole:
        return int(c.kind);
    case StatusRole:
        return int(step.status);
    case StepNumberRole:
        return step.number;
    case ItemIndexRole:
        return c.item;
    default:
        break;
    }
    if (c.kind == ChecklistItemKind::Evidence) {
        const EvidenceItem &e = step.evidence[std::size_t(c.item)];
        switch (role) {
        case PacketRole:
            return qint64(e.ref.packet);
        case TimeNsRole:
            return qint64(e.ref.timeNs);
        case SourceRole:
            return e.ref.source;
        case CellRole::Packet:
            return e.ref.packet > 0 ? QVariant::fromValue<qulonglong>(quint64(e.ref.packet - 1)) : QVariant();
        case CellRole::SourceFile: // a packet's capture (A or B); other references are A's
            return e.ref.packet > 0 ? QVariant(e.ref.source) : QVariant();
        case CellRole::Filter:
            if (e.ref.hasSpi) return spiFilter(e.ref.spi);
            if (e.ref.packet > 0) return QStringLiteral("frame.number == %1").arg(e.ref.packet);
            return {};
        case Qt::DisplayRole:
            if (column == ColStep) return e.text;
            // the full reference is in the tooltip and the page's evidence list
            if (column == ColStatus && e.ref.packet >= 0) return tr("packet %1").arg(e.ref.packet);
            return {};
        case Qt::ToolTipRole: {
            const QString ref = evidenceRefText(e.ref);
            return plainToolTip(ref.isEmpty() ? e.text : e.text + QLatin1Char('\n') + ref);
        }
        default:
            return {};
        }
    }
    if (c.kind == ChecklistItemKind::Fix) {
        const Fix &f = step.fixes[std::size_t(c.item)];
        if (role == Qt::DisplayRole && column == ColStep) return tr("Fix: %1").arg(f.title);
        if (role == Qt::DisplayRole && column == ColStatus) return QString::fromLatin1(fixKindName(f.kind));
        if (role == Qt::ToolTipRole) return plainToolTip(f.changes);
        if (role == Qt::FontRole && column == ColStep) return boldFont();
        return {};
    }
    const QString &next = step.collectNext[c.item];
    if (role == Qt::DisplayRole && column == ColStep) return tr("Collect next: %1").arg(next);
    if (role == Qt::ToolTipRole) return plainToolTip(next);
    if (role == Qt::FontRole) {
        QFont f;
        f.setItalic(true);
        return f;
    }
    return {};
}

QVariant ChecklistModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case ColStep:
        return tr("Step");
    case ColStatus:
        return tr("Status");
    case ColConfidence:
        return tr("Confidence");
    default:
        return {};
    }
}

// ---------------------------------------------------------------- FindingsModel

FindingsModel::FindingsModel(QObject *parent) : QAbstractTableModel(parent) {}

void FindingsModel::setDiagnosis(DiagnosisPtr diagnosis)
{
    beginResetModel();
    m_diagnosis = std::move(diagnosis);
    endResetModel();
}

int FindingsModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid() || !m_diagnosis) return 0;
    return int(m_diagnosis->findings.size());
}

int FindingsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FindingsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) ||
        !m_diagnosis)
        return {};
    const Finding &f = m_diagnosis->findings[std::size_t(index.row())];
    switch (role) {
    case KindRole:
        return int(ChecklistItemKind::Step);
    case StatusRole:
        return int(f.status);
    case ConfidenceRole:
        return f.confidence;
    case StepNumberRole:
        return f.step;
    case CauseRole:
        return f.cause;
    case RankRole:
        return index.row() + 1;
    case Qt::DisplayRole:
        switch (index.column()) {
        case ColRank:
            return index.row() + 1;
        case ColStatus:
            return statusText(f.status);
        case ColConfidence:
            return QString::number(f.confidence, 'f', 2);
        case ColStep:
            return f.step;
        case ColCause:
            return f.cause;
        case ColTitle:
            return f.title;
        default:
            return {};
        }
    case Qt::ForegroundRole:
        if (index.column() == ColStatus) return statusColor(f.status, QGuiApplication::palette());
        return {};
    case Qt::FontRole:
        if (index.row() == 0 || index.column() == ColStatus) return boldFont();
        return {};
    case Qt::ToolTipRole:
        return plainToolTip(f.title);
    case Qt::TextAlignmentRole:
        if (index.column() == ColRank || index.column() == ColConfidence || index.column() == ColStep)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    default:
        return {};
    }
}

QVariant FindingsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case ColRank:
        return tr("#");
    case ColStatus:
        return tr("Status");
    case ColConfidence:
        return tr("Confidence");
    case ColStep:
        return tr("Step");
    case ColCause:
        return tr("Cause");
    case ColTitle:
        return tr("Finding");
    default:
        return {};
    }
}

} // namespace ikev2wb::ui
