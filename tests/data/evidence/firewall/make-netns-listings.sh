# Run as root: unshare --net bash make-netns-listings.sh OUTDIR (a fresh network namespace; the
# UDP and ESP packets go to 10.0.2.1 via a veth inside it and are dropped by the rules).
set -e
ip link set lo up
ip link add v0 type veth peer name v1; ip link set v0 up; ip link set v1 up
ip addr add 10.0.1.1/24 dev v0
ip route add 10.0.2.0/24 via 10.0.1.254 dev v0
iptables -A OUTPUT -d 10.0.2.1 -p udp -m multiport --dports 500,4500 -j DROP
iptables -A OUTPUT -d 10.0.2.1 -p esp -j REJECT
ip6tables -A OUTPUT -p esp -j DROP
nft add table inet t
nft add chain inet t out '{ type filter hook output priority 0; policy accept; }'
nft add rule inet t out ip daddr 10.0.2.1 udp dport 4500 counter drop
for i in 1 2 3; do echo x > /dev/udp/10.0.2.1/4500 || true; done
python3 -c "
import socket
s=socket.socket(socket.AF_INET, socket.SOCK_RAW, 50)
for i in range(5):
    try: s.sendto(b'\0'*16, ('10.0.2.1',0))
    except OSError: pass
"
ikev2wb collect --out "$1"
