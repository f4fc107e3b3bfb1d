#!/usr/bin/env bash
# repro-outage.sh OUTDIR: from lab 'clean', a one-way outage left->right from t=8.2805 s to 14.0 s (every ESP
# packet lost, small and large) during which a TCP transfer's only full-size packets were sent (the rest of the
# transfer never sent: TCP stalled). Pings >= 1404 removed at the sender (never sent), so the largest delivered is 1100.
set -e; O=$1; C=/work/main/tests/data/lab/clean; mkdir -p "$O"; cd "$O"
tshark -r $C/left-outer.pcap -Y "esp && ip.src==10.0.1.1" -T fields -e frame.number -e frame.time_relative -e ip.len -e esp.sequence > l.tsv 2>/dev/null
python3 - <<'P'
l=[x.split('\t') for x in open('l.tsv').read().split('\n') if x]
never=set(); lost=set(); n1500=0; n908=0
for fr,t,ln,seq in l:
    t=float(t); ln=int(ln)
    if ln in (1500,1452,1404) and t<5: never.add(seq); continue
    if t>8.2805:
        if ln==1500:
            n1500+=1; (lost if (n1500<=10 or n1500 in (300,800,1800)) else never).add(seq)
        elif ln==908:
            n908+=1; (lost if n908<=2 else never).add(seq)
        elif t<14.0: lost.add(seq)
open('never.txt','w').write(' '.join(sorted(never,key=int)))
open('all.txt','w').write(' '.join(sorted(never|lost,key=int)))
P
python3 "$(dirname "$0")/pfilt.py" $C/left-outer.pcap left-outer.pcap 10.0.1.1 never.txt
python3 "$(dirname "$0")/pfilt.py" $C/right-outer.pcap right-outer.pcap 10.0.1.1 all.txt
