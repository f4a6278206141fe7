"""Running accumulators of the OFM by closed form, for random access to any cycle.

Every output (oc, oy, ox) of a single-region plan is fed by exactly one cycle per row
tile a: cycle `index(g, b, a, py, px)`, with b the column tile holding its channel at
its kernel copy (mapping model, section 6). So one table per output channel holds, per
row tile, that cycle and the partial sum it adds (`ChannelTable`); the accumulator after
cycle t is the sum of the row tiles whose cycle is <= t. Building a table costs one
product of the PW positions' input vectors with the channel's columns, per row tile
(simulate's tile blocks restricted to those columns); a cycle then costs a masked sum
over AR planes, whatever t is: no replay of the cycles before it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .layout import col_vectors, row_vectors
from .plan import Plan
from .schedule import Schedule
from .simulate import _CHUNK, _Tile
from .trace_tiles import exact_product


def extended_ifm(plan: Plan, x: np.ndarray) -> np.ndarray:
    """The plan's IFM with its padding, extended with zeros so that PWs hanging past the
    far edge read zeros (as simulate reads it)."""
    L = plan.layer
    need_h = (plan.n_pw_h - 1) * plan.nh * L.stride_h + plan.pix_h
    need_w = (plan.n_pw_w - 1) * plan.nw * L.stride_w + plan.pix_w
    xp = np.zeros((L.in_c, max(need_h, L.in_h + 2 * L.pad_h), max(need_w, L.in_w + 2 * L.pad_w)), x.dtype)
    xp[:, L.pad_h:L.pad_h + L.in_h, L.pad_w:L.pad_w + L.in_w] = x
    return xp


@dataclass(frozen=True)
class ChannelTable:
    """One output channel of a single-region plan: per row tile a, `cycle[a]` (the cycle
    that adds its partial sum; the schedule's total where none does) and `value[a]`, both
    (AR, OH, OW)."""

    cycle: np.ndarray
    value: np.ndarray

    def after(self, t: int) -> np.ndarray:
        """(OH, OW) int64: the accumulator after cycle t."""
        return np.where(self.cycle <= t, self.value, 0).sum(axis=0)


def channel_table(plan: Plan, schedule: Schedule, xp: np.ndarray, w: np.ndarray, extra, oc: int) -> ChannelTable:
    """The table of global output channel `oc`; `xp` the plan's `extended_ifm`."""
    L, arr = plan.layer, plan.array
    cpw = arr.cells_per_weight
    shift = 1 << (np.arange(cpw, dtype=np.int64) * arr.cell_bits)
    g, o = divmod(oc, plan.group.out_c)
    hh, ww = plan.n_pw_h * plan.nh, plan.n_pw_w * plan.nw
    cycle = np.full((plan.ar, hh, ww), schedule.total, dtype=np.int64)
    value = np.zeros((plan.ar, hh, ww), dtype=np.int64)
    pys, pxs = np.divmod(np.arange(plan.n_pw), plan.n_pw_w)
    sc, sy, sx = xp.strides  # positions[c, y, x, py, px] = xp[c, py*nh*sh + y, px*nw*sw + x]
    positions = np.lib.stride_tricks.as_strided(
        xp, (L.in_c, plan.pix_h, plan.pix_w, plan.n_pw_h, plan.n_pw_w),
        (sc, sy, sx, sy * plan.nh * L.stride_h, sx * plan.nw * L.stride_w), writeable=False)
    for b in range(plan.ac):
        cv = col_vectors(plan, b)
        lead = cv.copy[: arr.logical_cols * cpw: cpw]
        v = np.flatnonzero((lead >= 0) & (cv.oc[: arr.logical_cols * cpw: cpw] == o))
        if v.size == 0:
            continue
        for a in range(plan.ar):
            rv = row_vectors(plan, a)
            r = np.flatnonzero(rv.used)
            t = _Tile(plan, rv, cv, r, v)
            oy, ox = pys[:, None] * plan.nh + t.v_wy, pxs[:, None] * plan.nw + t.v_wx  # (n_pw, nv)
            cycle[a, oy, ox] = schedule.index(g, b, a, pys, pxs)[:, None]
            if r.size == 0:
                continue
            gm = t.matrices(w, np.array([g]), plan.group.out_c, arr, extra)[0]
            # Each row's inputs at every PW position are one strided plane of the IFM: index the
            # (channel, PW pixel) of the rows only, not every (position, row) pair.
            rc = g * plan.group.in_c + t.row_c
            oy, ox = oy.reshape(plan.n_pw_h, plan.n_pw_w, -1), ox.reshape(plan.n_pw_h, plan.n_pw_w, -1)
            bw = min(plan.n_pw_w, max(1, _CHUNK // r.size))  # blocks of PW positions: bounded memory
            bh = max(1, _CHUNK // (r.size * bw))
            for y0 in range(0, plan.n_pw_h, bh):
                for x0 in range(0, plan.n_pw_w, bw):
                    xin = positions[rc, t.row_y, t.row_x, y0:y0 + bh, x0:x0 + bw]  # (rows, bh, bw)
                    y = exact_product(gm.T, xin.reshape(r.size, -1)).reshape(v.size, cpw, -1)
                    part = (y * shift[None, :, None]).sum(axis=1).T  # shift-and-add: (positions, nv)
                    value[a, oy[y0:y0 + bh, x0:x0 + bw].reshape(-1, v.size),
                          ox[y0:y0 + bh, x0:x0 + bw].reshape(-1, v.size)] = part
    return ChannelTable(cycle[:, :L.out_h, :L.out_w], value[:, :L.out_h, :L.out_w])
