#include "probesocket.h"

#include <QtEndian>

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <linux/errqueue.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <unistd.h>
#include <vector>

namespace ikev2wb::probe {

namespace {

std::int64_t nowMs()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

} // namespace

QString sockaddrText(const sockaddr *sa)
{
    char buf[INET6_ADDRSTRLEN] = {};
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in *>(sa)->sin_addr, buf, sizeof buf);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6 *>(sa)->sin6_addr, buf, sizeof buf);
    return QString::fromLatin1(buf);
}

namespace {

std::uint16_t checksum(const unsigned char *p, std::size_t n)
{
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i + 1 < n; i += 2)
        sum += std::uint32_t(p[i] << 8 | p[i + 1]);
    if (n & 1) sum += std::uint32_t(p[n - 1] << 8);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return std::uint16_t(~sum);
}

QString errnoText(int e)
{
    return QString::fromLocal8Bit(std::strerror(e));
}

bool setOpt(int fd, int level, int name, int value)
{
    return setsockopt(fd, level, name, &value, sizeof value) == 0;
}

} // namespace

QString methodName(Method m)
{
    switch (m) {
    case Method::IcmpDatagram:
        return QStringLiteral("icmp-datagram");
    case Method::IcmpRaw:
        return QStringLiteral("icmp-raw");
    case Method::Udp:
        return QStringLiteral("udp");
    }
    return {};
}

ProbeSocket::~ProbeSocket()
{
    if (m_fd >= 0) ::close(m_fd);
}

bool ProbeSocket::open(const sockaddr_storage &target, Proto proto, std::uint16_t port, QString *error)
{
    m_target = target;
    m_v6 = target.ss_family == AF_INET6;
    const int family = m_v6 ? AF_INET6 : AF_INET;
    const int icmpProto = m_v6 ? int(IPPROTO_ICMPV6) : int(IPPROTO_ICMP);
    if (proto == Proto::Udp) {
        m_fd = ::socket(family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
        m_method = Method::Udp;
    } else {
        // The unprivileged ping socket first; a raw socket when ping_group_range leaves us out.
        m_fd = ::socket(family, SOCK_DGRAM | SOCK_CLOEXEC, icmpProto);
        m_method = Method::IcmpDatagram;
        if (m_fd < 0 && (errno == EACCES || errno == EPERM || errno == EPROTONOSUPPORT)) {
            m_fd = ::socket(family, SOCK_RAW | SOCK_CLOEXEC, icmpProto);
            m_method = Method::IcmpRaw;
            if (m_fd < 0 && (errno == EPERM || errno == EACCES)) {
                *error =
                    QStringLiteral("ICMP probes need an ICMP datagram socket (allow your group in sysctl "
                                   "net.ipv4.ping_group_range) or CAP_NET_RAW; --proto udp needs neither");
                return false;
            }
        }
    }
    if (m_fd < 0) {
        *error = QStringLiteral("cannot open the probe socket: %1").arg(errnoText(errno));
        return false;
    }
    m_id = std::uint16_t(::getpid() ^ (nowMs() & 0xffff));
    bool ok = true;
    if (m_v6) {
        ok = setOpt(m_fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, IPV6_PMTUDISC_PROBE) &&
             setOpt(m_fd, IPPROTO_IPV6, IPV6_DONTFRAG, 1) && setOpt(m_fd, IPPROTO_IPV6, IPV6_RECVERR, 1);
    } else {
        ok = setOpt(m_fd, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_PROBE) &&
             setOpt(m_fd, IPPROTO_IP, IP_RECVERR, 1);
    }
    if (!ok) {
        *error =
            QStringLiteral("cannot set DF / error reporting on the probe socket: %1").arg(errnoText(errno));
        return false;
    }
    sockaddr_storage dst = target;
    const std::uint16_t dstPort = proto == Proto::Udp ? port : 0;
    if (m_v6)
        reinterpret_cast<sockaddr_in6 *>(&dst)->sin6_port = htons(dstPort);
    else
        reinterpret_cast<sockaddr_in *>(&dst)->sin_port = htons(dstPort);
    const socklen_t len = m_v6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
    if (::connect(m_fd, reinterpret_cast<const sockaddr *>(&dst), len) != 0) {
        *error = QStringLiteral("no route to %1: %2")
                     .arg(sockaddrText(reinterpret_cast<const sockaddr *>(&dst)), errnoText(errno));
        return false;
    }
    // The local address the kernel chose for the route to the target: where the probe comes from
    // (it tells which direction of a path the result is about).
    sockaddr_storage self{};
    socklen_t selfLen = sizeof(self);
    if (::getsockname(m_fd, reinterpret_cast<sockaddr *>(&self), &selfLen) == 0)
        m_source = sockaddrText(reinterpret_cast<const sockaddr *>(&self));
    return true;
}

int ProbeSocket::send(int size, std::uint16_t serial)
{
    // UDP: the datagram's payload; ICMP: the echo header (8 bytes) and its data.
    const int payload = size - (m_v6 ? 40 : 20) - (m_method == Method::Udp ? 8 : 0);
    if (payload < (m_method == Method::Udp ? 2 : 8)) return EINVAL;
    std::vector<unsigned char> buf(std::size_t(payload), 0);
    if (m_method == Method::Udp) {
        qToBigEndian(serial, buf.data());
    } else {
        buf[0] = m_v6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
        qToBigEndian(m_id, buf.data() + 4); // the kernel puts its own in for ping sockets
        qToBigEndian(serial, buf.data() + 6);
        for (std::size_t i = 8; i < buf.size(); ++i)
            buf[i] = std::uint8_t(i);
        // Ping sockets and raw ICMPv6 sockets checksum in the kernel; raw ICMPv4 does not.
        if (m_method == Method::IcmpRaw && !m_v6)
            qToBigEndian(checksum(buf.data(), buf.size()), buf.data() + 2);
    }
    m_localMtu = 0;
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (::send(m_fd, buf.data(), buf.size(), 0) >= 0) return 0;
        const int e = errno;
        if (e == EMSGSIZE) {
            // IPv4 queues a local error carrying the interface MTU (ee_info).
            SocketEvent ignored;
            while (readError(serial, ignored)) {
            }
            return e;
        }
        // An ICMP error about an earlier probe is still pending on the socket: send reports it
        // instead of sending. Clear it and try once more.
        if (attempt == 0 && (e == ECONNREFUSED || e == EHOSTUNREACH || e == ENETUNREACH || e == EPROTO)) {
            drain();
            continue;
        }
        return e;
    }
    return EIO;
}

void ProbeSocket::drain()
{
    SocketEvent ignored;
    unsigned char buf[2048];
    for (int i = 0; i < 1000 && readError(0, ignored); ++i) {
    }
    for (int i = 0; i < 1000 && ::recv(m_fd, buf, sizeof buf, MSG_DONTWAIT) >= 0; ++i) {
    }
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(m_fd, SOL_SOCKET, SO_ERROR, &err, &len);
}

bool ProbeSocket::sameAsTarget(const sockaddr *sa) const
{
    if (sa->sa_family != m_target.ss_family) return false;
    if (m_v6)
        return std::memcmp(&reinterpret_cast<const sockaddr_in6 *>(sa)->sin6_addr,
                           &reinterpret_cast<const sockaddr_in6 *>(&m_target)->sin6_addr, 16) == 0;
    return reinterpret_cast<const sockaddr_in *>(sa)->sin_addr.s_addr ==
           reinterpret_cast<const sockaddr_in *>(&m_target)->sin_addr.s_addr;
}

bool ProbeSocket::readAnswer(std::uint16_t serial, SocketEvent &ev)
{
    unsigned char buf[65536];
    sockaddr_storage from{};
    socklen_t fromLen = sizeof from;
    const ssize_t n =
        ::recvfrom(m_fd, buf, sizeof buf, MSG_DONTWAIT, reinterpret_cast<sockaddr *>(&from), &fromLen);
    if (n < 0) return false;
    const unsigned char *p = buf;
    std::size_t len = std::size_t(n);
    if (m_method == Method::IcmpRaw && !m_v6) {
        // Raw IPv4 sockets deliver the IP header too.
        if (len < 20) return true;
        const std::size_t ihl = std::size_t(buf[0] & 0x0f) * 4;
        if (len < ihl) return true;
        p += ihl;
        len -= ihl;
    }
    if (m_method == Method::Udp) {
        // Any reply from an echo service; a 2-byte prefix that is not ours is a late earlier one.
        if (len >= 2 && qFromBigEndian<std::uint16_t>(p) != serial) return true;
    } else {
        if (len < 8) return true;
        const int replyType = m_v6 ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY;
        if (p[0] != replyType || qFromBigEndian<std::uint16_t>(p + 6) != serial) return true;
        if (m_method == Method::IcmpRaw && qFromBigEndian<std::uint16_t>(p + 4) != m_id) return true;
    }
    ev.kind = SocketEvent::Kind::Answer;
    ev.from = sockaddrText(reinterpret_cast<const sockaddr *>(&from));
    return true;
}

bool ProbeSocket::readError(std::uint16_t serial, SocketEvent &ev)
{
    unsigned char data[2048];
    alignas(cmsghdr) char control[512];
    iovec iov{data, sizeof data};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    const ssize_t n = ::recvmsg(m_fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT);
    if (n < 0) return false;
    const sock_extended_err *ee = nullptr;
    for (cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
            (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR))
            ee = reinterpret_cast<const sock_extended_err *>(CMSG_DATA(c));
    }
    if (!ee) return true;
    if (ee->ee_origin == SO_EE_ORIGIN_LOCAL) {
        if (ee->ee_errno == EMSGSIZE) m_localMtu = int(ee->ee_info);
        return true;
    }
    if (ee->ee_origin != SO_EE_ORIGIN_ICMP && ee->ee_origin != SO_EE_ORIGIN_ICMP6) return true;
    // The quoted part of our packet: the UDP payload, or our ICMP header. Routers that quote too
    // little to show the serial are taken to be talking about the probe in flight.
    const std::size_t at = m_method == Method::Udp ? 0 : 6;
    if (serial != 0 && std::size_t(n) >= at + 2 && qFromBigEndian<std::uint16_t>(data + at) != serial)
        return true;
    const auto *offender = reinterpret_cast<const sockaddr *>(SO_EE_OFFENDER(ee));
    ev.from = sockaddrText(offender);
    ev.icmpType = ee->ee_type;
    ev.icmpCode = ee->ee_code;
    const bool tooBig = m_v6 ? ee->ee_type == ICMP6_PACKET_TOO_BIG
                             : (ee->ee_type == ICMP_DEST_UNREACH && ee->ee_code == ICMP_FRAG_NEEDED);
    const bool portUnreachable =
        m_v6 ? (ee->ee_type == ICMP6_DST_UNREACH && ee->ee_code == ICMP6_DST_UNREACH_NOPORT)
             : (ee->ee_type == ICMP_DEST_UNREACH && ee->ee_code == ICMP_PORT_UNREACH);
    if (tooBig) {
        ev.kind = SocketEvent::Kind::TooBig;
        ev.mtu = int(ee->ee_info);
    } else if (m_method == Method::Udp && portUnreachable && sameAsTarget(offender)) {
        ev.kind = SocketEvent::Kind::Answer; // the target itself got the datagram
    } else {
        ev.kind = SocketEvent::Kind::Unreachable;
    }
    return true;
}

SocketEvent ProbeSocket::wait(std::uint16_t serial, std::int64_t deadlineMs, const std::atomic_bool *cancel)
{
    SocketEvent ev;
    for (;;) {
        if (cancel && cancel->load(std::memory_order_relaxed)) {
            ev.kind = SocketEvent::Kind::Cancelled;
            return ev;
        }
        const std::int64_t left = deadlineMs - nowMs();
        if (left <= 0) return ev;
        pollfd pfd{m_fd, POLLIN, 0};
        const int r = ::poll(&pfd, 1, int(std::min<std::int64_t>(left, 100)));
        if (r < 0 && errno != EINTR) return ev;
        if (r <= 0) continue;
        if (pfd.revents & POLLERR) {
            while (ev.kind == SocketEvent::Kind::Timeout && readError(serial, ev)) {
            }
            int err = 0;
            socklen_t len = sizeof err;
            getsockopt(m_fd, SOL_SOCKET, SO_ERROR, &err, &len);
        }
        if (ev.kind == SocketEvent::Kind::Timeout && (pfd.revents & POLLIN)) {
            while (ev.kind == SocketEvent::Kind::Timeout && readAnswer(serial, ev)) {
            }
        }
        if (ev.kind != SocketEvent::Kind::Timeout) return ev;
    }
}

std::int64_t steadyNowMs()
{
    return nowMs();
}

} // namespace ikev2wb::probe
