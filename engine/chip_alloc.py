"""Placing a network on a chip: replicas per layer, latency, interval, and the not-fit case.

Resident mapping (weight-stationary, no reprogramming): layer l needs `tiles_l` arrays
and `steps_l` computing cycles (engine.chip_needs). With `A >= arrays_needed = sum tiles_l`
the spare arrays hold replicas: `replicas_l >= 1`, `sum(replicas_l * tiles_l) <= A`, and
layer l takes `cycles_l = ceil(steps_l / replicas_l)`. The replicas are chosen in two
stages:

1. The pipeline's bottleneck `max_l cycles_l` is made as small as possible (optimal, not
   a heuristic): a bottleneck T needs `ceil(steps_l / T)` replicas of every layer, which
   grows as T falls, so the least T whose replicas fit is found by bisection over
   1..max steps, all layers at once in numpy. The layers then get exactly those replicas.
2. The arrays still left lower the latency `sum cycles_l` without touching the bottleneck:
   one step at a time, the layer whose next step saves the most cycles per array gets it
   (a step = the fewest extra replicas that lower that layer's cycles; ties go to the
   earlier layer), while a step fits. Arrays no step fits stay empty. Stage 2 is greedy:
   it makes the latency small, not always smallest (that is a knapsack problem).

No layer gets more replicas than it has steps. The issue's rule (give the next replica to
the current bottleneck while arrays remain) never does better than stage 1.

When the network does not fit (`A < arrays_needed`), the layers are programmed in rounds
onto the A arrays, in layer order, as many whole layers per round as fit; a layer with more
tiles than A takes ceil(tiles/A) rounds of its own and runs its steps once per round. Every
tile is then written once per image (the next image needs the first round again), one array
at a time: `reprogrammings = arrays_needed` per image, each `reprogram_ns`. The chip runs
one image at a time, so the interval equals the latency.
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .chip import ChipSpec, adc_bits_lossless
from .chip_needs import LayerNeeds
from .layers import ceil_div


def min_bottleneck(tiles: np.ndarray, steps: np.ndarray, arrays: int) -> int:
    """The least T for which `sum(ceil(steps/T) * tiles) <= arrays` (needs sum(tiles) <= arrays)."""
    cap = arrays // tiles + 1  # replicas past this alone overflow the budget: exact in int64
    lo, hi = 1, int(steps.max())
    while lo < hi:
        mid = (lo + hi) // 2
        if int((np.minimum(ceil_div(steps, mid), cap) * tiles).sum()) <= arrays:
            hi = mid
        else:
            lo = mid + 1
    return lo


def _next_step(s: int, r: int, t: int):
    """(gain, cost, new replicas) of the fewest extra replicas that lower ceil(s/r), or None."""
    c = ceil_div(s, r)
    if c == 1:
        return None
    r2 = ceil_div(s, c - 1)
    return c - ceil_div(s, r2), (r2 - r) * t, r2


MAX_LEFTOVER_STEPS = 1 << 16  # stage 2's steps: bounds its time on budgets of billions of arrays


def _ratio_key(steps: list[int], tiles: list[int]):
    """The heap key of a step saving `gain` cycles for `cost` arrays: the float -gain/cost
    where floats order every such ratio exactly, else a Fraction (ten times slower).

    Two different ratios g1/c1 > g2/c2 differ by at least 1/(c1 c2), relatively by at least
    1/(g1 c2); a correctly rounded division errs by 2^-53 relatively, so while every gain
    times every cost stays below 2^52 their floats keep the exact order, and equal ratios
    have equal floats (the earlier layer then comes first, as with Fractions)."""
    gain_max = max(steps, default=0)  # a step saves at most the layer's cycles
    cost_max = max((s * t for s, t in zip(steps, tiles)), default=0)  # and costs at most all replicas
    if gain_max * cost_max < 1 << 52:
        return lambda gain, cost: -(gain / cost)
    from fractions import Fraction

    return lambda gain, cost: -Fraction(gain, cost)


def spend_leftover(tiles: np.ndarray, steps: np.ndarray, replicas: np.ndarray, left: int) -> np.ndarray:
    """Stage 2 (module docstring): steps saving the most cycles per array, while one fits, at
    most MAX_LEFTOVER_STEPS of them (a network needs far fewer unless the arrays left run to
    the hundreds of thousands; past that the rest stays empty)."""
    reps = [int(r) for r in replicas]
    ts, ss = [int(t) for t in tiles], [int(s) for s in steps]
    if sum((s - r) * t for s, r, t in zip(ss, reps, ts)) <= left:  # every step fits: all to one cycle
        return np.array(ss, dtype=np.int64)
    key = _ratio_key(ss, ts)
    heap = []
    for i, (s, r, t) in enumerate(zip(ss, reps, ts)):
        nxt = _next_step(s, r, t)
        if nxt is not None and nxt[1] <= left:
            heap.append((key(nxt[0], nxt[1]), i, nxt[1], nxt[2]))
    heapq.heapify(heap)
    taken = 0
    while heap and taken < MAX_LEFTOVER_STEPS:
        _, i, cost, r2 = heapq.heappop(heap)
        if cost > left:  # the arrays left only shrink: it will never fit
            continue
        left -= cost
        reps[i] = r2
        taken += 1
        nxt = _next_step(ss[i], r2, ts[i])
        if nxt is not None and nxt[1] <= left:
            heapq.heappush(heap, (key(nxt[0], nxt[1]), i, nxt[1], nxt[2]))
    return np.array(reps, dtype=np.int64)


def choose_replicas(tiles: np.ndarray, steps: np.ndarray, arrays: int) -> np.ndarray:
    """Replicas per layer on `arrays` arrays (stages 1 and 2 of the module docstring)."""
    t = min_bottleneck(tiles, steps, arrays)
    replicas = ceil_div(steps, t)
    left = arrays - int((replicas * tiles).sum())
    return spend_leftover(tiles, steps, replicas, left)


def pack_rounds(tiles: np.ndarray, arrays: int) -> list[list[tuple[int, int, int]]]:
    """The rounds of the not-fit schedule (module docstring), each a list of (layer, first
    tile, tiles) programmed together: whole layers packed in order, a layer larger than the
    chip split into rounds of its own."""
    rounds: list[list[tuple[int, int, int]]] = []
    cur, fill = [], 0
    for i, t in enumerate(tiles.tolist()):
        if t > arrays or fill + t > arrays:
            if cur:
                rounds.append(cur)
            cur, fill = [], 0
        if t > arrays:
            rounds += [[(i, k, min(arrays, t - k))] for k in range(0, t, arrays)]
            continue
        cur.append((i, 0, t))
        fill += t
    if cur:
        rounds.append(cur)
    return rounds


def rounds_needed(tiles: np.ndarray, arrays: int) -> tuple[int, int]:
    """(rounds, most arrays one round uses) of the not-fit schedule."""
    rounds = pack_rounds(tiles, arrays)
    return len(rounds), max(sum(n for _, _, n in r) for r in rounds)


@dataclass(frozen=True, eq=False)
class ChipReport:
    """One network (one method's plans) on one chip. Arrays are int64, in layer order."""

    spec: ChipSpec
    needs: LayerNeeds
    replicas: np.ndarray
    cycles: np.ndarray  # computing cycles of each layer per image

    @property
    def arrays_needed(self) -> int:
        return self.needs.arrays_needed

    @property
    def fits(self) -> bool:
        return self.arrays_needed <= self.spec.arrays

    @property
    def shortfall(self) -> int:
        """Arrays missing for a resident mapping (0 when it fits)."""
        return max(0, self.arrays_needed - self.spec.arrays)

    @cached_property
    def arrays_used(self) -> int:
        """Arrays holding a tile (when it does not fit: the most that one round programs)."""
        if not self.fits:
            return self._rounds[1]
        return int((self.replicas * self.needs.tiles).sum())  # <= arrays: exact in int64

    @property
    def tiles_used(self) -> int:
        """Chip tiles (groups of `arrays_per_tile` arrays) holding at least one layer's tile,
        the arrays being filled in layer order."""
        return ceil_div(self.arrays_used, self.spec.arrays_per_tile)

    @cached_property
    def _rounds(self) -> tuple[int, int]:
        return (1, self.arrays_used) if self.fits else rounds_needed(self.needs.tiles, self.spec.arrays)

    @property
    def rounds(self) -> int:
        return self._rounds[0]

    @property
    def reprogrammings(self) -> int:
        """Array writes per image (0 when resident)."""
        return 0 if self.fits else self.arrays_needed

    @property
    def reprogram_ns(self) -> float:
        return self.reprogrammings * self.spec.reprogram_ns

    @cached_property
    def latency_cycles(self) -> int:
        return sum(self.cycles.tolist())  # Python integers: a long list of huge layers may pass int64

    @cached_property
    def interval_cycles(self) -> int:
        """Cycles between two images: the slowest layer when pipelined (it fits), else the latency."""
        return int(self.cycles.max()) if self.fits else self.latency_cycles

    @property
    def bottleneck(self) -> int:
        """Index of the slowest layer (the first one, on a tie)."""
        return int(np.argmax(self.cycles))

    @property
    def cycle_ns(self) -> float:
        return self.spec.cycle_ns

    @property
    def latency_ns(self) -> float:
        return self.latency_cycles * self.cycle_ns + self.reprogram_ns

    @property
    def interval_ns(self) -> float:
        return self.interval_cycles * self.cycle_ns if self.fits else self.latency_ns

    @property
    def images_per_s(self) -> float:
        return 1e9 / self.interval_ns

    @property
    def chip_utilization(self) -> float:
        """Arrays holding a tile over the chip's arrays (when it does not fit: the average over
        the rounds, arrays_needed / (rounds * A))."""
        if self.fits:
            return self.arrays_used / self.spec.arrays
        return self.arrays_needed / (self.rounds * self.spec.arrays)

    @cached_property
    def adc_bits_needed(self) -> np.ndarray:
        """Per layer, the ADC bits a lossless read needs (engine.chip.adc_bits_lossless) for the
        rows of the layer's fullest row tile (engine.chip_needs.plan_tile_rows)."""
        cb, db = self.needs.array.cell_bits, self.spec.dac_bits
        rows, where = np.unique(self.needs.tile_rows, return_inverse=True)  # a few distinct values
        bits = np.array([adc_bits_lossless(int(r), cb, db) for r in rows], dtype=np.int64)
        return bits[where.reshape(-1)]

    @property
    def precision_loss(self) -> np.ndarray:
        """Per layer: the chip's ADC has fewer bits than a lossless read needs."""
        return self.adc_bits_needed > self.spec.adc_bits

    def warnings(self) -> list[str]:
        """One line per layer whose reads lose precision, and one if the network does not fit."""
        out = []
        if not self.fits:
            out.append(f"does not fit: {self.arrays_needed:,} arrays needed, {self.spec.arrays:,} on the chip "
                       f"(short by {self.shortfall:,}); time-multiplexed in {self.rounds:,} rounds with "
                       f"{self.reprogrammings:,} array writes per image")
        need = self.adc_bits_needed
        for i in np.flatnonzero(self.precision_loss).tolist():
            out.append(f"layer '{self.needs.names[i]}': a column adds up to {int(self.needs.tile_rows[i]):,} "
                       f"products and needs a {int(need[i])}-bit ADC for a lossless read; the chip's "
                       f"{self.spec.adc_bits}-bit ADC loses precision")
        return out

    def to_dict(self) -> dict:
        """The figures of `xbarscope-cli chip --format json`."""
        need, loss = self.adc_bits_needed.tolist(), self.precision_loss.tolist()
        layers = [{"name": n, "tiles": t, "steps": s, "replicas": r, "cycles": c, "adc_bits_needed": b,
                   "rows_per_read": rows, "precision_loss": lost}
                  for n, t, s, r, c, b, rows, lost in zip(
                      self.needs.names, self.needs.tiles.tolist(), self.needs.steps.tolist(),
                      self.replicas.tolist(), self.cycles.tolist(), need, self.needs.tile_rows.tolist(), loss)]
        return {"chip": self.spec.to_dict(), "array": self.needs.array.to_dict(), "method": self.needs.method,
                "arrays_needed": self.arrays_needed, "fits": self.fits, "shortfall": self.shortfall,
                "arrays_used": self.arrays_used, "tiles_used": self.tiles_used,
                "adc_bits_full_array": adc_bits_lossless(self.needs.array.rows, self.needs.array.cell_bits,
                                                         self.spec.dac_bits), "layers": layers,
                "latency_cycles": self.latency_cycles, "interval_cycles": self.interval_cycles,
                "bottleneck": self.needs.names[self.bottleneck], "cycle_ns": self.cycle_ns,
                "latency_ns": self.latency_ns, "interval_ns": self.interval_ns, "images_per_s": self.images_per_s,
                "chip_utilization": self.chip_utilization, "rounds": self.rounds,
                "reprogrammings": self.reprogrammings, "reprogram_ns": self.reprogram_ns,
                "warnings": self.warnings()}


def allocate(needs: LayerNeeds, spec: ChipSpec) -> ChipReport:
    """Place the layers of `needs` on the chip `spec` (module docstring)."""
    if spec.columns_per_adc > needs.array.cols:
        from .chip import ChipError

        raise ChipError("columns_per_adc", f"{spec.columns_per_adc} columns per ADC on a {needs.array.cols}-column "
                        f"array; at most {needs.array.cols}")
    tiles, steps = needs.tiles, needs.steps
    if needs.arrays_needed <= spec.arrays:
        replicas = choose_replicas(tiles, steps, spec.arrays)
        cycles = ceil_div(steps, replicas)
    else:
        replicas = np.ones_like(tiles)
        cycles = steps * ceil_div(tiles, spec.arrays)  # a layer larger than the chip runs once per round
    for a in (replicas, cycles):
        a.flags.writeable = False
    return ChipReport(spec, needs, replicas, cycles)
