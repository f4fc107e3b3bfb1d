// JobTracker (ui/loader/jobtracker.h): a superseded job's result never reaches the GUI thread,
// cancel() stops a job that polls its flag, progress is sampled, a first stage of a stale job is
// dropped, and a tracker destroyed under a running job neither crashes nor delivers.
#include "loader/jobtracker.h"

#include <QElapsedTimer>
#include <QSemaphore>
#include <QTest>
#include <QThread>

#include <atomic>
#include <memory>

using namespace ikev2wb::ui;

class TestJobTracker : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void staleResultIsDropped();
    void queuedStaleResultIsDropped();
    void cancelStopsTheJob();
    void dropDeliversNothing();
    void progressIsSampled();
    void firstStageOfAStaleJobIsDropped();
    void destroyedWhileRunning();
};

void TestJobTracker::staleResultIsDropped()
{
    JobTracker tracker;
    QList<int> delivered;
    auto release = std::make_shared<QSemaphore>();
    auto firstEnded = std::make_shared<std::atomic_bool>(false);
    // The first job ignores cancel and ends only when released: its result exists but is stale.
    tracker.start(
        [release, firstEnded](Job &) {
            release->acquire();
            *firstEnded = true;
            return 1;
        },
        [&delivered](int v) { delivered.append(v); });
    tracker.start([](Job &) { return 2; }, [&delivered](int v) { delivered.append(v); });
    QTRY_COMPARE(delivered, QList<int>{2});
    QVERIFY(!tracker.isRunning());
    release->release();
    QTRY_VERIFY(firstEnded->load());
    QTest::qWait(100); // anything the first job might have posted is processed now
    QCOMPARE(delivered, QList<int>{2});
}

void TestJobTracker::queuedStaleResultIsDropped()
{
    // The first result is already waiting in the GUI thread's queue when the second job starts.
    JobTracker tracker;
    QList<int> delivered;
    tracker.start([](Job &) { return 1; }, [&delivered](int v) { delivered.append(v); });
    tracker.waitForFinished(); // the worker has posted its result; no event was processed yet
    QVERIFY(delivered.isEmpty());
    tracker.start([](Job &) { return 2; }, [&delivered](int v) { delivered.append(v); });
    QTRY_COMPARE(delivered, QList<int>{2});
    QTest::qWait(50);
    QCOMPARE(delivered, QList<int>{2});
}

void TestJobTracker::cancelStopsTheJob()
{
    JobTracker tracker;
    auto iterations = std::make_shared<std::atomic<qint64>>(0);
    qint64 result = -1;
    bool deliveredCancelled = false;
    // Would run for 60 s unless it sees the cancel flag.
    tracker.start(
        [iterations](Job &job) {
            QElapsedTimer t;
            t.start();
            while (!job.isCancelled() && t.elapsed() < 60000) {
                ++*iterations;
                QThread::usleep(100);
            }
            return job.isCancelled() ? iterations->load() : qint64(-2);
        },
        [&](qint64 v) {
            result = v;
            deliveredCancelled = tracker.wasCancelled();
        });
    QTRY_VERIFY(iterations->load() > 10);
    QVERIFY(tracker.isRunning());
    QElapsedTimer stopped;
    stopped.start();
    tracker.cancel();
    QTRY_VERIFY_WITH_TIMEOUT(result != -1, 5000);
    QVERIFY2(stopped.elapsed() < 5000, "the job did not stop at the cancel flag");
    QVERIFY(result > 10); // the job returned from its loop because of the flag, not the 60 s bound
    QVERIFY(deliveredCancelled);
    QVERIFY(!tracker.isRunning());
    const qint64 after = iterations->load();
    QTest::qWait(50);
    QCOMPARE(iterations->load(), after); // nothing runs any more
}

void TestJobTracker::dropDeliversNothing()
{
    JobTracker tracker;
    bool delivered = false;
    auto sawCancel = std::make_shared<std::atomic_bool>(false);
    tracker.start(
        [sawCancel](Job &job) {
            QElapsedTimer t;
            t.start();
            while (!job.isCancelled() && t.elapsed() < 60000)
                QThread::usleep(100);
            *sawCancel = job.isCancelled();
            return 0;
        },
        [&delivered](int) { delivered = true; });
    tracker.drop();
    QVERIFY(!tracker.isRunning());
    QTRY_VERIFY(sawCancel->load());
    tracker.waitForFinished();
    QTest::qWait(50);
    QVERIFY(!delivered);
}

void TestJobTracker::progressIsSampled()
{
    JobTracker tracker;
    QList<qint64> seen;
    tracker.setProgressHandler(10, [&seen](const Job &job) { seen.append(job.done.load()); });
    auto step = std::make_shared<QSemaphore>();
    bool delivered = false;
    tracker.start(
        [step](Job &job) {
            job.total = 2;
            job.done = 1;
            step->acquire();
            job.done = 2;
            return 0;
        },
        [&delivered](int) { delivered = true; });
    QTRY_VERIFY(seen.contains(1));
    step->release();
    QTRY_VERIFY(delivered);
    const qsizetype n = seen.size();
    QTest::qWait(50);
    QCOMPARE(seen.size(), n); // the timer stops with the delivery
}

void TestJobTracker::firstStageOfAStaleJobIsDropped()
{
    JobTracker tracker;
    QList<int> stages;
    auto go = std::make_shared<QSemaphore>();
    tracker.start(
        [go, &stages](Job &job) {
            go->acquire(); // posts only after the second job superseded it
            job.post([&stages]() { stages.append(1); });
            return 0;
        },
        [](int) {});
    tracker.start(
        [&stages](Job &job) {
            job.post([&stages]() { stages.append(2); });
            return 0;
        },
        [](int) {});
    go->release();
    tracker.waitForFinished();
    QTest::qWait(100);
    QCOMPARE(stages, QList<int>{2});
}

void TestJobTracker::destroyedWhileRunning()
{
    auto go = std::make_shared<QSemaphore>();
    auto ended = std::make_shared<std::atomic_bool>(false);
    bool delivered = false;
    {
        JobTracker tracker;
        tracker.start(
            [go, ended](Job &) {
                go->acquire();
                *ended = true;
                return 0;
            },
            [&delivered](int) { delivered = true; });
    }
    go->release();
    QTRY_VERIFY(ended->load());
    QTest::qWait(50);
    QVERIFY(!delivered);
}

QTEST_MAIN(TestJobTracker)
#include "tst_jobtracker.moc"
