"""The cycle schedule (mapping model, section 6): cycle index <-> (group, b, a, py, px).

Random access by arithmetic: cycle 10 million costs the same as cycle 0.
Weight-stationary order: for g: for b: for a: for py: for px.
Input-stationary order:  for g: for py: for px: for b: for a.
Groups (grouped convolution) are always outermost: each is an independent layer.
A plan made of regions (edge-aware tiling) walks its regions in order, each region
with the schedule above; `Schedule(plan)` returns a `RegionSchedule` for such plans.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .layout import col_vectors, row_vectors
from .plan import Plan

ORDERS = ("weight", "input")


@dataclass(frozen=True)
class Cycle:
    index: int
    group: int
    b: int  # column tile
    a: int  # row tile
    py: int  # PW position
    px: int
    region: int = 0  # index into plan.regions (0 for single-region plans)


@dataclass(frozen=True)
class RowSources:
    """Per row in one cycle: global input channel and IFM pixel; -1 where unused.

    `padding` marks used rows whose pixel is padding or past the far edge (driven with 0).
    """

    c: np.ndarray
    iy: np.ndarray
    ix: np.ndarray
    padding: np.ndarray


@dataclass(frozen=True)
class ColTargets:
    """Per column in one cycle: global output channel and OFM pixel; -1 where unused or past the edge."""

    oc: np.ndarray
    oy: np.ndarray
    ox: np.ndarray
    past_edge: np.ndarray  # used columns whose window lies past the OFM edge


def _sources(rv, channel0: int, iy, ix, outside) -> RowSources:
    used = rv.used
    pad = used & outside
    c = np.where(used, channel0 + rv.c, -1)
    ok = used & ~pad
    return RowSources(c.astype(np.int32), np.where(ok, iy, -1).astype(np.int32),
                      np.where(ok, ix, -1).astype(np.int32), pad)


class Schedule:
    def __new__(cls, plan: Plan, order: str = "weight"):
        if cls is Schedule and plan.regions:
            return super().__new__(RegionSchedule)
        return super().__new__(cls)

    def __init__(self, plan: Plan, order: str = "weight"):
        if order not in ORDERS:
            raise ValueError(f"loop order must be one of {ORDERS}, got {order!r}")
        self.plan, self.order = plan, order
        p = plan
        # Sizes of the nested loops, outermost first.
        if order == "weight":
            self._dims = (p.layer.groups, p.ac, p.ar, p.n_pw_h, p.n_pw_w)
        else:
            self._dims = (p.layer.groups, p.n_pw_h, p.n_pw_w, p.ac, p.ar)
        self.total = p.cycles

    def cycle(self, t: int) -> Cycle:
        if not 0 <= t < self.total:
            raise IndexError(f"cycle {t} outside 0..{self.total - 1}")
        t0, idx = t, []
        for size in reversed(self._dims):
            t, r = divmod(t, size)
            idx.append(r)
        i = idx[::-1]
        if self.order == "weight":
            g, b, a, py, px = i
        else:
            g, py, px, b, a = i
        return Cycle(t0, g, b, a, py, px)

    def index(self, group: int, b: int, a: int, py: int, px: int):
        """Cycle index of (group, b, a, py, px); works elementwise on numpy arrays."""
        if self.order == "weight":
            parts = (group, b, a, py, px)
        else:
            parts = (group, py, px, b, a)
        t = 0
        for v, size in zip(parts, self._dims):
            t = t * size + v
        return t

    def raw_rows(self, t: int):
        """(cycle, row vectors, IFM row, IFM column) of every array row, before bounds checks."""
        cyc, p = self.cycle(t), self.plan
        rv = row_vectors(p, cyc.a)
        L = p.layer
        iy = cyc.py * p.nh * L.stride_h - L.pad_h + rv.y
        ix = cyc.px * p.nw * L.stride_w - L.pad_w + rv.x
        return cyc, rv, iy, ix

    def row_sources(self, t: int) -> RowSources:
        cyc, rv, iy, ix = self.raw_rows(t)
        L = self.plan.layer
        return _sources(rv, cyc.group * self.plan.group.in_c, iy, ix,
                        (iy < 0) | (iy >= L.in_h) | (ix < 0) | (ix >= L.in_w))

    def col_targets(self, t: int) -> ColTargets:
        cyc, p = self.cycle(t), self.plan
        cv = col_vectors(p, cyc.b)
        used = cv.used
        oy = cyc.py * p.nh + cv.copy // p.nw
        ox = cyc.px * p.nw + cv.copy % p.nw
        past = used & ((oy >= p.layer.out_h) | (ox >= p.layer.out_w))
        ok = used & ~past
        oc = np.where(ok, cyc.group * p.group.out_c + cv.oc, -1)
        return ColTargets(oc.astype(np.int32), np.where(ok, oy, -1).astype(np.int32),
                          np.where(ok, ox, -1).astype(np.int32), past)

    def _output_tiles(self, oc):
        """For output channel(s) `oc` (global): the (group, column tile, PW row, PW column) of
        every OFM pixel, shape (..., OH, OW), and where the channel is removed (or None)."""
        p = self.plan
        oc = np.asarray(oc)
        g, o = oc // p.group.out_c, oc % p.group.out_c
        n_oc, removed = p.group.out_c, None
        if p.compression is not None:  # columns hold the kept output channels only
            n_oc, o = p.compression.n_out_present(p), p.compression.oc_local(o)
            removed, o = (o < 0)[..., None, None], np.maximum(o, 0)
        oy = np.arange(p.layer.out_h)[:, None]
        ox = np.arange(p.layer.out_w)[None, :]
        py, wy = oy // p.nh, oy % p.nh
        px, wx = ox // p.nw, ox % p.nw
        k = wy * p.nw + wx
        o = o[..., None, None]
        if p.col_split == "flat":
            b = (k * n_oc + o) // p.array.logical_cols
        else:
            b = o // p.oct + 0 * k
        return g[..., None, None], b, py, px, removed

    def output_cycles(self, oc) -> tuple[np.ndarray, np.ndarray]:
        """For output channel(s) `oc` (global): first and last cycle touching each OFM pixel.

        Returns arrays of shape (..., OH, OW). An output is partial from its first cycle
        and complete after its last (its last row tile), section 6.
        """
        g, b, py, px, removed = self._output_tiles(oc)
        first, last = self.index(g, b, 0, py, px), self.index(g, b, self.plan.ar - 1, py, px)
        if removed is not None:  # a removed channel is never computed: "after the last cycle"
            first, last = np.where(removed, self.total, first), np.where(removed, self.total, last)
        return first, last

    def contributing_cycles(self, oc: int, y: int, x: int) -> np.ndarray:
        """The cycles that add to output (oc, y, x): one per row tile, in row-tile order
        (int64, (AR,)); the schedule's total for a channel a compressed plan removes."""
        g, b, py, px, removed = self._output_tiles(int(oc))
        g, b, py, px = (int(v[y, x]) for v in np.broadcast_arrays(g, b, py, px))
        cycles = np.asarray(self.index(g, b, np.arange(self.plan.ar), py, px), dtype=np.int64)
        if removed is not None and bool(removed):
            cycles[:] = self.total
        return cycles

    def ofm_state(self, t: int, oc: int) -> np.ndarray:
        """(OH, OW) uint8 for output channel `oc` after cycle t: 0 not started, 1 partial, 2 complete."""
        first, last = self.output_cycles(oc)
        return (first <= t).astype(np.uint8) + (last <= t).astype(np.uint8)

    @cached_property
    def _completions(self) -> tuple[np.ndarray, np.ndarray]:
        """Cycles at which outputs complete (sorted) and the running count of complete outputs.

        Outputs complete in the last row tile of each (group, b, PW position); how many
        depends only on b and the position, so this table stays small where a per-output
        one (OC*OH*OW) would not.
        """
        p = self.plan
        cnt = np.zeros((p.ac, p.nh, p.nw), dtype=np.int64)
        for b in range(p.ac):
            cv = col_vectors(p, b)
            k = cv.copy[(cv.bit == 0) & cv.used]
            cnt[b] = np.bincount(k, minlength=p.copies).reshape(p.nh, p.nw)
        rowvalid = (np.arange(p.n_pw_h)[:, None] * p.nh + np.arange(p.nh)[None, :]) < p.layer.out_h
        colvalid = (np.arange(p.n_pw_w)[:, None] * p.nw + np.arange(p.nw)[None, :]) < p.layer.out_w
        n_out = np.einsum("yi,xj,bij->byx", rowvalid.astype(np.int64), colvalid.astype(np.int64), cnt)
        g = np.arange(p.layer.groups)[:, None, None, None]
        b = np.arange(p.ac)[None, :, None, None]
        py = np.arange(p.n_pw_h)[None, None, :, None]
        px = np.arange(p.n_pw_w)[None, None, None, :]
        cycles = np.broadcast_to(self.index(g, b, p.ar - 1, py, px), (p.layer.groups,) + n_out.shape).ravel()
        counts = np.broadcast_to(n_out, (p.layer.groups,) + n_out.shape).ravel()
        order = np.argsort(cycles, kind="stable")
        return cycles[order], np.cumsum(counts[order])

    def outputs_complete(self, t: int) -> int:
        """How many OFM values (all channels) are complete after cycle t."""
        cycles, running = self._completions
        i = int(np.searchsorted(cycles, t, side="right"))
        return int(running[i - 1]) if i else 0

    @property
    def outputs_total(self) -> int:
        """OFM values the schedule computes (a compressed plan may drop output channels)."""
        p = self.plan
        n_oc = p.layer.out_c if p.compression is None else p.compression.n_out_present(p) * p.layer.groups
        return n_oc * p.layer.out_h * p.layer.out_w

    def next_tile_change(self, t: int) -> int:
        """First cycle after t whose array configuration (group, a, b) differs; total if none."""
        p = self.plan
        if self.order == "input" and p.ar * p.ac > 1:
            return min(self.total, t + 1)  # input-stationary reprograms every cycle
        # The configuration holds for one full sweep of the PW positions.
        return min(self.total, (t // p.n_pw + 1) * p.n_pw)


class RegionSchedule(Schedule):
    """The schedule of a plan made of regions: each region's schedule in turn."""

    def __init__(self, plan: Plan, order: str = "weight"):
        if order not in ORDERS:
            raise ValueError(f"loop order must be one of {ORDERS}, got {order!r}")
        self.plan, self.order = plan, order
        self.subs = [Schedule(r.plan, order) for r in plan.regions]
        self.starts = np.cumsum([0] + [s.total for s in self.subs])
        self.total = int(self.starts[-1])

    def _locate(self, t: int) -> tuple[int, int]:
        if not 0 <= t < self.total:
            raise IndexError(f"cycle {t} outside 0..{self.total - 1}")
        r = int(np.searchsorted(self.starts, t, side="right")) - 1
        return r, t - int(self.starts[r])

    def cycle(self, t: int) -> Cycle:
        r, local = self._locate(t)
        c = self.subs[r].cycle(local)
        return Cycle(t, c.group, c.b, c.a, c.py, c.px, r)

    def index(self, group, b, a, py, px, region: int = 0):
        return int(self.starts[region]) + self.subs[region].index(group, b, a, py, px)

    def row_sources(self, t: int) -> RowSources:
        r, local = self._locate(t)
        sub, region = self.subs[r], self.plan.regions[r]
        cyc, rv, iy, ix = sub.raw_rows(local)
        L, S = self.plan.layer, sub.plan.layer
        # Past the region's own IFM window (a PW hanging past the region) drives zeros,
        # as does the real padding around the IFM.
        beyond = (iy >= S.in_h) | (ix >= S.in_w)
        iy = iy + region.oy * L.stride_h - L.pad_h
        ix = ix + region.ox * L.stride_w - L.pad_w
        outside = beyond | (iy < 0) | (iy >= L.in_h) | (ix < 0) | (ix >= L.in_w)
        return _sources(rv, cyc.group * self.plan.group.in_c, iy, ix, outside)

    def col_targets(self, t: int) -> ColTargets:
        r, local = self._locate(t)
        ct, region = self.subs[r].col_targets(local), self.plan.regions[r]
        ok = ct.oy >= 0
        return ColTargets(ct.oc, np.where(ok, ct.oy + region.oy, -1).astype(np.int32),
                          np.where(ok, ct.ox + region.ox, -1).astype(np.int32), ct.past_edge)

    def _clipped(self, t: int):
        """Per region: the region, its schedule and the last of its cycles done by cycle t (or None)."""
        for region, sub, start in zip(self.plan.regions, self.subs, self.starts):
            local = t - int(start)
            yield region, sub, (min(local, sub.total - 1) if local >= 0 else None)

    def ofm_state(self, t: int, oc: int) -> np.ndarray:
        L = self.plan.layer
        out = np.zeros((L.out_h, L.out_w), dtype=np.uint8)
        for region, sub, local in self._clipped(t):
            if local is not None:
                out[region.oy:region.oy + region.h, region.ox:region.ox + region.w] = sub.ofm_state(local, oc)
        return out

    def outputs_complete(self, t: int) -> int:
        return sum(sub.outputs_complete(local) for _, sub, local in self._clipped(t) if local is not None)

    def output_cycles(self, oc):
        raise NotImplementedError("per-output cycles of a region plan: use ofm_state per region")

    def contributing_cycles(self, oc: int, y: int, x: int) -> np.ndarray:
        for region, sub, start in zip(self.plan.regions, self.subs, self.starts):
            if region.oy <= y < region.oy + region.h and region.ox <= x < region.ox + region.w:
                local = sub.contributing_cycles(oc, y - region.oy, x - region.ox)
                return np.where(local < sub.total, local + int(start), self.total)
        raise IndexError(f"output ({y}, {x}) is in no region of the plan")

    def next_tile_change(self, t: int) -> int:
        r, local = self._locate(t)
        return int(self.starts[r]) + self.subs[r].next_tile_change(local)
