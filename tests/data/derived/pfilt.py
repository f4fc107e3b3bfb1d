import struct,sys
# usage: pfilt.py in out src_ip seqfile
inp,out,src,seqf=sys.argv[1:5]
drop=set(int(x) for x in open(seqf).read().split())
srcb=bytes(int(x) for x in src.split('.'))
d=open(inp,'rb').read(); hdr=d[:24]
magic=struct.unpack('<I',d[:4])[0]; assert magic in (0xa1b2c3d4,0xa1b23c4d), hex(magic)
lt=struct.unpack('<I',d[20:24])[0]
off=24; o=[hdr]; kept=dropped=0
while off<len(d):
    ts,tu,cl,ol=struct.unpack('<IIII',d[off:off+16]); p=d[off+16:off+16+cl]; off+=16+cl
    ip = p[14:] if lt==1 else (p[16:] if lt==113 else p[20:])
    if len(ip)>28 and ip[0]>>4==4 and ip[9]==50 and ip[12:16]==srcb:
        ihl=(ip[0]&15)*4; seq=struct.unpack('>I',ip[ihl+4:ihl+8])[0]
        if seq in drop: dropped+=1; continue
    o.append(d[off-16-cl:off]); kept+=1
open(out,'wb').write(b''.join(o)); print(inp,'kept',kept,'dropped',dropped,file=sys.stderr)
