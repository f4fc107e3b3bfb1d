#pragma once
// Models over a Diagnosis (core/diagnose/diagnosis.h), read-only:
// - ChecklistModel: a tree of the six steps; under each step its evidence items, then its
//   fixes, then what to collect next. Columns: step, status, confidence.
// - FindingsModel: the ranked findings as a flat table, most likely cause first.
// Both share one immutable Diagnosis; raw values (status, confidence, packet) come through
// custom roles so views and proxies never parse display text.
#include "diagnose/diagnosis.h"
#include "sharedtypes.h"
#include "theme/theme.h"

#include <QAbstractItemModel>
#include <QAbstractTableModel>
#include <QColor>
#include <QPalette>

#include <memory>

namespace ikev2wb::ui {

/// Roles shared by both models.
enum ChecklistRole {
    KindRole = Qt::UserRole + 1, // ChecklistItemKind
    StatusRole,                  // int(StepStatus) of the step or finding
    ConfidenceRole,              // double 0..1
    StepNumberRole,              // 1..6
    ItemIndexRole,               // index into the step's evidence / fixes / collectNext
    PacketRole,                  // qint64: 1-based packet of an evidence item, -1 none
    SourceRole,                  // QString: the file an evidence item refers to
    TimeNsRole,                  // qint64: time of an evidence item, -1 none
    CauseRole,                   // QString: a finding's cause identifier
    RankRole,                    // int: a finding's rank, 1 = most likely
};

enum class ChecklistItemKind { Step, Evidence, Fix, CollectNext };

/// Human words and colours of a status, shared by the models and the page.
QString statusText(StepStatus s);
/// One line for an evidence reference: "left-outer.pcap: packet 12, SPI 0x…" (empty if none).
QString evidenceRefText(const EvidenceRef &ref);

class ChecklistModel final : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Column { ColStep, ColStatus, ColConfidence, ColumnCount };

    explicit ChecklistModel(QObject *parent = nullptr);
    void setDiagnosis(DiagnosisPtr diagnosis);
    [[nodiscard]] const DiagnosisPtr &diagnosis() const { return m_diagnosis; }
    /// The row of step `number` (1..6) as an index, invalid if absent.
    [[nodiscard]] QModelIndex stepIndex(int number) const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct ChildRef
    {
        ChecklistItemKind kind;
        int item;
    };
    [[nodiscard]] ChildRef childAt(const ChecklistStep &step, int row) const;
    [[nodiscard]] QVariant stepData(const ChecklistStep &step, int column, int role) const;
    [[nodiscard]] QVariant childData(const ChecklistStep &step, int row, int column, int role) const;

    DiagnosisPtr m_diagnosis;
};

class FindingsModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { ColRank, ColStatus, ColConfidence, ColStep, ColCause, ColTitle, ColumnCount };

    explicit FindingsModel(QObject *parent = nullptr);
    void setDiagnosis(DiagnosisPtr diagnosis);
    [[nodiscard]] const DiagnosisPtr &diagnosis() const { return m_diagnosis; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    DiagnosisPtr m_diagnosis;
};

} // namespace ikev2wb::ui
