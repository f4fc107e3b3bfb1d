#include "pairloader.h"

#include "loader/captureloader.h"

#include <QFileInfo>

#include <algorithm>

namespace ikev2wb::ui {

PairLoader::PairLoader(QObject *parent) : QObject(parent)
{
    qRegisterMetaType<ComparePtr>("ikev2wb::ui::ComparePtr");
    qRegisterMetaType<InvestigationPtr>("ikev2wb::ui::InvestigationPtr");
    m_jobs.setProgressHandler(250, [this](const Job &job) { emitProgress(job); });
}

PairLoader::~PairLoader()
{
    m_jobs.cancel();
    m_jobs.waitForFinished();
}

void PairLoader::setBusy(bool busy)
{
    if (m_busy == busy) return;
    m_busy = busy;
    Q_EMIT busyChanged(busy);
}

int PairLoader::permille(Stage stage, qint64 done, qint64 total, bool tunnelRead)
{
    const double f = total > 0 ? std::clamp(double(done) / double(total), 0.0, 1.0) : 0.0;
    switch (stage) {
    case Stage::Reading:
        return int(900 * f);
    case Stage::ReadingTunnel:
        return 900 + int(50 * f);
    case Stage::Comparing:
        break;
    }
    return tunnelRead ? 950 + int(50 * f) : 900 + int(100 * f);
}

void PairLoader::emitProgress(const Job &job)
{
    // job.stage: 0 reading, 1 reading B's tunnel again, 2 comparing, 3 comparing after that.
    const int s = job.stage.load();
    const Stage stage = s == 0 ? Stage::Reading : s == 1 ? Stage::ReadingTunnel : Stage::Comparing;
    const qint64 done = job.done.load();
    const qint64 total = job.total.load();
    // The two reading threads report independently: never let the bar step back.
    m_lastPermille = std::max(m_lastPermille, permille(stage, done, total, s == 3));
    Q_EMIT progress(m_pathA, m_pathB, stage, done, total, m_lastPermille, m_jobs.elapsedS());
}

namespace {
/// Reading B, as progress of the comparison.
ProgressFn readingProgress(const CompareProgressFn &progress)
{
    return [&progress](std::int64_t done, std::int64_t total, std::uint64_t) {
        if (progress) progress(CompareStage::Reading, done, total);
    };
}
} // namespace

void PairLoader::compare(const QString &pathA, const QString &pathB)
{
    start(pathA, pathB, QFileInfo(pathA).size() + QFileInfo(pathB).size(),
          [pathA, pathB](Investigation &inv, QString *error, const CompareProgressFn &progress,
                         const std::atomic_bool *cancel) {
              // A side of several files read as one capture comes as its paths joined by newlines,
              // and one read as one tunnel of several with that tunnel (tunnelKey()).
              TunnelScope scopeA, scopeB;
              const QStringList a = keyPaths(pathA, &scopeA), b = keyPaths(pathB, &scopeB);
              inv.setScope(Host::A, scopeA);
              inv.setScope(Host::B, scopeB);
              // B given whole and holding several tunnels: read as the one proven A's, if any.
              return inv.openPair(a, b, error, progress, cancel);
          });
}

void PairLoader::compare(const QString &pathA, std::shared_ptr<const CaptureIndex> indexA,
                         std::shared_ptr<const CaptureAnalysis> analysisA, const QString &pathB)
{
    start(pathA, pathB, QFileInfo(pathB).size(),
          [pathA, indexA, analysisA, pathB](Investigation &inv, QString *error,
                                            const CompareProgressFn &progress,
                                            const std::atomic_bool *cancel) {
              inv.setCapture(Host::A, indexA, analysisA);
              TunnelScope scopeA, scopeB;
              const QStringList a = keyPaths(pathA, &scopeA), b = keyPaths(pathB, &scopeB);
              inv.setScope(Host::A, scopeA);
              inv.setScope(Host::B, scopeB);
              if (!inv.openCapture(Host::B, b, error, readingProgress(progress), cancel)) return false;
              // Either capture whole and holding several tunnels: read again as the one proven the
              // other's, if any (A then in an investigation of its own: the tab keeps its capture).
              if (!inv.readProvenTunnels(a, b, error, progress, cancel)) return false;
              if (inv.compare({}, progress, cancel)) return true;
              if (error)
                  *error = QStringLiteral("%1: comparison cancelled").arg(QFileInfo(b.front()).fileName());
              return false;
          });
}

void PairLoader::start(
    const QString &pathA, const QString &pathB, qint64 readTotal,
    std::function<bool(Investigation &, QString *, const CompareProgressFn &, const std::atomic_bool *)> work)
{
    m_pathA = pathA;
    m_pathB = pathB;
    m_lastPermille = 0;
    setBusy(true);
    m_jobs.start(
        [work = std::move(work)](Job &job) {
            Result r;
            const CompareProgressFn progress = [&job](CompareStage stage, std::int64_t done,
                                                      std::int64_t total) {
                // Reading → (reading B's tunnel →) comparing only: each starts after the one
                // before has finished.
                const int before = job.stage.load();
                const int s = stage == CompareStage::Reading         ? 0
                              : stage == CompareStage::ReadingTunnel ? 1
                              : before == 1                          ? 3
                                                                     : 2;
                if (s != before && !(s == 2 && before == 3)) {
                    job.done = 0;
                    job.total = total;
                    job.stage = s;
                }
                job.total = total;
                qint64 prev = job.done.load();
                while (done > prev && !job.done.compare_exchange_weak(prev, done)) {
                }
            };
            auto investigation = std::make_shared<Investigation>();
            if (!work(*investigation, &r.error, progress, job.cancelFlag())) {
                r.cancelled = job.isCancelled();
                return r;
            }
            r.investigation = std::move(investigation);
            return r;
        },
        [this, pathA, pathB](const Result &r) {
            setBusy(false);
            // A result that arrived after Cancel was pressed is dropped as well.
            if (r.cancelled || m_jobs.wasCancelled()) {
                Q_EMIT cancelled(pathA, pathB);
                return;
            }
            if (!r.investigation) {
                Q_EMIT failed(pathA, pathB, r.error);
                return;
            }
            emitProgress(*m_jobs.job()); // the final 1000 ‰
            Q_EMIT compared(pathA, pathB, r.investigation);
        },
        readTotal); // reading: bytes of the files read
    emitProgress(*m_jobs.job());
}

void PairLoader::cancel()
{
    m_jobs.cancel();
}

} // namespace ikev2wb::ui
