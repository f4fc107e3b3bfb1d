#include "capturehelper.h"

#include "diagnose/shellquote.h"

#include <QDir>
#include <QFileInfo>

#include <pcap/pcap.h>

#include <arpa/inet.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <sys/xattr.h>
#include <unistd.h>

namespace ikev2wb {

namespace {
constexpr const char *kHelperName = "ikev2wb-capture";

/// The file's capabilities (security.capability) permit CAP_NET_RAW and CAP_NET_ADMIN and
/// raise them (the effective flag) when it runs.
bool hasCaptureCapabilities(const QString &path)
{
    vfs_ns_cap_data caps{};
    const ssize_t n =
        ::getxattr(QFile::encodeName(path).constData(), "security.capability", &caps, sizeof caps);
    if (n < ssize_t(sizeof(std::uint32_t) * 3)) return false;
    const std::uint32_t magic = caps.magic_etc; // little-endian on disk, as on the hosts we build for
    if (!(magic & VFS_CAP_FLAGS_EFFECTIVE)) return false;
    const std::uint32_t want = (1U << CAP_NET_RAW) | (1U << CAP_NET_ADMIN);
    return (caps.data[0].permitted & want) == want;
}
} // namespace

QStringList captureHelperCandidates(const QString &programDir)
{
    const QString name = QString::fromLatin1(kHelperName);
    return {QDir::cleanPath(programDir + QLatin1Char('/') + name),
            QDir::cleanPath(programDir + QStringLiteral("/../libexec/ikev2-workbench/") + name)};
}

CaptureHelperCheck checkCaptureHelper(const QString &programDir)
{
    CaptureHelperCheck c;
    const QStringList candidates = captureHelperCandidates(programDir);
    for (const QString &p : candidates) {
        if (QFileInfo(p).isFile()) {
            c.path = p;
            break;
        }
    }
    if (c.path.isEmpty()) {
        c.state = CaptureHelperCheck::State::NotInstalled;
        c.message = QStringLiteral("The capture helper %1 is not installed (looked for %2). Install the "
                                   "ikev2-workbench package, or build the target ikev2wb-capture.")
                        .arg(QString::fromLatin1(kHelperName), candidates.join(QStringLiteral(" and ")));
        return c;
    }
    const QString quoted = shq(c.path);
    if (::access(QFile::encodeName(c.path).constData(), X_OK) != 0) {
        const QString group = QFileInfo(c.path).group();
        c.state = CaptureHelperCheck::State::NotExecutable;
        c.message =
            QStringLiteral("You may not run the capture helper %1: it is limited to the group %2. Add "
                           "yourself to it, then log out and in again:\n    sudo usermod -aG %3 "
                           "\"$USER\"")
                .arg(quoted, group.isEmpty() ? QStringLiteral("(unknown)") : group,
                     group.isEmpty() ? QString::fromLatin1(kCaptureGroup) : shq(group));
        return c;
    }
    if (::geteuid() == 0 || hasCaptureCapabilities(c.path)) {
        c.state = CaptureHelperCheck::State::Ready;
        return c;
    }
    const QString group = QString::fromLatin1(kCaptureGroup);
    c.state = CaptureHelperCheck::State::NoCapabilities;
    c.message = QStringLiteral("The capture helper %1 has no capture capabilities, and you are not root. "
                               "Give it CAP_NET_RAW and CAP_NET_ADMIN once, as root, limited to the group "
                               "%2, and add yourself to that group (log out and in again after):\n"
                               "    sudo setcap cap_net_raw,cap_net_admin=eip %1\n"
                               "    sudo groupadd --system %2; sudo chgrp %2 %1; sudo chmod 0750 %1\n"
                               "    sudo usermod -aG %2 \"$USER\"\n"
                               "(the ikev2-workbench package does this when installed)")
                    .arg(quoted, group);
    return c;
}

std::vector<CaptureInterface> listCaptureInterfaces(QString *error)
{
    std::vector<CaptureInterface> out;
    pcap_if_t *all = nullptr;
    char err[PCAP_ERRBUF_SIZE] = {};
    if (pcap_findalldevs(&all, err) != 0) {
        *error = QStringLiteral("cannot list the network interfaces: %1").arg(QString::fromLocal8Bit(err));
        return out;
    }
    for (pcap_if_t *d = all; d; d = d->next) {
        CaptureInterface i;
        i.name = QString::fromLocal8Bit(d->name);
        if (d->description) i.description = QString::fromLocal8Bit(d->description);
        i.loopback = d->flags & PCAP_IF_LOOPBACK;
        i.up = d->flags & PCAP_IF_UP;
        i.running = d->flags & PCAP_IF_RUNNING;
        for (pcap_addr_t *a = d->addresses; a; a = a->next) {
            if (!a->addr) continue;
            char text[INET6_ADDRSTRLEN] = {};
            if (a->addr->sa_family == AF_INET) {
                ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in *>(a->addr)->sin_addr, text,
                            sizeof text);
            } else if (a->addr->sa_family == AF_INET6) {
                ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6 *>(a->addr)->sin6_addr, text,
                            sizeof text);
            } else {
                continue;
            }
            i.addresses << QString::fromLatin1(text);
        }
        out.push_back(std::move(i));
    }
    pcap_freealldevs(all);
    return out;
}

} // namespace ikev2wb
