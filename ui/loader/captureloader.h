#pragma once
// Loads a capture into a CaptureIndex on a worker thread (a JobTracker: progress sampled a few
// times a second, cancel through the job's flag, a superseded load's result dropped).
#include "loader/jobtracker.h"
#include "sharedtypes.h"

#include <QObject>

#include <memory>

namespace ikev2wb::ui {

/// A capture as the loaders take it (CaptureLoader::load(), PairLoader::compare()), a "key": one
/// file or folder, or several files joined by newlines read as ONE capture, and — read as one
/// tunnel of several (TunnelScope) — a last line "\ttunnel=ENDS" (never a path: the dialogs give
/// absolute paths). The key of `key` (a key without a tunnel) read as the tunnel `scope`
/// (inactive: `key` unchanged).
QString tunnelKey(const QString &key, const TunnelScope &scope);
/// The paths of `key`, and into `scope` (when given) the tunnel it names (inactive: none).
QStringList keyPaths(const QString &key, TunnelScope *scope = nullptr);

class CaptureLoader final : public QObject
{
    Q_OBJECT
public:
    explicit CaptureLoader(QObject *parent = nullptr);
    ~CaptureLoader() override;

    /// `path`: a capture's key (tunnelKey()): a file or folder, several files joined by newlines
    /// read as ONE capture, with or without the tunnel to read.
    void load(const QString &path);
    void cancel();
    [[nodiscard]] bool isBusy() const { return m_busy; }

Q_SIGNALS:
    /// bytes read of total, packets so far, estimated seconds left (-1 when unknown)
    void progress(const QString &path, qint64 bytesRead, qint64 totalBytes, quint64 packets,
                  double secondsLeft);
    /// First stage: the packet index (summary, packet table).
    void loaded(const QString &path, ikev2wb::ui::IndexPtr index);
    /// Second stage: every analyzer's result for the index delivered by loaded().
    void analysed(const QString &path, ikev2wb::ui::IndexPtr index, ikev2wb::ui::AnalysisPtr analysis);
    void failed(const QString &path, const QString &message);
    void busyChanged(bool busy);

private:
    struct Result
    {
        std::shared_ptr<const CaptureIndex> index;
        std::shared_ptr<const CaptureAnalysis> analysis;
        QString error;
    };
    enum Stage { Reading, Analysing };
    void setBusy(bool busy);
    void emitProgress(const Job &job);

    JobTracker m_jobs;
    QString m_path;
    bool m_busy = false;
};

} // namespace ikev2wb::ui
