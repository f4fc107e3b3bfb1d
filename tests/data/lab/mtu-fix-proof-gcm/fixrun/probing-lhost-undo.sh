sysctl -w net.ipv4.tcp_mtu_probing="$(cat /var/lib/ikev2wb/saved-net.ipv4.tcp_mtu_probing)" && rm /var/lib/ikev2wb/saved-net.ipv4.tcp_mtu_probing  # the value saved before the change
