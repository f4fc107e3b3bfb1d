#pragma once
// A live capture as the window runs it. The GUI never opens an interface: it starts the
// privilege-separated helper ikev2wb-capture (QProcess), which streams pcapng on its standard
// output. A thread of this session reads that stream, saves it (OutputFile: the file appears
// complete at the end, or not at all, and never replaces a name taken meanwhile) and feeds core/live's
// LiveCapture, whose snapshot reaches the window at most four times a second. Stop (or the helper's own
// duration/count) ends the helper with SIGTERM, so the file ends with its statistics block.
#include "live/capturehelper.h"
#include "live/livecapture.h"

#include <QObject>
#include <QString>
#include <QStringList>
#include <QThread>

class QTimer;

#include <memory>

namespace ikev2wb::ui {

using LiveSnapshotPtr = std::shared_ptr<const LiveSnapshot>;

struct LiveCaptureOptions
{
    QString helper; // absolute path of ikev2wb-capture
    QString interfaceName;
    QString filter;    // empty: the helper's default
    int durationS = 0; // 0: until Stop
    qint64 count = 0;  // 0: no limit
    int snaplen = 0;   // 0: the helper's default
    int ringFiles = 0; // with ringSizeMb: the helper writes a ring of files
    int ringSizeMb = 0;
    QString output; // the pcapng file (a ring: the base name)
    int statsIntervalMs = 500;
    /// The peer gateway's side over ssh (no destination: none), saved to peerOutput.
    PeerCapture peer;
    QString peerOutput;
    [[nodiscard]] bool withPeer() const { return !peer.destination.isEmpty(); }

    /// The helper's arguments for these options.
    [[nodiscard]] QStringList helperArguments() const;
};

class LiveSession final : public QObject
{
    Q_OBJECT
public:
    explicit LiveSession(LiveCaptureOptions options, QObject *parent = nullptr);
    /// A capture still running is stopped cleanly (and saved) first; this waits for the helper
    /// (up to 5 s, 10 s with a peer) on the calling thread: prefer finishInBackground().
    ~LiveSession() override;

    void start();
    /// Asks the helper to end (SIGTERM); finished() follows.
    void stop();
    /// Stops the capture as stop() does (the file is saved as after Stop) and deletes this session
    /// once finished() has been emitted, without waiting here. A helper (or the peer's ssh) still
    /// running `killAfterMs` later is killed; the capture is then not saved, and finished() says so.
    void finishInBackground(int killAfterMs = kBackgroundKillMs);
    [[nodiscard]] bool isRunning() const { return m_running; }
    /// The ESP SA (index into LiveSnapshot::sas) whose timeline the next snapshots carry
    /// (LiveCapture::setTimelineSa): its whole history first, then what is new.
    void setTimelineSa(std::size_t sa);
    /// Ending in finishInBackground().
    [[nodiscard]] bool isFinishingInBackground() const { return m_killTimer != nullptr; }
    /// finishInBackground()'s default bound: the helper's clean end takes milliseconds; a helper
    /// stuck in the kernel, or an ssh peer slow to answer, gets this long.
    static constexpr int kBackgroundKillMs = 10000;
    [[nodiscard]] const LiveCaptureOptions &options() const { return m_options; }
    /// After finished() without an error: the peer's saved capture (empty without a peer).
    [[nodiscard]] const QString &peerSaved() const { return m_peerSaved; }

Q_SIGNALS:
    /// The capture so far (at most every 250 ms, only when something arrived).
    void updated(ikev2wb::ui::LiveSnapshotPtr snapshot);
    /// The helper ended. `saved`: the files written (one, or the ring's kept files, oldest
    /// first); empty with `error` saying why (the helper's own words) when nothing was saved.
    void finished(const QStringList &saved, const QString &error, ikev2wb::ui::LiveSnapshotPtr last);

private:
    class Worker;
    LiveCaptureOptions m_options;
    QThread m_thread;
    Worker *m_worker = nullptr;
    bool m_running = false;
    QString m_peerSaved;
    QTimer *m_killTimer = nullptr;
};

} // namespace ikev2wb::ui

Q_DECLARE_METATYPE(ikev2wb::ui::LiveSnapshotPtr)
