#pragma once
// One direction of a capture pair in plain numbers: what the Overview's "Both ends" table, the
// PDF and `diagnose --json` show. Computed here once from the comparison, so no view counts
// (or names the ends) on its own.
#include <QString>

#include <cstdint>
#include <optional>
#include <vector>

namespace ikev2wb {

struct CompareResult;

struct PairDirectionTotals
{
    int from = 0;                   // the capture that sends: 0 A, 1 B
    QString fromAddress, toAddress; // each end's own outer address as its capture shows it; empty: unknown
    std::uint64_t sent = 0;         // ESP packets of the direction at the sender's capture
    std::uint64_t received = 0;     // ... at the receiver's capture
    std::uint64_t lostInTransit = 0;
    std::uint64_t captureDrops = 0; // at the receiver but not in the sender's capture (its own drops)
    std::uint64_t outsideSpan = 0;  // sent or received while the other capture was not running
    std::uint64_t reordered = 0, duplicated = 0;
    std::uint64_t ikeSent = 0, ikeLost = 0;
    std::optional<double> clockOffsetS; // receiver's clock − sender's; nullopt: not identifiable
    double clockErrorS = 0;             // ± bound of clockOffsetS
    /// lostInTransit / sent, in percent; 0 without packets.
    [[nodiscard]] double lossPercent() const
    {
        return sent ? 100.0 * double(lostInTransit) / double(sent) : 0;
    }
    /// "A" or "B", with the end's address when known ("A 10.0.1.1").
    [[nodiscard]] QString fromName() const { return endName(from, fromAddress); }
    [[nodiscard]] QString toName() const { return endName(1 - from, toAddress); }
    static QString endName(int side, const QString &address)
    {
        const QString who = side == 0 ? QStringLiteral("A") : QStringLiteral("B");
        return address.isEmpty() ? who : who + QLatin1Char(' ') + address;
    }
};

/// Both directions of `r`, in its order (the direction A sends first).
std::vector<PairDirectionTotals> pairDirectionTotals(const CompareResult &r);

} // namespace ikev2wb
