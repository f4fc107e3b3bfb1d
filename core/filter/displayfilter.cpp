#include "displayfilter.h"

#include "analyze/ikeexchanges.h"
#include "index/indexbuilder.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <optional>
#include <unordered_map>

namespace ikev2wb {

namespace filter_detail {

enum class Field : std::uint8_t {
    Frame,
    FrameNumber,
    FrameLen,
    FrameTimeRelative,
    Ip,
    IpSrc,
    IpDst,
    IpAddr,
    IpLen,
    IpId,
    IpFlagsDf,
    IpFlagsMf,
    IpFragOffset,
    Ipv6,
    Ipv6Src,
    Ipv6Dst,
    Ipv6Addr,
    Ipv6Plen,
    Udp,
    UdpPort,
    UdpSrcport,
    UdpDstport,
    Esp,
    EspSpi,
    EspSequence,
    Isakmp,
    IsakmpIspi,
    IsakmpRspi,
    IsakmpVersion,
    IsakmpExchangetype,
    IsakmpMessageid,
    IsakmpLength,
    IsakmpFlagR,
    IsakmpFlagI,
    IsakmpNotifyMsgtype,
    IsakmpFragNumber,
    IsakmpFragTotal,
    Icmp,
    IcmpType,
    IcmpCode,
    IcmpMtu,
    Icmpv6,
    Icmpv6Type,
    Icmpv6Code,
    Icmpv6Mtu,
    WbEspAfterGap,
    WbEspReordered,
    WbEspDuplicate,
    WbIkeRetransmission,
    WbSnapTruncated,
    WbMalformed,
    WbTimeBackwards,
    WbEspLost,
    WbCaptureDuplicate,
};

enum class Type : std::uint8_t { Unsigned, Boolean, Ipv4, Ipv6, Bytes, Time, Protocol, Flag };

struct FieldDef
{
    const char *name;
    Field field;
    Type type;
    int bits; // Unsigned: width for the literal range check
    const char *description;
};

// The table the parser looks names up in; README "Display filters" documents the same list.
const FieldDef kFields[] = {
    {"frame", Field::Frame, Type::Protocol, 0, "every frame"},
    {"frame.number", Field::FrameNumber, Type::Unsigned, 32, "packet number in the file, from 1"},
    {"frame.len", Field::FrameLen, Type::Unsigned, 32, "length on the wire"},
    {"frame.time_relative", Field::FrameTimeRelative, Type::Time, 0,
     "seconds since the first packet of the file"},
    {"ip", Field::Ip, Type::Protocol, 0, "an IPv4 header (outer, or quoted in an ICMP error)"},
    {"ip.src", Field::IpSrc, Type::Ipv4, 0, "IPv4 source (outer and quoted)"},
    {"ip.dst", Field::IpDst, Type::Ipv4, 0, "IPv4 destination (outer and quoted)"},
    {"ip.addr", Field::IpAddr, Type::Ipv4, 0, "IPv4 source or destination"},
    {"ip.len", Field::IpLen, Type::Unsigned, 16, "IPv4 total length"},
    {"ip.id", Field::IpId, Type::Unsigned, 16, "IPv4 identification"},
    {"ip.flags.df", Field::IpFlagsDf, Type::Boolean, 1, "IPv4 don't fragment"},
    {"ip.flags.mf", Field::IpFlagsMf, Type::Boolean, 1, "IPv4 more fragments"},
    {"ip.frag_offset", Field::IpFragOffset, Type::Unsigned, 13, "IPv4 fragment offset in 8-byte units"},
    {"ipv6", Field::Ipv6, Type::Protocol, 0, "an IPv6 header (outer, or quoted in an ICMPv6 error)"},
    {"ipv6.src", Field::Ipv6Src, Type::Ipv6, 0, "IPv6 source (outer and quoted)"},
    {"ipv6.dst", Field::Ipv6Dst, Type::Ipv6, 0, "IPv6 destination (outer and quoted)"},
    {"ipv6.addr", Field::Ipv6Addr, Type::Ipv6, 0, "IPv6 source or destination"},
    {"ipv6.plen", Field::Ipv6Plen, Type::Unsigned, 16, "IPv6 payload length"},
    {"udp", Field::Udp, Type::Protocol, 0, "a UDP header"},
    {"udp.port", Field::UdpPort, Type::Unsigned, 16, "UDP source or destination port"},
    {"udp.srcport", Field::UdpSrcport, Type::Unsigned, 16, "UDP source port"},
    {"udp.dstport", Field::UdpDstport, Type::Unsigned, 16, "UDP destination port"},
    {"esp", Field::Esp, Type::Protocol, 0, "ESP (IP protocol 50 or ESP-in-UDP)"},
    {"esp.spi", Field::EspSpi, Type::Unsigned, 32, "ESP SPI"},
    {"esp.sequence", Field::EspSequence, Type::Unsigned, 32, "ESP sequence number"},
    {"isakmp", Field::Isakmp, Type::Protocol, 0, "an IKE message"},
    {"isakmp.ispi", Field::IsakmpIspi, Type::Bytes, 64, "IKE initiator SPI (8 bytes)"},
    {"isakmp.rspi", Field::IsakmpRspi, Type::Bytes, 64, "IKE responder SPI (8 bytes)"},
    {"isakmp.version", Field::IsakmpVersion, Type::Unsigned, 8, "IKE version octet (0x20 IKEv2, 0x10 IKEv1)"},
    {"isakmp.exchangetype", Field::IsakmpExchangetype, Type::Unsigned, 8,
     "IKE exchange type (34 IKE_SA_INIT, ...)"},
    {"isakmp.messageid", Field::IsakmpMessageid, Type::Unsigned, 32, "IKE message ID"},
    {"isakmp.length", Field::IsakmpLength, Type::Unsigned, 32, "IKE message length from its header"},
    {"isakmp.flag_r", Field::IsakmpFlagR, Type::Boolean, 1, "IKEv2 response flag"},
    {"isakmp.flag_i", Field::IsakmpFlagI, Type::Boolean, 1, "IKEv2 initiator flag"},
    {"isakmp.notify.msgtype", Field::IsakmpNotifyMsgtype, Type::Unsigned, 16,
     "cleartext Notify message types"},
    {"isakmp.frag.number", Field::IsakmpFragNumber, Type::Unsigned, 16, "RFC 7383 fragment number"},
    {"isakmp.frag.total", Field::IsakmpFragTotal, Type::Unsigned, 16, "RFC 7383 total fragments"},
    {"icmp", Field::Icmp, Type::Protocol, 0, "an ICMPv4 header"},
    {"icmp.type", Field::IcmpType, Type::Unsigned, 8, "ICMPv4 type (also of a quoted ICMP packet)"},
    {"icmp.code", Field::IcmpCode, Type::Unsigned, 8, "ICMPv4 code"},
    {"icmp.mtu", Field::IcmpMtu, Type::Unsigned, 16, "next-hop MTU of a fragmentation-needed error"},
    {"icmpv6", Field::Icmpv6, Type::Protocol, 0, "an ICMPv6 header"},
    {"icmpv6.type", Field::Icmpv6Type, Type::Unsigned, 8, "ICMPv6 type"},
    {"icmpv6.code", Field::Icmpv6Code, Type::Unsigned, 8, "ICMPv6 code"},
    {"icmpv6.mtu", Field::Icmpv6Mtu, Type::Unsigned, 32, "MTU of a packet-too-big error"},
    {"wb.esp.after_gap", Field::WbEspAfterGap, Type::Unsigned, 32,
     "ESP packet that arrived after a gap: the sequence numbers skipped since the SA's highest so far"},
    {"wb.esp.reordered", Field::WbEspReordered, Type::Flag, 0,
     "ESP packet below its SA's highest sequence number seen so far, first seen (fills a gap)"},
    {"wb.esp.duplicate", Field::WbEspDuplicate, Type::Flag, 0,
     "ESP packet whose SPI and sequence number were already seen on the same flow"},
    {"wb.ike.retransmission", Field::WbIkeRetransmission, Type::Flag, 0,
     "IKE request sent again (the IKE exchange analysis' retransmissions, capture duplicates excluded)"},
    {"wb.snap_truncated", Field::WbSnapTruncated, Type::Flag, 0, "frame cut by the capture's snap length"},
    {"wb.malformed", Field::WbMalformed, Type::Flag, 0, "a header was inconsistent (see the warnings)"},
    {"wb.esp.lost", Field::WbEspLost, Type::Flag, 0,
     "ESP packet that never arrived at the other end of a pair (lost in transit; a pair tab only)"},
    {"wb.time_backwards", Field::WbTimeBackwards, Type::Flag, 0,
     "timestamp earlier than the previous packet's in the file (merged capture, clock stepped back)"},
    {"wb.capture_duplicate", Field::WbCaptureDuplicate, Type::Flag, 0,
     "the same IKE or ESP datagram captured again within 100 ms (same flow, non-zero IP ID, IP length "
     "and IKE header or ESP SPI and sequence number): a second copy of the capture, not of the network"},
};

const FieldDef *findField(QStringView name)
{
    for (const FieldDef &f : kFields)
        if (name == QLatin1String(f.name)) return &f;
    return nullptr;
}

enum class Op : std::uint8_t { Present, Eq, AllNe, AnyNe, AllEq, Lt, Le, Gt, Ge, In };

/// One value of a comparison or one member of an `in` set.
struct Literal
{
    std::uint64_t lo = 0; // Unsigned/Boolean: value (or range low); Time: ns as int64 bits
    std::uint64_t hi = 0; // range high (== lo for a single value)
    IpAddress addr;       // Ipv4/Ipv6 network
    int prefix = 128;     // bits of addr that count (IPv4 counted within the mapped form: 96 + n)
    std::array<std::uint8_t, 32> bytes{};
    int byteCount = 0;
};

struct Node
{
    enum Kind : std::uint8_t { And, Or, Not, Test } kind = Test;
    int left = -1;
    int right = -1;
    const FieldDef *field = nullptr;
    Op op = Op::Present;
    std::vector<Literal> values;
};

struct Program
{
    std::vector<Node> nodes;
    int root = -1;
    bool usesWb = false;
};

// ---- lexer -------------------------------------------------------------------------------------

enum class Tok : std::uint8_t {
    End,
    Word,
    String,
    LParen,
    RParen,
    LBrace,
    RBrace,
    LBracket,
    Comma,
    And,
    Or,
    Not,
    Cmp,
    In,
    Unsupported
};

struct Token
{
    Tok kind = Tok::End;
    int pos = 0;
    int len = 0;
    QString text;
    Op op = Op::Eq;
};

bool isWordChar(QChar c)
{
    return c.isLetterOrNumber() || c == u'_' || c == u'.' || c == u':' || c == u'/' || c == u'-';
}

class Lexer
{
public:
    explicit Lexer(const QString &s) : m_s(s) {}

    bool next(Token &t, FilterError *err)
    {
        while (m_i < m_s.size() && m_s[m_i].isSpace())
            ++m_i;
        t = Token{};
        t.pos = int(m_i);
        if (m_i >= m_s.size()) {
            t.kind = Tok::End;
            return true;
        }
        const QChar c = m_s[m_i];
        auto two = [&](const char *p) { return m_s.mid(m_i, qsizetype(std::strlen(p))) == QLatin1String(p); };
        auto take = [&](Tok k, int n, Op op = Op::Eq) {
            t.kind = k;
            t.len = n;
            t.op = op;
            t.text = m_s.mid(m_i, n);
            m_i += n;
            return true;
        };
        if (c == u'(') return take(Tok::LParen, 1);
        if (c == u')') return take(Tok::RParen, 1);
        if (c == u'{') return take(Tok::LBrace, 1);
        if (c == u'}') return take(Tok::RBrace, 1);
        if (c == u'[') return take(Tok::LBracket, 1);
        if (c == u',') return take(Tok::Comma, 1);
        if (two("&&")) return take(Tok::And, 2);
        if (two("||")) return take(Tok::Or, 2);
        if (two("===")) return take(Tok::Cmp, 3, Op::AllEq);
        if (two("!==")) return take(Tok::Cmp, 3, Op::AnyNe);
        if (two("==")) return take(Tok::Cmp, 2, Op::Eq);
        if (two("!=")) return take(Tok::Cmp, 2, Op::AllNe);
        if (two("~=")) return take(Tok::Cmp, 2, Op::AnyNe);
        if (two("<=")) return take(Tok::Cmp, 2, Op::Le);
        if (two(">=")) return take(Tok::Cmp, 2, Op::Ge);
        if (c == u'<') return take(Tok::Cmp, 1, Op::Lt);
        if (c == u'>') return take(Tok::Cmp, 1, Op::Gt);
        if (c == u'!') return take(Tok::Not, 1);
        if (c == u'"') {
            qsizetype j = m_i + 1;
            while (j < m_s.size() && m_s[j] != u'"')
                j += m_s[j] == u'\\' ? 2 : 1;
            if (j >= m_s.size()) {
                *err = {int(m_i), int(m_s.size() - m_i), QStringLiteral("the string is not closed with \"")};
                return false;
            }
            return take(Tok::String, int(j + 1 - m_i));
        }
        if (isWordChar(c)) {
            qsizetype j = m_i;
            while (j < m_s.size() && isWordChar(m_s[j]))
                ++j;
            take(Tok::Word, int(j - m_i));
            static const struct
            {
                const char *word;
                Tok kind;
                Op op;
            } keywords[] = {
                {"and", Tok::And, Op::Eq},
                {"or", Tok::Or, Op::Eq},
                {"not", Tok::Not, Op::Eq},
                {"eq", Tok::Cmp, Op::Eq},
                {"any_eq", Tok::Cmp, Op::Eq},
                {"ne", Tok::Cmp, Op::AllNe},
                {"all_ne", Tok::Cmp, Op::AllNe},
                {"any_ne", Tok::Cmp, Op::AnyNe},
                {"all_eq", Tok::Cmp, Op::AllEq},
                {"lt", Tok::Cmp, Op::Lt},
                {"le", Tok::Cmp, Op::Le},
                {"gt", Tok::Cmp, Op::Gt},
                {"ge", Tok::Cmp, Op::Ge},
                {"in", Tok::In, Op::Eq},
                {"contains", Tok::Unsupported, Op::Eq},
                {"matches", Tok::Unsupported, Op::Eq},
                {"bitwise_and", Tok::Unsupported, Op::Eq},
            };
            for (const auto &k : keywords) {
                if (t.text == QLatin1String(k.word)) {
                    t.kind = k.kind;
                    t.op = k.op;
                }
            }
            return true;
        }
        if (c == u'&' || c == u'~' || c == u'$' || c == u'@' || c == u'#' || c == u'+' || c == u'*' ||
            c == u'%') {
            *err = {int(m_i), 1, QStringLiteral("\"%1\" is not supported by this filter language").arg(c)};
            return false;
        }
        *err = {int(m_i), 1, QStringLiteral("\"%1\" was unexpected here").arg(c)};
        return false;
    }

private:
    const QString &m_s;
    qsizetype m_i = 0;
};

// ---- literals ----------------------------------------------------------------------------------

bool parseUnsigned(QStringView s, std::uint64_t &out, bool &overflow)
{
    overflow = false;
    int base = 10;
    if (s.size() > 2 && (s.startsWith(QLatin1String("0x")) || s.startsWith(QLatin1String("0X")))) {
        base = 16;
        s = s.mid(2);
    } else if (s.size() > 1 && s[0] == u'0') {
        base = 8; // as in Wireshark: a leading 0 means octal
        s = s.mid(1);
    }
    if (s.isEmpty()) return false;
    std::uint64_t v = 0;
    for (QChar c : s) {
        int d;
        if (c >= u'0' && c <= u'9')
            d = c.unicode() - u'0';
        else if (base == 16 && c >= u'a' && c <= u'f')
            d = c.unicode() - u'a' + 10;
        else if (base == 16 && c >= u'A' && c <= u'F')
            d = c.unicode() - u'A' + 10;
        else
            return false;
        if (d >= base) return false;
        if (v > (std::numeric_limits<std::uint64_t>::max() - std::uint64_t(d)) / std::uint64_t(base)) {
            overflow = true;
            return false;
        }
        v = v * std::uint64_t(base) + std::uint64_t(d);
    }
    out = v;
    return true;
}

// "12", "9.967384", "-0.5" → nanoseconds.
bool parseTime(QStringView s, std::int64_t &ns)
{
    bool neg = false;
    if (s.startsWith(u'-')) {
        neg = true;
        s = s.mid(1);
    }
    const qsizetype dot = s.indexOf(u'.');
    const QStringView whole = dot < 0 ? s : s.left(dot);
    const QStringView frac = dot < 0 ? QStringView() : s.mid(dot + 1);
    if (whole.isEmpty() || frac.size() > 9 || (dot >= 0 && frac.isEmpty())) return false;
    std::int64_t v = 0;
    for (QChar c : whole) {
        if (c < u'0' || c > u'9' || v > 9'000'000'000LL) return false;
        v = v * 10 + (c.unicode() - u'0');
    }
    std::int64_t f = 0;
    for (qsizetype k = 0; k < 9; ++k) {
        const QChar c = k < frac.size() ? frac[k] : QChar(u'0');
        if (c < u'0' || c > u'9') return false;
        f = f * 10 + (c.unicode() - u'0');
    }
    ns = v * 1'000'000'000LL + f;
    if (neg) ns = -ns;
    return true;
}

// "42:91:c0:fb", "42.91.c0", "42-91", "4291c0fb" → bytes.
bool parseBytes(QStringView s, Literal &lit)
{
    auto hex = [](QChar c) -> int {
        if (c >= u'0' && c <= u'9') return c.unicode() - u'0';
        if (c >= u'a' && c <= u'f') return c.unicode() - u'a' + 10;
        if (c >= u'A' && c <= u'F') return c.unicode() - u'A' + 10;
        return -1;
    };
    lit.byteCount = 0;
    const bool separated = s.contains(u':') || s.contains(u'.') || s.contains(u'-');
    qsizetype i = 0;
    while (i < s.size()) {
        if (lit.byteCount >= int(lit.bytes.size())) return false;
        const int h = hex(s[i]);
        if (h < 0) return false;
        int v = h;
        if (i + 1 < s.size() && hex(s[i + 1]) >= 0) {
            v = h * 16 + hex(s[i + 1]);
            i += 2;
        } else if (separated) {
            i += 1;
        } else {
            return false; // an odd number of digits without separators
        }
        lit.bytes[std::size_t(lit.byteCount++)] = std::uint8_t(v);
        if (i < s.size()) {
            if (!separated) continue;
            if (s[i] != u':' && s[i] != u'.' && s[i] != u'-') return false;
            if (++i >= s.size()) return false;
        }
    }
    return lit.byteCount > 0;
}

bool parseAddress(QStringView s, Type type, Literal &lit, QString &why)
{
    QStringView host = s;
    int bits = -1;
    const qsizetype slash = s.indexOf(u'/');
    const int maxBits = type == Type::Ipv4 ? 32 : 128;
    if (slash >= 0) {
        host = s.left(slash);
        bool ok = false;
        bits = s.mid(slash + 1).toInt(&ok);
        if (!ok || bits < 0) {
            why = QStringLiteral("\"%1\" is not a valid prefix length").arg(s.mid(slash + 1));
            return false;
        }
        if (bits > maxBits) {
            why = QStringLiteral("the prefix length of an %1 address is at most %2, not %3")
                      .arg(type == Type::Ipv4 ? QStringLiteral("IPv4") : QStringLiteral("IPv6"))
                      .arg(maxBits)
                      .arg(bits);
            return false;
        }
    }
    const QByteArray h = host.toLatin1();
    const auto addr = IpAddress::parse(std::string_view(h.constData(), std::size_t(h.size())));
    if (!addr || addr->v6 != (type == Type::Ipv6)) {
        why = QStringLiteral("\"%1\" is not a valid %2 address (host names are not resolved)")
                  .arg(host, type == Type::Ipv4 ? QStringLiteral("IPv4") : QStringLiteral("IPv6"));
        return false;
    }
    lit.addr = *addr;
    lit.prefix = type == Type::Ipv4 ? 96 + (bits < 0 ? 32 : bits) : (bits < 0 ? 128 : bits);
    return true;
}

// ---- parser ------------------------------------------------------------------------------------

class Parser
{
public:
    Parser(const QString &text, Program &prog, FilterError &err)
        : m_text(text), m_lex(text), m_prog(prog), m_err(err)
    {
    }

    bool run()
    {
        if (!advance()) return false;
        const int root = parseOr();
        if (root < 0) return false;
        if (m_tok.kind != Tok::End) return unexpected();
        m_prog.root = root;
        return true;
    }

private:
    bool advance() { return m_lex.next(m_tok, &m_err); }

    bool fail(int pos, int len, QString msg)
    {
        m_err = {pos, len, std::move(msg)};
        return false;
    }

    bool unexpected()
    {
        if (m_tok.kind == Tok::End)
            return fail(int(m_text.size()), 0, QStringLiteral("unexpected end of the filter expression"));
        return fail(m_tok.pos, m_tok.len, QStringLiteral("\"%1\" was unexpected here").arg(m_tok.text));
    }

    int add(Node n)
    {
        m_prog.nodes.push_back(std::move(n));
        return int(m_prog.nodes.size()) - 1;
    }

    int binary(Node::Kind k, int l, int r)
    {
        Node n;
        n.kind = k;
        n.left = l;
        n.right = r;
        return add(std::move(n));
    }

    int parseOr()
    {
        int l = parseAnd();
        while (l >= 0 && m_tok.kind == Tok::Or) {
            if (!advance()) return -1;
            const int r = parseAnd();
            if (r < 0) return -1;
            l = binary(Node::Or, l, r);
        }
        return l;
    }

    int parseAnd()
    {
        int l = parseNot();
        while (l >= 0 && m_tok.kind == Tok::And) {
            if (!advance()) return -1;
            const int r = parseNot();
            if (r < 0) return -1;
            l = binary(Node::And, l, r);
        }
        return l;
    }

    int parseNot()
    {
        if (m_tok.kind == Tok::Not) {
            if (++m_depth > 256) return fail(m_tok.pos, m_tok.len, QStringLiteral("nested too deeply")), -1;
            if (!advance()) return -1;
            const int inner = parseNot();
            --m_depth;
            if (inner < 0) return -1;
            return binary(Node::Not, inner, -1);
        }
        return parsePrimary();
    }

    int parsePrimary()
    {
        if (m_tok.kind == Tok::LParen) {
            const int open = m_tok.pos;
            if (++m_depth > 256) return fail(open, 1, QStringLiteral("nested too deeply")), -1;
            if (!advance()) return -1;
            const int inner = parseOr();
            if (inner < 0) return -1;
            if (m_tok.kind != Tok::RParen) {
                if (m_tok.kind == Tok::End)
                    return fail(open, 1, QStringLiteral("the parenthesis opened here is not closed")), -1;
                return unexpected(), -1;
            }
            --m_depth;
            if (!advance()) return -1;
            return inner;
        }
        if (m_tok.kind == Tok::End) return unexpected(), -1;
        if (m_tok.kind != Tok::Word) return unexpected(), -1;
        const FieldDef *f = findField(m_tok.text);
        if (!f) {
            const QChar c0 = m_tok.text[0];
            if (c0.isDigit())
                return fail(m_tok.pos, m_tok.len,
                            QStringLiteral("a filter starts with a field name, not the value \"%1\"")
                                .arg(m_tok.text)),
                       -1;
            return fail(m_tok.pos, m_tok.len,
                        QStringLiteral("%1 is neither a field nor a protocol name this filter knows")
                            .arg(m_tok.text)),
                   -1;
        }
        const Token fieldTok = m_tok;
        if (!advance()) return -1;
        Node n;
        n.kind = Node::Test;
        n.field = f;
        if (f->name[0] == 'w' && f->name[1] == 'b' && f->name[2] == '.') m_prog.usesWb = true;
        if (m_tok.kind == Tok::LBracket || m_tok.kind == Tok::Unsupported)
            return fail(m_tok.pos, m_tok.len,
                        QStringLiteral("\"%1\" is not supported by this filter language").arg(m_tok.text)),
                   -1;
        if (m_tok.kind == Tok::Cmp) {
            n.op = m_tok.op;
            const Token opTok = m_tok;
            if (!advance()) return -1;
            if (!checkComparable(f, fieldTok, opTok)) return -1;
            Literal lit;
            if (!parseValue(f, n.op, lit)) return -1;
            n.values.push_back(lit);
            if (!advance()) return -1;
        } else if (m_tok.kind == Tok::In) {
            n.op = Op::In;
            const Token opTok = m_tok;
            if (!advance()) return -1;
            if (!checkComparable(f, fieldTok, opTok)) return -1;
            if (m_tok.kind != Tok::LBrace) return unexpected(), -1;
            if (!advance()) return -1;
            for (;;) {
                Literal lit;
                if (!parseValue(f, Op::In, lit)) return -1;
                n.values.push_back(lit);
                if (!advance()) return -1;
                if (m_tok.kind == Tok::RBrace) break;
                if (m_tok.kind != Tok::Comma) return unexpected(), -1;
                if (!advance()) return -1;
            }
            if (!advance()) return -1;
        } else {
            n.op = Op::Present;
        }
        return add(std::move(n));
    }

    bool checkComparable(const FieldDef *f, const Token &fieldTok, const Token &opTok)
    {
        if (f->type == Type::Protocol || f->type == Type::Flag)
            return fail(fieldTok.pos, opTok.pos + opTok.len - fieldTok.pos,
                        QStringLiteral("%1 can only be tested for presence (write just \"%1\")")
                            .arg(QLatin1String(f->name)));
        return true;
    }

    // The current token is the value; it stays current.
    bool parseValue(const FieldDef *f, Op op, Literal &lit)
    {
        if (m_tok.kind == Tok::End) return unexpected();
        if (m_tok.kind == Tok::String)
            return fail(m_tok.pos, m_tok.len,
                        QStringLiteral("%1 is compared with a number or address, not a string")
                            .arg(QLatin1String(f->name)));
        if (m_tok.kind != Tok::Word) return unexpected();
        if (findField(m_tok.text))
            return fail(m_tok.pos, m_tok.len,
                        QStringLiteral(
                            "comparing a field with another field is not supported; compare with a value"));
        const QString &s = m_tok.text;
        const int pos = m_tok.pos;
        const int len = m_tok.len;
        const QString name = QLatin1String(f->name);
        switch (f->type) {
        case Type::Unsigned:
        case Type::Boolean: {
            QStringView lo = s;
            QStringView hi;
            const qsizetype dots = s.indexOf(QLatin1String(".."));
            if (dots >= 0) {
                if (op != Op::In)
                    return fail(pos, len,
                                QStringLiteral("a range \"%1\" is only allowed inside in {…}").arg(s));
                lo = QStringView(s).left(dots);
                hi = QStringView(s).mid(dots + 2);
            }
            auto one = [&](QStringView v, std::uint64_t &out) {
                if (f->type == Type::Boolean && (v == QLatin1String("True") || v == QLatin1String("False"))) {
                    out = v == QLatin1String("True") ? 1 : 0;
                    return true;
                }
                bool overflow = false;
                if (!parseUnsigned(v, out, overflow)) {
                    if (overflow)
                        return fail(pos, len, QStringLiteral("\"%1\" causes an integer overflow").arg(v));
                    return fail(pos, len, QStringLiteral("\"%1\" is not a valid number").arg(v));
                }
                if (f->type == Type::Boolean) {
                    out = out != 0 ? 1 : 0; // as Wireshark: any non-zero value means set
                    return true;
                }
                const std::uint64_t max = f->bits >= 64 ? ~0ULL : (std::uint64_t(1) << f->bits) - 1;
                if (out > max)
                    return fail(pos, len,
                                QStringLiteral("\"%1\" is too big for %2, maximum %3").arg(v, name).arg(max));
                return true;
            };
            if (!one(lo, lit.lo)) return false;
            lit.hi = lit.lo;
            if (dots >= 0 && !one(hi, lit.hi)) return false;
            return true;
        }
        case Type::Time: {
            std::int64_t lo = 0;
            std::int64_t hi = 0;
            const qsizetype dots = s.indexOf(QLatin1String(".."));
            if (dots >= 0 && op != Op::In)
                return fail(pos, len, QStringLiteral("a range \"%1\" is only allowed inside in {…}").arg(s));
            const QStringView a = dots >= 0 ? QStringView(s).left(dots) : QStringView(s);
            if (!parseTime(a, lo))
                return fail(pos, len, QStringLiteral("\"%1\" is not a valid time in seconds").arg(a));
            hi = lo;
            if (dots >= 0 && !parseTime(QStringView(s).mid(dots + 2), hi))
                return fail(pos, len,
                            QStringLiteral("\"%1\" is not a valid time in seconds")
                                .arg(QStringView(s).mid(dots + 2)));
            lit.lo = std::uint64_t(lo);
            lit.hi = std::uint64_t(hi);
            return true;
        }
        case Type::Ipv4:
        case Type::Ipv6: {
            QString why;
            if (!parseAddress(s, f->type, lit, why)) return fail(pos, len, why);
            const bool network = f->type == Type::Ipv4 ? lit.prefix < 128 : lit.prefix < 128;
            if (network && op != Op::Eq && op != Op::AllNe && op != Op::AnyNe && op != Op::AllEq &&
                op != Op::In)
                return fail(pos, len,
                            QStringLiteral("a network \"%1\" can only be tested with == != or in").arg(s));
            return true;
        }
        case Type::Bytes:
            if (!parseBytes(s, lit))
                return fail(pos, len,
                            QStringLiteral("\"%1\" is not a valid byte string (like 42:91:c0:fb)").arg(s));
            return true;
        case Type::Protocol:
        case Type::Flag:
            break;
        }
        return unexpected();
    }

    const QString &m_text;
    Lexer m_lex;
    Program &m_prog;
    FilterError &m_err;
    Token m_tok;
    int m_depth = 0;
};

} // namespace filter_detail

using namespace filter_detail;

QString FilterError::toString() const
{
    return QStringLiteral("character %1: %2").arg(position + 1).arg(message);
}

const std::vector<FilterFieldInfo> &displayFilterFields()
{
    static const std::vector<FilterFieldInfo> list = [] {
        std::vector<FilterFieldInfo> out;
        for (const FieldDef &f : kFields) {
            const char *t = "unsigned";
            switch (f.type) {
            case Type::Unsigned:
                t = "unsigned";
                break;
            case Type::Boolean:
                t = "boolean";
                break;
            case Type::Ipv4:
                t = "IPv4";
                break;
            case Type::Ipv6:
                t = "IPv6";
                break;
            case Type::Bytes:
                t = "bytes";
                break;
            case Type::Time:
                t = "time";
                break;
            case Type::Protocol:
                t = "protocol";
                break;
            case Type::Flag:
                t = "flag";
                break;
            }
            out.push_back({f.name, t, f.description});
        }
        return out;
    }();
    return list;
}

DisplayFilter DisplayFilter::compile(const QString &text, FilterError *error)
{
    DisplayFilter out;
    out.m_text = text;
    if (text.trimmed().isEmpty()) return out;
    auto prog = std::make_shared<Program>();
    FilterError err;
    Parser parser(text, *prog, err);
    if (!parser.run()) {
        out.m_valid = false;
        if (error) *error = err;
        return out;
    }
    out.m_program = std::move(prog);
    return out;
}

bool DisplayFilter::usesWorkbenchFields() const
{
    return m_program && m_program->usesWb;
}

// ---- evaluation --------------------------------------------------------------------------------

namespace {

constexpr std::size_t kMaxValues = 24;

/// The values one field has in one packet (a field may occur several times: an ICMP error's
/// quoted header, both addresses for ip.addr, several notifies).
struct Values
{
    int n = 0;
    std::array<std::uint64_t, kMaxValues> u{};
    std::array<const IpAddress *, kMaxValues> a{};
    void add(std::uint64_t v)
    {
        if (n < int(kMaxValues)) u[std::size_t(n++)] = v;
    }
    void addAddr(const IpAddress &x)
    {
        if (n < int(kMaxValues)) a[std::size_t(n++)] = &x;
    }
};

enum WbBits : std::uint8_t {
    WbReordered = 1,
    WbDuplicate = 2,
    WbRetransmission = 4,
    WbAfterGap = 8,
    WbCaptureDup = 16,
};

bool inPrefix(const IpAddress &x, const Literal &lit)
{
    int bits = lit.prefix;
    for (std::size_t k = 0; k < 16 && bits > 0; ++k, bits -= 8) {
        const std::uint8_t mask = bits >= 8 ? 0xff : std::uint8_t(0xff << (8 - bits));
        if ((x.bytes[k] & mask) != (lit.addr.bytes[k] & mask)) return false;
    }
    return true;
}

int compareBytes(std::uint64_t v, const Literal &lit)
{
    std::uint8_t b[8];
    for (int k = 0; k < 8; ++k)
        b[k] = std::uint8_t(v >> (56 - 8 * k));
    const int n = std::min(8, lit.byteCount);
    for (int k = 0; k < n; ++k)
        if (b[k] != lit.bytes[std::size_t(k)]) return b[k] < lit.bytes[std::size_t(k)] ? -1 : 1;
    return 8 == lit.byteCount ? 0 : (8 < lit.byteCount ? -1 : 1);
}

} // namespace

struct FilterEvaluator::Context
{
    const CaptureIndex &index;
    FilterPairing pair;
    std::int64_t t0 = 0;
    // Frame that completed an IP reassembly → the packet holding the datagram's first fragment
    // (where the index keeps the transport and IKE facts). tshark shows the transport layer
    // in the completing frame only.
    std::unordered_map<std::uint64_t, std::uint64_t> completedBy;
    std::vector<std::uint8_t> wb;                         // WbBits per packet (only when used)
    std::unordered_map<std::uint64_t, std::uint32_t> gap; // packet → sequence numbers skipped

    explicit Context(const CaptureIndex &i) : index(i) {}

    void buildReassembly()
    {
        const auto &pk = index.packets;
        for (const FragmentedDatagram &d : index.fragmentedDatagrams) {
            if (d.outcome != FragmentedDatagram::Outcome::Complete || d.lastPacket >= pk.size()) continue;
            // The first fragment (offset 0) lies between the first and last fragment seen.
            for (std::uint64_t p = d.firstPacket; p <= d.lastPacket && p < pk.size(); ++p) {
                const PacketRecord &r = pk[std::size_t(p)];
                if (!(r.flags & FlagFragment) || r.kind == PacketKind::Fragment) continue;
                if (r.ipId != std::uint16_t(d.id) || r.flowId == kNoFlow) continue;
                const Flow &fl = index.flows[r.flowId];
                if (fl.src != d.src || fl.dst != d.dst) continue;
                completedBy[d.lastPacket] = p;
                break;
            }
        }
    }

    void buildWorkbenchFacts()
    {
        const auto &pk = index.packets;
        wb.assign(pk.size(), 0);
        struct SaState
        {
            std::uint32_t top = 0;
            bool any = false;
            std::vector<std::uint64_t> seen;      // bitmap of the last kWindow numbers below top
            std::array<std::size_t, 16> recent{}; // the SA's last packets, for capture duplicates
            std::size_t recentCount = 0;
        };
        // The IKE exchange analysis' rule (isCaptureDuplicate) applied to ESP: an earlier packet
        // of the SA among its last 16 with the same sequence number, non-zero IP ID and IP length,
        // at most kCaptureDuplicateWindowNs before.
        auto captureCopy = [&](const SaState &s, const PacketRecord &r) {
            if (r.ipId == 0) return false;
            const std::size_t n = std::min(s.recentCount, s.recent.size());
            for (std::size_t k = 0; k < n; ++k) {
                const PacketRecord &o = pk[s.recent[(s.recentCount - 1 - k) % s.recent.size()]];
                if (r.tsNs - o.tsNs > kCaptureDuplicateWindowNs) break;
                if (o.seq() == r.seq() && o.ipId == r.ipId && o.ipLength == r.ipLength) return true;
            }
            return false;
        };
        auto remember = [](SaState &s, std::size_t i) { s.recent[s.recentCount++ % s.recent.size()] = i; };
        constexpr std::uint32_t kWindow = 1u << 16;
        std::unordered_map<std::uint64_t, SaState> sas;
        auto bit = [&](SaState &s, std::uint32_t seq) -> bool {
            // Sets the bit of seq; returns whether it was set.
            const std::uint32_t k = seq % kWindow;
            std::uint64_t &w = s.seen[k / 64];
            const std::uint64_t m = std::uint64_t(1) << (k % 64);
            const bool was = (w & m) != 0;
            w |= m;
            return was;
        };
        for (std::size_t i = 0; i < pk.size(); ++i) {
            const PacketRecord &r = pk[i];
            if (!r.isEsp()) continue;
            SaState &s = sas[(std::uint64_t(r.spi()) << 32) | r.flowId];
            const std::uint32_t seq = r.seq();
            if (!s.any) {
                s.any = true;
                s.seen.assign(kWindow / 64, 0);
                s.top = seq;
                bit(s, seq);
                remember(s, i);
                continue;
            }
            if (seq > s.top) {
                const std::uint32_t skipped = seq - s.top - 1;
                // Clear the bits the window slides over.
                const std::uint32_t clear = std::min<std::uint32_t>(seq - s.top, kWindow);
                for (std::uint32_t k = 1; k <= clear; ++k) {
                    const std::uint32_t b = (s.top + k) % kWindow;
                    s.seen[b / 64] &= ~(std::uint64_t(1) << (b % 64));
                }
                if (skipped > 0) {
                    wb[i] |= WbAfterGap;
                    gap[i] = skipped;
                }
                s.top = seq;
                bit(s, seq);
            } else if (s.top - seq >= kWindow) {
                // Too old to tell a duplicate from a late packet: neither.
            } else if (bit(s, seq)) {
                wb[i] |= WbDuplicate;
                if (captureCopy(s, r)) wb[i] |= WbCaptureDup;
            } else {
                wb[i] |= WbReordered;
            }
            remember(s, i);
        }
        const IkeExchangeAnalysis ike = analyzeIkeExchanges(index);
        for (const IkeSaExchanges &sa : ike.ikeSas)
            for (const IkeExchange &e : sa.exchanges)
                for (const IkeRetransmission &rt : e.retransmissions)
                    if (rt.message < index.ikeMessages.size()) {
                        const std::uint64_t p = index.ikeMessages[rt.message].packet;
                        if (p < wb.size()) wb[std::size_t(p)] |= WbRetransmission;
                    }
        for (const IkeSaExchanges &sa : ike.ikeSas)
            for (const std::size_t m : sa.captureDuplicateMessages)
                if (m < index.ikeMessages.size()) {
                    const std::uint64_t p = index.ikeMessages[m].packet;
                    if (p < wb.size()) wb[std::size_t(p)] |= WbCaptureDup;
                }
    }

    // The record whose transport-layer facts frame `i` shows, or nullptr when tshark would
    // show none (a fragment whose datagram completes in another frame or never).
    std::optional<PacketRecord> upper(std::size_t i) const
    {
        const PacketRecord r = index.packets[i];
        if (!(r.flags & FlagFragment)) return r;
        if (!completedBy.empty()) {
            auto it = completedBy.find(i);
            if (it != completedBy.end()) return index.packets[std::size_t(it->second)];
        }
        // Not reassembled: Wireshark dissects a first fragment's payload only when the capture
        // cut it (it does not try to reassemble what it does not have).
        if (r.kind != PacketKind::Fragment && (r.flags & FlagSnapTruncated)) return r;
        return std::nullopt;
    }

    static const PacketRecord *optionalPtr(const std::optional<PacketRecord> &r) { return r ? &*r : nullptr; }

    const Flow *flowOf(const PacketRecord &r) const
    {
        return r.flowId != kNoFlow && r.flowId < index.flows.size() ? &index.flows[r.flowId] : nullptr;
    }

    const IcmpError *icmpError(const PacketRecord *u) const
    {
        if (!u) return nullptr;
        if (u->kind != PacketKind::IcmpNeedFrag && u->kind != PacketKind::Icmp6TooBig &&
            u->kind != PacketKind::IcmpUnreachable)
            return nullptr;
        return u->a < index.icmpErrors.size() ? &index.icmpErrors[u->a] : nullptr;
    }

    const IkeMessage *ike(const PacketRecord *u) const
    {
        if (!u || !u->isIke() || u->kind == PacketKind::IkeTcp) return nullptr;
        return u->a < index.ikeMessages.size() ? &index.ikeMessages[u->a] : nullptr;
    }

    // The quoted header of an ICMP error, when it is of the family the error's own IP version
    // carries (ICMPv4 quotes IPv4, ICMPv6 quotes IPv6).
    const PacketFacts::Quoted *quoted(const PacketRecord *u, bool v6) const
    {
        const IcmpError *e = icmpError(u);
        if (!e || !e->quoted.present || e->quoted.src.v6 != v6) return nullptr;
        if (((u->flags & FlagIpv6) != 0) != v6) return nullptr;
        return &e->quoted;
    }

    // Outer addresses, then the quoted header's (an ICMP error's quote is a second IP header).
    static void addAddresses(bool src, bool dst, const Flow &fl, const PacketFacts::Quoted *q, Values &v)
    {
        if (src) v.addAddr(fl.src);
        if (dst) v.addAddr(fl.dst);
        if (q && src) v.addAddr(q->src);
        if (q && dst) v.addAddr(q->dst);
    }

    void extract(Field f, std::size_t i, Values &v) const
    {
        const PacketRecord &r = index.packets[i];
        const Flow *fl = flowOf(r);
        const bool v6 = (r.flags & FlagIpv6) != 0;
        const bool ip4 = fl && !v6;
        const bool ip6 = fl && v6;
        switch (f) {
        case Field::Frame:
            v.add(1);
            return;
        case Field::FrameNumber:
            v.add(i + 1);
            return;
        case Field::FrameLen:
            v.add(r.frameLength);
            return;
        case Field::FrameTimeRelative:
            v.add(std::uint64_t(r.tsNs - t0));
            return;
        case Field::Ip:
        case Field::IpSrc:
        case Field::IpDst:
        case Field::IpAddr:
        case Field::IpLen:
        case Field::IpId:
        case Field::IpFlagsDf:
        case Field::IpFlagsMf:
        case Field::IpFragOffset: {
            if (!ip4) return;
            const PacketFacts::Quoted *q = quoted(optionalPtr(upper(i)), false);
            switch (f) {
            case Field::Ip:
                v.add(1);
                break;
            case Field::IpSrc:
                addAddresses(true, false, *fl, q, v);
                break;
            case Field::IpDst:
                addAddresses(false, true, *fl, q, v);
                break;
            case Field::IpAddr:
                addAddresses(true, true, *fl, q, v);
                break;
            case Field::IpLen:
                v.add(r.ipLength);
                if (q) v.add(q->totalLen);
                break;
            case Field::IpId:
                v.add(r.ipId);
                if (q) v.add(q->ipId);
                break;
            case Field::IpFlagsDf:
                v.add((r.flags & FlagDontFragment) ? 1 : 0);
                if (q) v.add(q->df ? 1 : 0);
                break;
            case Field::IpFlagsMf:
                v.add((r.flags & FlagMoreFragments) ? 1 : 0);
                if (q) v.add(q->mf ? 1 : 0);
                break;
            case Field::IpFragOffset:
                v.add(r.kind == PacketKind::Fragment ? r.a / 8 : 0);
                if (q) v.add(q->fragOffset / 8u);
                break;
            default:
                break;
            }
            return;
        }
        case Field::Ipv6:
        case Field::Ipv6Src:
        case Field::Ipv6Dst:
        case Field::Ipv6Addr:
        case Field::Ipv6Plen: {
            if (!ip6) return;
            const PacketFacts::Quoted *q = quoted(optionalPtr(upper(i)), true);
            switch (f) {
            case Field::Ipv6:
                v.add(1);
                break;
            case Field::Ipv6Src:
                addAddresses(true, false, *fl, q, v);
                break;
            case Field::Ipv6Dst:
                addAddresses(false, true, *fl, q, v);
                break;
            case Field::Ipv6Addr:
                addAddresses(true, true, *fl, q, v);
                break;
            case Field::Ipv6Plen:
                v.add(r.ipLength >= 40 ? r.ipLength - 40u : 0u);
                if (q) v.add(q->totalLen >= 40 ? q->totalLen - 40u : 0u);
                break;
            default:
                break;
            }
            return;
        }
        default:
            break;
        }

        // Transport and above: from the frame that shows them.
        if (!fl) return;
        const std::optional<PacketRecord> upperRecord = upper(i);
        const PacketRecord *u = optionalPtr(upperRecord);
        const Flow *ufl = u ? flowOf(*u) : nullptr;
        const PacketFacts::Quoted *q = u ? quoted(u, v6) : nullptr;
        const bool qTransport = q && q->fragOffset == 0;
        switch (f) {
        case Field::Udp:
        case Field::UdpPort:
        case Field::UdpSrcport:
        case Field::UdpDstport: {
            const bool own = ufl && ufl->proto == 17;
            const bool inQuote = qTransport && q->proto == 17;
            if (f == Field::Udp) {
                if (own || inQuote) v.add(1);
                return;
            }
            if (own) {
                if (f != Field::UdpDstport) v.add(ufl->srcPort);
                if (f != Field::UdpSrcport) v.add(ufl->dstPort);
            }
            if (inQuote) {
                if (f != Field::UdpDstport) v.add(q->srcPort);
                if (f != Field::UdpSrcport) v.add(q->dstPort);
            }
            return;
        }
        case Field::Esp:
        case Field::EspSpi:
        case Field::EspSequence: {
            if (u && u->isEsp()) {
                v.add(f == Field::EspSpi ? u->spi() : (f == Field::EspSequence ? u->seq() : 1));
            }
            if (qTransport && (u->flags & FlagQuotedEsp))
                v.add(f == Field::EspSpi ? q->spi : (f == Field::EspSequence ? q->seq : 1));
            return;
        }
        case Field::Isakmp:
        case Field::IsakmpIspi:
        case Field::IsakmpRspi:
        case Field::IsakmpVersion:
        case Field::IsakmpExchangetype:
        case Field::IsakmpMessageid:
        case Field::IsakmpLength:
        case Field::IsakmpFlagR:
        case Field::IsakmpFlagI:
        case Field::IsakmpNotifyMsgtype:
        case Field::IsakmpFragNumber:
        case Field::IsakmpFragTotal: {
            const IkeMessage *m = ike(u);
            if (!m) return;
            const IkeHeader &h = m->header;
            switch (f) {
            case Field::Isakmp:
                v.add(1);
                break;
            case Field::IsakmpIspi:
                v.add(h.initiatorSpi);
                break;
            case Field::IsakmpRspi:
                v.add(h.responderSpi);
                break;
            case Field::IsakmpVersion:
                v.add(h.version);
                break;
            case Field::IsakmpExchangetype:
                v.add(h.exchange);
                break;
            case Field::IsakmpMessageid:
                v.add(h.messageId);
                break;
            case Field::IsakmpLength:
                v.add(h.length);
                break;
            case Field::IsakmpFlagR:
                if (h.majorVersion() == 2) v.add((h.flags & 0x20) ? 1 : 0);
                break;
            case Field::IsakmpFlagI:
                if (h.majorVersion() == 2) v.add((h.flags & 0x08) ? 1 : 0);
                break;
            case Field::IsakmpNotifyMsgtype: {
                const int n = std::min<int>(m->payloads.notifyCount, IkePayloadSummary::MaxNotifies);
                for (int k = 0; k < n; ++k)
                    v.add(m->payloads.notifies[std::size_t(k)]);
                break;
            }
            case Field::IsakmpFragNumber:
                if (m->payloads.hasSkf) v.add(m->payloads.fragmentNumber);
                break;
            case Field::IsakmpFragTotal:
                if (m->payloads.hasSkf) v.add(m->payloads.totalFragments);
                break;
            default:
                break;
            }
            return;
        }
        case Field::Icmp:
        case Field::IcmpType:
        case Field::IcmpCode:
        case Field::IcmpMtu:
        case Field::Icmpv6:
        case Field::Icmpv6Type:
        case Field::Icmpv6Code:
        case Field::Icmpv6Mtu: {
            const bool want6 = f == Field::Icmpv6 || f == Field::Icmpv6Type || f == Field::Icmpv6Code ||
                               f == Field::Icmpv6Mtu;
            if (want6 != v6 || !u || !ufl || ufl->proto != (v6 ? 58 : 1)) return;
            std::uint8_t type = 0;
            std::uint8_t code = 0;
            std::uint32_t mtu = 0;
            if (const IcmpError *e = icmpError(u)) {
                type = e->type;
                code = e->code;
                mtu = e->mtu;
            } else if (u->kind == PacketKind::Other) {
                type = u->aux;
                code = std::uint8_t(u->a);
            } else {
                return;
            }
            const bool quotedIcmp = qTransport && q->proto == (v6 ? 58 : 1);
            switch (f) {
            case Field::Icmp:
            case Field::Icmpv6:
                v.add(1);
                break;
            case Field::IcmpType:
            case Field::Icmpv6Type:
                v.add(type);
                if (quotedIcmp) v.add(q->icmpType);
                break;
            case Field::IcmpCode:
            case Field::Icmpv6Code:
                v.add(code);
                if (quotedIcmp) v.add(q->icmpCode);
                break;
            case Field::IcmpMtu:
                if (type == 3 && code == 4) v.add(mtu);
                break;
            case Field::Icmpv6Mtu:
                if (type == 2) v.add(mtu);
                break;
            default:
                break;
            }
            return;
        }
        default:
            return;
        }
    }

    void extractWb(Field f, std::size_t i, Values &v) const
    {
        const PacketRecord &r = index.packets[i];
        switch (f) {
        case Field::WbSnapTruncated:
            if (r.flags & FlagSnapTruncated) v.add(1);
            return;
        case Field::WbMalformed:
            if ((r.flags & FlagMalformed) || r.kind == PacketKind::Malformed) v.add(1);
            return;
        case Field::WbTimeBackwards:
            if (r.flags & FlagTimeBackwards) v.add(1);
            return;
        case Field::WbEspLost:
            if (pair.pairing && r.isEsp())
                if (const PacketPeer *p = pair.pairing->find(pair.side, i);
                    p && p->fate == PacketFate::LostInTransit)
                    v.add(1);
            return;
        default:
            break;
        }
        if (wb.empty()) return;
        const std::uint8_t b = wb[i];
        switch (f) {
        case Field::WbEspAfterGap:
            if (b & WbAfterGap) v.add(gap.at(i));
            return;
        case Field::WbEspReordered:
            if (b & WbReordered) v.add(1);
            return;
        case Field::WbEspDuplicate:
            if (b & WbDuplicate) v.add(1);
            return;
        case Field::WbIkeRetransmission:
            if (b & WbRetransmission) v.add(1);
            return;
        case Field::WbCaptureDuplicate:
            if (b & WbCaptureDup) v.add(1);
            return;
        default:
            return;
        }
    }

    bool test(const Node &n, std::size_t i) const
    {
        Values v;
        if (n.field->field >= Field::WbEspAfterGap)
            extractWb(n.field->field, i, v);
        else
            extract(n.field->field, i, v);
        if (n.op == Op::Present) return v.n > 0;
        if (v.n == 0) return false;
        const Type type = n.field->type;
        auto cmp = [&](int k, const Literal &lit) -> int {
            // <0, 0, >0 of value k against the literal's low end
            switch (type) {
            case Type::Time: {
                const auto a = std::int64_t(v.u[std::size_t(k)]);
                const auto b = std::int64_t(lit.lo);
                return a < b ? -1 : (a > b ? 1 : 0);
            }
            case Type::Bytes:
                return compareBytes(v.u[std::size_t(k)], lit);
            case Type::Ipv4:
            case Type::Ipv6: {
                const IpAddress &x = *v.a[std::size_t(k)];
                if (lit.prefix < 128) return inPrefix(x, lit) ? 0 : 1;
                return x.bytes < lit.addr.bytes ? -1 : (x.bytes > lit.addr.bytes ? 1 : 0);
            }
            default: {
                const std::uint64_t a = v.u[std::size_t(k)];
                return a < lit.lo ? -1 : (a > lit.lo ? 1 : 0);
            }
            }
        };
        auto inRange = [&](int k, const Literal &lit) -> bool {
            if (type == Type::Ipv4 || type == Type::Ipv6 || type == Type::Bytes) return cmp(k, lit) == 0;
            if (type == Type::Time) {
                const auto a = std::int64_t(v.u[std::size_t(k)]);
                return a >= std::int64_t(lit.lo) && a <= std::int64_t(lit.hi);
            }
            return v.u[std::size_t(k)] >= lit.lo && v.u[std::size_t(k)] <= lit.hi;
        };
        const Literal &lit = n.values.front();
        switch (n.op) {
        case Op::Eq:
            for (int k = 0; k < v.n; ++k)
                if (cmp(k, lit) == 0) return true;
            return false;
        case Op::AllNe:
            for (int k = 0; k < v.n; ++k)
                if (cmp(k, lit) == 0) return false;
            return true;
        case Op::AnyNe:
            for (int k = 0; k < v.n; ++k)
                if (cmp(k, lit) != 0) return true;
            return false;
        case Op::AllEq:
            for (int k = 0; k < v.n; ++k)
                if (cmp(k, lit) != 0) return false;
            return true;
        case Op::Lt:
        case Op::Le:
        case Op::Gt:
        case Op::Ge:
            for (int k = 0; k < v.n; ++k) {
                const int c = cmp(k, lit);
                if ((n.op == Op::Lt && c < 0) || (n.op == Op::Le && c <= 0) || (n.op == Op::Gt && c > 0) ||
                    (n.op == Op::Ge && c >= 0))
                    return true;
            }
            return false;
        case Op::In:
            for (int k = 0; k < v.n; ++k)
                for (const Literal &l : n.values)
                    if (inRange(k, l)) return true;
            return false;
        case Op::Present:
            break;
        }
        return false;
    }

    bool eval(const Program &p, int node, std::size_t i) const
    {
        const Node &n = p.nodes[std::size_t(node)];
        switch (n.kind) {
        case Node::And:
            return eval(p, n.left, i) && eval(p, n.right, i);
        case Node::Or:
            return eval(p, n.left, i) || eval(p, n.right, i);
        case Node::Not:
            return !eval(p, n.left, i);
        case Node::Test:
            return test(n, i);
        }
        return false;
    }
};

FilterEvaluator::FilterEvaluator(const DisplayFilter &filter, const CaptureIndex &index, FilterPairing pair)
    : m_filter(filter), m_ctx(std::make_unique<Context>(index))
{
    m_ctx->pair = pair;
    if (!index.packets.empty()) m_ctx->t0 = index.packets[0].tsNs;
    if (!m_filter.program()) return;
    m_ctx->buildReassembly();
    if (m_filter.usesWorkbenchFields()) m_ctx->buildWorkbenchFacts();
}

FilterEvaluator::~FilterEvaluator() = default;

bool FilterEvaluator::matches(std::size_t packet) const
{
    const Program *p = m_filter.program();
    if (!m_filter.isValid()) return false;
    if (!p) return true;
    return m_ctx->eval(*p, p->root, packet);
}

std::vector<std::uint32_t> selectPackets(const DisplayFilter &filter, const CaptureIndex &index,
                                         const std::atomic_bool *cancel, bool *cancelled, FilterPairing pair)
{
    std::vector<std::uint32_t> out;
    if (cancelled) *cancelled = false;
    if (!filter.isValid()) return out;
    const FilterEvaluator ev(filter, index, pair);
    const std::size_t n = index.packets.size();
    for (std::size_t i = 0; i < n; ++i) {
        if ((i & 0xffff) == 0 && cancel && cancel->load(std::memory_order_relaxed)) {
            if (cancelled) *cancelled = true;
            return out;
        }
        if (ev.matches(i)) out.push_back(static_cast<std::uint32_t>(i));
    }
    return out;
}

} // namespace ikev2wb
