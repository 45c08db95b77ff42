#!/usr/bin/env python3
"""Repack the first font of wqy-microhei.ttc (Debian's fonts-wqy-microhei)
into a standalone TTF whose tables are 4-byte aligned, as Go's
golang.org/x/image/font/sfnt requires. Glyphs and tables are unchanged; only
their placement in the file (and the checksums) are rewritten.

    python3 graphic/fonts/repack.py /usr/share/fonts/truetype/wqy/wqy-microhei.ttc graphic/fonts/wqy-microhei.ttf
"""
import struct, sys

def checksum(data):
    data += b"\0" * (-len(data) % 4)
    return sum(struct.unpack(">%dI" % (len(data) // 4), data)) & 0xFFFFFFFF

def main(src, dst):
    b = open(src, "rb").read()
    tag, _, n = struct.unpack(">4sII", b[:12])
    base = struct.unpack(">I", b[12:16])[0] if tag == b"ttcf" else 0
    version, ntables = struct.unpack(">IH", b[base:base + 6])
    tables = []
    for i in range(ntables):
        t, _, off, ln = struct.unpack(">4sIII", b[base + 12 + 16 * i: base + 28 + 16 * i])
        tables.append((t, b[off:off + ln]))
    tables.sort()
    es = max(i for i in range(16) if 2 ** i <= ntables)
    header = struct.pack(">IHHHH", version, ntables, 16 * 2 ** es, es, 16 * ntables - 16 * 2 ** es)
    offset = 12 + 16 * ntables
    records, body = b"", b""
    head_at = None
    for t, data in tables:
        if t == b"head":
            data = data[:8] + b"\0\0\0\0" + data[12:]  # checkSumAdjustment recomputed below
            head_at = offset + len(body)
        records += struct.pack(">4sIII", t, checksum(data), offset + len(body), len(data))
        body += data + b"\0" * (-len(data) % 4)
    out = bytearray(header + records + body)
    adj = (0xB1B0AFBA - checksum(bytes(out))) & 0xFFFFFFFF
    out[head_at + 8: head_at + 12] = struct.pack(">I", adj)
    open(dst, "wb").write(out)

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
