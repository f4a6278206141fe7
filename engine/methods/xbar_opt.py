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
from .flat import FlatGrid, _item, best_many, flat_plan, min_cycles_many

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
    # A cut's regions are first bounded by their own section 4 bounds (no region beats it):
    # a region's best PW is searched only while the cut can still win, and only its cycles
    # (`FlatGrid.min_cycles`); the winning cut's PWs are searched at the end.
    order = np.argsort(opt_v, kind="stable")
    cols = array.cols
    cycles_of: dict = {(oh, ow): cyc}
    best_cut = None

    def cycles(h, w):
        c = cycles_of.get((h, w))
        if c is None:
            c = cycles_of[(h, w)] = grid.min_cycles(h, w)
        return c

    for k in order.tolist():
        if opt_v[k] >= best_total:
            break
        i, j = divmod(int(idx_v[k]), ow)
        b_nh, b_nw = i + 1, j + 1
        b_hb, b_wb = oh // b_nh * b_nh, ow // b_nw * b_nw
        b_ar, b_ac = grid.tiles_of(b_nh, b_nw)
        bulk_cycles = (oh // b_nh) * (ow // b_nw) * b_ar * b_ac
        for cut in _leftovers(oh, ow, b_hb, b_wb):
            bounds = [-(-(h * w * per_out) // cols) for _, _, h, w in cut]
            total = bulk_cycles + sum(bounds)
            for r, (_, _, h, w) in enumerate(cut):
                if total >= best_total:
                    break
                total += cycles(h, w) - bounds[r]
            if total < best_total:
                best_total, best_cut = total, ((0, 0, b_hb, b_wb, b_nh, b_nw, b_ar, b_ac), cut)
    if best_cut is not None:
        bulk_region, cut = best_cut
        best_regions = [bulk_region] + [(oy, ox, h, w) + best(h, w)[1:] for oy, ox, h, w in cut]
    return best_total, best_regions


_MANY_OFM = 1 << 12  # layers with at most this many outputs (per group) go through `edge_aware_many`
_MANY_CELLS = 1 << 20  # bulk candidates per vectorized pass of `edge_aware_many`


def edge_aware_many(layers, array: ArraySpec) -> list[list]:
    """`edge_aware(layer, array)[1]` (the regions) of many small layers at once, exactly.

    The same search, with its visiting order turned into a ranking: `edge_aware` visits the
    bulk PWs under the vw-flat cycles in the order of their optimistic cost (stable: then by
    grid index) and keeps a cut only when it is strictly better than the best so far, so its
    answer is the cut with the fewest cycles, ties to the earliest visited (cut order within
    a PW). Here every cut whose regions' section 4 bounds leave it under the vw-flat cycles
    is costed (regions by `min_cycles_many`), and each layer's winner taken by
    (cycles, optimistic cost, grid index, cut); the winners' regions get their PWs from
    `best_many`. A cut the search prunes cannot beat the one it keeps, so none is lost."""
    n = len(layers)
    if not n:
        return []
    rows, cl, cols = array.rows, array.logical_cols, array.cols
    groups = [layer.per_group() for layer in layers]
    geo = np.array([_item(g) for g in groups], dtype=np.int64)
    kh, kw, sh, sw, ic, oc, oh, ow = geo.T
    cyc0, nh0, nw0, ar0, ac0 = best_many(geo, rows, cl)
    per_out = -(-(kh * kw * ic) // rows) * oc * array.cells_per_weight
    out = [[(0, 0, int(a), int(b), int(c), int(d), int(e), int(f))]
           for a, b, c, d, e, f in zip(oh, ow, nh0, nw0, ar0, ac0)]
    cells = oh * ow
    todo = np.flatnonzero(cells > 1)
    ends = np.cumsum(cells[todo])
    start = 0
    while start < todo.size:
        stop = max(start + 1, int(np.searchsorted(ends, ends[start] - cells[todo[start]] + _MANY_CELLS, side="right")))
        _edge_group(todo[start:stop], geo, per_out, cyc0, rows, cl, cols, out)
        start = stop
    return out


def _edge_group(which, geo, per_out, cyc0, rows, cl, cols, out) -> None:
    kh, kw, sh, sw, ic, oc, oh, ow = (geo[which, i] for i in range(8))
    po, c0 = per_out[which], cyc0[which]
    cells = oh * ow
    # Every bulk PW of every layer: optimistic cost as edge_aware computes it (float64, exact).
    li = np.repeat(np.arange(which.size), cells)
    j = np.arange(int(cells.sum())) - np.repeat(np.cumsum(cells) - cells, cells)  # grid index
    fkh, fkw, fsh, fsw, fic, foc, f_oh, f_ow, fpo = np.column_stack(
        (kh, kw, sh, sw, ic, oc, oh, ow, po)).astype(np.float64)[li].T  # one gather for all nine
    ow_l = ow[li]
    nh = (j // ow_l + 1).astype(np.float64)
    nw = (j % ow_l + 1).astype(np.float64)
    t_ar = np.ceil((fkh + (nh - 1) * fsh) * (fkw + (nw - 1) * fsw) * fic / rows)
    t_ac = np.ceil(nh * nw * foc / cl)
    hb = np.floor(f_oh / nh) * nh
    wb = np.floor(f_ow / nw) * nw
    bulk = (hb / nh) * (wb / nw) * t_ar * t_ac
    opt = bulk + np.ceil((f_oh * f_ow - hb * wb) * fpo / cols)
    hit = np.flatnonzero(opt < c0[li])
    if not hit.size:
        return
    li, j, opt = li[hit], j[hit], opt[hit]
    b_nh, b_nw = nh[hit].astype(np.int64), nw[hit].astype(np.int64)
    b_hb, b_wb = hb[hit].astype(np.int64), wb[hit].astype(np.int64)
    b_ar, b_ac = t_ar[hit].astype(np.int64), t_ac[hit].astype(np.int64)
    bulk_c = bulk[hit].astype(np.int64)
    L_oh, L_ow = oh[li], ow[li]
    rh, rw = L_oh - b_hb, L_ow - b_wb
    zero = np.zeros_like(rh)
    # The three cuts of `_leftovers`, each up to three rectangles (h, w), absent ones 0 x 0.
    cut_h = np.stack([np.stack([rh, b_hb, rh], 1), np.stack([rh, b_hb, zero], 1),
                      np.stack([L_oh, rh, zero], 1)], 1)  # (hits, cut, slot)
    cut_w = np.stack([np.stack([b_wb, rw, rw], 1), np.stack([L_ow, rw, zero], 1),
                      np.stack([rw, b_wb, zero], 1)], 1)
    present = (cut_h > 0) & (cut_w > 0)
    bound = bulk_c[:, None] + np.where(present, -(-(cut_h * cut_w * po[li][:, None, None]) // cols), 0).sum(2)
    hh, cc = np.nonzero(bound < c0[li][:, None])
    if not hh.size:
        return
    span = int(max(oh.max(), ow.max())) + 1

    def cost(hh, cc):
        """Exact cycles of the cuts (hits hh, cut cc): each distinct (layer, h, w) costed once."""
        ph_, pw_ = cut_h[hh, cc], cut_w[hh, cc]  # (cuts, slot)
        pres = present[hh, cc]
        lay = np.broadcast_to(li[hh][:, None], ph_.shape)
        ukey, inv = np.unique(((lay * span + ph_) * span + pw_)[pres], return_inverse=True)
        u_l, u_h, u_w = ukey // (span * span), ukey // span % span, ukey % span
        items = np.stack([kh[u_l], kw[u_l], sh[u_l], sw[u_l], ic[u_l], oc[u_l], u_h, u_w], 1)
        mc = np.zeros(ph_.shape, dtype=np.int64)
        mc[pres] = min_cycles_many(items, rows, cl)[inv.reshape(-1)]
        return bulk_c[hh] + mc.sum(1)

    # First each layer's cut of the lowest bound: its cycles are a total the winner reaches or
    # beats, so only the cuts bounded at or under it need costing.
    b = bound[hh, cc]
    k1 = np.lexsort((b, li[hh]))
    k1 = k1[np.concatenate(([True], li[hh][k1][1:] != li[hh][k1][:-1]))]
    t1 = np.full(which.size, np.iinfo(np.int64).max)
    t1[li[hh][k1]] = cost(hh[k1], cc[k1])
    keep = b <= t1[li[hh]]
    hh, cc = hh[keep], cc[keep]
    total = cost(hh, cc)
    win = np.flatnonzero(total < c0[li[hh]])
    if not win.size:
        return
    cl_ = li[hh][win]
    k = np.lexsort((cc[win], j[hh][win], opt[hh][win], total[win], cl_))
    k = win[k[np.concatenate(([True], cl_[k][1:] != cl_[k][:-1]))]]
    ph_, pw_, pres = cut_h[hh, cc], cut_w[hh, cc], present[hh, cc]
    # The winners' regions: the bulk, then the cut's rectangles in `_leftovers` order, each
    # with its best PW.
    h_idx, cut = hh[k], cc[k]
    layers_w = li[h_idx]
    origins = _cut_origins(b_hb[h_idx], b_wb[h_idx], cut)  # (winners, slot, 2)
    pr = pres[k]
    rl = np.broadcast_to(layers_w[:, None], pr.shape)[pr]
    items = np.stack([kh[rl], kw[rl], sh[rl], sw[rl], ic[rl], oc[rl], ph_[k][pr], pw_[k][pr]], 1)
    _, r_nh, r_nw, r_ar, r_ac = (v.tolist() for v in best_many(items, rows, cl))
    r = 0
    for w_i in range(k.size):
        i = int(h_idx[w_i])
        regions = [(0, 0, int(b_hb[i]), int(b_wb[i]), int(b_nh[i]), int(b_nw[i]), int(b_ar[i]), int(b_ac[i]))]
        for slot in range(3):
            if pr[w_i, slot]:
                oy, ox = origins[w_i, slot].tolist()
                regions.append((oy, ox, int(ph_[k[w_i], slot]), int(pw_[k[w_i], slot]),
                                r_nh[r], r_nw[r], r_ar[r], r_ac[r]))
                r += 1
        out[int(which[layers_w[w_i]])] = regions


def _cut_origins(hb: np.ndarray, wb: np.ndarray, cut: np.ndarray) -> np.ndarray:
    """(n, slot, 2) origins (oy, ox) of the rectangles of each cut, as `_leftovers` lists them."""
    z = np.zeros_like(hb)
    o = np.stack([np.stack([np.stack([hb, z], 1), np.stack([z, wb], 1), np.stack([hb, wb], 1)], 1),
                  np.stack([np.stack([hb, z], 1), np.stack([z, wb], 1), np.stack([z, z], 1)], 1),
                  np.stack([np.stack([z, wb], 1), np.stack([hb, z], 1), np.stack([z, z], 1)], 1)], 1)
    return o[np.arange(hb.size), cut]


def _regions_plan(layer: ConvLayer, array: ArraySpec, regions) -> Plan:
    if len(regions) == 1:
        _, _, _, _, nh, nw, ar, ac = regions[0]
        return flat_plan("xbar-opt", layer, array, nh, nw, ar, ac)
    parts = tuple(Region(oy, ox, flat_plan("xbar-opt", region_layer(layer, oy, ox, h, w), array, nh, nw, ar, ac))
                  for oy, ox, h, w, nh, nw, ar, ac in regions)
    bulk = parts[0].plan
    return Plan("xbar-opt", layer, array, bulk.nh, bulk.nw, bulk.ict, bulk.oct, bulk.ar, bulk.ac,
                "flat", "flat", regions=parts)


def xbar_opt_many(layers, array: ArraySpec) -> list[Plan]:
    """`xbar-opt` of many layers: the small ones (at most `_MANY_OFM` outputs per group) in
    vectorized passes (`edge_aware_many`), the others one by one."""
    layers = list(layers)
    small = [i for i, layer in enumerate(layers) if layer.out_h * layer.out_w <= _MANY_OFM]
    out: list = [None] * len(layers)
    for i, regions in zip(small, edge_aware_many([layers[i] for i in small], array)):
        out[i] = _regions_plan(layers[i], array, regions)
    return [p if p is not None else xbar_opt(layer, array) for p, layer in zip(out, layers)]


@register("xbar-opt", "flat splits plus edge-aware tiling: the bulk of the OFM with one PW, "
          "the leftover strips and corner each with their own", batch=xbar_opt_many, batch_per_layer=True)
def xbar_opt(layer: ConvLayer, array: ArraySpec) -> Plan:
    _, regions = edge_aware(layer, array)
    return _regions_plan(layer, array, regions)

