#include "captureloader.h"

#include "index/indexbuilder.h"

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

namespace {
const QLatin1String kTunnelLine("\ttunnel=");
}

QString tunnelKey(const QString &key, const TunnelScope &scope)
{
    if (!scope.active()) return key;
    return key + QLatin1Char('\n') + kTunnelLine + scope.text();
}

QStringList keyPaths(const QString &key, TunnelScope *scope)
{
    QStringList parts = key.split(QLatin1Char('\n'));
    if (scope) *scope = {};
    if (parts.size() > 1 && parts.back().startsWith(kTunnelLine)) {
        // Written by tunnelKey() from a parsed scope: it parses again (else: the whole capture).
        if (scope)
            *scope =
                TunnelScope::parse(parts.back().mid(kTunnelLine.size()), nullptr).value_or(TunnelScope{});
        parts.removeLast();
    }
    return parts;
}

CaptureLoader::CaptureLoader(QObject *parent) : QObject(parent)
{
    m_jobs.setProgressHandler(250, [this](const Job &job) { emitProgress(job); });
}

CaptureLoader::~CaptureLoader()
{
    m_jobs.cancel();
    m_jobs.waitForFinished();
}

void CaptureLoader::setBusy(bool busy)
{
    if (m_busy == busy) return;
    m_busy = busy;
    Q_EMIT busyChanged(busy);
}

void CaptureLoader::emitProgress(const Job &job)
{
    const qint64 done = job.done.load();
    const qint64 total = job.total.load();
    if (job.stage.load() == Analysing) {
        Q_EMIT progress(m_path, total, total, job.items.load(), -1);
        return;
    }
    double left = -1;
    if (done > 0 && total > done) left = m_jobs.elapsedS() * double(total - done) / double(done);
    Q_EMIT progress(m_path, done, total, job.items.load(), left);
}

void CaptureLoader::load(const QString &path)
{
    m_path = path;
    setBusy(true);
    m_jobs.start(
        [this, path](Job &job) {
            // Reading and analysing use both cores; the window must still get the CPU whenever it
            // has an event to handle (on 2 cores the workers otherwise stretched a 50 ms GUI turn
            // to 150 ms). Linux nice is per thread and inherited by the threads this one starts
            // (the libpcap reader, the analyzers).
            const BackgroundPriority background;
            Result r;
            QString error;
            auto progress = [&job](std::int64_t bytes, std::int64_t total, std::uint64_t packets) {
                job.done = bytes;
                job.total = total;
                job.items = packets;
            };
            TunnelScope scope;
            const QStringList paths = keyPaths(path, &scope);
            std::shared_ptr<const CaptureIndex> idx(loadCapture(paths, &error, progress, job.cancelFlag(),
                                                                IndexContents::Records, nullptr, true, scope)
                                                        .release());
            r.index = idx;
            r.error = error;
            if (!idx || idx->cancelled) return r;
            // Stage one reaches the window now (unless superseded); the analyzers follow here.
            job.post([this, path, idx]() { Q_EMIT loaded(path, idx); });
            job.stage = Analysing;
            r.analysis = std::make_shared<const CaptureAnalysis>(analyzeCapture(*idx, job.cancelFlag()));
            return r;
        },
        [this, path](const Result &r) {
            emitProgress(*m_jobs.job());
            setBusy(false);
            if (!r.index) {
                Q_EMIT failed(path, r.error);
                return;
            }
            if (r.index->cancelled) {
                Q_EMIT failed(path, tr("%1: loading cancelled").arg(path));
                return;
            }
            if (m_jobs.wasCancelled()) {
                Q_EMIT failed(path, tr("%1: analysis cancelled; the packet table stays available").arg(path));
                return;
            }
            Q_EMIT analysed(path, r.index, r.analysis);
        });
}

void CaptureLoader::cancel()
{
    m_jobs.cancel();
}

} // namespace ikev2wb::ui
