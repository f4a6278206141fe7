"""Chip benchmark: prints timings (never asserted in tests).

    .venv/bin/python bench/chip.py

On resnet50 with a 512x512 array, for vw-sdk and xbar-opt: the mapping (once, not part of
the targets), one allocation at 2x the arrays the network needs, and a sweep of 100 budgets
from arrays_needed to 8x it. Targets (issue 16): an allocation under 5 ms, the 100-point
sweep under 1 s. Then long networks (10,000 and 100,000 synthetic layers of 1-8 tiles and
up to 20,000 steps) at 1.2x, 3x and 30x the arrays they need: what one budget edit in the
Chip view costs there (stage 2, the greedy use of the spare arrays, dominates).
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.engine import timed  # noqa: E402
from engine import ArraySpec  # noqa: E402
from engine.chip import ChipSpec  # noqa: E402
from engine.chip_alloc import allocate  # noqa: E402
from engine.chip_needs import layer_needs  # noqa: E402
from engine.methods import map_many  # noqa: E402
from engine.presets import load_preset  # noqa: E402


def main() -> None:
    layers = load_preset("resnet50").layers
    for method in ("vw-sdk", "xbar-opt"):
        t_map, plans = timed(lambda: map_many(layers, ArraySpec(512, 512), method), repeat=1)
        needs = layer_needs(plans, method)
        n = needs.arrays_needed
        t_one, r = timed(lambda: allocate(needs, ChipSpec(arrays=2 * n)), repeat=5)
        budgets = [round(n * 8 ** (i / 99)) for i in range(100)]
        t_sweep, reports = timed(lambda: [allocate(needs, ChipSpec(arrays=b)) for b in budgets], repeat=3)
        worst = max(timed(lambda b=b: allocate(needs, ChipSpec(arrays=b)), repeat=3)[0] for b in budgets[::11])
        print(f"resnet50 {method:<8} map {t_map * 1e3:7.1f} ms  arrays needed {n:,}  "
              f"allocation at {2 * n:,} arrays {t_one * 1e3:5.2f} ms (interval {r.interval_cycles:,} cycles)  "
              f"slowest of 10 budgets {worst * 1e3:5.2f} ms  100-point sweep {t_sweep * 1e3:6.1f} ms  "
              f"(target: < 5 ms, < 1000 ms)")
        last = reports[-1]
        print(f"    at 8x ({budgets[-1]:,} arrays): interval {last.interval_cycles:,} cycles, "
              f"latency {last.latency_cycles:,}, {last.images_per_s:,.0f} images/s")

    import numpy as np

    from engine.chip_needs import LayerNeeds

    rng = np.random.default_rng(1)
    for n_layers in (10_000, 100_000):
        tiles, steps = rng.integers(1, 9, n_layers), rng.integers(1, 20_000, n_layers)
        needs = LayerNeeds("vw-sdk", ArraySpec(512, 512), tuple(f"l{i}" for i in range(n_layers)), tiles, steps,
                           np.full(n_layers, 512))
        row = []
        for mult in (1.2, 3, 30):
            t, _ = timed(lambda m=mult: allocate(needs, ChipSpec(arrays=int(needs.arrays_needed * m))), repeat=3)
            row.append(f"{mult:g}x {t * 1e3:6.0f} ms")
        print(f"{n_layers:>7,} synthetic layers: one allocation at " + ", ".join(row))


if __name__ == "__main__":
    main()
