#include "capturehelper.h"

#include "diagnose/shellquote.h"
#include "live/capturedefaults.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>

#include <pcap/pcap.h>

#include <algorithm>
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

QString checkPeerCapture(const PeerCapture &p)
{
    // user@host (a name, IPv4 or IPv6 address); never something ssh could read as an option.
    // Every pattern ends in \z: '$' would also match before a final newline ("5\n"), and a
    // newline in the peer's shell line ends a command.
    static const QRegularExpression dest(QStringLiteral(
        "^[A-Za-z0-9._][A-Za-z0-9._-]{0,63}@([A-Za-z0-9][A-Za-z0-9.-]{0,252}|[0-9A-Fa-f:.]{2,45})\\z"));
    if (!dest.match(p.destination).hasMatch())
        return QStringLiteral("the peer is given as USER@HOST (a host name or address)");
    if (!isValidInterfaceName(p.iface) && p.iface != QLatin1String("any"))
        return QStringLiteral("the peer's interface is an interface name (1-15 of A-Z a-z 0-9 _ . + -)");
    if (p.tool != QLatin1String("helper") && p.tool != QLatin1String("tcpdump"))
        return QStringLiteral("the peer's capture tool is helper or tcpdump");
    static const QRegularExpression absPath(QStringLiteral("^/[A-Za-z0-9_./+-]{1,255}\\z"));
    if (!p.helperPath.isEmpty() && !absPath.match(p.helperPath).hasMatch())
        return QStringLiteral("the peer's helper is an absolute path of A-Z a-z 0-9 _ . / + -");
    // The count and the snap length go into the peer's shell line as they are: digits only.
    static const QRegularExpression digits(QStringLiteral("^[0-9]{1,10}\\z"));
    if (!p.count.isEmpty() && !digits.match(p.count).hasMatch())
        return QStringLiteral("the peer's packet count is a number");
    if (!p.snaplen.isEmpty() && !digits.match(p.snaplen).hasMatch())
        return QStringLiteral("the peer's snap length is a number");
    static const QRegularExpression sshOption(QStringLiteral("^[A-Za-z]{1,64}=[!-~]{1,1024}\\z"));
    for (const QString &opt : p.sshOptions)
        if (!sshOption.match(opt).hasMatch())
            return QStringLiteral("ssh options are KEY=VALUE without spaces (as ssh -o)");
    return {};
}

QStringList peerSshArguments(const PeerCapture &p)
{
    QString cmd;
    if (p.tool == QLatin1String("tcpdump")) {
        // --immediate-mode: without it the packets of the kernel's last unfinished block (up to a
        // second) were never read when SIGTERM ended tcpdump (tst_livecapture lost 15 of 47).
        cmd = QStringLiteral("tcpdump -U --immediate-mode -w - -i %1 -s %2")
                  .arg(shq(p.iface), p.snaplen.isEmpty() ? QStringLiteral("9216") : p.snaplen);
        if (!p.count.isEmpty()) cmd += QStringLiteral(" -c ") + p.count;
        // After "--": a filter starting with '-' is the expression, never an option (-w, -z).
        cmd += QStringLiteral(" -- ") +
               shq(p.filter.isEmpty() ? QString::fromLatin1(kDefaultCaptureFilter) : p.filter);
    } else {
        cmd = QStringLiteral("%1 -i %2 -w - -q")
                  .arg(shq(p.helperPath.isEmpty() ? QString::fromLatin1(kPeerHelperPath) : p.helperPath),
                       shq(p.iface));
        if (!p.filter.isEmpty()) cmd += QStringLiteral(" -f ") + shq(p.filter);
        if (!p.count.isEmpty()) cmd += QStringLiteral(" --count ") + p.count;
        if (!p.snaplen.isEmpty()) cmd += QStringLiteral(" --snaplen ") + p.snaplen;
    }
    const QString line =
        QStringLiteral("exec 3<&0; %1 </dev/null & p=$!; (cat <&3 >/dev/null 2>&1; kill -TERM $p "
                       "2>/dev/null) & exec 3<&-; wait $p; s=$?; kill $! 2>/dev/null; exit $s")
            .arg(cmd);
    QStringList args;
    for (const QString &opt : p.sshOptions)
        args << QStringLiteral("-o") << opt;
    args << QStringLiteral("-T") << QStringLiteral("-o") << QStringLiteral("BatchMode=yes")
         << QStringLiteral("-o") << QStringLiteral("ConnectTimeout=10") << QStringLiteral("-o")
         << QStringLiteral("ServerAliveInterval=5") << QStringLiteral("-o")
         << QStringLiteral("ServerAliveCountMax=3") << QStringLiteral("--") << p.destination
         << QStringLiteral("sh -c ") + shq(line);
    return args;
}

QString defaultPeerOutput(const QString &out, bool tcpdump)
{
    const QString ext = tcpdump ? QStringLiteral(".pcap") : QStringLiteral(".pcapng");
    if (out.endsWith(QLatin1String(".pcapng"))) return out.chopped(7) + QStringLiteral("-peer") + ext;
    return out + QStringLiteral("-peer");
}

QStringList ringCaptureFiles(const QString &base)
{
    const QFileInfo fi(base);
    QString stem = fi.fileName(), ext;
    if (stem.endsWith(QLatin1String(".pcapng")) && stem.size() > 7) {
        stem.chop(7);
        ext = QStringLiteral(".pcapng");
    }
    // The helper numbers with %05u: 00001 ... 99999, then 100000 and on.
    const QRegularExpression re(QLatin1Char('^') + QRegularExpression::escape(stem) +
                                QStringLiteral("_([0-9]{5,10})") + QRegularExpression::escape(ext) +
                                QLatin1Char('$'));
    std::vector<std::pair<qint64, QString>> found;
    const QDir dir = fi.absoluteDir();
    for (const QString &name : dir.entryList(QDir::Files, QDir::Name))
        if (const auto m = re.match(name); m.hasMatch()) found.emplace_back(m.captured(1).toLongLong(), name);
    std::sort(found.begin(), found.end());
    QStringList out;
    for (const auto &[number, name] : found)
        out << dir.filePath(name);
    return out;
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
