#!/usr/bin/env python3
"""Builds the seed corpora in fuzz/corpus/ from the peer-project captures.

  fuzz/corpus/dissect/   selector (2 bytes) + one frame, and selector + several frames joined
                         by the separator fuzz_dissect.cpp splits on
  fuzz/corpus/pcapfile/  small whole captures, and larger pcap files cut to their first records
  fuzz/corpus/evidence/  selector byte 0 (kind detected) + each evidence fixture in
                         tests/data/evidence (hostile/ too) and the stats/ files and charon logs of
                         three labs (dpd, loss1, natt-expiry), cut at 32 KB

Usage: fuzz/make-corpus.py [/work/shared/captures]   (deterministic; rerun to regenerate)
"""
import hashlib
import os
import struct
import sys

SRC = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/captures"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
SEPARATOR = b"FRM\xfe"
# Index in kLinkTypes of fuzz_dissect.cpp, keyed by the LINKTYPE_ value stored in files.
LINKTYPE_TO_INDEX = {1: 0, 113: 1, 276: 2, 101: 3, 0: 4, 108: 5, 228: 6, 229: 7}
MAX_FRAME = 1600
MAX_FRAMES_PER_FILE = 40


def read_pcap(data):
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        return None
    linktype = struct.unpack(e + "I", data[20:24])[0] & 0x0FFFFFFF
    frames, off = [], 24
    while off + 16 <= len(data):
        caplen = struct.unpack(e + "I", data[off + 8:off + 12])[0]
        frames.append(data[off + 16:off + 16 + caplen])
        off += 16 + caplen
    return linktype, frames


def read_pcapng(data):
    if data[:4] != b"\x0a\x0d\x0d\x0a":
        return None
    e = "<" if data[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
    linktypes, frames, off = [], [], 0
    while off + 12 <= len(data):
        btype, blen = struct.unpack(e + "II", data[off:off + 8])
        if blen < 12:
            break
        body = data[off + 8:off + blen - 4]
        if btype == 1:  # interface description
            linktypes.append(struct.unpack(e + "H", body[:2])[0])
        elif btype == 6:  # enhanced packet
            ifc, _, _, caplen = struct.unpack(e + "IIII", body[:16])
            frames.append((ifc, body[20:20 + caplen]))
        elif btype == 3:  # simple packet
            frames.append((0, body[4:]))
        off += blen
    if not linktypes:
        return None
    # One link type per file is what the project supports; keep the first interface's frames.
    return linktypes[0], [f for i, f in frames if i == 0]


def write(dirname, content, seen):
    h = hashlib.sha1(content).hexdigest()
    if h in seen:
        return
    seen.add(h)
    with open(os.path.join(OUT, dirname, h), "wb") as f:
        f.write(content)


def main():
    for d in ("dissect", "pcapfile"):
        os.makedirs(os.path.join(OUT, d), exist_ok=True)
    seen = set()
    for root, _, files in sorted(os.walk(SRC)):
        for name in sorted(files):
            if not name.endswith((".pcap", ".pcapng", ".cap")):
                continue
            path = os.path.join(root, name)
            data = open(path, "rb").read()
            parsed = read_pcap(data) or read_pcapng(data)
            if not parsed:
                continue
            linktype, frames = parsed
            if linktype not in LINKTYPE_TO_INDEX:
                continue
            sel = bytes([0, LINKTYPE_TO_INDEX[linktype]])
            frames = [f[:MAX_FRAME] for f in frames[:MAX_FRAMES_PER_FILE]]
            for fr in frames:
                write("dissect", sel + fr, seen)
            if len(frames) > 1:
                write("dissect", sel + SEPARATOR.join(frames[:12]), seen)
            # Whole small files; the first records of larger pcap files.
            if len(data) <= 24 * 1024:
                write("pcapfile", data, seen)
            elif data[:4] in (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d"):
                e = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
                off = 24
                for _ in range(16):
                    if off + 16 > len(data):
                        break
                    off += 16 + struct.unpack(e + "I", data[off + 8:off + 12])[0]
                write("pcapfile", data[:off], seen)


def evidence_corpus():
    """Seeds for fuzz_evidence: selector 0 (the detector picks the kind) + the file's text."""
    tests = os.path.join(os.path.dirname(OUT), "..", "tests", "data")
    seen = set()
    os.makedirs(os.path.join(OUT, "evidence"), exist_ok=True)
    # Three labs are enough: the others hold the same kinds of file with other numbers.
    roots = [os.path.join(tests, "evidence")] + [os.path.join(tests, "lab", lab) for lab in ("dpd", "loss1", "natt-expiry")]
    for top in roots:
        for root, _dirs, files in sorted(os.walk(top)):
            for name in sorted(files):
                if name.endswith((".pcap", ".pcapng", ".json", ".md", ".bin")):
                    continue
                if "/lab/" in top and not (os.path.basename(root) == "stats" or name.startswith("charon")):
                    continue
                data = open(os.path.join(root, name), "rb").read()
                write("evidence", b"\0" + data[:32 * 1024], seen)


if __name__ == "__main__":
    main()
    evidence_corpus()
