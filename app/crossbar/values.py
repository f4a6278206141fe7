"""Values mode: the numbers a cycle computes, as palette indices for the strips and the OFM.

The engine's `Trace` gives every cycle by random access (the input value on each row, each
column's partial sum, the running OFM accumulators from a closed form): jumping to cycle
10 million costs what cycle 10 costs. This module only turns those numbers into colours
and words. Pure numpy (no Qt): the view and tests use it alike.

Colours: one diverging ramp, white at 0, red positive, blue negative (inputs are never
negative, so they are white to red). The OFM shows complete outputs on the full ramp and
outputs still adding up (partial) on the same ramp faded toward white; outputs not started
keep the plane's idle grey. Rows driven with padding and columns past the OFM edge keep
the strips' fixed greys.
"""
from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace

import numpy as np

from engine.plan import Plan
from engine.trace import CycleValues, Trace, trace_operands

from . import palette as pal

LEVELS = 111  # odd: level 55 is exactly 0
FULL, FADED = 32, 32 + 112  # first palette index of each ramp (112 entries each, 32..255)
RAMPS = (LEVELS, FULL, FADED)  # the view's: strips and planes have a table of their own
# Exported frames hold grid, strips and planes in one palette: their ramps take the entries
# of the dimmed category colours (values mode does not dim the grid), the colours stay.
COMPACT_RAMPS = (55, pal.FIRST_CLASS + pal.DIM_OFFSET, pal.FIRST_CLASS + pal.DIM_OFFSET + 56)


def write_ramps(table: np.ndarray, ramps=RAMPS) -> np.ndarray:
    """`table` with the full and the faded value ramps written at their entries."""
    levels, full, faded = ramps
    ramp = pal.diverging(levels).astype(np.float64)
    table[full:full + levels] = np.rint(ramp).astype(np.uint8)
    table[faded:faded + levels] = np.rint(ramp * 0.45 + 255 * 0.55).astype(np.uint8)
    return table


VALUE_TABLE = write_ramps(pal.palette(np.zeros((0, 3), dtype=np.uint8)))


def value_index(values, scale: float, faded: bool = False, ramps=RAMPS) -> np.ndarray:
    """Palette index of each value on the ramp whose ends are -scale and +scale."""
    levels, full, fade = ramps
    mid = levels // 2
    v = np.asarray(values, dtype=np.float64)
    level = np.clip(np.rint(v / max(float(scale), 1.0) * mid) + mid, 0, levels - 1).astype(np.uint8)
    return level + np.uint8(fade if faded else full)


def value_hex(value: float, scale: float) -> str:
    return pal.hex_of(VALUE_TABLE, int(value_index([value], scale)[0]))


def weights_fit(plan: Plan | None, w) -> bool:
    """Whether `w` are weights (OC, IC/groups, Kh, Kw) of the plan's layer."""
    if plan is None or w is None:
        return False
    L = plan.layer
    return tuple(np.shape(w)) == (L.out_c, L.group_in_c, L.k_h, L.k_w)


class PlanValues:
    """The values of one plan's cycles on seeded (or a model's quantized) integer operands;
    `model_weights` that are not the plan's layer's are not used (random ones are drawn)."""

    def __init__(self, plan: Plan, order: str = "weight", seed: int = 0, model_weights=None, ramps=RAMPS):
        self.plan, self.seed, self.ramps = plan, seed, ramps
        if not weights_fit(plan, model_weights):
            model_weights = None
        ints = model_weights is not None and np.asarray(model_weights).dtype.kind in "iu"
        self.operands = trace_operands(plan.layer, plan.array, plan, seed, None if ints else model_weights)
        if ints:  # the view's weights are already the array's integers: used as they are
            self.operands = replace(self.operands, w=np.asarray(model_weights, dtype=np.int64), weights="model")
        self.trace = Trace.of(plan, self.operands, order)
        self.weights_from = self.operands.weights  # "random" or "model"
        self.x_scale = max(1, int(np.abs(self.operands.x).max(initial=0)))
        self._ofm_scale: dict[int, int] = {}
        self._last: CycleValues | None = None
        self._pool: ThreadPoolExecutor | None = None  # builds the next tile's matrix ahead (prefetch_after)
        self._ahead: dict[tuple, Future] = {}

    def cycle(self, t: int) -> CycleValues:
        if self._last is None or self._last.cycle.index != t:
            ahead = self._ahead.get(self.trace.tile_key(t))
            if ahead is not None:
                ahead.result()  # being built ahead: wait for it rather than build it twice
            self._last = self.trace.cycle(t)
        return self._last

    def prefetch_after(self, t: int) -> None:
        """Build the matrix of the next tile change after cycle t on a worker thread, while
        this tile plays: the first visit of a 4096x4096 tile costs 0.2-0.4 s, which the view
        would otherwise spend frozen at the change. Only the latest few are remembered."""
        nxt = self.trace.schedule.next_tile_change(t)
        if nxt >= self.trace.total:
            return
        key = self.trace.tile_key(nxt)
        if key in self._ahead or key == self.trace.tile_key(t):
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="trace-prefetch")
        self._ahead[key] = self._pool.submit(self.trace.prefetch, nxt)
        while len(self._ahead) > 4:
            self._ahead.pop(next(iter(self._ahead)))

    def close(self) -> None:
        """Stop building ahead (a build under way finishes on its own)."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
        self._ahead.clear()

    def partial_scale(self, t: int) -> int:
        """The strip's scale this cycle: the largest partial sum a column feeds an output with."""
        cv = self.cycle(t)
        return max(1, int(np.abs(cv.partial[cv.feeding]).max(initial=0)))

    def strips(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        """(row strip, column strip) palette indices of cycle t (VALUE_TABLE)."""
        cv = self.cycle(t)
        rows = np.full(cv.row_values.size, pal.INDEX["strip_unused"], dtype=np.uint8)
        real = cv.driven & ~cv.rows.padding
        rows[real] = value_index(cv.row_values[real], self.x_scale, ramps=self.ramps)
        rows[cv.rows.padding] = pal.INDEX["padding"]
        cols = np.full(cv.partial.size, pal.INDEX["strip_unused"], dtype=np.uint8)
        cols[cv.feeding] = value_index(cv.partial[cv.feeding], self.partial_scale(t), ramps=self.ramps)
        cols[cv.cols.past_edge] = pal.INDEX["past_edge"]
        return rows, cols

    def ofm_scale(self, oc: int) -> int:
        """Channel oc's colour scale: the largest |output| it ends with (fixed over the cycles)."""
        if oc not in self._ofm_scale:
            final, _ = self.trace.accumulator(self.trace.total - 1, oc)
            self._ofm_scale[oc] = max(1, int(np.abs(final).max(initial=0)))
        return self._ofm_scale[oc]

    def ofm(self, t: int, oc: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(palette image, values, state) of OFM channel oc after cycle t."""
        values, state = self.trace.accumulator(t, oc)
        scale = self.ofm_scale(oc)
        img = np.full(values.shape, pal.INDEX["ofm_idle"], dtype=np.uint8)
        img[state == 1] = value_index(values[state == 1], scale, True, self.ramps)
        img[state == 2] = value_index(values[state == 2], scale, ramps=self.ramps)
        return img, values, state

    # --- words -------------------------------------------------------------------------------
    def cell_lines(self, t: int, row: int, col: int) -> list[str]:
        """What the cell's row and column carry in cycle t (for the hover tooltip)."""
        cv, a = self.cycle(t), self.plan.array
        lines = []
        if cv.rows.padding[row]:
            lines.append("input: 0 (padding)")
        elif cv.rows.c[row] >= 0:
            lines.append(f"input: {int(cv.row_values[row])} (IFM channel {int(cv.rows.c[row])} at "
                         f"({int(cv.rows.iy[row])}, {int(cv.rows.ix[row])}))")
        if cv.feeding[col]:
            cpw = a.cells_per_weight
            text = f"column partial sum: {int(cv.partial[col]):,}"
            if cpw > 1:
                q = int(cv.col_bit[col])
                text += (f" (bit slice {q}: x2^{q * a.cell_bits}); the weight's {cpw} columns add up to "
                         f"{int(cv.recombined[col // cpw]):,}")
            lines.append(text)
            if cv.rows.c[row] >= 0:
                w = int(self.trace.weights(t, row, col))
                lines.append(f"weight (recombined): {w}, product {w * int(cv.row_values[row]):,}")
        elif cv.cols.past_edge[col]:
            lines.append("column past the OFM edge: its sum is not used")
        return lines

    def ofm_text(self, t: int, oc: int, y: int, x: int) -> str:
        """'output (oc, y, x) = 1,234 after cycle t, partial: 2 of 3 row tiles added (cycles …)'."""
        values, state = self.trace.accumulator(t, oc)
        cycles, _ = self.trace.contributions(oc, y, x)
        real = cycles[cycles < self.trace.total]
        done = int(np.count_nonzero(real <= t))
        word = ("complete" if state[y, x] == 2 else "partial" if state[y, x] == 1 else "not started")
        listed = ", ".join(f"{int(c):,}" for c in real[:8]) + (" …" if real.size > 8 else "")
        return (f"output (channel {oc}, {y}, {x}) = {int(values[y, x]):,} after cycle {t:,}: {word}, "
                f"{done} of {real.size} contributing cycles added (cycles {listed})")

    def caption(self, t: int) -> str:
        source = "the model's quantized weights" if self.weights_from == "model" else "random weights"
        return (f"values · random inputs 0…{self.x_scale}, {source} (seed {self.seed}) · "
                f"partial sums this cycle ±{self.partial_scale(t):,}")
