#pragma once
// Opens the captures of the two ends of a tunnel as one investigation on a worker thread
// (Investigation::openPair(): both files read side by side, each once, both analysed, then
// compared from their indexes), or adds the peer's capture to a capture already read. The tab
// takes its indexes, analyses and comparison from that one object. Progress is kept in atomics
// by the worker and emitted a few times a second: the stage, its units done of total (bytes of
// the files read while reading, ESP packets while comparing) and one overall fraction that never
// goes back. Cancel reaches the readers, analyses and comparison through the job's flag; the
// JobTracker drops the result of a pair that was superseded.
#include "compare/endpointcompare.h"
#include "loader/jobtracker.h"
#include "session/investigation.h"
#include "sharedtypes.h"

#include <QObject>

#include <atomic>
#include <functional>
#include <memory>

namespace ikev2wb::ui {

class PairLoader final : public QObject
{
    Q_OBJECT
public:
    explicit PairLoader(QObject *parent = nullptr);
    ~PairLoader() override;

    /// Starts opening `pathA` (capture A) and `pathB` as a pair; a pair still running is cancelled.
    void compare(const QString &pathA, const QString &pathB);
    /// The same with capture A already read and analysed (a tab that gets its peer): only
    /// `pathB` is read. `pathA` is the key A was read with (the signals name the pair by it).
    void compare(const QString &pathA, std::shared_ptr<const CaptureIndex> indexA,
                 std::shared_ptr<const CaptureAnalysis> analysisA, const QString &pathB);
    /// Stops the running pair; `cancelled` follows once the worker has stopped.
    void cancel();
    [[nodiscard]] bool isBusy() const { return m_busy; }
    /// How often `progress` is emitted while busy (ms; default 250).
    void setProgressInterval(int ms) { m_jobs.setProgressInterval(ms); }

    /// Reading both files; reading a capture again as the tunnel proven the other's (a hub's
    /// capture, either side: ikev2wb::readProvenTunnels()); comparing.
    enum class Stage { Reading, ReadingTunnel, Comparing };
    /// Share of the whole job in ‰: reading is the first 900, comparing the last 100; when B is
    /// read again as its tunnel (`tunnelRead`), that read takes 900–950 and comparing 950–1000.
    static int permille(Stage stage, qint64 done, qint64 total, bool tunnelRead = false);

Q_SIGNALS:
    /// A few times a second while busy: the stage, its units done of total, the whole job in ‰
    /// (never decreasing for one pair) and how long it has run.
    void progress(const QString &pathA, const QString &pathB, ikev2wb::ui::PairLoader::Stage stage,
                  qint64 done, qint64 total, int permille, double elapsedS);
    /// The pair's investigation: both captures read and analysed, and compared.
    void compared(const QString &pathA, const QString &pathB, ikev2wb::ui::InvestigationPtr investigation);
    /// `message` names the file and the reason.
    void failed(const QString &pathA, const QString &pathB, const QString &message);
    /// The pair was cancelled (cancel()) and its worker has stopped.
    void cancelled(const QString &pathA, const QString &pathB);
    void busyChanged(bool busy);

private:
    struct Result
    {
        InvestigationPtr investigation;
        QString error;
        bool cancelled = false;
    };
    /// Runs `work` (building the investigation) on a worker, for the pair (pathA, pathB).
    void
    start(const QString &pathA, const QString &pathB, qint64 readTotal,
          std::function<bool(Investigation &, QString *, const CompareProgressFn &, const std::atomic_bool *)>
              work);
    void setBusy(bool busy);
    void emitProgress(const Job &job);

    JobTracker m_jobs;
    QString m_pathA, m_pathB;
    int m_lastPermille = 0;
    bool m_busy = false;
};

} // namespace ikev2wb::ui
