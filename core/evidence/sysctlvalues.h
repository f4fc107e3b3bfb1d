#pragma once
// Values of a `sysctl -a` listing (SysctlValues, parsed in kernelparsers.cpp) as the diagnosis
// reads them: integer settings and the per-interface keys that exempt packets from IPsec.
#include "evidencetypes.h"

#include <QString>

#include <optional>

namespace ikev2wb {

/// The integer value of `key` ("net.ipv4.conf.all.rp_filter = 2" → 2); nullopt when the key is
/// absent or its value is not a whole number.
std::optional<int> sysctlInt(const SysctlValues &v, const QString &key);

/// `key` if it is a net.ipv4/ipv6.conf.IFACE.disable_xfrm or .disable_policy key of the form
/// the kernel uses (IFACE up to 15 characters), in the form `sysctl -w` accepts: an interface
/// name with a dot (VLAN eth0.100) is written with a slash (net.ipv4.conf.eth0/100.disable_xfrm),
/// as `sysctl -a` prints it. Empty for any other key.
QString xfrmBypassKey(const QString &key);

} // namespace ikev2wb
