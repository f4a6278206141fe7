"""Compression-aware methods: total cycles per preset, mapping and grid timings (printed only).

    .venv/bin/python bench/compress.py [--array 512x512]

Per preset (its own array, else the one given): total cycles of sdk, vw-sdk and the
compressed methods with their defaults and a few variants, the time to map the network,
and the time of one design-space grid (compressed_grid) over the largest 3x3 layer.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from engine.compress.grid import compressed_grid  # noqa: E402
from engine.layers import ArraySpec, parse_array_size  # noqa: E402
from engine.methods import map_many  # noqa: E402
from engine.presets import load_preset, preset_names  # noqa: E402

RUNS = [
    ("sdk", {}), ("vw-sdk", {}),
    ("pairs", {}), ("pairs", {"base": "vw-sdk"}), ("pairs", {"pattern_set": "edge6"}),
    ("kerntrol", {}), ("kerntrol", {"base": "vw-sdk", "threshold": 0.5}),
    ("vwc-sdk", {}), ("vwc-sdk", {"max_prune": 0.1}),
]


def label(method, opts):
    return method + "".join(f" {k}={v}" for k, v in opts.items())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--array", default="512x512", help="array for presets without one")
    args = ap.parse_args()
    fallback = ArraySpec(*parse_array_size(args.array))
    for name in preset_names():
        net = load_preset(name)
        array = net.array or fallback
        print(f"\n{name} on {array.label()}")
        for method, opts in RUNS:
            t = time.perf_counter()
            plans = map_many(net.layers, array, method, **opts)
            dt = time.perf_counter() - t
            total = sum(p.cycles for p in plans)
            skipped = sum(p.compression.rows_skipped * p.layer.groups for p in plans if p.compression)
            print(f"  {label(method, opts):<36} {total:>12,} cycles  {skipped:>10,} rows skipped  {dt * 1e3:8.1f} ms")
        threes = [x for x in net.layers if (x.k_h, x.k_w) == (3, 3)]
        if threes:
            big = max(threes, key=lambda x: x.out_h * x.out_w)
            g = big.per_group()
            nh, nw = np.arange(1, g.out_h + 1)[:, None], np.arange(1, g.out_w + 1)[None, :]
            for method in ("pairs", "kerntrol", "vwc-sdk"):
                t = time.perf_counter()
                compressed_grid(big, array, method, nh, nw)
                print(f"  grid {method:<9} {big.name} ({g.out_h}x{g.out_w} candidates): "
                      f"{(time.perf_counter() - t) * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
