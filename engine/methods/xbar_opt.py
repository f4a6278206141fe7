"""`xbar-opt`: flat splits plus edge-aware tiling, the best mapping XbarScope finds.

A single PW grid wastes cycles where the OFM is not a multiple of the PW: the last PW of
a row or column hangs past the edge. Edge-aware tiling covers the largest multiple of
the PW (the bulk) with it, and maps the leftover strips and corner as regions of their
own, each with its best PW (flat splits). Three ways of cutting the leftover L-shape are
tried (bottom strip + right strip + corner; full-width bottom + right; full-height right
+ bottom). The search over bulk PWs is exact for this family: candidates are visited in
order of an optimistic cost (bulk cost + the section 4 lower bound of the leftover
area) and the search stops when that bound cannot beat the best plan found. The whole
OFM under one PW (`vw-flat`) is always a candidate, so `xbar-opt` never needs more
cycles than `vw-flat`, which never needs more than `vw-sdk`.
"""
from __future__ import annotations

import numpy as np

from ..layers import ArraySpec, ConvLayer, ceil_div
from ..plan import Plan, Region, region_layer
from . import register
from .flat import FlatGrid, flat_plan

# Above this many bulk candidates the edge-aware search is skipped (plain vw-flat):
# it keeps the search's memory bounded on absurdly large OFMs.
MAX_BULK_CANDIDATES = 1 << 22
_CHUNK = 1 << 18  # bulk candidates per numpy pass


def _leftovers(oh: int, ow: int, hb: int, wb: int):
    """The ways to cut the L-shaped leftover of an hb x wb bulk into rectangles (oy, ox, h, w)."""
    rh, rw = oh - hb, ow - wb
    cuts = ([(hb, 0, rh, wb), (0, wb, hb, rw), (hb, wb, rh, rw)],
            [(hb, 0, rh, ow), (0, wb, hb, rw)],
            [(0, wb, oh, rw), (hb, 0, rh, wb)])
    return [[r for r in cut if r[2] > 0 and r[3] > 0] for cut in cuts]


def edge_aware(layer: ConvLayer, array: ArraySpec) -> tuple[int, list]:
    """(cycles per group, [(oy, ox, h, w, nh, nw, ar, ac), ...]) of the best tiling found."""
    grid = FlatGrid(layer, array)
    g = grid.g
    oh, ow = g.out_h, g.out_w
    memo: dict = {}

    def best(h, w):
        if (h, w) not in memo:
            memo[(h, w)] = grid.best(h, w)
        return memo[(h, w)]

    cyc, nh, nw, ar, ac = best(oh, ow)
    best_total, best_regions = cyc, [(0, 0, oh, ow, nh, nw, ar, ac)]
    if oh * ow > MAX_BULK_CANDIDATES or oh * ow == 1:
        return best_total, best_regions
    # Optimistic cost of every bulk PW (no region beats the section 4 bound of its own
    # area), row block by row block; only the candidates under the vw-flat plan are kept,
    # so memory stays a few arrays of OW floats per block, not a dozen OH x OW grids.
    per_out = ceil_div(g.k_h * g.k_w * g.in_c, array.rows) * g.out_c * array.cells_per_weight
    nw_v = np.arange(1, ow + 1, dtype=np.float64)[None, :]
    wb_v = np.floor(ow / nw_v) * nw_v
    step = max(1, _CHUNK // ow)
    keep_idx, keep_opt = [], []
    for start in range(1, oh + 1, step):
        nh_v = np.arange(start, min(oh, start + step - 1) + 1, dtype=np.float64)[:, None]
        t_ar, t_ac = grid.tiles(nh_v, nw_v)
        hb = np.floor(oh / nh_v) * nh_v
        bulk = (hb / nh_v) * (wb_v / nw_v) * t_ar * t_ac
        optimistic = (bulk + np.ceil((oh * ow - hb * wb_v) * per_out / array.cols)).ravel()
        hit = np.flatnonzero(optimistic < best_total)
        keep_idx.append(hit + (start - 1) * ow)
        keep_opt.append(optimistic[hit])
    idx_v, opt_v = np.concatenate(keep_idx), np.concatenate(keep_opt)
    # Visited in the order of a stable sort of the whole grid (the filter keeps that order).
    order = np.argsort(opt_v, kind="stable")
    for k in order:
        if opt_v[k] >= best_total:
            break
        i, j = divmod(int(idx_v[k]), ow)
        b_nh, b_nw = i + 1, j + 1
        b_hb, b_wb = oh // b_nh * b_nh, ow // b_nw * b_nw
        t_ar, t_ac = grid.tiles(np.float64(b_nh), np.float64(b_nw))
        b_ar, b_ac = int(t_ar), int(t_ac)
        bulk_cycles = (oh // b_nh) * (ow // b_nw) * b_ar * b_ac
        bulk_region = (0, 0, b_hb, b_wb, b_nh, b_nw, b_ar, b_ac)
        for cut in _leftovers(oh, ow, b_hb, b_wb):
            regions = [bulk_region] + [(oy, ox, h, w) + best(h, w)[1:] for oy, ox, h, w in cut]
            total = bulk_cycles + sum(best(h, w)[0] for _, _, h, w in cut)
            if total < best_total:
                best_total, best_regions = total, regions
    return best_total, best_regions


@register("xbar-opt", "flat splits plus edge-aware tiling: the bulk of the OFM with one PW, "
          "the leftover strips and corner each with their own")
def xbar_opt(layer: ConvLayer, array: ArraySpec) -> Plan:
    _, regions = edge_aware(layer, array)
    if len(regions) == 1:
        _, _, _, _, nh, nw, ar, ac = regions[0]
        return flat_plan("xbar-opt", layer, array, nh, nw, ar, ac)
    parts = tuple(Region(oy, ox, flat_plan("xbar-opt", region_layer(layer, oy, ox, h, w), array, nh, nw, ar, ac))
                  for oy, ox, h, w, nh, nw, ar, ac in regions)
    bulk = parts[0].plan
    return Plan("xbar-opt", layer, array, bulk.nh, bulk.nw, bulk.ict, bulk.oct, bulk.ar, bulk.ac,
                "flat", "flat", regions=parts)
