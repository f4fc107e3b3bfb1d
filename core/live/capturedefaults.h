#pragma once
// Defaults shared by the capture helper (plain C++, no Qt) and the programs that run it.

namespace ikev2wb {

/// IKE (500, 4500 with NAT-T), ESP on IP and in UDP, ICMP/ICMPv6 (need-frag, packet-too-big),
/// and IP fragments (IKE messages larger than the path MTU arrive as fragments, whose later
/// parts carry no UDP port to match).
inline constexpr const char *kDefaultCaptureFilter = "udp port 500 or udp port 4500 or esp or icmp or icmp6"
                                                     " or (ip[6:2] & 0x1fff != 0) or ip6[6] == 44";

} // namespace ikev2wb
