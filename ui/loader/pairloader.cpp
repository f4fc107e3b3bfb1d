#include "pairloader.h"

#include <QtConcurrent/QtConcurrentRun>

#include <future>

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

void PairLoader::emitProgress()
{
    if (!m_shared) return;
    const Stage stage = m_shared->stage.load() == 0 ? Stage::Reading : Stage::Comparing;
    Q_EMIT progress(m_pathA, m_pathB, stage, double(m_clock.elapsed()) / 1000.0);
}

void PairLoader::compare(const QString &pathA, const QString &pathB)
{
    cancel();
    const quint64 generation = ++m_generation;
    m_pathA = pathA;
    m_pathB = pathB;
    auto shared = std::make_shared<Shared>();
    m_shared = shared;
    m_clock.start();
    setBusy(true);
    m_progressTimer.start();
    emitProgress();

    disconnect(&m_watcher, nullptr, this, nullptr);
    QFuture<Result> future = QtConcurrent::run([pathA, pathB, shared]() {
        Result r;
        // The two reads are independent; B gets its own thread rather than a second pool
        // task, so a busy pool (a single capture loading) cannot stall this one.
        QString errorA, errorB;
        auto futureB = std::async(std::launch::async, [&pathB, &errorB, shared] {
            return observeCapture(pathB, &errorB, &shared->cancel);
        });
        auto a = observeCapture(pathA, &errorA, &shared->cancel);
        auto b = futureB.get();
        if (!a || !b) {
            r.error = !a ? errorA : errorB;
            return r;
        }
        if (shared->cancel || a->cancelled || b->cancelled) {
            r.cancelled = true;
            return r;
        }
        shared->stage = 1;
        r.result = std::make_shared<const CompareResult>(compareCaptures(std::move(*a), std::move(*b)));
        return r;
    });
    connect(&m_watcher, &QFutureWatcher<Result>::finished, this, [this, generation, pathA, pathB]() {
        if (generation != m_generation) return;
        m_progressTimer.stop();
        setBusy(false);
        const Result r = m_watcher.result();
        if (r.cancelled || (m_shared && m_shared->cancel)) {
            Q_EMIT failed(pathA, pathB, tr("%1 ⇄ %2: comparison cancelled").arg(pathA, pathB));
            return;
        }
        if (!r.result) {
            Q_EMIT failed(pathA, pathB, r.error);
            return;
        }
        Q_EMIT compared(pathA, pathB, r.result);
    });
    m_watcher.setFuture(future);
}

void PairLoader::cancel()
{
    if (m_shared) m_shared->cancel = true;
}

} // namespace ikev2wb::ui
