#include "captureloader.h"

#include "index/indexbuilder.h"

#include <QtConcurrent/QtConcurrentRun>

#include <sys/resource.h>

namespace ikev2wb::ui {

namespace {
/// Lowers the calling thread's scheduling priority (nice +10) for its lifetime.
class BackgroundPriority
{
public:
    BackgroundPriority() : m_old(getpriority(PRIO_PROCESS, 0))
    {
        (void)setpriority(PRIO_PROCESS, 0, m_old + 10);
    }
    ~BackgroundPriority() { (void)setpriority(PRIO_PROCESS, 0, m_old); } // may fail unprivileged: harmless
    BackgroundPriority(const BackgroundPriority &) = delete;
    BackgroundPriority &operator=(const BackgroundPriority &) = delete;

private:
    int m_old;
};
} // namespace

CaptureLoader::CaptureLoader(QObject *parent) : QObject(parent)
{
    m_progressTimer.setInterval(250);
    connect(&m_progressTimer, &QTimer::timeout, this, &CaptureLoader::emitProgress);
}

CaptureLoader::~CaptureLoader()
{
    if (m_shared) m_shared->cancel = true;
    m_watcher.waitForFinished();
}

void CaptureLoader::setBusy(bool busy)
{
    if (m_busy == busy) return;
    m_busy = busy;
    Q_EMIT busyChanged(busy);
}

void CaptureLoader::emitProgress()
{
    if (!m_shared) return;
    const qint64 done = m_shared->bytesRead.load();
    const qint64 total = m_shared->totalBytes.load();
    double left = -1;
    if (done > 0 && total > done)
        left = double(m_clock.elapsed()) / 1000.0 * double(total - done) / double(done);
    if (m_shared->analysing) {
        Q_EMIT progress(m_path, total, total, m_shared->packets.load(), -1);
        return;
    }
    Q_EMIT progress(m_path, done, total, m_shared->packets.load(), left);
}

void CaptureLoader::load(const QString &path)
{
    cancel();
    const quint64 generation = ++m_generation;
    m_path = path;
    auto shared = std::make_shared<Shared>();
    m_shared = shared;
    m_clock.start();
    setBusy(true);
    m_progressTimer.start();

    // A new watcher connection per load: the generation check drops superseded results.
    disconnect(&m_watcher, nullptr, this, nullptr);
    QFuture<Result> future = QtConcurrent::run([this, generation, path, shared]() {
        // Reading and analysing use both cores; the window must still get the CPU whenever it
        // has an event to handle (on 2 cores the workers otherwise stretched a 50 ms GUI turn to
        // 150 ms). Linux nice is per thread and inherited by the threads this one starts (the
        // libpcap reader, the analyzers).
        const BackgroundPriority background;
        Result r;
        QString error;
        auto progress = [shared](std::int64_t bytes, std::int64_t total, std::uint64_t packets) {
            shared->bytesRead = bytes;
            shared->totalBytes = total;
            shared->packets = packets;
        };
        std::shared_ptr<const CaptureIndex> idx(
            loadCapture(path.split(QLatin1Char('\n')), &error, progress, &shared->cancel).release());
        r.index = idx;
        r.error = error;
        if (!idx || idx->cancelled) return r;
        // Stage one reaches the window now; the analyzers follow on this thread. A queued call
        // to a loader that no longer exists is discarded by Qt.
        QMetaObject::invokeMethod(
            this,
            [this, generation, path, idx]() {
                if (generation == m_generation) Q_EMIT loaded(path, idx);
            },
            Qt::QueuedConnection);
        shared->analysing = true;
        r.analysis = std::make_shared<const CaptureAnalysis>(analyzeCapture(*idx, &shared->cancel));
        return r;
    });
    connect(&m_watcher, &QFutureWatcher<Result>::finished, this, [this, generation, path]() {
        if (generation != m_generation) return;
        m_progressTimer.stop();
        emitProgress();
        setBusy(false);
        const Result r = m_watcher.result();
        if (!r.index) {
            Q_EMIT failed(path, r.error);
            return;
        }
        if (r.index->cancelled) {
            Q_EMIT failed(path, tr("%1: loading cancelled").arg(path));
            return;
        }
        if (m_shared && m_shared->cancel) {
            Q_EMIT failed(path, tr("%1: analysis cancelled; the packet table stays available").arg(path));
            return;
        }
        Q_EMIT analysed(path, r.index, r.analysis);
    });
    m_watcher.setFuture(future);
}

void CaptureLoader::cancel()
{
    if (m_shared) m_shared->cancel = true;
}

} // namespace ikev2wb::ui
