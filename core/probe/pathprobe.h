#pragma once
// Active path-MTU probe: a binary search over packet sizes sent with DF set, each size tried up
// to `tries` times (a lost probe is not a size verdict). Sizes are whole IP packets (header
// included), the unit of an interface or path MTU. Each size ends as
//   delivered   — the target answered (echo reply; for UDP a reply or its port unreachable),
//   too_big     — a router's ICMP fragmentation needed / packet too big (with its MTU), or the
//                 local stack's EMSGSIZE (the local interface or route MTU),
//   silent      — nothing back in any try (above a delivered size: a black-hole candidate),
//   unreachable — another ICMP error (host/net unreachable, prohibited).
// The result says the largest size proven delivered, the smallest that failed and how, the MTU
// reported, and a verdict (`pmtud`). JSON `ikev2wb.probe/1` is documented in README.md.
#include "probesocket.h"

#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>
#include <optional>
#include <vector>

namespace ikev2wb::probe {

struct ProbeOptions
{
    QString host; // address or name, as the user gave it
    Proto proto = Proto::Icmp;
    bool ipv6 = false;
    std::uint16_t port = 33434; // UDP: a port nothing listens on answers with port unreachable
    int minSize = 0;            // 0: 68 (IPv4) / 1280 (IPv6)
    int maxSize = 1500;
    int tries = 3;
    double timeoutS = 1.0;
};

enum class Outcome { Delivered, TooBigIcmp, TooBigLocal, Silent, Unreachable, Cancelled };
QString outcomeName(Outcome o); // "delivered", "too_big_icmp", "too_big_local", "silent", ...

/// One size, tried until an answer or an error settled it (or the tries ran out).
struct SizeProbe
{
    int size = 0;
    int sent = 0;
    int answered = 0;
    Outcome outcome = Outcome::Silent;
    int icmpType = -1; // the ICMP error, when one came
    int icmpCode = -1;
    int mtu = 0;      // MTU the ICMP error or the local stack reported (0: none)
    QString from;     // who answered or sent the error
    double rttMs = 0; // of the answer
};

/// A fragmentation-needed / packet-too-big source and what it said.
struct PtbReport
{
    QString from;
    int mtu = 0;
    int firstSize = 0; // the probe size that first drew it
    int count = 0;
};

enum class Pmtud { Working, BlackHole, Unreachable, Inconclusive };
QString pmtudName(Pmtud p); // "working", "black_hole", "unreachable", "inconclusive"

struct ProbeResult
{
    ProbeOptions options; // as run (defaults filled in)
    QString address;      // the target address probed
    QString source;       // the local address the probes were sent from (getsockname), "" unknown
    Method method = Method::Udp;
    std::int64_t startedNs = 0; // wall clock
    double durationS = 0;

    std::optional<int> pathMtu; // the largest size proven delivered (capped by --max)
    std::optional<int> largestDelivered;
    std::optional<int> smallestFailed;
    std::optional<Outcome> failedBy; // how smallestFailed failed
    QString failedFrom;              // who sent the error at smallestFailed
    std::optional<int> reportedMtu;  // MTU named by the error at smallestFailed
    std::optional<int> localMtu;     // the local stack's EMSGSIZE limit, when one was hit
    bool limitedByMax = false;       // every size up to maxSize was delivered
    Pmtud pmtud = Pmtud::Inconclusive;
    QString verdict; // one sentence for people
    std::vector<PtbReport> ptb;
    std::vector<SizeProbe> probes; // in the order sent
    bool cancelled = false;
    QStringList warnings;
    QString error; // the probe could not run at all (no socket, name not resolved)
};

/// Checks and completes the options (defaults by address family); returns an error text.
QString validateOptions(ProbeOptions &options);

/// Runs the probe. Blocking, bounded: at most ~64 sizes × tries × timeout. `progress` is called
/// after each size (on the calling thread); `cancel` is polled every 100 ms.
ProbeResult runPathProbe(const ProbeOptions &options,
                         const std::function<void(const SizeProbe &)> &progress = {},
                         const std::atomic_bool *cancel = nullptr);

} // namespace ikev2wb::probe
