#pragma once
// Loads a capture into a CaptureIndex on a worker thread. Progress is sampled on a timer (a few
// updates a second), cancellation is an atomic flag, and a generation counter drops the result
// of a load that was superseded or cancelled.
#include "analyze/analysis.h"
#include "index/captureindex.h"

#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QObject>
#include <QTimer>

#include <atomic>
#include <memory>

namespace ikev2wb::ui {

using IndexPtr = std::shared_ptr<const CaptureIndex>;
using AnalysisPtr = std::shared_ptr<const CaptureAnalysis>;

class CaptureLoader final : public QObject
{
    Q_OBJECT
public:
    explicit CaptureLoader(QObject *parent = nullptr);
    ~CaptureLoader() override;

    /// `path`: a capture file or folder, or several files joined by newlines read as ONE capture.
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
    struct Shared
    {
        std::atomic_bool cancel{false};
        std::atomic<qint64> bytesRead{0};
        std::atomic<qint64> totalBytes{0};
        std::atomic<quint64> packets{0};
        std::atomic_bool analysing{false};
    };
    struct Result
    {
        std::shared_ptr<const CaptureIndex> index;
        std::shared_ptr<const CaptureAnalysis> analysis;
        QString error;
    };
    void setBusy(bool busy);
    void emitProgress();

    std::shared_ptr<Shared> m_shared;
    QFutureWatcher<Result> m_watcher;
    QTimer m_progressTimer;
    QElapsedTimer m_clock;
    QString m_path;
    quint64 m_generation = 0;
    bool m_busy = false;
};

} // namespace ikev2wb::ui
