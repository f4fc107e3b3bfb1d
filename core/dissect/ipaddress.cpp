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

} // namespace ikev2wb
