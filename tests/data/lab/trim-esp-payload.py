#!/usr/bin/env python3
"""trim-esp-payload.py IN.pcap OUT.pcap SNAP FROM_EPOCH

Copies a classic pcap (Ethernet link type) record by record, in the original
order, with the original timestamps and original lengths (orig_len).  Only
ESP frames whose timestamp is >= FROM_EPOCH get their captured bytes cut to
SNAP (caplen = min(caplen, SNAP)); every other frame (IKE, NAT-T keepalives,
ICMP, ESP before FROM_EPOCH) is copied unchanged.
ESP frame = IPv4 protocol 50, or IPv4/UDP with port 4500 whose payload is at
least 8 bytes and does not start with the 4 zero bytes of the non-ESP marker
(RFC 3948), i.e. ESP-in-UDP.  SNAP=96 keeps Ethernet+IP(+UDP)+SPI+sequence
number+IV; only ciphertext/ICV are dropped.
"""
import struct, sys

def is_esp(data):
    if len(data) < 34 or data[12:14] != b"\x08\x00":
        return False
    ihl = (data[14] & 0x0F) * 4
    proto = data[23]
    frag = struct.unpack("!H", data[20:22])[0] & 0x1FFF
    if frag:
        return False
    if proto == 50:
        return True
    if proto == 17:
        u = 14 + ihl
        if len(data) < u + 8 + 8:
            return False
        sport, dport, ulen = struct.unpack("!HHH", data[u:u + 6])
        if 4500 not in (sport, dport) or ulen < 8 + 8:
            return False
        return data[u + 8:u + 12] != b"\x00\x00\x00\x00"
    return False

def main():
    src, dst, snap, t_from = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    with open(src, "rb") as f:
        buf = f.read()
    magic = buf[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        sys.exit("not a classic pcap file")
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    linktype = struct.unpack(e + "I", buf[20:24])[0]
    if linktype != 1:
        sys.exit("link type %d is not Ethernet" % linktype)
    out = [buf[:24]]
    off, n, cut = 24, 0, 0
    while off + 16 <= len(buf):
        sec, frac, caplen, origlen = struct.unpack(e + "IIII", buf[off:off + 16])
        data = buf[off + 16:off + 16 + caplen]
        off += 16 + caplen
        n += 1
        ts = sec + frac / (1e9 if nano else 1e6)
        if ts >= t_from and caplen > snap and is_esp(data):
            data = data[:snap]
            cut += 1
        out.append(struct.pack(e + "IIII", sec, frac, len(data), origlen) + data)
    with open(dst, "wb") as f:
        f.write(b"".join(out))
    print("%s: %d records, %d ESP records cut to %d bytes (from %.6f)" % (dst, n, cut, snap, t_from))

main()
