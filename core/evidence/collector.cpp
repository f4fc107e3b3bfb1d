#include "collector.h"

#include "outputfolder.h"
#include "redact.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QSysInfo>
#include <QTimeZone>

#include <cerrno>
#include <climits>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ikev2wb {

namespace {

constexpr qint64 MaxOutputBytes = 64LL * 1024 * 1024;
constexpr qint64 MaxLogBytes = 16LL * 1024 * 1024;

enum class Redaction { None, XfrmKeys, StrongswanConf, IpsecConf, CharonLog };

QByteArray applyRedaction(Redaction r, const QByteArray &text, int &count)
{
    switch (r) {
    case Redaction::None:
        return text;
    case Redaction::XfrmKeys:
        return redactXfrmState(text, &count);
    case Redaction::StrongswanConf:
        return redactStrongswanConf(text, &count);
    case Redaction::IpsecConf:
        return redactIpsecConf(text, &count);
    case Redaction::CharonLog:
        return redactCharonLog(text, &count);
    }
    return text;
}

QString redactionNote(Redaction r, int count)
{
    if (count == 0) return {};
    switch (r) {
    case Redaction::XfrmKeys:
        return QStringLiteral("%1 key(s) redacted").arg(count);
    case Redaction::StrongswanConf:
    case Redaction::IpsecConf:
        return QStringLiteral("%1 secret(s) redacted").arg(count);
    case Redaction::CharonLog:
        return QStringLiteral("%1 hex dump line(s) removed").arg(count);
    case Redaction::None:
        break;
    }
    return {};
}

class Collector
{
public:
    explicit Collector(const CollectOptions &o) : m_opt(o) {}

    CollectResult run();

private:
    void runCommand(const QString &program, const QStringList &args, const QString &file, Redaction r,
                    bool acceptPartial = false);
    void copyFile(const QString &source, const QString &file, Redaction r, qint64 tailBytes = 0);
    bool write(const QString &file, const QByteArray &data, QString *error);
    QString rooted(const QString &absPath) const { return QDir(m_opt.rootDir).filePath(absPath.mid(1)); }
    void collectConfig();
    void collectLogs();
    void writeManifest();

    CollectOptions m_opt;
    OutputFolder m_out;
    CollectResult m_result;
};

bool Collector::write(const QString &file, const QByteArray &data, QString *error)
{
    return m_out.writeFile(file, data, error);
}

void Collector::runCommand(const QString &program, const QStringList &args, const QString &file, Redaction r,
                           bool acceptPartial)
{
    CollectItem item;
    item.source = (QStringList{program} + args).join(QLatin1Char(' '));
    const QString exe = resolveCollectCommand(program);
    if (exe.isEmpty()) {
        item.note =
            ::geteuid() == 0
                ? QStringLiteral("command not found in %1").arg(rootCommandFolders().join(QLatin1Char(' ')))
                : QStringLiteral("command not found");
        m_result.items.push_back(item);
        return;
    }
    item.program = exe;
    QProcess p;
    if (::geteuid() == 0) {
        // Nothing from the caller's environment chooses what root runs (PATH, LD_PRELOAD, ...).
        QProcessEnvironment env;
        env.insert(QStringLiteral("PATH"), rootCommandFolders().join(QLatin1Char(':')));
        env.insert(QStringLiteral("LC_ALL"), QStringLiteral("C"));
        p.setProcessEnvironment(env);
    }
    p.setProgram(exe);
    p.setArguments(args);
    p.setProcessChannelMode(QProcess::SeparateChannels);
    p.start();
    if (!p.waitForStarted(5000)) {
        item.note = QStringLiteral("could not start: %1").arg(p.errorString());
        m_result.items.push_back(item);
        return;
    }
    p.closeWriteChannel();
    QByteArray out;
    QElapsedTimer timer;
    timer.start();
    bool timedOut = false;
    // Read as it comes so a chatty command cannot fill the pipe, and cap what is kept.
    while (p.state() != QProcess::NotRunning) {
        const int left = m_opt.commandTimeoutMs - int(timer.elapsed());
        if (left <= 0) {
            timedOut = true;
            break;
        }
        p.waitForReadyRead(std::min(left, 200));
        const QByteArray chunk = p.readAllStandardOutput();
        if (out.size() < MaxOutputBytes) out += chunk.left(MaxOutputBytes - out.size());
        if (p.state() == QProcess::NotRunning) break;
        p.waitForFinished(0);
    }
    if (timedOut) {
        p.kill();
        p.waitForFinished(2000);
        item.note = QStringLiteral("timed out after %1 s").arg(m_opt.commandTimeoutMs / 1000.0);
        m_result.items.push_back(item);
        return;
    }
    const QByteArray rest = p.readAllStandardOutput();
    if (out.size() < MaxOutputBytes) out += rest.left(MaxOutputBytes - out.size());
    const QByteArray err = p.readAllStandardError();
    const bool failed = p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0;
    if (failed && !(acceptPartial && !out.isEmpty())) {
        item.note = describeCommandFailure(p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, err);
        m_result.items.push_back(item);
        return;
    }
    int count = 0;
    const QByteArray clean = applyRedaction(r, out, count);
    QString error;
    if (!write(file, clean, &error)) {
        item.note = error;
    } else {
        item.ok = true;
        item.file = file;
        QStringList notes;
        if (out.isEmpty()) notes << QStringLiteral("empty output");
        if (out.size() >= MaxOutputBytes)
            notes << QStringLiteral("output cut at %1 MB").arg(MaxOutputBytes / (1024 * 1024));
        if (failed) notes << QStringLiteral("partial: %1").arg(describeCommandFailure(p.exitCode(), err));
        if (const QString rn = redactionNote(r, count); !rn.isEmpty()) notes << rn;
        item.note = notes.join(QStringLiteral("; "));
    }
    m_result.items.push_back(item);
}

/// A folder someone other than root and the caller may change: owned by another user, or group
/// or world writable (sticky or not: a new name can still be planted there).
bool othersMayWrite(const struct stat &dir)
{
    return (dir.st_uid != 0 && dir.st_uid != ::geteuid()) || (dir.st_mode & (S_IWGRP | S_IWOTH)) != 0;
}

QString errnoReason(int e)
{
    return e == EACCES || e == EPERM
               ? QStringLiteral("needs root (permission denied)")
               : QStringLiteral("cannot read: %1").arg(QString::fromLocal8Bit(std::strerror(e)));
}

/// Opens a file to copy as collect may, often as root. The path is walked one component at a
/// time through descriptors (openat, O_PATH | O_NOFOLLOW), so every folder on it is judged, not
/// only the one holding the file: a symbolic link met anywhere (the file, or a folder such as
/// /var/log/strongswan) is followed only when the folder holding the link is written by root or
/// the caller alone. In a folder someone else may write to (Ubuntu's /var/log is group
/// syslog's) a planted link made root copy what it chose, /etc/shadow, into the evidence. Links
/// in root's folders are followed (distributions link /etc files), at most 40 in all (a loop
/// ends). Only a regular file is opened: a FIFO, socket or device is refused from its stat (a
/// FIFO at /var/log/charon.log waited for a writer for ever). -1 with `*why` when refused.
int openSource(const QString &path, QString *why)
{
    std::deque<QByteArray> rest;
    const auto push = [&rest](const QByteArray &p) {
        const QList<QByteArray> parts = p.split('/');
        for (auto it = parts.crbegin(); it != parts.crend(); ++it)
            if (!it->isEmpty() && *it != ".") rest.push_front(*it);
    };
    const QByteArray native = QFile::encodeName(path);
    int dir = ::open(native.startsWith('/') ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) {
        *why = errnoReason(errno);
        return -1;
    }
    const auto fail = [&dir, why](const QString &reason) {
        ::close(dir);
        *why = reason;
        return -1;
    };
    struct stat dirSt = {};
    if (::fstat(dir, &dirSt) != 0) return fail(errnoReason(errno));
    QByteArray where = native.startsWith('/') ? QByteArray() : QByteArray(".");
    push(native);
    int links = 0;
    while (!rest.empty()) {
        const QByteArray name = rest.front();
        rest.pop_front();
        const int fd = ::openat(dir, name.constData(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) return fail(errnoReason(errno));
        struct stat st = {};
        if (::fstat(fd, &st) != 0) {
            const int e = errno;
            ::close(fd);
            return fail(errnoReason(e));
        }
        if (S_ISLNK(st.st_mode)) {
            QByteArray target(PATH_MAX, '\0');
            const ssize_t n = ::readlinkat(fd, "", target.data(), size_t(target.size()));
            ::close(fd);
            const QString link = QFile::decodeName(where + '/' + name);
            if (othersMayWrite(dirSt))
                return fail(
                    QStringLiteral("a symbolic link (%1) in a folder others may write to: not followed")
                        .arg(link));
            if (++links > 40)
                return fail(QStringLiteral("cannot read: too many symbolic links (%1)").arg(link));
            if (n <= 0 || n >= target.size())
                return fail(QStringLiteral("cannot read the symbolic link %1").arg(link));
            target.truncate(int(n));
            if (target.startsWith('/')) {
                const int top = ::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (top < 0 || ::fstat(top, &dirSt) != 0) {
                    if (top >= 0) ::close(top);
                    return fail(errnoReason(errno));
                }
                ::close(dir);
                dir = top;
                where.clear();
            }
            push(target);
            continue;
        }
        if (!rest.empty()) {
            if (!S_ISDIR(st.st_mode)) {
                ::close(fd);
                return fail(errnoReason(ENOTDIR));
            }
            ::close(dir);
            dir = fd;
            dirSt = st;
            where += '/' + name;
            continue;
        }
        ::close(fd);
        if (!S_ISREG(st.st_mode)) return fail(QStringLiteral("not a regular file: not read"));
        // The name is opened once more to read: it must still be the file just judged.
        const int file =
            ::openat(dir, name.constData(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC);
        if (file < 0) return fail(errnoReason(errno));
        struct stat opened = {};
        if (::fstat(file, &opened) != 0 || opened.st_dev != st.st_dev || opened.st_ino != st.st_ino) {
            ::close(file);
            return fail(QStringLiteral("changed while being opened: not read"));
        }
        ::close(dir);
        return file;
    }
    return fail(QStringLiteral("not a regular file: not read")); // the path named a folder
}

void Collector::copyFile(const QString &source, const QString &file, Redaction r, qint64 tailBytes)
{
    CollectItem item;
    item.source = source;
    const QString path = source.startsWith(QLatin1String("/proc/")) ? source : rooted(source);
    QFile f;
    if (!QFileInfo(path).isSymLink() && !QFileInfo::exists(path)) {
        item.note = QStringLiteral("not present");
        m_result.items.push_back(item);
        return;
    }
    const int fd = openSource(path, &item.note);
    if (fd < 0 || !f.open(fd, QIODevice::ReadOnly, QFileDevice::AutoCloseHandle)) {
        if (fd >= 0) ::close(fd);
        if (item.note.isEmpty()) item.note = QStringLiteral("cannot read: %1").arg(f.errorString());
        m_result.items.push_back(item);
        return;
    }
    QByteArray data;
    QStringList notes;
    if (tailBytes > 0 && f.size() > tailBytes) {
        f.seek(f.size() - tailBytes);
        data = f.read(tailBytes);
        data = data.mid(data.indexOf('\n') + 1); // drop the cut first line
        notes << QStringLiteral("last %1 MB only").arg(tailBytes / (1024 * 1024));
    } else {
        // /proc files have size 0; read in chunks up to the cap.
        while (data.size() < MaxOutputBytes) {
            const QByteArray chunk = f.read(1 << 20);
            if (chunk.isEmpty()) break;
            data += chunk;
        }
    }
    int count = 0;
    const QByteArray clean = applyRedaction(r, data, count);
    QString error;
    if (!write(file, clean, &error)) {
        item.note = error;
    } else {
        item.ok = true;
        item.file = file;
        if (const QString rn = redactionNote(r, count); !rn.isEmpty()) notes << rn;
        item.note = notes.join(QStringLiteral("; "));
    }
    m_result.items.push_back(item);
}

/// True if a strongswan.d snippet sets anything (most ship with every line commented out).
bool hasActiveSetting(const QString &path)
{
    // Opened by collect's own rules (no FIFO, no link planted by others): it is read as root.
    QString why;
    const int fd = openSource(path, &why);
    QFile f;
    if (fd < 0 || !f.open(fd, QIODevice::ReadOnly, QFileDevice::AutoCloseHandle)) {
        if (fd >= 0) ::close(fd);
        return true; // let copyFile report why it cannot be read
    }
    while (!f.atEnd() && f.pos() < MaxOutputBytes) {
        const QByteArray l = f.readLine(4096).trimmed();
        // Plugin snippets only say "load = yes"; that is no tuning worth collecting.
        if (!l.isEmpty() && !l.startsWith('#') && l.contains('=') && !l.startsWith("load ")) return true;
    }
    return false;
}

void Collector::collectConfig()
{
    // Debian/Ubuntu keep the files in /etc, Fedora/RHEL/SUSE in /etc/strongswan.
    for (const QString &etc : {QStringLiteral("/etc"), QStringLiteral("/etc/strongswan")}) {
        const QString sub = etc == QLatin1String("/etc") ? QStringLiteral("config/etc/")
                                                         : QStringLiteral("config/etc/strongswan/");
        if (QFileInfo::exists(rooted(etc + QStringLiteral("/strongswan.conf"))))
            copyFile(etc + QStringLiteral("/strongswan.conf"), sub + QStringLiteral("strongswan.conf"),
                     Redaction::StrongswanConf);
        for (const QString &dir : {QStringLiteral("/strongswan.d"), QStringLiteral("/strongswan.d/charon")}) {
            const QDir d(rooted(etc + dir));
            const QStringList names = d.entryList({QStringLiteral("*.conf")}, QDir::Files, QDir::Name);
            for (const QString &name : names)
                if (hasActiveSetting(d.filePath(name)))
                    copyFile(etc + dir + QLatin1Char('/') + name, sub + dir.mid(1) + QLatin1Char('/') + name,
                             Redaction::StrongswanConf);
        }
        if (QFileInfo::exists(rooted(etc + QStringLiteral("/swanctl/swanctl.conf"))))
            copyFile(etc + QStringLiteral("/swanctl/swanctl.conf"),
                     sub + QStringLiteral("swanctl/swanctl.conf"), Redaction::StrongswanConf);
        const QDir confd(rooted(etc + QStringLiteral("/swanctl/conf.d")));
        const QStringList names = confd.entryList({QStringLiteral("*.conf")}, QDir::Files, QDir::Name);
        for (const QString &name : names)
            copyFile(etc + QStringLiteral("/swanctl/conf.d/") + name,
                     sub + QStringLiteral("swanctl/conf.d/") + name, Redaction::StrongswanConf);
        if (QFileInfo::exists(rooted(etc + QStringLiteral("/ipsec.conf"))))
            copyFile(etc + QStringLiteral("/ipsec.conf"), sub + QStringLiteral("ipsec.conf"),
                     Redaction::IpsecConf);
    }
}

void Collector::collectLogs()
{
    for (const QString &log :
         {QStringLiteral("/var/log/charon.log"), QStringLiteral("/var/log/strongswan.log"),
          QStringLiteral("/var/log/strongswan/charon.log")}) {
        if (QFileInfo::exists(rooted(log)))
            copyFile(log,
                     QStringLiteral("logs/") + QFileInfo(log).completeBaseName() +
                         QStringLiteral("-file.log"),
                     Redaction::CharonLog, MaxLogBytes);
    }
    if (m_opt.runCommands)
        runCommand(QStringLiteral("journalctl"),
                   {QStringLiteral("--no-pager"), QStringLiteral("-q"), QStringLiteral("-o"),
                    QStringLiteral("short-iso"), QStringLiteral("-n"), QStringLiteral("50000"),
                    QStringLiteral("-t"), QStringLiteral("charon"), QStringLiteral("-t"),
                    QStringLiteral("charon-systemd")},
                   QStringLiteral("logs/charon-journal.log"), Redaction::CharonLog);
}

void Collector::writeManifest()
{
    QStringList lines;
    lines << QStringLiteral("# ikev2wb collect manifest")
          << QStringLiteral("host: %1").arg(QSysInfo::machineHostName())
          << QStringLiteral("time: %1").arg(QDateTime::currentDateTimeUtc().toString(Qt::ISODate))
          << QStringLiteral("ikev2wb: %1").arg(QCoreApplication::applicationVersion())
          << QStringLiteral("user: uid %1%2")
                 .arg(::geteuid())
                 .arg(::geteuid() == 0 ? QStringLiteral(" (root)")
                                       : QStringLiteral(" (not root: some sources need root)"))
          << QString() << QStringLiteral("collected:");
    // A command's source is followed by the program that ran: "ip -s link [/usr/sbin/ip]".
    auto ran = [](const CollectItem &i) {
        return i.program.isEmpty() ? QString() : QStringLiteral(" [%1]").arg(i.program);
    };
    for (const CollectItem &i : m_result.items)
        if (i.ok)
            lines << QStringLiteral("  %1 <- %2%3%4")
                         .arg(i.file, i.source, ran(i),
                              i.note.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(i.note));
    lines << QString() << QStringLiteral("not collected:");
    for (const CollectItem &i : m_result.items)
        if (!i.ok) lines << QStringLiteral("  %1%2: %3").arg(i.source, ran(i), i.note);
    lines << QString() << QStringLiteral("never collected (by design):")
          << QStringLiteral("  ipsec.secrets and the content of swanctl `secrets { }` sections")
          << QStringLiteral(
                 "  configuration values other than allowlisted settings and plain numbers or yes/no, "
                 "secret/PSK/PIN/password values, URI passwords (replaced by [redacted])")
          << QStringLiteral("  charon hex dumps and 0x numbers of 32 or more hex digits")
          << QStringLiteral(
                 "  private keys (ipsec.d/private, swanctl/private, rsa, ecdsa, pkcs8, x509 private keys)")
          << QStringLiteral("  SA keys of `ip xfrm state` (replaced by [redacted])") << QString();
    QString error;
    if (!write(QStringLiteral("MANIFEST.txt"), lines.join(QLatin1Char('\n')).toUtf8(), &error)) {
        // Nowhere else to say it: the caller prints failed items.
        CollectItem item;
        item.source = QStringLiteral("MANIFEST.txt");
        item.note = error;
        m_result.items.push_back(item);
    }
}

CollectResult Collector::run()
{
    // The default name carries a random part: nobody can plant a folder or symlink there first.
    m_out = m_opt.outDir.isEmpty()
                ? OutputFolder::createUnique(
                      QDir::currentPath(),
                      QStringLiteral("ikev2wb-evidence-%1-")
                          .arg(QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss"))),
                      &m_result.error)
                : OutputFolder::open(m_opt.outDir, &m_result.error);
    if (!m_out.isValid()) return m_result;
    m_result.outDir = m_out.path();
    if (m_opt.readProc) {
        copyFile(QStringLiteral("/proc/net/xfrm_stat"), QStringLiteral("xfrm_stat.txt"), Redaction::None);
        copyFile(QStringLiteral("/proc/net/snmp"), QStringLiteral("snmp.txt"), Redaction::None);
        copyFile(QStringLiteral("/proc/net/snmp6"), QStringLiteral("snmp6.txt"), Redaction::None);
    }
    if (m_opt.runCommands) {
        const QString ip = QStringLiteral("ip");
        const QString s = QStringLiteral("-s");
        runCommand(ip, {s, s, QStringLiteral("xfrm"), QStringLiteral("state")},
                   QStringLiteral("xfrm-state.txt"), Redaction::XfrmKeys);
        runCommand(ip, {s, QStringLiteral("xfrm"), QStringLiteral("policy")},
                   QStringLiteral("xfrm-policy.txt"), Redaction::None);
        runCommand(ip, {s, s, QStringLiteral("link")}, QStringLiteral("ip-s-link.txt"), Redaction::None);
        const QStringList ifaces =
            QDir(QStringLiteral("/sys/class/net"))
                .entryList(QDir::Dirs | QDir::NoDotAndDotDot | QDir::System, QDir::Name);
        for (const QString &iface : ifaces) {
            if (iface == QLatin1String("lo")) continue;
            runCommand(QStringLiteral("ethtool"), {QStringLiteral("-S"), iface},
                       QStringLiteral("ethtool-S-%1.txt").arg(iface), Redaction::None);
            runCommand(QStringLiteral("ethtool"), {QStringLiteral("-k"), iface},
                       QStringLiteral("ethtool-k-%1.txt").arg(iface), Redaction::None);
        }
        runCommand(QStringLiteral("swanctl"), {QStringLiteral("--list-sas")},
                   QStringLiteral("swanctl-list-sas.txt"), Redaction::XfrmKeys);
        runCommand(QStringLiteral("swanctl"), {QStringLiteral("--list-conns")},
                   QStringLiteral("swanctl-list-conns.txt"), Redaction::XfrmKeys);
        // Firewall and routing state: rule counters (a DROP that takes the tunnel's IKE or ESP),
        // conntrack statistics, every routing table and the policy rules choosing them. A
        // program that is not installed is listed under "not collected".
        runCommand(QStringLiteral("iptables-save"), {QStringLiteral("-c")},
                   QStringLiteral("iptables-save.txt"), Redaction::None);
        runCommand(QStringLiteral("ip6tables-save"), {QStringLiteral("-c")},
                   QStringLiteral("ip6tables-save.txt"), Redaction::None);
        runCommand(QStringLiteral("nft"),
                   {QStringLiteral("-a"), QStringLiteral("list"), QStringLiteral("ruleset")},
                   QStringLiteral("nft-ruleset.txt"), Redaction::None);
        runCommand(QStringLiteral("conntrack"), {QStringLiteral("-S")}, QStringLiteral("conntrack-S.txt"),
                   Redaction::None);
        runCommand(
            ip,
            {QStringLiteral("route"), QStringLiteral("show"), QStringLiteral("table"), QStringLiteral("all")},
            QStringLiteral("ip-route.txt"), Redaction::None);
        runCommand(ip,
                   {QStringLiteral("-6"), QStringLiteral("route"), QStringLiteral("show"),
                    QStringLiteral("table"), QStringLiteral("all")},
                   QStringLiteral("ip-route6.txt"), Redaction::None);
        runCommand(ip, {QStringLiteral("rule")}, QStringLiteral("ip-rule.txt"), Redaction::None);
        runCommand(ip, {QStringLiteral("-6"), QStringLiteral("rule")}, QStringLiteral("ip-rule6.txt"),
                   Redaction::None);
        // sysctl exits non-zero when one name is unknown but prints the others.
        runCommand(QStringLiteral("sysctl"), collectSysctlNames(), QStringLiteral("sysctl.txt"),
                   Redaction::None, true);
    }
    collectConfig();
    collectLogs();
    writeManifest();
    return m_result;
}

} // namespace

QStringList rootCommandFolders()
{
    return {QStringLiteral("/usr/sbin"), QStringLiteral("/usr/bin"), QStringLiteral("/sbin"),
            QStringLiteral("/bin")};
}

QString resolveCollectCommand(const QString &name)
{
    if (name.isEmpty() || name.contains(QLatin1Char('/'))) return {};
    if (::geteuid() == 0) return QStandardPaths::findExecutable(name, rootCommandFolders());
    // sbin is often missing from a normal user's PATH.
    QString p = QStandardPaths::findExecutable(name);
    if (p.isEmpty())
        p = QStandardPaths::findExecutable(
            name, {QStringLiteral("/usr/sbin"), QStringLiteral("/sbin"), QStringLiteral("/usr/local/sbin")});
    return p;
}

QStringList collectSysctlNames()
{
    return {QStringLiteral("net.ipv4.ip_forward"),
            QStringLiteral("net.ipv4.ip_no_pmtu_disc"),
            QStringLiteral("net.ipv4.tcp_mtu_probing"),
            QStringLiteral("net.ipv4.route.min_pmtu"),
            QStringLiteral("net.ipv4.conf.all.rp_filter"),
            QStringLiteral("net.ipv4.conf.default.rp_filter"),
            QStringLiteral("net.ipv4.conf.all.disable_xfrm"),
            QStringLiteral("net.ipv4.conf.all.disable_policy"),
            QStringLiteral("net.ipv4.udp_rmem_min"),
            QStringLiteral("net.core.rmem_max"),
            QStringLiteral("net.core.rmem_default"),
            QStringLiteral("net.core.netdev_max_backlog"),
            QStringLiteral("net.ipv6.conf.all.forwarding"),
            QStringLiteral("net.core.xfrm_acq_expires"),
            QStringLiteral("net.core.xfrm_larval_drop")};
}

QString describeCommandFailure(int exitCode, const QByteArray &stderrText)
{
    const QString err = QString::fromUtf8(stderrText).trimmed();
    QString first;
    for (const QString &l : err.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        // swanctl prints plugin load failures before the real error.
        if (l.startsWith(QLatin1String("plugin '"))) continue;
        first = l.trimmed().left(200);
        break;
    }
    const QString lower = err.toLower();
    QString reason;
    if (lower.contains(QLatin1String("operation not permitted")) ||
        lower.contains(QLatin1String("permission denied")) || lower.contains(QLatin1String("must be root")) ||
        lower.contains(QLatin1String("are you root")))
        reason = QStringLiteral("needs root");
    else if (lower.contains(QLatin1String("charon.vici")) || lower.contains(QLatin1String("connecting to")))
        reason = QStringLiteral("charon is not running or its vici socket is elsewhere");
    else if (lower.contains(QLatin1String("not supported")) ||
             lower.contains(QLatin1String("no stats available")))
        reason = QStringLiteral("not supported by the driver or kernel");
    else if (lower.contains(QLatin1String("no such device")))
        reason = QStringLiteral("interface gone");
    else if (exitCode < 0)
        reason = QStringLiteral("crashed");
    else
        reason = QStringLiteral("exit status %1").arg(exitCode);
    return first.isEmpty() ? reason : QStringLiteral("%1 (%2)").arg(reason, first);
}

CollectResult collectEvidence(const CollectOptions &options)
{
    return Collector(options).run();
}

} // namespace ikev2wb
