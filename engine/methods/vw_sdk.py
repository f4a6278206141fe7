"""VW-SDK: exhaustive search of a variable rectangular parallel window with channel tiling.

Mapping model section 2. The search is exact over all `nh x nw` candidates but evaluates
only one per (nh, class of equal ceil(OW/nw)), O(OH * sqrt(OW)) per layer (see
`search_many`); the tests keep plain exhaustive versions as oracles.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..errors import check_cancel
from ..layers import ArraySpec, ConvLayer
from ..plan import Plan
from . import register
from .flat import ceil_classes
from .im2col import im2col_tiles

# Candidates evaluated per numpy pass: bounds memory on huge OFMs.
_CHUNK = 1 << 21
_ROWS = 1 << 20  # (layer, nh) rows per group of layers


_GRID_CHUNK = 1 << 18  # candidates per slice of a cancellable grid


def grid_slices(fn, nh, nw, should_stop=None) -> dict:
    """`fn(nh, nw)` (a dict of elementwise figures) over the broadcast grid of nh and nw, in
    slices of rows with `should_stop()` checked between them (Cancelled raised); the same
    figures, broadcast to the grid's shape. Without `should_stop`, one call."""
    if should_stop is None:
        return fn(nh, nw)
    nh, nw = np.broadcast_arrays(np.asarray(nh, dtype=np.int64), np.asarray(nw, dtype=np.int64))
    if nh.ndim == 0 or nh.shape[0] <= 1:
        check_cancel(should_stop)
        return fn(nh, nw)
    step = max(1, _GRID_CHUNK // max(1, nh[0].size))
    parts = []
    for s in range(0, nh.shape[0], step):
        check_cancel(should_stop)
        part = fn(nh[s:s + step], nw[s:s + step])
        parts.append({k: np.broadcast_to(v, nh[s:s + step].shape) for k, v in part.items()})
    out = {}
    for k in parts[0]:  # joining 4M-candidate grids takes a while too
        check_cancel(should_stop)
        out[k] = np.concatenate([p[k] for p in parts])
    return out


def candidate_grid(layer: ConvLayer, array: ArraySpec, nh: np.ndarray, nw: np.ndarray, should_stop=None) -> dict:
    """VW-SDK figures for every (nh, nw) pair of two broadcastable int64 arrays.

    Invalid candidates (ICt < 1 or OCt < 1) get `valid == False` and cycles -1.
    Shared by the search and by the design-space view. `should_stop`: computed in slices
    of rows, cancellable between them (`grid_slices`; a design space of 4M candidates).
    """
    if should_stop is not None:
        return grid_slices(lambda a, b: candidate_grid(layer, array, a, b), nh, nw, should_stop)
    g = layer.per_group()
    ph = g.k_h + (nh - 1) * g.stride_h
    pw = g.k_w + (nw - 1) * g.stride_w
    ict = np.minimum(g.in_c, array.rows // (ph * pw))
    oct_ = np.minimum(g.out_c, array.logical_cols // (nh * nw))
    valid = (ict >= 1) & (oct_ >= 1)
    ict1, oct1 = np.maximum(ict, 1), np.maximum(oct_, 1)
    ar = -(-g.in_c // ict1)
    ac = -(-g.out_c // oct1)
    n_pw = (-(-g.out_h // nh)) * (-(-g.out_w // nw))
    cycles = np.where(valid, n_pw * ar * ac, -1)
    return {"nh": nh, "nw": nw, "ph": ph, "pw": pw, "ict": ict, "oct": oct_, "ar": ar,
            "ac": ac, "cycles": cycles, "valid": valid}


def _key(cycles: int, copies: int, ar: int, ac: int, pix: int, nh: int) -> tuple:
    # Fewest cycles, then higher weight utilization (copies / (AR*AC)), then smaller nh, then
    # smaller Ph*Pw. The model doc puts "smaller Ph*Pw" before "smaller nh"; that order picks
    # 2x4 windows for VGG13 layer 1 where the paper (and the doc's section 8) report 1x8
    # windows / 3x10 pixels. The published figure wins (see README, "Mapping model").
    return (cycles, -copies / (ar * ac), nh, pix)


def geometry(layer: ConvLayer) -> tuple:
    """What the search depends on: the per-group layer's kernel, stride, channels and OFM."""
    g = layer.per_group()
    return (g.k_h, g.k_w, g.stride_h, g.stride_w, g.in_c, g.out_c, g.out_h, g.out_w)


def search(layer: ConvLayer, array: ArraySpec) -> tuple | None:
    """Best channel-split candidate as (key, nh, nw, ict, oct, ar, ac), or None if none fits."""
    return _search_one(geometry(layer), array.rows, array.logical_cols)


@lru_cache(maxsize=4096)  # networks repeat layer shapes; re-runs after an edit repeat most layers
def _search_one(geom: tuple, rows: int, cl: int):
    return search_many([geom], rows, cl)[0]


def _classes(out: np.ndarray):
    """For each out[i]: the runs of n = 1..out[i] with equal ceil(out[i]/n), as
    (index i, first n, last n) arrays, ordered by i then n. O(sqrt(out[i])) runs each."""
    runs = [ceil_classes(int(n)) for n in out.tolist()]
    sizes = np.array([lo.size for lo, _ in runs], dtype=np.int64)
    return (np.repeat(np.arange(out.size), sizes), np.concatenate([lo for lo, _ in runs]),
            np.concatenate([hi for _, hi in runs]))


def _fit_limit(k, s, budget):
    """Elementwise: largest n with k + (n-1)*s <= budget (0 if none); a longer PW cannot fit."""
    return np.where(budget >= k, (budget - k) // s + 1, 0)


def search_many(geoms: list[tuple], rows: int, cl: int) -> list:
    """The VW-SDK search for many layers (see `geometry`) at once, in one vectorized pass.

    Exact over every (nh, nw) of every layer, without building most of them:

    - for each nh, ICt >= 1 (Ph*Pw <= R) and OCt >= 1 (nh*nw <= Cl) hold exactly for
      nw = 1 .. lim(nh); every other candidate is invalid by definition;
    - the nw of one row with the same ceil(OW/nw) form a class. Along a class AR and AC
      never fall (the PW widens, copies grow) while the PW count is fixed, so the class's
      first nw has its fewest cycles, and the members with those same cycles are a prefix
      that ends where AR or AC would grow. The last member of that prefix has the highest
      weight utilization (more copies, same AR*AC), so it beats every other member under
      the tie-break of `_key`: it is the only candidate of its class that is evaluated.

    Runs of equal ceil(OH/nh) are taken together the same way (`_search_corners`; the row by
    row search `_search_group` is its reference in the tests).

    Candidates of all layers are flattened into one vector (in chunks of whole rows, to
    bound memory), so numpy's per-call overhead is paid once per network, not per layer.
    Repeated geometries are searched once; layers go in groups of bounded (layer, nh) rows.
    """
    G = np.asarray(geoms, dtype=np.int64).reshape(-1, 8)
    if not len(G):
        return []
    G, inv = np.unique(G, axis=0, return_inverse=True)
    k_h, k_w, s_h, s_w = G[:, 0], G[:, 1], G[:, 2], G[:, 3]
    nh_lim = np.minimum(np.minimum(G[:, 6], _fit_limit(k_h, s_h, rows // k_w)), cl)
    best: list = []
    ends = np.cumsum(nh_lim)
    start = 0
    while start < len(G):
        stop = max(start + 1, int(np.searchsorted(ends, ends[start] - nh_lim[start] + _ROWS, side="right")))
        best += _search_corners(G[start:stop], nh_lim[start:stop], rows, cl)
        start = stop
    return [best[i] for i in inv.reshape(-1).tolist()]


def _search_group(G: np.ndarray, nh_lim: np.ndarray, rows: int, cl: int) -> list:
    k_h, k_w, s_h, s_w, ic, oc, oh, ow = G.T
    fk_w, fs_w, fic, foc, foh, fow = (v.astype(np.float64) for v in (k_w, s_w, ic, oc, oh, ow))
    # One entry per (layer, nh), in layer order.
    r_layer = np.repeat(np.arange(len(G)), nh_lim)
    r_nh = np.arange(r_layer.size) - np.repeat(np.cumsum(nh_lim) - nh_lim, nh_lim) + 1
    r_ph = k_h[r_layer] + (r_nh - 1) * s_h[r_layer]
    lim = np.minimum(np.minimum(ow[r_layer], cl // r_nh), _fit_limit(k_w[r_layer], s_w[r_layer], rows // r_ph))
    keep = lim > 0
    r_layer, r_nh, r_ph, lim = r_layer[keep], r_nh[keep], r_ph[keep], lim[keep]
    # Classes of nw per layer (runs of equal ceil(OW/nw)): first and last nw, layer order.
    c_layer, c_lo, c_hi = _classes(ow)
    c_first = np.searchsorted(c_layer, np.arange(len(G)))
    # A row reaches the classes of its layer that start at or before its lim.
    span = int(ow.max()) + 1
    n_cls = np.searchsorted(c_layer * span + c_lo, r_layer * span + lim, side="right") - c_first[r_layer]
    best: list = [None] * len(G)
    found = []
    ends = np.cumsum(n_cls)
    start = 0
    while start < n_cls.size:
        stop = max(start + 1, int(np.searchsorted(ends, ends[start] - n_cls[start] + _CHUNK, side="right")))
        n = n_cls[start:stop]
        row = np.repeat(np.arange(start, stop), n)
        li, nh, ph = r_layer[row], r_nh[row], r_ph[row]
        cls = c_first[li] + np.arange(row.size) - np.repeat(np.cumsum(n) - n, n)
        nw0, last = c_lo[cls], np.minimum(c_hi[cls], lim[row])
        # Float64 from here: exact for these magnitudes (all < 2**50, section "guards" in
        # layers.py), and its vector division is many times faster than int64's.
        kw, sw, icl, ocl = fk_w[li], fs_w[li], fic[li], foc[li]
        fnh, fph, fnw0 = nh.astype(np.float64), ph.astype(np.float64), nw0.astype(np.float64)
        ar = np.ceil(icl / np.minimum(icl, np.floor(rows / (fph * (kw + (fnw0 - 1) * sw)))))
        ac = np.ceil(ocl / np.minimum(ocl, np.floor(cl / (fnh * fnw0))))
        # Widest nw of the class that keeps AR and AC (see the docstring).
        pw_max = np.floor(np.floor(rows / np.ceil(icl / ar)) / fph)
        nw_ar = np.floor((pw_max - kw) / sw) + 1
        nw_ac = np.floor(np.floor(cl / np.ceil(ocl / ac)) / fnh)
        nw = np.minimum(np.minimum(last, nw_ar), nw_ac).astype(np.int64)
        p = ph * (k_w[li] + (nw - 1) * s_w[li])
        copies = nh * nw
        cycles = np.ceil(foh[li] / fnh) * np.ceil(fow[li] / fnw0) * ar * ac
        # Each layer's fewest cycles, then the tie-break of _key among those candidates.
        seg = np.flatnonzero(np.concatenate(([True], li[1:] != li[:-1])))
        seg_min = np.minimum.reduceat(cycles, seg)
        t = np.flatnonzero(cycles == np.repeat(seg_min, np.diff(np.append(seg, li.size))))
        found.append(_winners(li[t], cycles[t], copies[t], ar[t], ac[t], p[t], nh[t], nw[t]))
        start = stop
    if not found:
        return best
    # Chunks may split a layer: pick each layer's winner among its chunks' winners.
    return _results(best, ic, oc, rows, cl, *_winners(*(np.concatenate(f) for f in zip(*found))))


def _results(best: list, ic, oc, rows: int, cl: int, li, cycles, copies, ar, ac, p, nh, nw) -> list:
    """Fill `best[layer]` with (key, nh, nw, ICt, OCt, AR, AC) of each layer's winner."""
    ict = np.minimum(ic[li], rows // p)
    oct_ = np.minimum(oc[li], cl // copies)
    cols = (li, cycles.astype(np.int64), copies, ar.astype(np.int64), ac.astype(np.int64), p, nh, nw, ict, oct_)
    for layer, cyc, cop, a, c, pix, n_h, n_w, i_t, o_t in zip(*(v.tolist() for v in cols)):
        best[layer] = (_key(cyc, cop, a, c, pix, n_h), n_h, n_w, i_t, o_t, a, c)
    return best


def _search_corners(G: np.ndarray, nh_lim: np.ndarray, rows: int, cl: int) -> list:
    """`_search_group` with runs of nh as well as of nw (equal result, fewer candidates).

    On a rectangle of a run of nh (equal ceil(OH/nh)) by a run of nw the PW count is fixed and
    AR, AC never fall, and a candidate is valid only if the smaller ones of its row and
    column are: the fewest cycles of its valid members are at its first corner. So the
    corners give each layer's fewest cycles; the candidates that have them lie in the
    rectangles whose corner has them, with the corner's AR and AC, and per nh the widest
    such valid nw has the highest weight utilization. Only those rows are ranked (`_winners`)."""
    from .flat import Runs

    k_h, k_w, s_h, s_w, ic, oc, oh, ow = G.T
    runs = Runs(np.concatenate((oh, ow)))
    count, lo, hi = runs.count, runs.lo, runs.hi
    jh, jw = runs.index(oh), runs.index(ow)
    best: list = [None] * len(G)
    # Runs of nh that start within nh_lim, and every run of nw, per layer.
    n_h = np.searchsorted(runs.keys, jh * runs.span + nh_lim, side="right") - runs.offset[jh]
    n_w = count[jw]
    ne = n_h * n_w
    e = np.repeat(np.arange(len(G)), ne)
    if not e.size:
        return best
    local = np.arange(e.size) - np.repeat(np.cumsum(ne) - ne, ne)
    ih, iw = local // n_w[e], local % n_w[e]
    c_h, c_w = runs.offset[jh][e] + ih, runs.offset[jw][e] + iw
    nh0, nw0 = lo[c_h], lo[c_w]
    f = G.astype(np.float64)[e]
    fkh, fkw, fsh, fsw, fic, foc, foh, fow = f.T
    ph0 = k_h[e] + (nh0 - 1) * s_h[e]
    lim0 = np.minimum(np.minimum(ow[e], cl // nh0), _fit_limit(k_w[e], s_w[e], rows // ph0))
    valid = nw0 <= lim0
    fnh0, fnw0, fph0 = nh0.astype(np.float64), nw0.astype(np.float64), ph0.astype(np.float64)
    # (invalid corners: any AR, AC > 0; their cycles are set to infinity)
    ar = np.ceil(fic / np.minimum(fic, np.maximum(np.floor(rows / (fph0 * (fkw + (fnw0 - 1) * fsw))), 1)))
    ac = np.ceil(foc / np.minimum(foc, np.maximum(np.floor(cl / (fnh0 * fnw0)), 1)))
    cycles = np.where(valid, np.ceil(foh / fnh0) * np.ceil(fow / fnw0) * ar * ac, np.inf)
    seg = np.cumsum(ne) - ne
    has = ne > 0
    mins = np.full(len(G), np.inf)
    mins[has] = np.minimum.reduceat(cycles, seg[has])
    t = np.flatnonzero(valid & (cycles == mins[e]))
    if not t.size:
        return best
    # Every nh of each winning rectangle (within nh_lim), its widest valid nw at the corner's AR, AC.
    e, nh0, nw0, ar, ac, cycles = e[t], nh0[t], nw0[t], ar[t], ac[t], cycles[t]
    hi_h = np.minimum(hi[c_h[t]], nh_lim[e])
    hi_w = hi[c_w[t]]
    n = hi_h - nh0 + 1
    r = np.repeat(np.arange(t.size), n)
    nh = nh0[r] + (np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n))
    li = e[r]
    ph = k_h[li] + (nh - 1) * s_h[li]
    lim = np.minimum(np.minimum(ow[li], cl // nh), _fit_limit(k_w[li], s_w[li], rows // ph))
    last = np.minimum(hi_w[r], lim)
    rar, rac = ar[r], ac[r]
    icl, ocl, kw, sw = fic[t][r], foc[t][r], fkw[t][r], fsw[t][r]
    fnh, fph = nh.astype(np.float64), ph.astype(np.float64)
    pw_max = np.floor(np.floor(rows / np.ceil(icl / rar)) / fph)
    nw_ar = np.floor((pw_max - kw) / sw) + 1
    nw_ac = np.floor(np.floor(cl / np.ceil(ocl / rac)) / fnh)
    nw = np.minimum(np.minimum(last, nw_ar), nw_ac).astype(np.int64)
    ok = nw >= nw0[r]
    li, nh, ph, nw, rar, rac, cyc = li[ok], nh[ok], ph[ok], nw[ok], rar[ok], rac[ok], cycles[r][ok]
    p = ph * (k_w[li] + (nw - 1) * s_w[li])
    return _results(best, ic, oc, rows, cl, *_winners(li, cyc, nh * nw, rar, rac, p, nh, nw))


def _winners(li, cycles, copies, ar, ac, p, nh, nw):
    """Per layer, the candidate that `_key` ranks first (cycles, -utilization, nh, pixels)."""
    t = np.lexsort((p, nh, -copies / (ar * ac), cycles, li))
    t = t[np.concatenate(([True], li[t][1:] != li[t][:-1]))]
    return li[t], cycles[t], copies[t], ar[t], ac[t], p[t], nh[t], nw[t]


def _plan(layer: ConvLayer, array: ArraySpec, best) -> Plan:
    g = layer.per_group()
    ar0, ac0 = im2col_tiles(layer, array)
    fb_key = _key(g.out_h * g.out_w * ar0 * ac0, 1, ar0, ac0, g.k_h * g.k_w, 1)
    if best is None or fb_key < best[0]:  # the published method falls back to im2col where channel tiling loses
        return Plan("vw-sdk", layer, array, 1, 1, g.in_c, g.out_c, ar0, ac0, "flat", "flat")
    _, nh, nw, ict, oct_, ar, ac = best
    return Plan("vw-sdk", layer, array, nh, nw, ict, oct_, ar, ac, "channel", "channel")


def vw_sdk_many(layers, array: ArraySpec) -> list[Plan]:
    bests = search_many([geometry(layer) for layer in layers], array.rows, array.logical_cols)
    return [_plan(layer, array, b) for layer, b in zip(layers, bests)]


@register("vw-sdk", "variable rectangular parallel window with channel tiling (exhaustive search)",
          batch=vw_sdk_many, batch_per_layer=True)
def vw_sdk(layer: ConvLayer, array: ArraySpec) -> Plan:
    return _plan(layer, array, search(layer, array))
