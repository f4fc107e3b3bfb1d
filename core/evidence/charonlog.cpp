// Charon log reader: file logs (with or without timestamps, with or without "<conn|id>"),
// syslog files and journal lines. Only lines that matter for the diagnosis become events.
#include "parsehelpers.h"
#include "parsers.h"
#include "redact.h"

#include <QRegularExpression>

#include <arpa/inet.h>

namespace ikev2wb {

using namespace evidence_detail;

namespace {

constexpr std::size_t MaxEvents = 500'000;

const QRegularExpression &re(const char *pattern)
{
    // Patterns are literals in this file; compiled once each through a small cache.
    static thread_local std::map<const char *, QRegularExpression> cache;
    auto it = cache.find(pattern);
    if (it == cache.end())
        it = cache.emplace(pattern, QRegularExpression(QString::fromLatin1(pattern))).first;
    return it->second;
}

int monthFromName(QStringView m)
{
    static const char *const names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    for (int i = 0; i < 12; ++i)
        if (m == QLatin1String(names[i])) return i + 1;
    return 0;
}

QTime timeWithFraction(const QString &hms, const QString &fraction)
{
    QTime t = QTime::fromString(hms, QStringLiteral("HH:mm:ss"));
    if (t.isValid() && !fraction.isEmpty())
        t = t.addMSecs(QStringView(fraction).left(3).toString().leftJustified(3, QLatin1Char('0')).toInt());
    return t;
}

/// Parses a leading timestamp; returns the number of characters used (0: none).
qsizetype parseTime(const QString &s, std::optional<LogTime> &out)
{
    QRegularExpressionMatch m =
        re(R"(^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}:\d{2}:\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?\s+)")
            .match(s);
    if (m.hasMatch()) {
        const QDate d(m.captured(1).toInt(), m.captured(2).toInt(), m.captured(3).toInt());
        const QTime t = timeWithFraction(m.captured(4), m.captured(5));
        if (!d.isValid() || !t.isValid()) return 0;
        LogTime lt;
        lt.dateTime = QDateTime(d, t, Qt::UTC);
        lt.yearKnown = true;
        const QString z = m.captured(6);
        if (!z.isEmpty()) {
            lt.offsetKnown = true;
            if (z != QLatin1String("Z")) {
                const QString digits = QString(z).remove(QLatin1Char(':'));
                const int sign = digits.startsWith(QLatin1Char('-')) ? -1 : 1;
                lt.utcOffsetSec = sign * (digits.mid(1, 2).toInt() * 3600 + digits.mid(3, 2).toInt() * 60);
            }
        }
        out = lt;
        return m.capturedLength(0);
    }
    m = re(R"(^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?\s+)").match(s);
    if (m.hasMatch()) {
        const int month = monthFromName(m.capturedView(1));
        // Syslog carries no year: 2000 is a leap year, so "Feb 29" stays valid.
        const QDate d(2000, month, m.captured(2).toInt());
        const QTime t = timeWithFraction(m.captured(3), m.captured(4));
        if (!month || !d.isValid() || !t.isValid()) return 0;
        LogTime lt;
        lt.dateTime = QDateTime(d, t, Qt::UTC);
        out = lt;
        return m.capturedLength(0);
    }
    return 0;
}

void takeSaNames(LogEvent &e)
{
    if (e.ikeName.isEmpty()) {
        const auto m = re(R"(IKE_SA ([^\s\[]+)\[(\d+)\])").match(e.message);
        if (m.hasMatch()) {
            e.ikeName = m.captured(1);
            e.ikeUniqueId = m.captured(2).toInt();
        }
    }
    const auto c = re(R"(CHILD_SA ([^\s{]+)\{(\d+)\})").match(e.message);
    if (c.hasMatch()) {
        e.childName = c.captured(1);
        e.childUniqueId = c.captured(2).toInt();
    }
}

void takeSpis(LogEvent &e)
{
    auto it = re(R"((?:SPIs? |ESP/0x)([0-9a-f]{8})(?:_[io])?)").globalMatch(e.message);
    while (it.hasNext())
        e.spis << it.next().captured(1);
    auto more = re(R"(\b([0-9a-f]{8})_[io]\b)").globalMatch(e.message);
    while (more.hasNext()) {
        const QString spi = more.next().captured(1);
        if (!e.spis.contains(spi)) e.spis << spi;
    }
}

} // namespace

LogEvent classifyCharonMessage(const QString &message)
{
    LogEvent e;
    e.message = message;
    const QString &s = message;
    auto starts = [&](const char *p) { return s.startsWith(QLatin1String(p)); };
    QRegularExpressionMatch m;
    auto match = [&](const char *p) {
        m = re(p).match(s);
        return m.hasMatch();
    };
    if (starts("parsed ") || starts("generating ")) {
        if (match(R"(^(parsed|generating) (\S+) (request|response) (\d+) \[ ?(.*?) ?\])")) {
            e.kind = m.captured(1) == QLatin1String("parsed") ? LogEventKind::MessageParsed
                                                              : LogEventKind::MessageGenerated;
            e.exchange = m.captured(2);
            e.response = m.captured(3) == QLatin1String("response");
            e.messageId = m.captured(4).toLongLong();
            e.payloads = m.captured(5);
        }
    } else if (match(R"(^retransmit (\d+) of request with message ID (\d+))")) {
        e.kind = LogEventKind::Retransmit;
        e.retransmit = m.captured(1).toInt();
        e.messageId = m.captured(2).toLongLong();
    } else if (match(R"(^giving up after (\d+) retransmits)")) {
        e.kind = LogEventKind::GiveUp;
        e.retransmit = m.captured(1).toInt();
    } else if (match(R"(^restarting CHILD_SA (\S+))")) {
        e.kind = LogEventKind::ChildRestart;
        e.childName = m.captured(1);
    } else if (match(R"(^received retransmit of request with ID (\d+))")) {
        e.kind = LogEventKind::ResponseRetransmit;
        e.messageId = m.captured(1).toLongLong();
    } else if (s.contains(QLatin1String("NO_PROPOSAL_CHOSEN")) || starts("no acceptable proposal found") ||
               starts("no IKE config found")) {
        // The peers' proposals do not meet (IKE_SA_INIT, or the CHILD_SA in IKE_AUTH/CREATE_CHILD_SA).
        e.kind = LogEventKind::NoProposal;
    } else if (s.contains(QLatin1String("TS_UNACCEPTABLE")) ||
               (starts("traffic selectors ") && s.contains(QLatin1String("unacceptable"))) ||
               starts("no matching CHILD_SA config found")) {
        e.kind = LogEventKind::TsUnacceptable;
    } else if (s.contains(QLatin1String("AUTHENTICATION_FAILED")) ||
               s.contains(QLatin1String("MAC mismatched")) || starts("no matching peer config found") ||
               starts("constraint check failed") ||
               (starts("authentication of ") && s.contains(QLatin1String("failed")))) {
        e.kind = LogEventKind::AuthFailed;
    } else if (match(R"(^peer not responding, trying again \((\d+)/(\d+)\))")) {
        e.kind = LogEventKind::PeerNotResponding;
        e.count = m.captured(1).toInt();
    } else if (starts("establishing IKE_SA failed") ||
               (starts("establishing CHILD_SA") && s.contains(QLatin1String("failed")))) {
        e.kind = LogEventKind::EstablishFailed;
    } else if (starts("sending DPD request")) {
        e.kind = LogEventKind::DpdRequest;
    } else if (starts("DPD not supported")) {
        e.kind = LogEventKind::DpdUnsupported;
    } else if (starts("local host is behind NAT") || starts("remote host is behind NAT") ||
               starts("faking NAT situation")) {
        e.kind = LogEventKind::NatDetected;
    } else if (starts("sending keep alive") || starts("sending NAT-T keep-alive")) {
        e.kind = LogEventKind::Keepalive;
    } else if ((starts("NAT mappings of ") && s.contains(QLatin1String(" changed"))) ||
               starts("detected changes in NAT mappings")) {
        e.kind = LogEventKind::NatMappingChanged;
    } else if (match(R"(^(local|remote) endpoint changed from )")) {
        e.kind = LogEventKind::EndpointChanged;
    } else if (match(R"(^scheduling (?:rekeying|reauthentication) in (\d+)s)")) {
        e.kind = LogEventKind::RekeyScheduled;
        e.count = m.captured(1).toInt();
    } else if (s.contains(QLatin1String("collision"))) {
        e.kind = LogEventKind::RekeyCollision;
    } else if (match(R"(^(?:CHILD_SA|IKE_SA) rekeying failed)") ||
               (s.contains(QLatin1String("rekey")) && s.contains(QLatin1String("failed")))) {
        e.kind = LogEventKind::RekeyFailed;
    } else if (starts("rekeyed CHILD_SA") || match(R"(^IKE_SA \S+ rekeyed between)") ||
               starts("creating rekey job") || starts("initiating CHILD_SA rekey") ||
               starts("rekeying CHILD_SA")) {
        e.kind = LogEventKind::Rekey;
    } else if (starts("deleting IKE_SA") || starts("IKE_SA deleted") || starts("received DELETE for") ||
               starts("sending DELETE for") || starts("closing CHILD_SA") || starts("CHILD_SA closed") ||
               starts("deleting CHILD_SA") || starts("proper IKE_SA delete failed")) {
        e.kind = LogEventKind::Delete;
    } else if (match(R"(^splitting IKE message \((\d+) bytes\) into (\d+) fragments)")) {
        e.kind = LogEventKind::Fragmentation;
        e.count = m.captured(2).toInt();
    } else if (match(R"(^received fragment #(\d+) of (\d+))")) {
        e.kind = LogEventKind::Fragmentation;
        e.count = m.captured(2).toInt();
    } else if (starts("IKE message reassembled") || starts("received duplicate fragment")) {
        e.kind = LogEventKind::Fragmentation;
    } else if (match(R"(^IKE_SA \S+ established between)")) {
        e.kind = LogEventKind::IkeEstablished;
    } else if (match(R"(^(?:inbound |outbound )?CHILD_SA \S+ established with SPIs)")) {
        e.kind = LogEventKind::ChildEstablished;
    }
    if (e.kind != LogEventKind::Other) {
        takeSaNames(e);
        if (e.kind == LogEventKind::Delete || e.kind == LogEventKind::ChildEstablished ||
            e.kind == LogEventKind::NatMappingChanged || e.kind == LogEventKind::Rekey ||
            e.kind == LogEventKind::RekeyCollision)
            takeSpis(e);
    }
    return e;
}

constexpr std::size_t MaxIkeNames = 1024;
constexpr qsizetype MaxAddressesPerName = 8;

/// The IPv4 and IPv6 addresses a line names as addresses (not a prefix: "10.2.0.0/24" is a
/// traffic selector), lower case as our reports print them.
QStringList addressesNamedIn(const QString &text)
{
    if (!text.contains(QLatin1Char('.')) && !text.contains(QLatin1Char(':'))) return {};
    static const QRegularExpression address(QStringLiteral(
        "(?<![0-9A-Za-z.:])(\\d{1,3}(?:\\.\\d{1,3}){3}|[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7})"
        "(?![0-9A-Za-z.:/])"));
    QStringList out;
    for (auto it = address.globalMatch(text); it.hasNext();) {
        const QByteArray a = it.next().captured(1).toLower().toLatin1();
        unsigned char buf[16];
        if (inet_pton(a.contains(':') ? AF_INET6 : AF_INET, a.constData(), buf) == 1)
            out << QString::fromLatin1(a);
    }
    return out;
}

CharonLog parseCharonLog(QByteArrayView text, const QString &fileName, ParseStatus &status)
{
    CharonLog out;
    const auto lines = splitEvidenceLines(text, fileName, status);
    if (!status.ok()) return out;
    bool formatSet = false;
    int nonEmpty = 0;
    int n = 0;
    for (const QByteArrayView raw : lines) {
        ++n;
        if (raw.trimmed().isEmpty()) continue;
        ++nonEmpty;
        const QString line = str(raw);
        std::optional<LogTime> time;
        qsizetype pos = parseTime(line, time);
        QString rest = line.mid(pos);
        CharonLog::Format format = time ? CharonLog::Format::FileLog : CharonLog::Format::FileLogNoTime;
        // Syslog/journal: "host charon: ", "host charon[1234]: ", or journal "charon[1234]: ".
        const auto tag = re(R"(^(?:(\S+) )?([A-Za-z][\w.-]*)(?:\[(\d+)\])?: )").match(rest);
        if (tag.hasMatch() && !rest.startsWith(QLatin1Char('<'))) {
            const QString prog = tag.captured(2);
            const bool syslogTag = !tag.captured(1).isEmpty() || !tag.captured(3).isEmpty() ||
                                   prog.startsWith(QLatin1String("charon"));
            if (syslogTag && !re(R"(^\d{2,3}\[)").match(rest).hasMatch()) {
                if (!prog.startsWith(QLatin1String("charon"))) continue; // another program's line in a syslog
                format = tag.captured(1).isEmpty() && !time ? CharonLog::Format::Journal
                                                            : CharonLog::Format::Syslog;
                if (tag.captured(1).isEmpty() && time) format = CharonLog::Format::Journal;
                rest = rest.mid(tag.capturedLength(0));
            }
        }
        LogEvent e;
        const auto th = re(R"(^(\d{2,3})\[([A-Z]{2,4})\] )").match(rest);
        if (th.hasMatch()) {
            e.thread = th.captured(1).toInt();
            e.group = th.captured(2);
            rest = rest.mid(th.capturedLength(0));
        } else if (format == CharonLog::Format::FileLog || format == CharonLog::Format::FileLogNoTime) {
            continue; // continuation lines (hex dumps, multi-line messages) and foreign text
        }
        ++out.charonLines;
        if (!formatSet) {
            out.format = format;
            formatSet = true;
        } else if (out.format != format) {
            out.format = CharonLog::Format::Mixed;
        }
        const auto sa = re(R"(^<(?:([^|>]*)\|)?(\d+)> )").match(rest);
        QString ikeName;
        int ikeId = 0;
        if (sa.hasMatch()) {
            ikeName = sa.captured(1);
            ikeId = sa.captured(2).toInt();
            rest = rest.mid(sa.capturedLength(0));
        }
        if (!ikeName.isEmpty()) {
            const auto known = out.addressesByIkeName.find(ikeName);
            if (known != out.addressesByIkeName.end() || out.addressesByIkeName.size() < MaxIkeNames) {
                QStringList &addrs = out.addressesByIkeName[ikeName];
                for (const QString &a : addressesNamedIn(rest))
                    if (addrs.size() < MaxAddressesPerName && !addrs.contains(a)) addrs << a;
            }
        }
        LogEvent c = classifyCharonMessage(rest);
        if (c.kind == LogEventKind::Other) continue;
        if (out.events.size() >= MaxEvents) {
            status.warnCut(n, QStringLiteral("more than %1 log events, the rest was ignored").arg(MaxEvents));
            break;
        }
        c.line = n;
        c.time = time;
        c.thread = e.thread;
        c.group = e.group;
        if (!ikeName.isEmpty() || ikeId) {
            if (!ikeName.isEmpty()) c.ikeName = ikeName;
            c.ikeUniqueId = ikeId;
        }
        // Reports quote these lines (text, JSON, PDF, GUI): no key-like hex leaves this reader.
        c.raw = redactKeyLikeHex(line);
        c.message = redactKeyLikeHex(c.message);
        out.events.push_back(std::move(c));
    }
    if (out.charonLines == 0 && nonEmpty > 0)
        wrongKind(
            status, fileName, EvidenceKind::CharonLog,
            QStringLiteral(
                "charon lines like '13[IKE] ...' (optionally after a timestamp or 'host charon[pid]: ')"));
    return out;
}

} // namespace ikev2wb
