#pragma once
// Value types for host evidence: kernel counters, XFRM SAs and policies, interface statistics,
// strongSwan configuration and status, and charon log events. Parsers fill them; nothing here
// knows about files or widgets.
#include <QDateTime>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <map>
#include <optional>
#include <variant>
#include <vector>

namespace ikev2wb {

/// What kind of host evidence a file holds; picks the parser.
enum class EvidenceKind {
    Unknown,
    XfrmStat,         // /proc/net/xfrm_stat
    XfrmState,        // ip [-s [-s]] xfrm state
    XfrmPolicy,       // ip [-s] xfrm policy
    IpLink,           // ip -s [-s] link
    EthtoolStats,     // ethtool -S IFACE
    EthtoolFeatures,  // ethtool -k IFACE
    Snmp,             // /proc/net/snmp
    Snmp6,            // /proc/net/snmp6
    Sysctl,           // sysctl NAME... ("name = value" lines)
    SwanctlListSas,   // swanctl --list-sas
    SwanctlListConns, // swanctl --list-conns
    SwanctlConf,      // swanctl.conf (and conf.d/*.conf)
    StrongswanConf,   // strongswan.conf (and strongswan.d/*.conf)
    IpsecConf,        // legacy ipsec.conf
    CharonLog,        // charon file log, syslog or journal lines
    Manifest,         // MANIFEST.txt written by `ikev2wb collect`
    IpRoute,          // ip route [show table all]
    ProbeResult,      // ikev2wb probe HOST --json (schema ikev2wb.probe/1)
    Firewall,         // iptables-save -c, ip6tables-save -c, nft [-a] list ruleset
    ConntrackStats,   // conntrack -S
    IpRule,           // ip rule
};

/// Stable lowercase name, e.g. "xfrm_stat", "xfrm_state", "charon_log".
QString evidenceKindName(EvidenceKind kind);
/// What the user would type or read to get this file, e.g. "ip -s xfrm state".
QString evidenceKindSource(EvidenceKind kind);

/// A problem found while reading one file; line 0 means the file as a whole.
struct EvidenceIssue
{
    int line = 0;
    QString message;
};

/// Outcome of one parse: an error means the file was not (or not at all) of the expected kind.
struct ParseStatus
{
    QString error;
    std::vector<EvidenceIssue> warnings;
    /// The first warning that says part of the file was not read (a size, line, entry or event
    /// cap, a section or SA the file ends inside): what is taken from the file may be incomplete.
    /// Line 0 with an empty message while the whole file was read.
    EvidenceIssue cut;
    [[nodiscard]] bool ok() const { return error.isEmpty(); }
    [[nodiscard]] bool partial() const { return !cut.message.isEmpty(); }
    void warn(int line, const QString &message);
    /// A warning that part of the file was not read (see `cut`).
    void warnCut(int line, const QString &message);
};

using CounterMap = std::map<QString, std::uint64_t>;

/// /proc/net/xfrm_stat: counter name (e.g. "XfrmInStateSeqError") → value.
struct XfrmStat
{
    CounterMap counters;
};

/// One SA of `ip -s -s xfrm state`. Keys are never stored, only the algorithm names.
struct XfrmSa
{
    int line = 0;
    QString src;
    QString dst;
    QString proto; // "esp", "ah", "comp"
    std::uint32_t spi = 0;
    std::uint32_t reqid = 0;
    QString mode;                   // "tunnel", "transport", ...
    std::uint32_t replayWindow = 0; // packets; from " replay_window N" of the ESN context when present
    bool replayWindowEsn = false;   // replayWindow read from the ESN replay state
    QStringList flags;              // e.g. "af-unspec", "esn"
    QStringList algorithms;         // e.g. "auth-trunc hmac(sha256) 128", "enc cbc(aes)"
    bool hasEncap = false;
    QString encapType;      // "espinudp", "espintcp", ...
    std::uint32_t ifId = 0; // "if_id 0x2a": the SA belongs to an XFRM interface (route-based)
    std::uint16_t encapSport = 0;
    std::uint16_t encapDport = 0;
    bool hasLifetimeCurrent = false;
    std::uint64_t currentBytes = 0;
    std::uint64_t currentPackets = 0;
    bool hasStats = false; // "stats: replay-window N replay N failed N" (ip -s)
    std::uint64_t statsReplayWindow = 0;
    std::uint64_t statsReplay = 0;
    std::uint64_t statsFailed = 0;
    bool hasReplayContext = false; // "anti-replay context: seq 0x.., oseq 0x.., bitmap .." (ip -s -s)
    std::uint64_t seq = 0;         // highest inbound sequence accepted
    std::uint64_t oseq = 0;        // last outbound sequence sent
    QString bitmap;
};

struct XfrmStateList
{
    std::vector<XfrmSa> sas;
};

/// One policy of `ip -s xfrm policy`.
struct XfrmPolicy
{
    int line = 0;
    QString src;
    QString dst;
    QString dir;    // in, out, fwd
    QString action; // allow, block
    std::uint32_t index = 0;
    std::uint32_t priority = 0;
    bool hasLifetimeCurrent = false;
    std::uint64_t currentBytes = 0;
    std::uint64_t currentPackets = 0;
    QString tmplSrc;
    QString tmplDst;
    QString tmplProto;
    std::uint32_t tmplSpi = 0;
    std::uint32_t tmplReqid = 0;
    QString tmplMode;
};

struct XfrmPolicyList
{
    std::vector<XfrmPolicy> policies;
};

/// One interface of `ip -s link`: counters are named "rx_bytes", "rx_packets", "rx_errors",
/// "rx_dropped", "rx_missed" (iproute2 ≥ 5.11) or "rx_overrun" (older), "rx_mcast", "tx_carrier",
/// "tx_collsns", ...; `-s -s` adds "rx_err_crc", "tx_err_aborted", ...
struct LinkStats
{
    int line = 0;
    int index = 0;
    QString name; // without "@peer"
    int mtu = 0;
    QString state; // UP, DOWN, UNKNOWN
    QStringList flags;
    QString linkKind;       // `ip -d link` detail line: "xfrm", "vti", "vti6", "ipip", "gre", ... ("" = none)
    std::uint32_t ifId = 0; // `xfrm if_id 0x2a` of an XFRM interface
    CounterMap counters;
    [[nodiscard]] std::uint64_t counter(const QString &name) const;
};

struct LinkStatsList
{
    std::vector<LinkStats> links;
};

/// `ethtool -S IFACE` (names are driver specific).
struct EthtoolStats
{
    QString interfaceName;
    CounterMap counters;
};

/// One line of `ethtool -k IFACE`.
struct EthtoolFeature
{
    QString name;
    bool on = false;
    bool fixed = false;
    QString requested; // "[requested on]" when it differs
};

struct EthtoolFeatures
{
    QString interfaceName;
    std::vector<EthtoolFeature> features;
    [[nodiscard]] const EthtoolFeature *find(const QString &name) const;
};

/// /proc/net/snmp ("Ip.FragFails") or /proc/net/snmp6 ("Ip6InTooBigErrors"). Negative
/// constants such as Tcp MaxConn -1 are not counters and are left out.
struct SnmpCounters
{
    CounterMap counters;
};

/// `sysctl` output: name → value, plus names the tool could not read.
struct SysctlValues
{
    std::map<QString, QString> values;
    QStringList unreadable;
};

/// One CHILD_SA of `swanctl --list-sas`.
struct SwanctlChildSa
{
    QString name;
    int uniqueId = 0;
    std::uint32_t reqid = 0;
    QString state; // INSTALLED, REKEYED, ...
    QString mode;  // TUNNEL, TUNNEL-in-UDP, TRANSPORT
    QString proposal;
    std::uint32_t spiIn = 0;
    std::uint32_t spiOut = 0;
    std::uint64_t bytesIn = 0;
    std::uint64_t packetsIn = 0;
    std::uint64_t bytesOut = 0;
    std::uint64_t packetsOut = 0;
    QString localTs;
    QString remoteTs;
};

/// One IKE_SA of `swanctl --list-sas`.
struct SwanctlIkeSa
{
    int line = 0;
    QString name;
    int uniqueId = 0;
    QString state;   // ESTABLISHED, CONNECTING, ...
    QString version; // IKEv2
    QString initiatorSpi;
    QString responderSpi;
    QString local; // "'id' @ addr[port]"
    QString remote;
    QString proposal;
    QString timing; // "established 15s ago, rekeying in 14385s"
    std::vector<SwanctlChildSa> children;
};

struct SwanctlSaList
{
    std::vector<SwanctlIkeSa> ikeSas;
};

/// A `key = value` of a config file, with its line.
struct ConfigValue
{
    QString key;
    QString value;
    int line = 0;
};

/// A section of swanctl.conf / strongswan.conf (`name { ... }`) or ipsec.conf (`conn name`).
struct ConfigSection
{
    QString name;
    int line = 0;
    std::vector<ConfigValue> values;
    std::vector<ConfigSection> sections;
    [[nodiscard]] const ConfigSection *section(const QString &name) const;
    /// Value of a dotted path below this section ("charon.retransmit_tries"); null if absent.
    [[nodiscard]] const ConfigValue *find(const QString &dottedPath) const;
};

/// A CHILD_SA definition (swanctl `children.NAME`, or the conn itself in ipsec.conf).
struct ConfigChild
{
    QString name;
    std::map<QString, QString> settings; // esp_proposals, rekey_time, replay_window, ...
};

/// A connection definition with the settings that the diagnosis looks at.
struct ConfigConnection
{
    QString name;
    int line = 0;
    std::map<QString, QString> settings; // proposals, dpd_delay, encap, fragmentation, ...
    std::vector<ConfigChild> children;
};

/// Parsed config file: the tree, connections found in it, and includes seen (not followed).
struct ConfigFile
{
    ConfigSection root;
    std::vector<ConfigConnection> connections;
    QStringList includes;
    bool secretsPresent = false; // a secrets section or secret value was present (not kept)
};

/// Connection of `swanctl --list-conns`.
struct SwanctlConn
{
    QString name;
    QString summary; // "IKEv2, no reauthentication, rekeying every 14400s, dpd delay 5s"
    QStringList localAddrs;
    QStringList remoteAddrs;
    struct Child
    {
        QString name;
        QString summary; // "TUNNEL, rekeying every 3600s, dpd action is restart"
        QStringList localTs;
        QStringList remoteTs;
    };
    std::vector<Child> children;
};

struct SwanctlConnList
{
    std::vector<SwanctlConn> connections;
};

/// What a charon log line tells about.
enum class LogEventKind {
    Retransmit,         // retransmit N of request with message ID M
    GiveUp,             // giving up after N retransmits
    ResponseRetransmit, // received retransmit of request with ID M, retransmitting response
    PeerNotResponding,  // peer not responding, trying again (n/m)
    EstablishFailed,    // establishing IKE_SA failed, peer not responding
    DpdRequest,         // sending DPD request
    DpdUnsupported,     // DPD not supported by peer, disabled
    ChildRestart,       // restarting CHILD_SA name (charon re-creates it on a new IKE_SA)
    NatDetected,        // local/remote host is behind NAT, faking NAT situation
    Keepalive,          // sending keep alive
    NatMappingChanged,  // NAT mappings of CHILD_SA ... changed; detected changes in NAT mappings
    EndpointChanged,    // local/remote endpoint changed from ... to ...
    RekeyScheduled,     // scheduling rekeying in Ns
    Rekey,              // rekeyed CHILD_SA / IKE_SA ... rekeyed / creating rekey job
    RekeyFailed,        // CHILD_SA rekeying failed, trying again
    RekeyCollision,     // rekey collision (won/lost), detected ... collision
    Delete,             // deleting IKE_SA, IKE_SA deleted, received/sending DELETE, closing CHILD_SA,
                        // proper IKE_SA delete failed
    Fragmentation,      // splitting IKE message into fragments, received fragment #i of n
    MessageParsed,      // parsed EXCHANGE request|response MID [ payloads ]
    MessageGenerated,   // generating EXCHANGE request|response MID [ payloads ]
    IkeEstablished,     // IKE_SA name[id] established between ...
    ChildEstablished,   // CHILD_SA name{id} established with SPIs ...
    AuthFailed,         // authentication ... failed, received AUTHENTICATION_FAILED, MAC mismatched,
                        // no matching peer config found
    NoProposal,         // NO_PROPOSAL_CHOSEN sent or received, no acceptable proposal found
    TsUnacceptable,     // TS_UNACCEPTABLE, traffic selectors ... unacceptable
    Other,              // recognised log line without a diagnosis-relevant event
};

QString logEventKindName(LogEventKind kind);

/// Timestamp as printed by the log's source; the clock is the source's, not UTC.
struct LogTime
{
    QDateTime dateTime;     // Qt::UTC spec, meaning "the source clock's wall time"
    bool yearKnown = false; // syslog "Nov 27 12:00:01" has none (year 2000 is used)
    int utcOffsetSec = 0;
    bool offsetKnown = false;
};

/// One recognised charon log line.
struct LogEvent
{
    int line = 0;
    LogEventKind kind = LogEventKind::Other;
    std::optional<LogTime> time;
    int thread = -1;
    QString group;   // IKE, ENC, NET, CHD, KNL, ...
    QString ikeName; // from "<lab|1>" or "lab[1]"
    int ikeUniqueId = 0;
    QString childName; // from "net{3}"
    int childUniqueId = 0;
    std::int64_t messageId = -1;
    int retransmit = 0; // retransmit number, or retransmits given up after
    int count = 0;      // fragments, (n/m) attempts
    QString exchange;   // IKE_SA_INIT, CREATE_CHILD_SA, ...
    bool response = false;
    QString payloads; // "SA KE No N(NATD_S_IP) ..."
    QStringList spis;
    QString message; // the line without time, thread, group and SA prefix
    QString raw;     // the whole line as read
};

struct CharonLog
{
    enum class Format { FileLog, FileLogNoTime, Syslog, Journal, Mixed };
    Format format = Format::FileLog;
    std::vector<LogEvent> events; // only diagnosis-relevant kinds (not Other)
    int charonLines = 0;          // lines that looked like charon output
    // The addresses the lines of each IKE_SA name ("<lab|1>") mention, of any kind ("initiating
    // IKE_SA lab[1] to 10.0.2.1", "sending packet: from 10.0.1.1[500] to ..."; not prefixes like
    // traffic selectors): which tunnel a connection is. At most 8 addresses a name, 1024 names.
    std::map<QString, QStringList> addressesByIkeName;
};

/// MANIFEST.txt written by `ikev2wb collect`.
struct CollectManifest
{
    QStringList lines;
};

/// `ip route` listing: its route lines as printed (the diagnosis picks the route to the peer).
struct RouteListing
{
    QStringList lines;
};

/// `ikev2wb probe HOST --json`: the fields the diagnosis uses.
struct ProbeResult
{
    QString target;
    QString source;            // the local address the probe was sent from, "" not recorded (older JSON)
    std::uint32_t pathMtu = 0; // 0: none proven
    QString pmtud;             // working, black_hole, unreachable, inconclusive
    bool limitedByMax = false;
};

/// One rule of a firewall listing with its counters and the matches the diagnosis judges.
struct FirewallRule
{
    QString family; // iptables-save: "ipv4" / "ipv6"; nft: the table's family ("ip", "ip6", "inet", ...)
    QString table, chain;
    QString text;    // the rule as listed, without its counters ("-A FORWARD -p esp -j DROP")
    QString verdict; // upper case: "DROP", "REJECT", "ACCEPT", another target, "" none
    std::uint64_t packets = 0, bytes = 0;
    bool hasCounters = false;
    int position = 0;         // iptables: 1-based index among its chain's rules
    std::int64_t handle = -1; // nft -a: the rule's handle
    int line = 0;
    QString proto;                                          // "esp", "udp", a number, "" any
    QStringList src, dst;                                   // addresses or prefixes, empty: any
    std::vector<std::pair<int, int>> sports, dports, ports; // port ranges, empty: any
    QStringList inIfaces, outIfaces; // -i / -o, iifname / oifname (iptables '+' / nft '*' wildcards)
    bool negated = false;            // a match is negated ('!' / '!=')
    QStringList other;               // matches the diagnosis does not judge
};

/// `iptables-save -c`, `ip6tables-save -c` or `nft [-a] list ruleset`.
struct FirewallRuleset
{
    QString format; // "iptables-save" or "nft"
    std::vector<FirewallRule> rules;
    /// A built-in (iptables) or base (nft) chain whose policy drops what no rule accepted; its
    /// counters (iptables-save -c) count all of that traffic, not one kind.
    struct DropPolicy
    {
        QString family, table, chain, hook; // hook: nft's ("input"), iptables: the chain name lower-cased
        std::uint64_t packets = 0, bytes = 0;
        bool hasCounters = false;
        int line = 0;
    };
    std::vector<DropPolicy> dropPolicies;
    /// nft: every base chain (one with a hook) as its `type … hook … priority …; policy …;` line
    /// names it; empty for iptables-save. Names are evidence text: validate before use.
    struct BaseChain
    {
        QString family, table, chain, hook, priority, policy; // policy "accept" / "drop", "" not listed
        int line = 0;
    };
    std::vector<BaseChain> baseChains;
};

/// `conntrack -S`: each counter summed over the CPUs ("insert_failed", "drop", "invalid", ...).
struct ConntrackCounters
{
    CounterMap counters;
};

using EvidenceData =
    std::variant<std::monostate, XfrmStat, XfrmStateList, XfrmPolicyList, LinkStatsList, EthtoolStats,
                 EthtoolFeatures, SnmpCounters, SysctlValues, SwanctlSaList, SwanctlConnList, ConfigFile,
                 CharonLog, CollectManifest, RouteListing, ProbeResult, FirewallRuleset, ConntrackCounters>;

} // namespace ikev2wb
