#include "jobtracker.h"

#include <QMutexLocker>

namespace ikev2wb::ui {

void detail::JobTrackerCore::post(const std::shared_ptr<JobTrackerCore> &self, quint64 gen,
                                  std::function<void()> fn)
{
    // Under the mutex: the tracker cannot clear `receiver` (and go) between the check and the post.
    const QMutexLocker lock(&mutex);
    if (!receiver || generation.load() != gen) return; // stale: dropped here already
    QMetaObject::invokeMethod(
        receiver,
        [self, gen, fn = std::move(fn)]() {
            // A newer job may have started while this result waited in the queue.
            if (self->generation.load() == gen) fn();
        },
        Qt::QueuedConnection);
}

JobTracker::JobTracker() : m_core(std::make_shared<detail::JobTrackerCore>())
{
    m_core->receiver = &m_receiver;
    m_progressTimer.setInterval(250);
    QObject::connect(&m_progressTimer, &QTimer::timeout, &m_receiver, [this]() {
        if (m_job && m_progress) m_progress(*m_job);
    });
}

JobTracker::~JobTracker()
{
    if (m_job) m_job->cancel();
    // (GCC 12 at -O2 warns about the increment through a shared_ptr it cannot prove non-null.)
    detail::JobTrackerCore *core = m_core.get();
    if (!core) return;
    const QMutexLocker lock(&core->mutex);
    core->receiver = nullptr;
    core->generation.fetch_add(1);
}

std::shared_ptr<Job> JobTracker::begin(qint64 total)
{
    if (m_job) m_job->cancel();
    const quint64 generation = ++m_core->generation;
    m_job = std::shared_ptr<Job>(new Job(m_core, generation));
    m_job->total = total;
    m_running = true;
    m_clock.start();
    if (m_progress) m_progressTimer.start();
    return m_job;
}

void JobTracker::finish()
{
    m_running = false;
    m_progressTimer.stop();
}

void JobTracker::cancel()
{
    if (m_job) m_job->cancel();
}

void JobTracker::drop()
{
    if (m_job) m_job->cancel();
    ++m_core->generation;
    finish();
}

void JobTracker::setProgressHandler(int intervalMs, std::function<void(const Job &)> handler)
{
    m_progress = std::move(handler);
    m_progressTimer.setInterval(intervalMs);
    if (m_running && m_progress) m_progressTimer.start();
}

} // namespace ikev2wb::ui
