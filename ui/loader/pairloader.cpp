#include "pairloader.h"

#include <QFileInfo>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

namespace ikev2wb::ui {

PairLoader::PairLoader(QObject *parent) : QObject(parent)
{
    qRegisterMetaType<ComparePtr>("ikev2wb::ui::ComparePtr");
    qRegisterMetaType<InvestigationPtr>("ikev2wb::ui::InvestigationPtr");
    m_progressTimer.setInterval(250);
    connect(&m_progressTimer, &QTimer::timeout, this, &PairLoader::emitProgress);
}

PairLoader::~PairLoader()
{
    if (m_shared) m_shared->cancel = true;
    m_watcher.waitForFinished();
}

void PairLoader::setBusy(bool busy)
{
    if (m_busy == busy) return;
    m_busy = busy;
    Q_EMIT busyChanged(busy);
}

int PairLoader::permille(Stage stage, qint64 done, qint64 total)
{
    const double f = total > 0 ? std::clamp(double(done) / double(total), 0.0, 1.0) : 0.0;
    return stage == Stage::Reading ? int(900 * f) : 900 + int(100 * f);
}

void PairLoader::emitProgress()
{
    if (!m_shared) return;
    const Stage stage = m_shared->stage.load() == 0 ? Stage::Reading : Stage::Comparing;
    const qint64 done = m_shared->done.load();
    const qint64 total = m_shared->total.load();
    // The two reading threads report independently: never let the bar step back.
    m_lastPermille = std::max(m_lastPermille, permille(stage, done, total));
    Q_EMIT progress(m_pathA, m_pathB, stage, done, total, m_lastPermille, double(m_clock.elapsed()) / 1000.0);
}

void PairLoader::compare(const QString &pathA, const QString &pathB)
{
    start(pathA, pathB, QFileInfo(pathA).size() + QFileInfo(pathB).size(),
          [pathA, pathB](Investigation &inv, QString *error, const CompareProgressFn &progress,
                         const std::atomic_bool *cancel) {
              // A side of several files read as one capture comes as its paths joined by newlines.
              return inv.openPair(pathA.split(QLatin1Char('\n')), pathB.split(QLatin1Char('\n')), error,
                                  progress, cancel);
          });
}

void PairLoader::compare(std::shared_ptr<const CaptureIndex> indexA,
                         std::shared_ptr<const CaptureAnalysis> analysisA, const QString &pathB)
{
    const QString pathA = indexA->file.path;
    start(pathA, pathB, QFileInfo(pathB).size(),
          [indexA, analysisA, pathB](Investigation &inv, QString *error, const CompareProgressFn &progress,
                                     const std::atomic_bool *cancel) {
              inv.setCapture(Host::A, indexA, analysisA);
              const ProgressFn reading = [&](std::int64_t done, std::int64_t total, std::uint64_t) {
                  if (progress) progress(CompareStage::Reading, done, total);
              };
              if (!inv.openCapture(Host::B, pathB.split(QLatin1Char('\n')), error, reading, cancel))
                  return false;
              if (inv.compare({}, progress, cancel)) return true;
              if (error) *error = QStringLiteral("%1: comparison cancelled").arg(QFileInfo(pathB).fileName());
              return false;
          });
}

void PairLoader::start(
    const QString &pathA, const QString &pathB, qint64 readTotal,
    std::function<bool(Investigation &, QString *, const CompareProgressFn &, const std::atomic_bool *)> work)
{
    cancel();
    const quint64 generation = ++m_generation;
    m_pathA = pathA;
    m_pathB = pathB;
    m_lastPermille = 0;
    auto shared = std::make_shared<Shared>();
    shared->total = readTotal; // reading: bytes of the files read
    m_shared = shared;
    m_clock.start();
    setBusy(true);
    m_progressTimer.start();
    emitProgress();

    disconnect(&m_watcher, nullptr, this, nullptr);
    QFuture<Result> future = QtConcurrent::run([work = std::move(work), shared]() {
        Result r;
        const CompareProgressFn progress = [shared](CompareStage stage, std::int64_t done,
                                                    std::int64_t total) {
            const int s = stage == CompareStage::Reading ? 0 : 1;
            if (s != shared->stage.load()) {
                // Reading → comparing only (the readers have finished by then).
                shared->done = 0;
                shared->total = total;
                shared->stage = s;
            }
            shared->total = total;
            qint64 prev = shared->done.load();
            while (done > prev && !shared->done.compare_exchange_weak(prev, done)) {
            }
        };
        auto investigation = std::make_shared<Investigation>();
        if (!work(*investigation, &r.error, progress, &shared->cancel)) {
            r.cancelled = shared->cancel.load();
            return r;
        }
        r.investigation = std::move(investigation);
        return r;
    });
    connect(&m_watcher, &QFutureWatcher<Result>::finished, this, [this, generation, pathA, pathB]() {
        if (generation != m_generation) return;
        m_progressTimer.stop();
        setBusy(false);
        const Result r = m_watcher.result();
        // A result that arrived after Cancel was pressed is dropped as well.
        if (r.cancelled || (m_shared && m_shared->cancel)) {
            Q_EMIT cancelled(pathA, pathB);
            return;
        }
        if (!r.investigation) {
            Q_EMIT failed(pathA, pathB, r.error);
            return;
        }
        emitProgress(); // the final 1000 ‰
        Q_EMIT compared(pathA, pathB, r.investigation);
    });
    m_watcher.setFuture(future);
}

void PairLoader::cancel()
{
    if (m_shared) m_shared->cancel = true;
}

} // namespace ikev2wb::ui
