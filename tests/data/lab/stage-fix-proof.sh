#!/usr/bin/env bash
# stage-fix-proof.sh NAME: copies one run of tests/lab-scenarios/fixes.sh (mtu-fix-proof,
# mtu-fix-proof-natt; LAB_OUT_ROOT, default /var/tmp/ikev2-lab/out) into this folder, small:
#   truth.json verify.json verify.txt    the lab's ground truth and its own verification
#   phase1/                              the evidence the fix scripts were generated from
#   fix-left.sh fix-right.sh             the scripts `ikev2wb diagnose --fix-script` wrote in the guest
#   diagnose-left.json diagnose-right.json
#   fixrun/                              each fix run and undo: output, exit code, listings after
#   traffic/iperf3-TAG.json              iperf3's client JSON of every upload
#   {left,right}-inner-syn.pcap          the inner captures cut to TCP SYNs and ICMP errors (tshark
#                                        keeps each frame's bytes and timestamp)
#   inner-syn.tsv                        tshark's decode of those frames (MSS option, ICMP MTU)
set -euo pipefail
name=$1
src=${LAB_OUT_ROOT:-/var/tmp/ikev2-lab/out}/$name
here=$(cd "$(dirname "$0")" && pwd)
dst=$here/$name
[ -f "$src/truth.json" ] && [ -f "$src/fix-left.sh" ] || { echo "stage-fix-proof.sh: no fix-proof run at $src" >&2; exit 2; }
rm -rf "$dst"
mkdir -p "$dst/traffic"
cp "$src"/{truth.json,verify.json,verify.txt,fix-left.sh,fix-right.sh,diagnose-left.json,diagnose-right.json} "$dst/"
cp -r "$src/phase1" "$src/fixrun" "$dst/"
for f in "$src"/traffic/iperf3-*.json; do
    case "$f" in *-server.json) ;; *) cp "$f" "$dst/traffic/" ;; esac
done
sel='tcp.flags.syn == 1 || icmp.type == 3'
for side in left right; do
    tshark -n -r "$src/$side-inner.pcap" -Y "$sel" -F pcap -w "$dst/$side-inner-syn.pcap"
done
{
    printf 'capture\tframe.time_epoch\tip.src\tip.dst\ttcp.srcport\ttcp.dstport\ttcp.flags.ack\ttcp.options.mss_val\ticmp.type\ticmp.code\ticmp.mtu\n'
    for side in left right; do
        tshark -n -r "$dst/$side-inner-syn.pcap" -T fields -E separator=/t -E occurrence=a -E aggregator=, \
            -e frame.time_epoch -e ip.src -e ip.dst -e tcp.srcport -e tcp.dstport -e tcp.flags.ack \
            -e tcp.options.mss_val -e icmp.type -e icmp.code -e icmp.mtu | sed "s/^/$side-inner-syn.pcap\t/"
    done
} > "$dst/inner-syn.tsv"
du -sh "$dst"
