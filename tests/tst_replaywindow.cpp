// The anti-replay window emulator against sequences traced by hand through the kernel's
// xfrm_replay_check_bmp/advance_bmp and xfrm_replay_check_esn/seqhi/advance_esn
// (net/xfrm/xfrm_replay.c) and RFC 4303 §3.4.3. Verdicts: A accepted, O outside the window
// (too old), R replayed (bit set), I invalid (sequence 0), E ESN high half guessed wrong.
#include "analyze/replaywindow.h"

#include <QtTest>

using namespace ikev2wb;

class tst_replaywindow : public QObject
{
    Q_OBJECT
private slots:
    void verdicts_data();
    void verdicts();
    void countersAddUp();
    void acceptInOrderIsRunOfReceives();
};

void tst_replaywindow::verdicts_data()
{
    QTest::addColumn<uint>("window");
    QTest::addColumn<bool>("esn");
    QTest::addColumn<quint64>("prime"); // 0 = start fresh (top 0)
    QTest::addColumn<QList<quint64>>("seqs");
    QTest::addColumn<QString>("verdicts");
    QTest::addColumn<quint64>("top");

    // Every number above the top is accepted and becomes the top.
    QTest::newRow("in order") << 32u << false << quint64(0) << QList<quint64>{1, 2, 3, 4}
                              << QStringLiteral("AAAA") << quint64(4);
    // A gap does not drop anything: 5 > top 2 is simply accepted.
    QTest::newRow("gap") << 32u << false << quint64(0) << QList<quint64>{1, 2, 5, 6} << QStringLiteral("AAAA")
                         << quint64(6);
    // 3 after 5: diff 5-3 = 2 < 32, bit not set -> accepted; 4 likewise (diff 1).
    QTest::newRow("late inside") << 32u << false << quint64(0) << QList<quint64>{1, 2, 5, 3, 4}
                                 << QStringLiteral("AAAAA") << quint64(5);
    // 8 after 40: diff 32 >= 32 -> too old; 9: diff 31 -> accepted.
    QTest::newRow("late outside") << 32u << false << quint64(0) << QList<quint64>{1, 40, 8, 9}
                                  << QStringLiteral("AAOA") << quint64(40);
    // Window 64: 36 after 100 is diff 64 -> too old; 37 is diff 63 -> accepted.
    QTest::newRow("edge 64") << 64u << false << quint64(0) << QList<quint64>{1, 100, 36, 37}
                             << QStringLiteral("AAOA") << quint64(100);
    // 2 again: diff 0, bit set -> replay; 1 again: diff 1, bit set -> replay.
    QTest::newRow("duplicate") << 32u << false << quint64(0) << QList<quint64>{1, 2, 2, 1}
                               << QStringLiteral("AARR") << quint64(2);
    // The copy of a too-old packet is too old as well (the age test comes before the bit test).
    QTest::newRow("duplicate too old")
        << 32u << false << quint64(0) << QList<quint64>{1, 40, 8, 8} << QStringLiteral("AAOO") << quint64(40);
    // Jump by 98 >= 32 clears the bitmap: 68 is diff 32 -> too old, 69 diff 31 -> accepted, 69 again ->
    // replay.
    QTest::newRow("jump clears") << 32u << false << quint64(0) << QList<quint64>{1, 2, 100, 68, 69, 69}
                                 << QStringLiteral("AAAOAR") << quint64(100);
    // Sequence 0 is never valid; it neither moves nor marks the window.
    QTest::newRow("seq 0") << 32u << false << quint64(0) << QList<quint64>{0, 1, 0} << QStringLiteral("IAI")
                           << quint64(1);
    // Window 4096: 1 after 4097 is diff 4096 -> too old even though it was received before; 2 is diff 4095.
    QTest::newRow("4096") << 4096u << false << quint64(0) << QList<quint64>{1, 4097, 1, 2}
                          << QStringLiteral("AAOA") << quint64(4097);
    // Without ESN the wire carries 1 after 0xffffffff: diff 0xfffffffe -> too old.
    QTest::newRow("no ESN, wrap") << 32u << false << quint64(0)
                                  << QList<quint64>{0xfffffffeull, 0xffffffffull, 0x100000001ull}
                                  << QStringLiteral("AAO") << quint64(0xffffffffull);
    // replay_window 0 disables the check: duplicates and 0 pass, and the state never advances
    // (xfrm_replay_advance returns at once without a window), so the top stays 0.
    QTest::newRow("disabled") << 0u << false << quint64(0) << QList<quint64>{1, 1, 0} << QStringLiteral("AAA")
                              << quint64(0);

    // ESN, window primed at top 0xfffffff0 (hi 0), W 32:
    //  fffffffe: case A (top >= 31), seq > top -> ok; seqhi: not below bottom ffffffd1 -> hi 0 = true hi. A
    //  ffffffff: likewise. A
    //  1_00000000 (low 0): case A, 0 < bottom ffffffe0 -> ok; seqhi -> hi+1 = 1 = true hi;
    //     advance: wrap 1, diff = ~ffffffff + 0 + 1 = 1; top = 0, hi = 1. A
    //  1_00000001: top 0 < 31 -> case B, bottom = 0 - 31 = ffffffe1; 1 > 0 and 1 < bottom -> ok; hi 1. A
    //  fffffffd (true hi 0): case B, seq >= bottom (ffffffe2) -> diff = ~seq + 1 + 1 = 4 < 32;
    //     its bit (position (seq-1) mod 32 = 28) was cleared when the top jumped from fffffff0 -> ok;
    //     seqhi: case B, seq >= bottom -> hi-1 = 0 = true hi. A (reordered across the wrap)
    //  1_00000000 again: case B, diff = 1 - 0 = 1, its bit (31) is set. R
    QTest::newRow("ESN wrap") << 32u << true << quint64(0xfffffff0ull)
                              << QList<quint64>{0xfffffffeull,  0xffffffffull, 0x100000000ull,
                                                0x100000001ull, 0xfffffffdull, 0x100000000ull}
                              << QStringLiteral("AAAAAR") << quint64(0x100000001ull);
    // ESN, fresh window: 10 after 50 is below bottom 19 in the same subspace, so the kernel
    // assumes hi + 1; the sender used hi 0 -> the ICV check fails. 19 is diff 31 -> accepted.
    QTest::newRow("ESN too old") << 32u << true << quint64(0) << QList<quint64>{1, 50, 10, 19}
                                 << QStringLiteral("AAEA") << quint64(50);
    // ESN: the 64-bit number 0 is invalid; after it, 1 and a replay of 1.
    QTest::newRow("ESN seq 0") << 32u << true << quint64(0) << QList<quint64>{0, 1, 1}
                               << QStringLiteral("IAR") << quint64(1);
    // ESN without a wrap behaves like the plain window for late packets inside it.
    QTest::newRow("ESN late inside") << 64u << true << quint64(0) << QList<quint64>{1, 2, 5, 3, 4, 4}
                                     << QStringLiteral("AAAAAR") << quint64(5);
}

static QChar letter(ReplayWindow::Verdict v)
{
    switch (v) {
    case ReplayWindow::Verdict::Accepted:
        return QLatin1Char('A');
    case ReplayWindow::Verdict::OutsideWindow:
        return QLatin1Char('O');
    case ReplayWindow::Verdict::Replayed:
        return QLatin1Char('R');
    case ReplayWindow::Verdict::Invalid:
        return QLatin1Char('I');
    case ReplayWindow::Verdict::EsnMismatch:
        return QLatin1Char('E');
    }
    return QLatin1Char('?');
}

void tst_replaywindow::verdicts()
{
    QFETCH(uint, window);
    QFETCH(bool, esn);
    QFETCH(quint64, prime);
    QFETCH(QList<quint64>, seqs);
    QFETCH(QString, verdicts);
    QFETCH(quint64, top);

    ReplayWindow w(window, esn);
    if (prime) w.prime(prime);
    QString got;
    for (quint64 s : seqs)
        got += letter(w.receive(s));
    QCOMPARE(got, verdicts);
    QCOMPARE(quint64(w.top()), top);
}

void tst_replaywindow::countersAddUp()
{
    // 1 2 2 40 8 0 9: A A R A O I A  (8: diff 32 -> too old; 9: diff 31)
    ReplayWindow w(32);
    for (quint64 s : {1, 2, 2, 40, 8, 0, 9})
        w.receive(s);
    const auto &c = w.counters();
    QCOMPARE(c.accepted, 4u);
    QCOMPARE(c.replayed, 1u);
    QCOMPARE(c.outsideWindow, 1u);
    QCOMPARE(c.invalid, 1u);
    QCOMPARE(c.esnMismatch, 0u);
    QCOMPARE(c.dropped(), 3u);
}

// acceptInOrder(n) (the ESP sequence analysis hands runs of in-order numbers to the windows at
// once) against n single receive() calls, which follow the kernel: after a start with gaps and
// late packets (some bits set, some not), runs shorter than, as long as and longer than the
// window, starting at every bit position class; then every number from below the window up to
// the top is received again, which reads each bit back as a verdict.
void tst_replaywindow::acceptInOrderIsRunOfReceives()
{
    for (const std::uint32_t size : {2u, 4u, 32u, 64u, 1024u}) {
        for (const std::uint32_t n : {1u, 5u, 31u, 32u, 33u, size - 1, size, size + 7, 3 * size}) {
            if (n == 0) continue;
            ReplayWindow one(size), run(size);
            QVERIFY(run.hasInOrderShortcut());
            const std::uint64_t start = 1000 + n % 7;
            one.prime(start);
            run.prime(start);
            // A start with gaps and late packets: bits set and unset inside the window.
            for (const std::uint64_t q : {start + 3, start + 1, start + 6, start + 5, start + 10}) {
                QCOMPARE(int(one.receive(q)), int(run.receive(q)));
            }
            const std::uint64_t top = one.top();
            for (std::uint64_t q = top + 1; q <= top + n; ++q)
                QCOMPARE(int(one.receive(q)), int(ReplayWindow::Verdict::Accepted));
            run.acceptInOrder(n);
            QCOMPARE(run.top(), one.top());
            QCOMPARE(run.counters().accepted, one.counters().accepted);
            const std::uint64_t end = one.top();
            for (std::uint64_t q = end > size + 3 ? end - size - 3 : 1; q <= end; ++q)
                QVERIFY2(one.receive(q) == run.receive(q),
                         qPrintable(QStringLiteral("window %1, run %2, number %3").arg(size).arg(n).arg(q)));
            QCOMPARE(run.counters().replayed, one.counters().replayed);
            QCOMPARE(run.counters().outsideWindow, one.counters().outsideWindow);
            QCOMPARE(run.counters().accepted, one.counters().accepted);
        }
    }
}

QTEST_APPLESS_MAIN(tst_replaywindow)
#include "tst_replaywindow.moc"
