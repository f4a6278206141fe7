"""Values-mode cost of one cycle (engine.trace): what playback must compute per frame.

Run:  .venv/bin/python bench/trace.py [--sizes 1024,4096] [--cell-bits 1 --weight-bits 1]

For each array size, the 56x56x512 -> 512 3x3 layer of bench/render.py mapped with VW-SDK
(and im2col, whose late cycles are far from the first), and for an early cycle (10) and a
late one (the last but 10), we time:

  tile matrix   building the loaded tile's matrix (once per tile: on a tile change)
  cycle         one cycle's values with the tile cached: rows' inputs, columns' partial sums
                (one matrix-vector product), recombined slices
  acc table     one output channel's accumulator table (once per channel shown)
  accumulator   that channel's running OFM and state after the cycle, table cached
  frame         cycle + accumulator: the per-frame cost of values-mode playback
                (budget: 16.7 ms at 60 cycles/s on 1024x1024, 50 ms at 20 cycles/s on 4096x4096,
                rendering included)

Best of several runs (median in brackets): other processes only ever make a run slower.
"""
from __future__ import annotations

import argparse
import os
import sys
import timeit

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def timed(fn, repeat=7) -> tuple[float, float]:
    """(best, median) seconds of `repeat` calls of fn(i), i = 0, 1, ..."""
    calls = iter(range(repeat))
    times = sorted(timeit.repeat(lambda: fn(next(calls)), number=1, repeat=repeat))
    return times[0], times[len(times) // 2]


def ms(bm) -> str:
    return f"{bm[0] * 1e3:8.2f} ms [{bm[1] * 1e3:.2f}]"


def bench(n: int, method: str, cell_bits: int, weight_bits: int) -> None:
    from engine import ArraySpec, ConvLayer, map_layer
    from engine.trace import Trace, trace_operands

    layer = ConvLayer("bench", 56, 56, 512, 512, 3, 3, pad_h=1, pad_w=1)
    array = ArraySpec(n, n, cell_bits, weight_bits)
    plan = map_layer(layer, array, method)
    ops = trace_operands(layer, array, plan, seed=0)
    print(f"{n}x{n} {method}: {plan.cycles:,} cycles, AR {plan.ar}, AC {plan.ac}, PW {plan.nh}x{plan.nw}")
    for label, t in (("early", 10), ("late", plan.cycles - 10)):
        trace = Trace.of(plan, ops)
        cyc = trace.schedule.cycle(t)
        oc = int(trace.cycle(t).out_channels[0])

        def fresh_tile(_i):
            trace._tiles.clear()
            trace.tile(cyc)

        def fresh_table(_i):
            trace._tables.clear()
            trace.accumulator(t, oc)

        tile = timed(fresh_tile, 3)
        trace.tile(cyc)
        one = timed(lambda i: trace.cycle(t - i % 3))
        table = timed(fresh_table, 3)
        acc = timed(lambda i: trace.accumulator(t - i % 3, oc))
        frame = timed(lambda i: (trace.cycle(t - i % 3), trace.accumulator(t - i % 3, oc)))
        print(f"  {label:<5} cycle {t:>9,}: tile matrix {ms(tile)}  cycle {ms(one)}  acc table {ms(table)}  "
              f"accumulator {ms(acc)}  frame {ms(frame)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1024,4096")
    ap.add_argument("--methods", default="vw-sdk,im2col")
    ap.add_argument("--cell-bits", type=int, default=1)
    ap.add_argument("--weight-bits", type=int, default=1)
    a = ap.parse_args()
    for n in (int(s) for s in a.sizes.split(",")):
        for m in a.methods.split(","):
            bench(n, m, a.cell_bits, a.weight_bits)


if __name__ == "__main__":
    main()
