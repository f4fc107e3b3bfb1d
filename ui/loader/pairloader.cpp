#include "pairloader.h"

#include <QFileInfo>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

namespace ikev2wb::ui {

PairLoader::PairLoader(QObject *parent) : QObject(parent)
{
    qRegisterMetaType<ComparePtr>("ikev2wb::ui::ComparePtr");
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
    cancel();
    const quint64 generation = ++m_generation;
    m_pathA = pathA;
    m_pathB = pathB;
    m_lastPermille = 0;
    auto shared = std::make_shared<Shared>();
    shared->total = QFileInfo(pathA).size() + QFileInfo(pathB).size(); // reading: bytes of both files
    m_shared = shared;
    m_clock.start();
    setBusy(true);
    m_progressTimer.start();
    emitProgress();

    disconnect(&m_watcher, nullptr, this, nullptr);
    QFuture<Result> future = QtConcurrent::run([pathA, pathB, shared]() {
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
        CompareResult result;
        QString error;
        if (!compareCaptureFiles(pathA, pathB, result, &error, {}, progress, &shared->cancel)) {
            r.cancelled = result.cancelled;
            r.error = error;
            return r;
        }
        r.result = std::make_shared<const CompareResult>(std::move(result));
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
        if (!r.result) {
            Q_EMIT failed(pathA, pathB, r.error);
            return;
        }
        emitProgress(); // the final 1000 ‰
        Q_EMIT compared(pathA, pathB, r.result);
    });
    m_watcher.setFuture(future);
}

void PairLoader::cancel()
{
    if (m_shared) m_shared->cancel = true;
}

} // namespace ikev2wb::ui
