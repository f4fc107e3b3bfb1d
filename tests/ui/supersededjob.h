#pragma once
// Shared by the GUI tests of a page's worker job: the job's work run twice through one
// JobTracker, the first run superseded by the second before it begins (so it starts with its
// cancel flag set), and how much each walked (job.items). A job that polls its flag stops at
// once; one that does not walks everything though its result is dropped.
#include "loader/jobtracker.h"

#include <QSemaphore>
#include <QTest>

#include <atomic>
#include <memory>

namespace ikev2wb::ui {

struct SupersededRuns
{
    quint64 firstWalked = 0; // the superseded run
    bool firstCancelled = false;
    bool firstDelivered = false;
    quint64 secondWalked = 0; // the run that superseded it
    bool secondCancelled = true;
};

/// `work(Job &)` returns true when it stopped on the cancel flag.
template <typename Work> SupersededRuns runSuperseded(Work work)
{
    SupersededRuns out;
    struct First
    {
        QSemaphore go;
        std::atomic_bool returned{false}, cancelled{false};
        std::atomic<quint64> walked{0};
    };
    auto first = std::make_shared<First>();
    bool secondDone = false;
    JobTracker jobs;
    jobs.start(
        [first, work](Job &job) {
            first->go.acquire();
            first->cancelled = work(job);
            first->walked = job.items.load();
            first->returned = true;
            return 0;
        },
        [&](int) { out.firstDelivered = true; });
    jobs.start(
        [work](Job &job) {
            const bool cancelled = work(job);
            return std::pair(cancelled, job.items.load());
        },
        [&](std::pair<bool, quint64> r) {
            out.secondCancelled = r.first;
            out.secondWalked = r.second;
            secondDone = true;
        });
    first->go.release();
    if (!QTest::qWaitFor([&]() { return secondDone && first->returned; }, 60000))
        qWarning("jobs did not end");
    jobs.waitForFinished();
    out.firstWalked = first->walked;
    out.firstCancelled = first->cancelled;
    return out;
}

} // namespace ikev2wb::ui
