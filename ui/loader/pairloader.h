#pragma once
// Compares the captures of the two ends of a tunnel on a worker thread: reads both (side by
// side, each with the cancel flag that observeCapture() checks per packet), then runs the
// comparison. A generation counter drops the result of a pair that was superseded or
// cancelled. compareCaptures() itself takes no cancel flag, so Cancel during that last stage
// only drops its result when it arrives.
#include "compare/endpointcompare.h"

#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QObject>
#include <QTimer>

#include <atomic>
#include <memory>

namespace ikev2wb::ui {

using ComparePtr = std::shared_ptr<const CompareResult>;

class PairLoader final : public QObject
{
    Q_OBJECT
public:
    explicit PairLoader(QObject *parent = nullptr);
    ~PairLoader() override;

    /// Starts comparing `pathA` (capture A) with `pathB`; a pair still running is cancelled.
    void compare(const QString &pathA, const QString &pathB);
    void cancel();
    [[nodiscard]] bool isBusy() const { return m_busy; }

    enum class Stage { Reading, Comparing };

Q_SIGNALS:
    /// A few times a second while busy: what is happening and for how long it has run.
    void progress(const QString &pathA, const QString &pathB, ikev2wb::ui::PairLoader::Stage stage,
                  double elapsedS);
    void compared(const QString &pathA, const QString &pathB, ikev2wb::ui::ComparePtr result);
    /// `message` names the file and the reason.
    void failed(const QString &pathA, const QString &pathB, const QString &message);
    void busyChanged(bool busy);

private:
    struct Shared
    {
        std::atomic_bool cancel{false};
        std::atomic_int stage{0};
    };
    struct Result
    {
        ComparePtr result;
        QString error;
        bool cancelled = false;
    };
    void setBusy(bool busy);
    void emitProgress();

    std::shared_ptr<Shared> m_shared;
    QFutureWatcher<Result> m_watcher;
    QTimer m_progressTimer;
    QElapsedTimer m_clock;
    QString m_pathA, m_pathB;
    quint64 m_generation = 0;
    bool m_busy = false;
};

} // namespace ikev2wb::ui

Q_DECLARE_METATYPE(ikev2wb::ui::ComparePtr)
