#include "ikepayloads.h"

#include "ikeconstants.h"

#include <algorithm>

namespace ikev2wb {

bool IkePayloadSummary::hasNotify(std::uint16_t type) const
{
    const int n = std::min<int>(notifyCount, MaxNotifies);
    return std::find(notifies.begin(), notifies.begin() + n, type) != notifies.begin() + n;
}

bool IkePayloadSummary::hasPayload(std::uint8_t type) const
{
    const int n = std::min<int>(payloadCount, MaxPayloads);
    return std::find(payloads.begin(), payloads.begin() + n, type) != payloads.begin() + n;
}

std::uint16_t IkePayloadSummary::firstErrorNotify() const
{
    const int n = std::min<int>(notifyCount, MaxNotifies);
    for (int i = 0; i < n; ++i)
        if (ike::isErrorNotify(notifies[std::size_t(i)])) return notifies[std::size_t(i)];
    return 0;
}

bool parseIkeHeader(ByteView b, IkeHeader &h)
{
    if (!b.has(0, 28)) return false;
    const std::uint8_t version = *b.u8(17);
    const int major = version >> 4;
    if (major != 1 && major != 2) return false;
    h.initiatorSpi = *b.u64(0);
    h.responderSpi = *b.u64(8);
    h.nextPayload = *b.u8(16);
    h.version = version;
    h.exchange = *b.u8(18);
    h.flags = *b.u8(19);
    h.messageId = *b.u32(20);
    h.length = *b.u32(24);
    return true;
}

namespace {

void addPayload(IkePayloadSummary &s, std::uint8_t type)
{
    if (s.payloadCount < IkePayloadSummary::MaxPayloads) s.payloads[s.payloadCount] = type;
    if (s.payloadCount < 255) ++s.payloadCount;
}

void parseV2Notify(IkePayloadSummary &s, ByteView body)
{
    // body: protocol id(1) spi size(1) notify type(2) spi(spi size) data
    const auto proto = body.u8(0);
    const auto spiSize = body.u8(1);
    const auto type = body.u16(2);
    if (!proto || !spiSize || !type) {
        s.warning = s.warning ? s.warning : "notify payload shorter than its header";
        return;
    }
    if (s.notifyCount < IkePayloadSummary::MaxNotifies) s.notifies[s.notifyCount] = *type;
    if (s.notifyCount < 255) ++s.notifyCount;
    if (*type == ike::RekeySa && *spiSize == 4) {
        if (auto spi = body.u32(4)) s.rekeySpi = *spi;
    }
    if (*type == ike::InvalidKePayload) {
        if (auto g = body.u16(4u + *spiSize)) s.invalidKeGroup = *g;
    }
}

void parseV2Delete(IkePayloadSummary &s, ByteView body)
{
    const auto proto = body.u8(0);
    const auto spiSize = body.u8(1);
    const auto count = body.u16(2);
    if (!proto || !spiSize || !count) {
        s.warning = s.warning ? s.warning : "delete payload shorter than its header";
        return;
    }
    s.deleteProtocol = *proto;
    s.deleteSpiCount = *count;
    if (*spiSize == 4) {
        const int n = std::min<int>(*count, IkePayloadSummary::MaxDeletedSpis);
        for (int i = 0; i < n; ++i) {
            const auto spi = body.u32(4 + std::size_t(i) * 4);
            if (!spi) {
                s.truncated = true;
                break;
            }
            s.deletedSpis[std::size_t(i)] = *spi;
        }
    }
}

void parseV2Sa(IkePayloadSummary &s, ByteView body)
{
    // Count proposals: each proposal substructure has last-substructure(1) reserved(1) length(2).
    std::size_t off = 0;
    for (int guard = 0; guard < 64 && body.has(off, 4); ++guard) {
        const std::uint8_t last = *body.u8(off);
        const std::uint16_t len = *body.u16(off + 2);
        ++s.proposalCount;
        if (last == 0 || len < 8) break;
        off += len;
    }
}

/// Smallest body (after the 4-byte generic header) each IKEv2 payload type's fixed fields need
/// (RFC 7296 §3.3-3.16, RFC 7383 §2.5); a declared length below it is malformed.
std::size_t minimumV2Body(std::uint8_t type)
{
    switch (type) {
    case ike::PayloadSA:
        return 8;         // one proposal header
    case ike::PayloadKE:  // DH group + reserved
    case ike::PayloadIDi: // ID type + reserved
    case ike::PayloadIDr:
    case ike::PayloadAUTH:   // auth method + reserved
    case ike::PayloadNotify: // protocol, SPI size, notify type
    case ike::PayloadDelete: // protocol, SPI size, SPI count
    case ike::PayloadTSi:    // TS count + reserved
    case ike::PayloadTSr:
    case ike::PayloadCP:  // CFG type + reserved
    case ike::PayloadEAP: // code, identifier, length
    case ike::PayloadSKF:
        return 4; // fragment number + total
    case ike::PayloadCERT:
    case ike::PayloadCERTREQ:
        return 1; // encoding
    default:
        return 0;
    }
}

} // namespace

IkePayloadSummary parseIkePayloads(ByteView message, const IkeHeader &h)
{
    IkePayloadSummary s;
    if (h.length < 28) {
        s.warning = "IKE length field smaller than the IKE header";
        return s;
    }
    // Walk only what both the header's length and the capture allow.
    const std::size_t declared = h.length;
    const ByteView msg = message.slice(0, declared);
    if (msg.size() < declared) s.truncated = true;

    if (h.majorVersion() == 1 && (h.flags & 0x01)) {
        s.v1Encrypted = true;
        addPayload(s, h.nextPayload);
        return s;
    }

    std::uint8_t next = h.nextPayload;
    std::size_t off = 28;
    for (int guard = 0; next != 0 && guard < 64; ++guard) {
        const std::uint8_t type = next;
        if (!msg.has(off, 4)) {
            if (off < declared)
                s.truncated = true;
            else
                s.warning = s.warning ? s.warning : "payload chain runs past the IKE length";
            break;
        }
        next = *msg.u8(off);
        const std::uint16_t plen = *msg.u16(off + 2);
        if (plen < 4) {
            s.warning = "payload length below 4";
            break;
        }
        if (off + plen > declared) {
            s.warning = s.warning ? s.warning : "payload extends beyond the IKE message";
        }
        addPayload(s, type);
        if (h.majorVersion() == 2 && std::size_t(plen - 4u) < minimumV2Body(type) && !s.warning)
            s.warning = "payload shorter than its type's fixed fields";
        const ByteView body = msg.slice(off + 4, plen - 4u);
        if (body.size() < std::size_t(plen - 4)) s.truncated = true;

        if (h.majorVersion() == 2) {
            switch (type) {
            case ike::PayloadKE:
                if (auto g = body.u16(0)) s.dhGroup = *g;
                break;
            case ike::PayloadNotify:
                parseV2Notify(s, body);
                break;
            case ike::PayloadDelete:
                parseV2Delete(s, body);
                break;
            case ike::PayloadVendorID:
                if (s.vendorIdCount < 255) ++s.vendorIdCount;
                break;
            case ike::PayloadSA:
                parseV2Sa(s, body);
                break;
            case ike::PayloadSK:
                s.hasSk = true;
                s.encryptedFirstPayload = next;
                s.encryptedLength = plen;
                return s; // everything after this is encrypted
            case ike::PayloadSKF:
                s.hasSkf = true;
                s.encryptedFirstPayload = next;
                s.encryptedLength = plen;
                if (auto n = body.u16(0)) s.fragmentNumber = *n;
                if (auto t = body.u16(2)) s.totalFragments = *t;
                if (s.fragmentNumber == 0 || s.fragmentNumber > s.totalFragments)
                    s.warning = "SKF fragment number outside 1..total";
                return s;
            default:
                break;
            }
        } else {
            // IKEv1 (RFC 2408): 11 Notification, 12 Delete, 13 Vendor ID.
            if (type == 11) {
                if (auto t = body.u16(6)) {
                    if (s.notifyCount < IkePayloadSummary::MaxNotifies) s.notifies[s.notifyCount] = *t;
                    ++s.notifyCount;
                }
            } else if (type == 13) {
                ++s.vendorIdCount;
            }
        }
        off += plen;
        if (off >= declared) break;
    }
    if (next != 0 && off >= declared && !s.truncated && !s.warning)
        s.warning = "last payload announces a next payload beyond the message";
    return s;
}

} // namespace ikev2wb
