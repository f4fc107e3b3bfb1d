#pragma once
// Runs work on a pool thread and hands its result to the GUI thread only while it is still
// wanted (hotspot's JobTracker): each start() supersedes the job before it (cancelled, its result
// dropped, also a result already queued), cancel() asks the running job to stop (its result,
// partial or empty, still arrives), a job reports progress in atomics that the tracker samples
// on a timer (a few updates a second), and a job may hand the GUI a first stage before it ends.
#include <QElapsedTimer>
#include <QFuture>
#include <QMutex>
#include <QObject>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>

#include <atomic>
#include <functional>
#include <memory>
#include <type_traits>

namespace ikev2wb::ui {

namespace detail {
/// What a tracker shares with its jobs: the current generation and where results are posted.
/// The tracker clears `receiver` under the mutex when it goes; a job posts under the same mutex.
struct JobTrackerCore
{
    QMutex mutex;
    QObject *receiver = nullptr;
    std::atomic<quint64> generation{0};
    /// Queues `fn` to the GUI thread; it runs there only if `generation` is still current then.
    void post(const std::shared_ptr<JobTrackerCore> &self, quint64 generation, std::function<void()> fn);
};
} // namespace detail

/// A job as its worker sees it: the cancel flag to poll, progress to report, a first stage to post.
class Job
{
public:
    [[nodiscard]] bool isCancelled() const { return m_cancel.load(std::memory_order_relaxed); }
    /// For core functions that poll a `const std::atomic_bool *`.
    [[nodiscard]] const std::atomic_bool *cancelFlag() const { return &m_cancel; }
    void cancel() { m_cancel = true; }
    /// False once a newer job was started or the tracker dropped this one.
    [[nodiscard]] bool isCurrent() const { return m_core->generation.load() == m_generation; }
    /// Runs `fn` on the GUI thread if this job is still current then (e.g. a first stage).
    void post(std::function<void()> fn) const { m_core->post(m_core, m_generation, std::move(fn)); }

    // Progress, written by the worker and sampled by the tracker's timer.
    std::atomic<qint64> done{0};
    std::atomic<qint64> total{0};
    std::atomic<quint64> items{0}; // e.g. packets read so far
    std::atomic_int stage{0};

private:
    friend class JobTracker;
    Job(std::shared_ptr<detail::JobTrackerCore> core, quint64 generation)
        : m_core(std::move(core)), m_generation(generation)
    {
    }
    std::shared_ptr<detail::JobTrackerCore> m_core;
    quint64 m_generation;
    std::atomic_bool m_cancel{false};
};

class JobTracker final
{
public:
    JobTracker();
    /// The running job is cancelled and its result dropped; it is not waited for (see waitForFinished).
    ~JobTracker();
    JobTracker(const JobTracker &) = delete;
    JobTracker &operator=(const JobTracker &) = delete;

    /// Runs `work(Job &)` on a pool thread; `done(result)` follows on the GUI thread unless
    /// another job was started or drop() called meanwhile. A job still running is cancelled and
    /// its result dropped. `total` is the job's progress total until the job sets its own.
    template <typename Work, typename Done> void start(Work work, Done done, qint64 total = 0)
    {
        using Result = std::decay_t<std::invoke_result_t<Work &, Job &>>;
        const std::shared_ptr<Job> job = begin(total);
        m_future = QtConcurrent::run([job, work = std::move(work), done = std::move(done), this]() mutable {
            auto result = std::make_shared<Result>(work(*job));
            // The tracker outlives this post only if it is still current: `this` is used on the GUI thread.
            job->post([this, result, done = std::move(done)]() mutable {
                finish();
                done(std::move(*result));
            });
        });
    }
    /// Asks the running job to stop; what it returns is still delivered.
    void cancel();
    /// Cancels the running job and drops its result.
    void drop();
    /// Started and not yet delivered or dropped.
    [[nodiscard]] bool isRunning() const { return m_running; }
    /// Whether cancel() was called on the job being (or last) delivered.
    [[nodiscard]] bool wasCancelled() const { return m_job && m_job->isCancelled(); }
    /// The current job (progress), null before the first start().
    [[nodiscard]] std::shared_ptr<const Job> job() const { return m_job; }
    /// Seconds since the current job started.
    [[nodiscard]] double elapsedS() const { return double(m_clock.elapsed()) / 1000.0; }
    /// Calls `handler(job)` every `intervalMs` while a job runs.
    void setProgressHandler(int intervalMs, std::function<void(const Job &)> handler);
    void setProgressInterval(int intervalMs) { m_progressTimer.setInterval(intervalMs); }
    /// Blocks until the latest job's worker has returned (its result may still be queued).
    void waitForFinished() { m_future.waitForFinished(); }

private:
    std::shared_ptr<Job> begin(qint64 total);
    void finish();

    QObject m_receiver; // lives in the GUI thread; queued results run in its context
    std::shared_ptr<detail::JobTrackerCore> m_core;
    std::shared_ptr<Job> m_job;
    QFuture<void> m_future;
    QTimer m_progressTimer;
    std::function<void(const Job &)> m_progress;
    QElapsedTimer m_clock;
    bool m_running = false;
};

} // namespace ikev2wb::ui
