#include "pathprobe.h"

#include <QDateTime>

#include <arpa/inet.h>
#include <chrono>
#include <cstring>
#include <netdb.h>
#include <netinet/in.h>

namespace ikev2wb::probe {

namespace {

constexpr int kMaxSizesProbed = 64; // a binary search over 16-bit sizes needs < 20

bool resolve(const ProbeOptions &o, sockaddr_storage &out, QString *address, QString *error)
{
    addrinfo hints{};
    hints.ai_family = o.ipv6 ? AF_INET6 : AF_INET;
    hints.ai_socktype = SOCK_DGRAM;
    addrinfo *res = nullptr;
    const QByteArray host = o.host.toUtf8();
    const int rc = getaddrinfo(host.constData(), nullptr, &hints, &res);
    if (rc != 0 || !res) {
        *error = QStringLiteral("cannot resolve '%1' as an %2 address: %3")
                     .arg(o.host, o.ipv6 ? QStringLiteral("IPv6") : QStringLiteral("IPv4"),
                          QString::fromLocal8Bit(gai_strerror(rc)));
        return false;
    }
    std::memset(&out, 0, sizeof out);
    std::memcpy(&out, res->ai_addr, std::min<std::size_t>(res->ai_addrlen, sizeof out));
    freeaddrinfo(res);
    *address = sockaddrText(reinterpret_cast<const sockaddr *>(&out));
    return true;
}

class Search
{
public:
    Search(ProbeSocket &socket, const ProbeOptions &o, const std::function<void(const SizeProbe &)> &progress,
           const std::atomic_bool *cancel)
        : m_socket(socket), m_o(o), m_progress(progress), m_cancel(cancel)
    {
    }

    SizeProbe probe(int size)
    {
        SizeProbe p;
        p.size = size;
        const auto timeoutMs = std::int64_t(m_o.timeoutS * 1000);
        for (int t = 0; t < m_o.tries; ++t) {
            m_socket.drain();
            const std::uint16_t serial = ++m_serial == 0 ? ++m_serial : m_serial;
            const auto sentAt = std::chrono::steady_clock::now();
            const int e = m_socket.send(size, serial);
            ++p.sent;
            if (e == EMSGSIZE) {
                p.outcome = Outcome::TooBigLocal;
                p.mtu = m_socket.localMtu();
                break;
            }
            if (e != 0) {
                p.outcome = Outcome::Unreachable;
                m_warnings << QStringLiteral("size %1: send failed: %2")
                                  .arg(size)
                                  .arg(QString::fromLocal8Bit(std::strerror(e)));
                break;
            }
            const SocketEvent ev = m_socket.wait(serial, steadyNowMs() + timeoutMs, m_cancel);
            if (ev.kind == SocketEvent::Kind::Cancelled) {
                p.outcome = Outcome::Cancelled;
                break;
            }
            if (ev.kind == SocketEvent::Kind::Timeout) continue;
            p.from = ev.from;
            p.icmpType = ev.icmpType;
            p.icmpCode = ev.icmpCode;
            if (ev.kind == SocketEvent::Kind::Answer) {
                p.answered = 1;
                p.outcome = Outcome::Delivered;
                p.rttMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - sentAt)
                              .count();
            } else if (ev.kind == SocketEvent::Kind::TooBig) {
                p.outcome = Outcome::TooBigIcmp;
                p.mtu = ev.mtu;
            } else {
                p.outcome = Outcome::Unreachable;
            }
            break;
        }
        m_probes.push_back(p);
        if (m_progress) m_progress(p);
        return p;
    }

    std::vector<SizeProbe> takeProbes() { return std::move(m_probes); }
    QStringList takeWarnings() { return std::move(m_warnings); }
    [[nodiscard]] std::size_t count() const { return m_probes.size(); }

private:
    ProbeSocket &m_socket;
    const ProbeOptions &m_o;
    const std::function<void(const SizeProbe &)> &m_progress;
    const std::atomic_bool *m_cancel;
    std::uint16_t m_serial = 0;
    std::vector<SizeProbe> m_probes;
    QStringList m_warnings;
};

bool failed(Outcome o)
{
    return o == Outcome::TooBigIcmp || o == Outcome::TooBigLocal || o == Outcome::Silent ||
           o == Outcome::Unreachable;
}

/// The size an error's MTU points at, if it lies strictly inside the open interval.
std::optional<int> hintInside(int mtu, int lo, int hi)
{
    if (mtu > lo && mtu < hi) return mtu;
    return std::nullopt;
}

void summarize(ProbeResult &r)
{
    for (const SizeProbe &p : r.probes) {
        if (p.outcome == Outcome::TooBigLocal && p.mtu > 0) r.localMtu = p.mtu;
        if (p.outcome != Outcome::TooBigIcmp) continue;
        auto it = std::find_if(r.ptb.begin(), r.ptb.end(),
                               [&](const PtbReport &x) { return x.from == p.from && x.mtu == p.mtu; });
        if (it == r.ptb.end()) {
            r.ptb.push_back({p.from, p.mtu, p.size, 1});
        } else {
            ++it->count;
        }
    }
    const QString how = r.failedBy ? outcomeName(*r.failedBy) : QString();
    if (r.cancelled) {
        r.pmtud = Pmtud::Inconclusive;
        r.verdict = r.largestDelivered
                        ? QStringLiteral("cancelled before the search ended; %1 bytes were delivered")
                              .arg(*r.largestDelivered)
                        : QStringLiteral("cancelled before the search ended");
    } else if (!r.largestDelivered) {
        r.pmtud = Pmtud::Unreachable;
        r.verdict =
            r.failedBy == Outcome::TooBigIcmp || r.failedBy == Outcome::TooBigLocal
                ? QStringLiteral("even the smallest size (%1) is too big; lower --min").arg(r.options.minSize)
            : r.failedBy == Outcome::Unreachable
                ? QStringLiteral("%1 is unreachable: %2 sent an ICMP error at the smallest size (%3 bytes)")
                      .arg(r.address,
                           r.failedFrom.isEmpty() ? QStringLiteral("the local stack") : r.failedFrom)
                      .arg(r.options.minSize)
                : QStringLiteral("%1 did not answer at the smallest size (%2 bytes)")
                      .arg(r.address)
                      .arg(r.options.minSize);
        if (r.failedBy == Outcome::TooBigIcmp || r.failedBy == Outcome::TooBigLocal)
            r.pmtud = Pmtud::Inconclusive;
    } else if (r.limitedByMax) {
        r.pmtud = Pmtud::Inconclusive;
        r.verdict = QStringLiteral("every size up to --max %1 was delivered; the path MTU is at least that")
                        .arg(r.options.maxSize);
    } else if (r.failedBy == Outcome::TooBigIcmp) {
        r.pmtud = Pmtud::Working;
        r.verdict = QStringLiteral("PMTUD works: path MTU %1; %2 reported MTU %3 for %4 bytes")
                        .arg(*r.pathMtu)
                        .arg(r.failedFrom)
                        .arg(r.reportedMtu.value_or(0))
                        .arg(*r.smallestFailed);
    } else if (r.failedBy == Outcome::TooBigLocal) {
        r.pmtud = Pmtud::Working;
        r.verdict = QStringLiteral("path MTU %1, set by this host (local MTU %2: the stack refuses %3 bytes)")
                        .arg(*r.pathMtu)
                        .arg(r.localMtu.value_or(*r.pathMtu))
                        .arg(*r.smallestFailed);
    } else if (r.failedBy == Outcome::Silent) {
        r.pmtud = Pmtud::BlackHole;
        r.verdict =
            QStringLiteral("PMTUD black hole: %1 bytes delivered, %2 bytes lost without an ICMP error "
                           "in %3 tries; path MTU %1")
                .arg(*r.largestDelivered)
                .arg(*r.smallestFailed)
                .arg(r.options.tries);
    } else {
        r.pmtud = Pmtud::Inconclusive;
        r.verdict = QStringLiteral("%1 bytes delivered, %2 bytes failed with %3")
                        .arg(*r.largestDelivered)
                        .arg(*r.smallestFailed)
                        .arg(how);
    }
}

} // namespace

QString outcomeName(Outcome o)
{
    switch (o) {
    case Outcome::Delivered:
        return QStringLiteral("delivered");
    case Outcome::TooBigIcmp:
        return QStringLiteral("too_big_icmp");
    case Outcome::TooBigLocal:
        return QStringLiteral("too_big_local");
    case Outcome::Silent:
        return QStringLiteral("silent");
    case Outcome::Unreachable:
        return QStringLiteral("unreachable");
    case Outcome::Cancelled:
        return QStringLiteral("cancelled");
    }
    return {};
}

QString pmtudName(Pmtud p)
{
    switch (p) {
    case Pmtud::Working:
        return QStringLiteral("working");
    case Pmtud::BlackHole:
        return QStringLiteral("black_hole");
    case Pmtud::Unreachable:
        return QStringLiteral("unreachable");
    case Pmtud::Inconclusive:
        return QStringLiteral("inconclusive");
    }
    return {};
}

QString validateOptions(ProbeOptions &o)
{
    if (o.host.isEmpty()) return QStringLiteral("no target host given");
    // An IPv6 literal needs no -6.
    in6_addr literal{};
    if (!o.ipv6 && inet_pton(AF_INET6, o.host.toLatin1().constData(), &literal) == 1) o.ipv6 = true;
    const int smallest = (o.ipv6 ? 40 : 20) + 8 + 2;
    if (o.minSize == 0) o.minSize = o.ipv6 ? 1280 : 68;
    if (o.minSize < smallest || o.minSize > 65535)
        return QStringLiteral("--min must be between %1 and 65535 bytes").arg(smallest);
    if (o.maxSize < o.minSize || o.maxSize > 65535)
        return QStringLiteral("--max must be between --min (%1) and 65535 bytes").arg(o.minSize);
    if (o.tries < 1 || o.tries > 10) return QStringLiteral("--tries must be between 1 and 10");
    if (!(o.timeoutS >= 0.05 && o.timeoutS <= 10))
        return QStringLiteral("--timeout must be between 0.05 and 10 seconds");
    if (o.proto == Proto::Udp && o.port == 0) return QStringLiteral("--port must be between 1 and 65535");
    return {};
}

ProbeResult runPathProbe(const ProbeOptions &options, const std::function<void(const SizeProbe &)> &progress,
                         const std::atomic_bool *cancel)
{
    ProbeResult r;
    r.options = options;
    r.error = validateOptions(r.options);
    if (!r.error.isEmpty()) return r;
    const ProbeOptions &o = r.options;
    sockaddr_storage target{};
    if (!resolve(o, target, &r.address, &r.error)) return r;
    ProbeSocket socket;
    if (!socket.open(target, o.proto, o.port, &r.error)) return r;
    r.method = socket.method();
    r.source = socket.source();
    r.startedNs = QDateTime::currentMSecsSinceEpoch() * 1000000;
    const std::int64_t t0 = steadyNowMs();

    Search search(socket, o, progress, cancel);
    auto settle = [&](const SizeProbe &p) {
        if (p.outcome == Outcome::Cancelled) r.cancelled = true;
        return p;
    };
    // lo: the largest size delivered; hi: the smallest that failed (and how).
    std::optional<int> lo, hi;
    std::optional<SizeProbe> hiProbe;
    auto record = [&](const SizeProbe &p) {
        if (p.outcome == Outcome::Delivered) {
            lo = p.size;
        } else if (failed(p.outcome)) {
            hi = p.size;
            hiProbe = p;
        }
    };
    record(settle(search.probe(o.minSize)));
    if (!r.cancelled && lo && o.maxSize > o.minSize) {
        record(settle(search.probe(o.maxSize)));
        std::optional<int> hint = hi ? hintInside(hiProbe->mtu, *lo, *hi) : std::nullopt;
        while (!r.cancelled && hi && *hi - *lo > 1 && search.count() < kMaxSizesProbed) {
            const int next = hint ? *hint : *lo + (*hi - *lo) / 2;
            const bool hinted = hint.has_value();
            hint.reset();
            const SizeProbe p = settle(search.probe(next));
            if (r.cancelled) break;
            record(p);
            if (p.outcome == Outcome::Delivered && hinted && next + 1 < *hi) {
                hint = next + 1; // the reported MTU got through: prove the size above it fails
            } else if (failed(p.outcome)) {
                hint = hintInside(p.mtu, *lo, *hi);
            }
        }
        if (search.count() >= kMaxSizesProbed)
            r.warnings << QStringLiteral("stopped after %1 sizes").arg(kMaxSizesProbed);
    }
    r.probes = search.takeProbes();
    r.warnings << search.takeWarnings();
    r.largestDelivered = lo;
    r.smallestFailed = hi;
    if (hiProbe) {
        r.failedBy = hiProbe->outcome;
        if (hiProbe->mtu > 0) r.reportedMtu = hiProbe->mtu;
        r.failedFrom = hiProbe->from;
    }
    if (lo && !hi) r.limitedByMax = true;
    if (lo) r.pathMtu = lo;
    r.durationS = double(steadyNowMs() - t0) / 1000.0;
    summarize(r);
    return r;
}

} // namespace ikev2wb::probe
