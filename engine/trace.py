"""The values of every computing cycle, by random access: what values-mode playback shows
and `xbarscope-cli trace` exports (issue 15).

`Trace(plan, x, w)` answers, for any cycle t, in time independent of t:

- `cycle(t)` -> `CycleValues`: the tile (b, a) and PW (py, px), whether the array was
  reprogrammed for it and which channels the loaded tile holds, the input value on every
  row (`RowSources` of the schedule: channel, IFM pixel, padding), and every column's
  partial sum of this cycle (`ColTargets`: the output it feeds, plus copy and bit slice);
- `accumulator(t, oc)` -> the running OFM of channel `oc` after cycle t and its state
  (0 not started, 1 partial, 2 complete), from a per-channel closed form
  (engine.trace_accumulate), never by replaying cycles;
- `weights(t, rows, cols)`: the recombined (shift-and-add) weight of a cell's column group.

Partial sums are those of physical columns (one bit slice each, unshifted); an output
gets `partial * 2**(bit * cell_bits)` from each, which `CycleValues.recombined` sums per
logical column. Summed over all cycles they give `simulate`'s OFM exactly: the direct
convolution of x and w (a compressed plan: its pruned layer, `simulate.expected_output`).
Operands come from `trace_operands` (seeded random integers, or a model's quantized
weights, as `verify` draws them).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from .errors import XbarError
from .layers import ArraySpec, ConvLayer
from .plan import Plan
from .schedule import ColTargets, Cycle, RowSources, Schedule
from .simulate import _check_shapes, check_weights, expected_output, random_operands
from .trace_accumulate import ChannelTable, channel_table, extended_ifm
from .trace_tiles import TileMatrix, build_tile, slices_of, tile_dtype


@dataclass(frozen=True)
class TraceOperands:
    """The integers a trace computes with: IFM `x` (IC, H, W), weights `w` (OC, IC/g, Kh, Kw),
    compensatory weights `extra` (KERNTROL-C, else None); `seed` drew the random ones;
    `weights` says where w came from ("random" or "model", then `scale` per integer step)."""

    x: np.ndarray
    w: np.ndarray
    seed: int
    weights: str = "random"
    extra: np.ndarray | None = None
    scale: float | None = None


def trace_operands(layer: ConvLayer, array: ArraySpec, plan: Plan, seed: int = 0,
                   model_weights: np.ndarray | None = None) -> TraceOperands:
    """Seeded operands, drawn as `verify` draws them: a random 4-bit IFM and signed
    `weight_bits` weights (then the compensatory ones) from one generator. `model_weights`
    (float, the layer's imported weights) replace the random weights, quantized to the
    array's weight bits as `verify --weights model` does."""
    rng = np.random.default_rng(seed)
    x, w = random_operands(layer, array, rng)
    scale, source = None, "random"
    if model_weights is not None:
        from .weights import quantize

        q = quantize(model_weights, array.weight_bits, f"layer '{layer.name}'")
        w, scale, source = q.values, q.scale, "model"
    extra = None
    if plan.compression is not None and plan.compression.extra is not None:
        from .compress.reference import random_extra

        extra = random_extra(layer, array, plan, rng)
    return TraceOperands(x, w, seed, source, extra, scale)


@dataclass(frozen=True)
class CycleValues:
    """One cycle. Row arrays have the array's R entries, column arrays its C entries;
    -1 (or 0 for values) marks unused rows/columns. Channels and pixels are global."""

    cycle: Cycle  # index, group, b, a, py, px, region
    tile_change: bool  # the array was (re)programmed for this cycle: a new (region, group, b, a)
    in_channels: np.ndarray  # input channels the loaded row tile holds
    out_channels: np.ndarray  # output channels the loaded column tile holds
    rows: RowSources  # per row: channel, IFM y, x (-1 for padding), padding flag
    row_values: np.ndarray  # (R,) int64 input value driving each row (0: padding or unused)
    cols: ColTargets  # per column: output channel, OFM y, x (-1 unused or past the edge)
    col_copy: np.ndarray  # (C,) kernel copy, -1 unused
    col_bit: np.ndarray  # (C,) bit slice (0 least significant), -1 unused
    partial: np.ndarray  # (C,) int64 this cycle's partial sum of each physical column
    recombined: np.ndarray  # (Cl,) int64 shift-and-add of each logical column's bit slices

    @property
    def driven(self) -> np.ndarray:
        """Rows the cycle drives (padding rows included: they are driven with 0)."""
        return self.rows.c >= 0

    @property
    def feeding(self) -> np.ndarray:
        """Columns whose partial sum goes to an output (not unused, not past the OFM edge)."""
        return self.cols.oc >= 0


_LOCK = threading.Lock()  # guards the caches' bookkeeping: a worker may prefetch while the GUI reads


def _cached(cache: OrderedDict, key, keep: int, make):
    """cache[key], made on a miss (outside the lock: a slow build blocks no reader); the least
    recently used entries beyond `keep` are dropped."""
    with _LOCK:
        value = cache.get(key)
        if value is not None:
            cache.move_to_end(key)
            return value
    value = make()
    with _LOCK:
        cache[key] = value
        while len(cache) > keep:
            cache.popitem(last=False)
    return value


TILE_BUDGET = 256 << 20  # bytes of tile matrices a trace keeps (at least two tiles)
TABLE_BUDGET = 128 << 20  # bytes of accumulator tables a trace keeps (at least one channel)


class Trace:
    """Random access to the values of the cycles of `plan` on integer operands x and w.

    Keeps the tile matrices of the last `keep_tiles` tiles (default: as many as fit in
    TILE_BUDGET, at least 2; a 4096 x 4096 tile is 64 MB in float32) and the accumulator tables of the
    last `keep_channels` output channels (default: as many as fit in TABLE_BUDGET, at most 16;
    a table is AR x OH x OW x 16 bytes). Building a tile's matrix is the one cost a cycle
    may pay (on a tile change); `prefetch` pays it ahead, from a worker thread if wanted."""

    def __init__(self, plan: Plan, x: np.ndarray, w: np.ndarray, extra: np.ndarray | None = None,
                 order: str = "weight", keep_tiles: int | None = None, keep_channels: int | None = None):
        x, w = np.asarray(x), np.asarray(w)
        _check_shapes(plan.layer, x, w)
        check_weights(w, plan.array)
        if extra is not None:
            want = (plan.copies, plan.layer.out_c, plan.layer.group_in_c, plan.pix_h, plan.pix_w)
            if np.shape(extra) != want:
                raise XbarError(f"extra weights of shape {np.shape(extra)}, expected {want}")
            check_weights(extra, plan.array)
        self.plan, self.x, self.w, self.extra = plan, x, w, extra
        self.schedule = Schedule(plan, order)
        self.total = self.schedule.total
        self._x_max = int(np.abs(x).max(initial=0))
        self._sliced = slices_of(w, extra, plan.array)
        self._tiles: OrderedDict = OrderedDict()
        self._tables: OrderedDict = OrderedDict()
        if keep_tiles is None:
            a = plan.array
            item = np.dtype(tile_dtype(a, self._x_max, a.rows)).itemsize
            keep_tiles = max(2, TILE_BUDGET // (item * a.rows * a.cols))
        if keep_channels is None:
            table = 16 * max(p.ar * p.layer.out_h * p.layer.out_w for p in plan.parts)
            keep_channels = min(16, max(1, TABLE_BUDGET // table))
        self._keep_tiles, self._keep_channels = keep_tiles, keep_channels
        self._shift = 1 << (np.arange(plan.array.cells_per_weight, dtype=np.int64) * plan.array.cell_bits)

    @classmethod
    def of(cls, plan: Plan, operands: TraceOperands, order: str = "weight") -> "Trace":
        return cls(plan, operands.x, operands.w, operands.extra, order)

    # --- one cycle -------------------------------------------------------------------
    def _key(self, cyc: Cycle) -> tuple:
        return cyc.region, cyc.group, cyc.b, cyc.a

    def tile(self, cyc: Cycle) -> TileMatrix:
        """The matrix loaded in cycle `cyc` (cached: a tile's cycles share it)."""
        part = self.plan.parts[cyc.region]
        return _cached(self._tiles, self._key(cyc), self._keep_tiles,
                       lambda: build_tile(part, cyc.a, cyc.b, cyc.group, self._sliced, self._x_max))

    def tile_key(self, t: int) -> tuple:
        """What identifies the matrix cycle t needs (cycles of one tile share it)."""
        return self._key(self.schedule.cycle(t))

    def prefetch(self, t: int) -> None:
        """Build (and keep) the tile matrix cycle t needs, e.g. the next tile change's
        (`schedule.next_tile_change`) while the current tile plays."""
        self.tile(self.schedule.cycle(t))

    def cycle(self, t: int) -> CycleValues:
        s = self.schedule
        cyc = s.cycle(t)
        change = t == 0 or self._key(s.cycle(t - 1)) != self._key(cyc)
        rows, cols = s.row_sources(t), s.col_targets(t)
        ok = (rows.c >= 0) & ~rows.padding
        x_rows = np.zeros(rows.c.size, dtype=np.int64)
        x_rows[ok] = self.x[rows.c[ok], rows.iy[ok], rows.ix[ok]]
        m = self.tile(cyc)
        partial = m.partial(x_rows)
        return CycleValues(cyc, change, m.in_channels, m.out_channels, rows, x_rows, cols, m.col_copy,
                           m.col_bit, partial, self.recombine(partial))

    def recombine(self, partial: np.ndarray) -> np.ndarray:
        """(..., C) physical-column values -> (..., Cl): shift-and-add of each weight's slices."""
        a = self.plan.array
        cpw = a.cells_per_weight
        p = np.asarray(partial, dtype=np.int64)[..., : a.logical_cols * cpw]
        return (p.reshape(p.shape[:-1] + (a.logical_cols, cpw)) * self._shift).sum(axis=-1)

    def weights(self, t: int, rows, cols) -> np.ndarray:
        """Recombined weight of the column group of physical column(s) `cols` at row(s) `rows`
        in the tile of cycle t (broadcast; 0 for unused cells, zero cells and pruned ones):
        the value the cells' bit slices stand for."""
        m = self.tile(self.schedule.cycle(t))
        cpw = self.plan.array.cells_per_weight
        rows, cols = np.broadcast_arrays(np.asarray(rows), np.asarray(cols))
        ri = m.row_pos[rows]
        out = np.zeros(rows.shape, dtype=np.int64)
        for q in range(cpw):
            ci = m.col_pos[np.minimum(cols // cpw * cpw + q, m.col_pos.size - 1)]
            ok = (ri >= 0) & (ci >= 0) & (cols // cpw < self.plan.array.logical_cols)
            out[ok] += m.g[ri[ok], ci[ok]].astype(np.int64) * int(self._shift[q])
        return out

    # --- accumulators ------------------------------------------------------------------
    def _table(self, region: int, oc: int) -> ChannelTable:
        part = self.plan.parts[region]
        sched = self.schedule.subs[region] if self.plan.regions else self.schedule
        return _cached(self._tables, (region, oc), self._keep_channels, lambda: channel_table(
            part, sched, extended_ifm(part, self._part_ifm(region)), self.w, self.extra, oc))

    def _part_ifm(self, region: int) -> np.ndarray:
        """The IFM a part reads: the layer's own, or a region's window of the padded IFM
        (as simulate runs regions)."""
        if not self.plan.regions:
            return self.x
        L, r = self.plan.layer, self.plan.regions[region]
        xp = np.pad(self.x, ((0, 0), (L.pad_h, L.pad_h), (L.pad_w, L.pad_w)))
        y0, x0 = r.oy * L.stride_h, r.ox * L.stride_w
        return xp[:, y0:y0 + r.plan.layer.in_h, x0:x0 + r.plan.layer.in_w]

    def accumulator(self, t: int, oc: int) -> tuple[np.ndarray, np.ndarray]:
        """Output channel `oc` (global) after cycle t: (values, state), both (OH, OW);
        values int64, state uint8 0 not started, 1 partial, 2 complete."""
        L = self.plan.layer
        if not 0 <= oc < L.out_c:
            raise IndexError(f"output channel {oc} outside 0..{L.out_c - 1}")
        state = self.schedule.ofm_state(t, oc)  # raises IndexError for t outside the schedule
        if not self.plan.regions:
            return self._table(0, oc).after(t), state
        values = np.zeros((L.out_h, L.out_w), dtype=np.int64)
        for i, (r, start) in enumerate(zip(self.plan.regions, self.schedule.starts)):
            if t >= start:
                local = min(t - int(start), r.plan.cycles - 1)
                values[r.oy:r.oy + r.h, r.ox:r.ox + r.w] = self._table(i, oc).after(local)
        return values, state

    def contributions(self, oc: int, y: int, x: int) -> tuple[np.ndarray, np.ndarray]:
        """The cycles that add to output (oc, y, x), one per row tile in schedule order, and the
        (recombined) partial sum each adds: (cycles, values), int64 (AR,). A cycle equal to the
        schedule's total means none (an output channel a compressed plan removes). The columns
        are those of `cycle(c)` whose target is (oc, y, x)."""
        region = 0
        if self.plan.regions:
            region = next(i for i, r in enumerate(self.plan.regions)
                          if r.oy <= y < r.oy + r.h and r.ox <= x < r.ox + r.w)
            r = self.plan.regions[region]
            y, x = y - r.oy, x - r.ox
        tab = self._table(region, oc)
        cycles = tab.cycle[:, y, x]
        if self.plan.regions:
            local_total = self.plan.regions[region].plan.cycles
            start = int(self.schedule.starts[region])
            cycles = np.where(cycles < local_total, cycles + start, self.total)
        return cycles, tab.value[:, y, x]

    def expected(self) -> np.ndarray:
        """The OFM all cycles add up to (direct convolution, or a compressed plan's pruned layer)."""
        return expected_output(self.plan.layer, self.plan, self.x, self.w, self.extra)


__all__ = ["CycleValues", "Trace", "TraceOperands", "trace_operands"]
