#include "ipaddress.h"

#include <arpa/inet.h>

namespace ikev2wb {

std::string IpAddress::toString() const
{
    char buf[INET6_ADDRSTRLEN] = {};
    if (!v6) {
        inet_ntop(AF_INET, bytes.data() + 12, buf, sizeof buf);
    } else {
        inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf);
    }
    return buf;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text)
{
    if (text.empty() || text.size() > 45 || text.find('\0') != std::string_view::npos) return std::nullopt;
    const std::string z(text); // inet_pton wants it NUL-terminated
    std::uint8_t raw[16] = {};
    if (inet_pton(AF_INET, z.c_str(), raw) == 1) return fromV4(raw);
    if (inet_pton(AF_INET6, z.c_str(), raw) == 1) return fromV6(raw);
    return std::nullopt;
}

} // namespace ikev2wb
