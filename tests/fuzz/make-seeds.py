#!/usr/bin/env python3
"""Writes the dispatcher fuzzer's seed corpus (tests/fuzz/corpus/).

Each record is a selector byte (0: registers used as given) and X0..X17 as
little-endian u64.  The seeds are call sequences a guest really makes:
discovery, PTP, share/unshare cycles, MMIO guard, and the spec's hostile
cases, so the fuzzer starts from deep states instead of rediscovering them.
"""
import os
import struct

RAM0 = 0x40000000
RAM1 = 0x80000000
UID, FEAT, PTP = 0x8600FF01, 0x86000000, 0x86000001
MEMINFO, SHARE, UNSHARE, GUARD = 0xC6000002, 0xC6000003, 0xC6000004, 0xC6000007


def rec(x0, x1=0, x2=0, x3=0, rest=None, sel=0):
    regs = [x0, x1, x2, x3] + (rest or [0] * 14)
    return bytes([sel]) + struct.pack("<18Q", *[r & (2**64 - 1) for r in regs])


SEEDS = {
    "discovery": [rec(0x80000000), rec(0x80000001, 0x80000001), rec(UID),
                  rec(FEAT), rec(PTP, 0), rec(PTP, 1), rec(PTP, 2)],
    "share_cycle": [rec(MEMINFO), rec(SHARE, RAM0), rec(SHARE, RAM0),
                    rec(UNSHARE, RAM0), rec(UNSHARE, RAM0)],
    "share_block_split": [rec(SHARE, RAM0 + 0x1000), rec(SHARE, RAM0 + 0x1FF000),
                          rec(UNSHARE, RAM0 + 0x1000), rec(SHARE, RAM1 + 0xF000)],
    "hostile_share": [rec(SHARE, RAM0 + 8), rec(SHARE, RAM0, 1), rec(SHARE, RAM0, 0, 1),
                      rec(SHARE, 1 << 40), rec(SHARE, 0x09000000),
                      rec(UNSHARE, RAM1), rec(MEMINFO, 1), rec(MEMINFO, 0, 0, 1)],
    "mmio_guard": [rec(GUARD, 0x09000000), rec(GUARD, 0x09000000), rec(GUARD, RAM0),
                   rec(GUARD, 0x09000008), rec(GUARD, 0x0A000000, 0, 0)],
    "garbage_regs": [rec(UID, 0xDEAD, 0xBEEF, 0xF00D, list(range(100, 114))),
                     rec(0xFFFFFFFF8600FF01, 7), rec(0xC600FF01), rec(0x0600FF01),
                     rec(0x8600FF00), rec(0x8600FF03), rec(0x86000002), rec(0x8600007F)],
}

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
os.makedirs(out, exist_ok=True)
for name, recs in SEEDS.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(b"".join(recs))
