#pragma once
// One connected socket that sends path-MTU probes with DF set and reports what came back:
// an answer (echo reply, UDP reply or the target's port unreachable), an ICMP error read from
// the error queue (IP_RECVERR / IPV6_RECVERR: fragmentation needed / packet too big with the
// MTU and the router that sent it), or the local stack refusing the size (EMSGSIZE).
// Linux only: IP_PMTUDISC_PROBE / IPV6_PMTUDISC_PROBE make the kernel send each size as asked
// (DF set, no local fragmentation) instead of capping it at the path MTU it has cached.
#include <QString>

#include <atomic>
#include <cstdint>

#include <sys/socket.h>

namespace ikev2wb::probe {

enum class Proto { Icmp, Udp };

/// How the probes go out: ICMP echo through a datagram "ping" socket (no privilege where
/// net.ipv4.ping_group_range allows the user's group), through a raw socket (CAP_NET_RAW), or UDP
/// (never needs privilege).
enum class Method { IcmpDatagram, IcmpRaw, Udp };

QString methodName(Method m); // "icmp-datagram", "icmp-raw", "udp"
/// The address part of an AF_INET/AF_INET6 sockaddr, as text.
QString sockaddrText(const sockaddr *sa);
/// Milliseconds on the steady clock (the time base of ProbeSocket::wait).
std::int64_t steadyNowMs();

/// What one wait on the socket brought.
struct SocketEvent
{
    enum class Kind {
        Timeout,     // nothing before the deadline
        Answer,      // the target answered this probe
        TooBig,      // ICMP fragmentation needed / packet too big
        Unreachable, // another ICMP error (host/net unreachable, prohibited, time exceeded)
        Cancelled,
    };
    Kind kind = Kind::Timeout;
    int icmpType = -1;
    int icmpCode = -1;
    int mtu = 0;  // the MTU the error reports (0: none)
    QString from; // the address that sent the answer or the error
};

class ProbeSocket final
{
public:
    ProbeSocket() = default;
    ~ProbeSocket();
    ProbeSocket(const ProbeSocket &) = delete;
    ProbeSocket &operator=(const ProbeSocket &) = delete;

    /// Opens and connects the socket; on failure says why (and what privilege would help).
    bool open(const sockaddr_storage &target, Proto proto, std::uint16_t port, QString *error);
    [[nodiscard]] Method method() const { return m_method; }
    /// The local address the connected socket sends from (getsockname), "" if not known.
    [[nodiscard]] const QString &source() const { return m_source; }
    [[nodiscard]] bool ipv6() const { return m_v6; }
    /// IP header + ICMP/UDP header: the smallest size that can carry a probe's 2-byte serial.
    [[nodiscard]] int overhead() const { return (m_v6 ? 40 : 20) + 8; }

    /// Sends one probe whose IP packet is `size` bytes long. Returns 0 or the errno (EMSGSIZE:
    /// larger than the local interface or route allows; localMtu() then tells the MTU if known).
    int send(int size, std::uint16_t serial);
    [[nodiscard]] int localMtu() const { return m_localMtu; }
    /// Waits until `deadlineMs` (QDeadlineTimer-style steady milliseconds) for news about the
    /// probe `serial`; answers and errors about earlier probes are dropped. Polls `cancel` every
    /// 100 ms.
    SocketEvent wait(std::uint16_t serial, std::int64_t deadlineMs, const std::atomic_bool *cancel);
    /// Throws away queued answers and errors (and the pending socket error).
    void drain();

private:
    bool readAnswer(std::uint16_t serial, SocketEvent &ev);
    bool readError(std::uint16_t serial, SocketEvent &ev);
    [[nodiscard]] bool sameAsTarget(const sockaddr *sa) const;

    int m_fd = -1;
    bool m_v6 = false;
    Method m_method = Method::Udp;
    std::uint16_t m_id = 0; // ICMP echo identifier (raw sockets; the kernel picks it for ping sockets)
    int m_localMtu = 0;
    sockaddr_storage m_target{};
    QString m_source;
};

} // namespace ikev2wb::probe
