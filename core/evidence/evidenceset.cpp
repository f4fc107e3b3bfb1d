#include "evidenceset.h"

#include "../util/textformat.h"

#include "parsers.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ikev2wb {

namespace {

struct NameParts
{
    QString host;
    QString subject;
    SnapshotPhase phase = SnapshotPhase::None;
};

/// Words in file names that name each kind; the part before is the host, after the subject.
QStringList kindMarkers(EvidenceKind kind)
{
    switch (kind) {
    case EvidenceKind::XfrmStat:
        return {QStringLiteral("xfrm_stat")};
    case EvidenceKind::XfrmState:
        return {QStringLiteral("xfrm-state"), QStringLiteral("xfrm_state")};
    case EvidenceKind::XfrmPolicy:
        return {QStringLiteral("xfrm-policy"), QStringLiteral("xfrm_policy")};
    case EvidenceKind::IpLink:
        return {QStringLiteral("ip-s-link"), QStringLiteral("ip_link"), QStringLiteral("link")};
    case EvidenceKind::IpRoute:
        return {QStringLiteral("ip-route"), QStringLiteral("ip_route"), QStringLiteral("routes"),
                QStringLiteral("route")};
    case EvidenceKind::ProbeResult:
        return {QStringLiteral("probe")};
    case EvidenceKind::EthtoolStats:
        return {QStringLiteral("ethtool-s"), QStringLiteral("ethtool_s")};
    case EvidenceKind::EthtoolFeatures:
        return {QStringLiteral("ethtool-k"), QStringLiteral("ethtool_k")};
    case EvidenceKind::Snmp6:
        return {QStringLiteral("snmp6")};
    case EvidenceKind::Snmp:
        return {QStringLiteral("snmp")};
    case EvidenceKind::Sysctl:
        return {QStringLiteral("sysctl")};
    case EvidenceKind::SwanctlListSas:
        return {QStringLiteral("swanctl-list-sas"), QStringLiteral("list-sas")};
    case EvidenceKind::SwanctlListConns:
        return {QStringLiteral("swanctl-list-conns"), QStringLiteral("list-conns")};
    case EvidenceKind::CharonLog:
        return {QStringLiteral("charon"), QStringLiteral("journal")};
    case EvidenceKind::Firewall:
        return {QStringLiteral("ip6tables-save"), QStringLiteral("iptables-save"),
                QStringLiteral("ip6tables"),      QStringLiteral("iptables"),
                QStringLiteral("nft-ruleset"),    QStringLiteral("nft_ruleset"),
                QStringLiteral("nftables")};
    case EvidenceKind::ConntrackStats:
        return {QStringLiteral("conntrack-s"), QStringLiteral("conntrack_s")};
    case EvidenceKind::IpRule:
        return {QStringLiteral("ip-rule"), QStringLiteral("ip_rule")};
    default:
        return {};
    }
}

NameParts splitName(const QString &path, EvidenceKind kind)
{
    NameParts p;
    QString base = QFileInfo(path).completeBaseName();
    const QString lower = base.toLower();
    static const std::pair<const char *, SnapshotPhase> phases[] = {{"start", SnapshotPhase::Before},
                                                                    {"before", SnapshotPhase::Before},
                                                                    {"during", SnapshotPhase::During},
                                                                    {"end", SnapshotPhase::After},
                                                                    {"after", SnapshotPhase::After}};
    for (const auto &[word, phase] : phases) {
        const QString suffix = QLatin1Char('-') + QLatin1String(word);
        if (lower.endsWith(suffix)) {
            p.phase = phase;
            base.chop(suffix.size());
            break;
        }
        const QString prefix = QLatin1String(word) + QLatin1Char('-');
        if (lower.startsWith(prefix)) {
            p.phase = phase;
            base.remove(0, prefix.size());
            break;
        }
    }
    for (const QString &marker : kindMarkers(kind)) {
        const qsizetype i = base.toLower().indexOf(marker);
        if (i < 0) continue;
        p.host = base.left(i);
        p.subject = base.mid(i + marker.size());
        while (p.host.endsWith(QLatin1Char('-')) || p.host.endsWith(QLatin1Char('_')))
            p.host.chop(1);
        while (p.subject.startsWith(QLatin1Char('-')) || p.subject.startsWith(QLatin1Char('_')))
            p.subject.remove(0, 1);
        break;
    }
    if (kind == EvidenceKind::Firewall) {
        // iptables, ip6tables and nft listings of one host are three series of snapshots.
        const QString name = QFileInfo(path).fileName().toLower();
        const QString tag = name.contains(QLatin1String("ip6tables")) ? QStringLiteral("ip6tables")
                            : name.contains(QLatin1String("nft"))     ? QStringLiteral("nft")
                                                                      : QStringLiteral("iptables");
        p.subject = p.subject.isEmpty() ? tag : tag + QLatin1Char('-') + p.subject;
    }
    if (kind == EvidenceKind::CharonLog) {
        // "charon-left.log": the host follows the marker.
        if (p.host.isEmpty() && !p.subject.isEmpty()) std::swap(p.host, p.subject);
    }
    return p;
}

int phaseOrder(SnapshotPhase p)
{
    switch (p) {
    case SnapshotPhase::Before:
        return 0;
    case SnapshotPhase::During:
        return 1;
    case SnapshotPhase::After:
        return 2;
    case SnapshotPhase::None:
        return 1;
    }
    return 1;
}

} // namespace

QString snapshotPhaseName(SnapshotPhase phase)
{
    switch (phase) {
    case SnapshotPhase::None:
        return {};
    case SnapshotPhase::Before:
        return QStringLiteral("before");
    case SnapshotPhase::During:
        return QStringLiteral("during");
    case SnapshotPhase::After:
        return QStringLiteral("after");
    }
    return {};
}

std::vector<CounterDelta> SnapshotDelta::changed() const
{
    std::vector<CounterDelta> out;
    std::copy_if(counters.begin(), counters.end(), std::back_inserter(out),
                 [](const CounterDelta &c) { return c.delta != 0 || c.inBefore != c.inAfter; });
    return out;
}

const CounterDelta *SnapshotDelta::find(const QString &counterName) const
{
    const auto it = std::find_if(counters.begin(), counters.end(),
                                 [&](const CounterDelta &c) { return c.name == counterName; });
    return it == counters.end() ? nullptr : &*it;
}

QStringList firewallCounterKeys(const FirewallRuleset &fw)
{
    // By table, chain and text: positions move when rules are inserted; the same rule twice in a
    // chain gets "#2", "#3".
    QStringList keys;
    std::set<QString> seen;
    for (const FirewallRule &r : fw.rules) {
        if (!r.hasCounters) {
            keys << QString();
            continue;
        }
        QString key = QStringLiteral("%1 %2 %3: %4").arg(r.family, r.table, r.chain, r.text);
        for (int n = 2; seen.count(key); ++n)
            key = QStringLiteral("%1 %2 %3: %4 #%5")
                      .arg(r.family, r.table, r.chain, r.text, QString::number(n));
        seen.insert(key);
        keys << key;
    }
    return keys;
}

CounterMap evidenceCounters(const EvidenceFile &file)
{
    CounterMap out;
    if (const auto *x = std::get_if<XfrmStat>(&file.data)) return x->counters;
    if (const auto *s = std::get_if<SnmpCounters>(&file.data)) return s->counters;
    if (const auto *e = std::get_if<EthtoolStats>(&file.data)) return e->counters;
    if (const auto *l = std::get_if<LinkStatsList>(&file.data)) {
        for (const LinkStats &link : l->links)
            for (const auto &[k, v] : link.counters)
                out[link.name + QLatin1Char('.') + k] = v;
    } else if (const auto *st = std::get_if<XfrmStateList>(&file.data)) {
        for (const XfrmSa &sa : st->sas) {
            const QString prefix = spiText(sa.spi) + QLatin1Char('@') + sa.dst + QLatin1Char('/');
            if (sa.hasLifetimeCurrent) {
                out[prefix + QStringLiteral("bytes")] = sa.currentBytes;
                out[prefix + QStringLiteral("packets")] = sa.currentPackets;
            }
            if (sa.hasStats) {
                out[prefix + QStringLiteral("replay-window")] = sa.statsReplayWindow;
                out[prefix + QStringLiteral("replay")] = sa.statsReplay;
                out[prefix + QStringLiteral("failed")] = sa.statsFailed;
            }
            if (sa.hasReplayContext) {
                out[prefix + QStringLiteral("seq")] = sa.seq;
                out[prefix + QStringLiteral("oseq")] = sa.oseq;
            }
        }
    } else if (const auto *fw = std::get_if<FirewallRuleset>(&file.data)) {
        const QStringList keys = firewallCounterKeys(*fw);
        for (std::size_t i = 0; i < fw->rules.size(); ++i) {
            if (keys[qsizetype(i)].isEmpty()) continue;
            out[keys[qsizetype(i)] + QStringLiteral("/packets")] = fw->rules[i].packets;
            out[keys[qsizetype(i)] + QStringLiteral("/bytes")] = fw->rules[i].bytes;
        }
    } else if (const auto *ct = std::get_if<ConntrackCounters>(&file.data)) {
        return ct->counters;
    } else if (const auto *sas = std::get_if<SwanctlSaList>(&file.data)) {
        for (const SwanctlIkeSa &ike : sas->ikeSas)
            for (const SwanctlChildSa &c : ike.children) {
                out[QStringLiteral("in ") + spiText(c.spiIn) + QStringLiteral("/bytes")] = c.bytesIn;
                out[QStringLiteral("in ") + spiText(c.spiIn) + QStringLiteral("/packets")] = c.packetsIn;
                out[QStringLiteral("out ") + spiText(c.spiOut) + QStringLiteral("/bytes")] = c.bytesOut;
                out[QStringLiteral("out ") + spiText(c.spiOut) + QStringLiteral("/packets")] = c.packetsOut;
            }
    }
    return out;
}

bool EvidenceSet::addPath(const QString &path, QString *error, int captureSide)
{
    m_side = captureSide;
    const QFileInfo info(path);
    if (!info.exists()) {
        if (error) *error = QStringLiteral("%1: no such file or folder").arg(path);
        return false;
    }
    const int folder = m_folders++;
    if (!info.isDir()) {
        const QString why = addFile(path, folder, QString(), QString());
        if (why.isEmpty()) return true;
        if (error) *error = QStringLiteral("%1: %2").arg(path, why);
        return false;
    }
    if (!QDir(path).isReadable()) {
        if (error) *error = QStringLiteral("%1: folder not readable").arg(path);
        return false;
    }
    QStringList paths;
    // Without FollowSymlinks the walk does not descend into linked folders; linked files are
    // listed and checked in addFile.
    QDirIterator it(path, QDir::Files | QDir::System | QDir::Hidden | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        paths << it.next();
        if (paths.size() > MaxFiles) {
            m_warnings << QStringLiteral("%1: more than %2 files, the rest was ignored")
                              .arg(path, QString::number(MaxFiles));
            paths.removeLast();
            break;
        }
    }
    paths.sort();
    // A collect folder names its host in MANIFEST.txt ("host: NAME").
    QString manifestHost;
    const QString manifestPath = QDir(path).filePath(QStringLiteral("MANIFEST.txt"));
    QFile manifest(manifestPath);
    if (!QFileInfo(manifestPath).isSymLink() && QFileInfo(manifestPath).isFile() &&
        manifest.open(QIODevice::ReadOnly)) {
        const QList<QByteArray> lines = manifest.read(64 * 1024).split('\n');
        for (const QByteArray &l : lines)
            if (l.startsWith("host: ")) manifestHost = QString::fromUtf8(l.mid(6)).trimmed();
    }
    const QString root = info.canonicalFilePath();
    for (const QString &p : paths)
        addFile(p, folder, manifestHost, root);
    return true;
}

QString EvidenceSet::skip(const QString &path, const QString &reason)
{
    m_skipped.push_back({path, reason, m_side});
    return reason;
}

namespace {

QString fileTypeName(mode_t mode)
{
    if (S_ISFIFO(mode)) return QStringLiteral("a FIFO (named pipe)");
    if (S_ISSOCK(mode)) return QStringLiteral("a socket");
    if (S_ISCHR(mode)) return QStringLiteral("a character device");
    if (S_ISBLK(mode)) return QStringLiteral("a block device");
    if (S_ISDIR(mode)) return QStringLiteral("a folder");
    return QStringLiteral("not a regular file");
}

} // namespace

QString EvidenceSet::addFile(const QString &path, int folder, const QString &manifestHost,
                             const QString &root)
{
    // Inside a folder, a symbolic link may only lead to another file of that folder.
    if (!root.isEmpty() && QFileInfo(path).isSymLink()) {
        const QString target = QFileInfo(path).canonicalFilePath();
        if (target.isEmpty()) return skip(path, QStringLiteral("symbolic link to nothing"));
        if (!target.startsWith(root + QLatin1Char('/'))) {
            const QString why =
                QStringLiteral("symbolic link to %1, outside %2: not followed").arg(target, root);
            m_warnings << QStringLiteral("%1: %2").arg(path, why);
            return skip(path, why);
        }
    }
    // stat before open: opening a FIFO for reading blocks until a writer appears (a FIFO named
    // charon.log hung the load), and opening a device can have effects of its own.
    const QByteArray native = QFile::encodeName(path);
    struct stat st = {};
    if (::stat(native.constData(), &st) != 0)
        return skip(path,
                    QStringLiteral("cannot read: %1").arg(QString::fromLocal8Bit(std::strerror(errno))));
    if (!S_ISREG(st.st_mode)) {
        const QString why =
            QStringLiteral("%1, not a regular file: not opened").arg(fileTypeName(st.st_mode));
        m_warnings << QStringLiteral("%1: %2").arg(path, why);
        return skip(path, why);
    }
    const auto id = std::make_pair(quint64(st.st_dev), quint64(st.st_ino));
    if (const auto seen = m_seen.find(id); seen != m_seen.end())
        return skip(
            path,
            QStringLiteral("the same file as %1 (a hard or symbolic link): read once").arg(seen->second));
    m_seen.emplace(id, path);
    const QString budgetSpent =
        QStringLiteral("the evidence budget of %1 for one load is spent")
            .arg(m_byteBudget % (1 << 20) == 0 ? QStringLiteral("%1 MB").arg(m_byteBudget >> 20)
                                               : QStringLiteral("%1 bytes").arg(m_byteBudget));
    if (m_bytesRead >= m_byteBudget) {
        const QString why = QStringLiteral("not read: ") + budgetSpent;
        if (!m_warnings.contains(why)) m_warnings << why;
        return skip(path, why);
    }
    // O_NONBLOCK: should the file have been swapped for a FIFO since the stat, open does not
    // block; fstat then refuses it.
    const int fd = ::open(native.constData(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return skip(path,
                    QStringLiteral("cannot read: %1").arg(QString::fromLocal8Bit(std::strerror(errno))));
    struct stat opened = {};
    if (::fstat(fd, &opened) != 0 || !S_ISREG(opened.st_mode) || opened.st_dev != st.st_dev ||
        opened.st_ino != st.st_ino) {
        ::close(fd);
        return skip(path, QStringLiteral("changed while being opened: not read"));
    }
    QFile f;
    if (!f.open(fd, QIODevice::ReadOnly, QFileDevice::AutoCloseHandle)) {
        ::close(fd);
        return skip(path, QStringLiteral("cannot read: %1").arg(f.errorString()));
    }
    const QByteArray head = f.read(16 * 1024);
    const EvidenceKind kind = detectEvidenceKind(head, path);
    if (kind == EvidenceKind::Unknown) {
        m_bytesRead += head.size();
        return skip(path, QStringLiteral("not a recognised evidence file"));
    }
    ParseStatus status;
    TextLimits limits;
    const qint64 left = m_byteBudget - m_bytesRead;
    if (left < limits.maxFileBytes) {
        limits.maxFileBytes = left;
        limits.capReason = budgetSpent;
    }
    QByteArray text;
    if (f.seek(0))
        text = readEvidenceText(f, path, status, limits);
    else
        status.error = QStringLiteral("%1: cannot read: %2").arg(path, f.errorString());
    m_bytesRead += text.size();
    EvidenceFile ef;
    ef.path = path;
    ef.kind = kind;
    ef.folder = folder;
    ef.captureSide = m_side;
    if (status.ok()) ef.data = parseEvidence(kind, text, path, status);
    const NameParts parts = splitName(path, kind);
    ef.host = parts.host.isEmpty() ? manifestHost : parts.host;
    ef.subject = parts.subject;
    if (const auto *feat = std::get_if<EthtoolFeatures>(&ef.data); feat && !feat->interfaceName.isEmpty())
        ef.subject = feat->interfaceName;
    if (const auto *est = std::get_if<EthtoolStats>(&ef.data); est && !est->interfaceName.isEmpty())
        ef.subject = est->interfaceName;
    ef.phase = parts.phase;
    ef.status = std::move(status);
    m_files.push_back(std::move(ef));
    return {};
}

void EvidenceSet::addText(const QString &name, const QByteArray &text, int folder)
{
    EvidenceFile ef;
    ef.path = name;
    ef.kind = detectEvidenceKind(text.left(16 * 1024), name);
    ef.folder = folder;
    m_folders = std::max(m_folders, folder + 1);
    if (ef.kind == EvidenceKind::Unknown) {
        m_skipped.push_back({name, QStringLiteral("not a recognised evidence file"), -1});
        return;
    }
    ef.data = parseEvidence(ef.kind, text, name, ef.status);
    const NameParts parts = splitName(name, ef.kind);
    ef.host = parts.host;
    ef.subject = parts.subject;
    ef.phase = parts.phase;
    m_files.push_back(std::move(ef));
}

const EvidenceFile *EvidenceSet::find(const QString &host, EvidenceKind kind, SnapshotPhase phase,
                                      const QString &subject) const
{
    for (const EvidenceFile &f : m_files)
        if (f.host == host && f.kind == kind && f.phase == phase && f.subject == subject) return &f;
    return nullptr;
}

std::vector<SnapshotDelta> EvidenceSet::deltas() const
{
    std::vector<SnapshotDelta> out;
    // Group counter-bearing files by (host, kind, subject), in first-seen order.
    std::vector<std::vector<const EvidenceFile *>> groups;
    for (const EvidenceFile &f : m_files) {
        if (!f.status.ok() || evidenceCounters(f).empty()) continue;
        auto g = std::find_if(groups.begin(), groups.end(), [&](const auto &grp) {
            return grp.front()->host == f.host && grp.front()->kind == f.kind &&
                   grp.front()->subject == f.subject && grp.front()->captureSide == f.captureSide;
        });
        if (g == groups.end())
            groups.push_back({&f});
        else
            g->push_back(&f);
    }
    for (auto &g : groups) {
        if (g.size() < 2) continue;
        auto earlier = [](const EvidenceFile *a, const EvidenceFile *b) {
            if (phaseOrder(a->phase) != phaseOrder(b->phase))
                return phaseOrder(a->phase) < phaseOrder(b->phase);
            return a->folder < b->folder;
        };
        std::stable_sort(g.begin(), g.end(), earlier);
        const EvidenceFile *before = g.front();
        const EvidenceFile *after = g.back();
        if (!earlier(before, after)) continue; // same phase and folder: nothing says which came first
        SnapshotDelta d;
        d.host = before->host;
        d.kind = before->kind;
        d.subject = before->subject;
        d.beforePath = before->path;
        d.afterPath = after->path;
        const CounterMap b = evidenceCounters(*before);
        const CounterMap a = evidenceCounters(*after);
        for (const auto &[name, value] : b) {
            CounterDelta c;
            c.name = name;
            c.before = value;
            const auto it = a.find(name);
            c.inAfter = it != a.end();
            c.after = c.inAfter ? it->second : 0;
            c.delta = c.inAfter ? std::int64_t(c.after - c.before) : 0;
            d.counters.push_back(c);
        }
        for (const auto &[name, value] : a) {
            if (b.count(name)) continue;
            CounterDelta c;
            c.name = name;
            c.inBefore = false;
            c.after = value;
            c.delta = std::int64_t(value);
            d.counters.push_back(c);
        }
        out.push_back(std::move(d));
    }
    return out;
}

} // namespace ikev2wb
