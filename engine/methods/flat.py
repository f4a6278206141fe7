"""VW-SDK's variable window with flat splits (`vw-flat`), and the search it shares with `xbar-opt`.

Flat splits cut the PW's unrolled input vector into row tiles at any row, and the
kernel-copy x output-channel columns into column tiles at any column:
`AR = ceil(Ph*Pw*IC / R)`, `AC = ceil(nh*nw*OC / Cl)`. Per PW they never need more tiles
than VW-SDK's channel splits, so `vw-flat` never needs more cycles than `vw-sdk`.
"""
from __future__ import annotations

from functools import lru_cache
from math import isqrt

import numpy as np

from ..layers import ArraySpec, ConvLayer
from ..plan import Plan
from . import register

_CHUNK = 1 << 18  # candidates per numpy pass: bounds memory on huge OFMs


@lru_cache(maxsize=1 << 14)
def ceil_classes(n: int) -> tuple[np.ndarray, np.ndarray]:
    """The runs of k = 1..n with equal ceil(n/k), as (first k, last k) int64 arrays, ascending.

    O(sqrt(n)): the run of quotient q starts at ceil(n/q); every quotient is either that of
    some k <= isqrt(n)+1 or at most isqrt(n)+1 itself, so those starts are all the starts."""
    m = isqrt(n) + 1
    small = np.arange(1, m + 1, dtype=np.int64)
    cand = np.unique(np.concatenate((small, -(-n // small))))
    cand = cand[cand <= n]
    q = -(-n // cand)
    prev = -(-n // np.maximum(cand - 1, 1))
    lo = cand[(cand == 1) | (prev != q)]
    hi = np.append(lo[1:] - 1, n)
    lo.setflags(write=False)
    hi.setflags(write=False)
    return lo, hi


class FlatGrid:
    """Flat-split tile counts of every PW (nh, nw) of one layer, and the best PW for any
    OFM rectangle up to the layer's OFM (regions of an edge-aware plan reuse it)."""

    def __init__(self, layer: ConvLayer, array: ArraySpec):
        self.layer, self.array = layer, array
        self.g = g = layer.per_group()
        self._f = (g.k_h, g.k_w, g.stride_h, g.stride_w, float(g.in_c), float(g.out_c), array.rows,
                   array.logical_cols)

    def tiles(self, nh: np.ndarray, nw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        kh, kw, sh, sw, ic, oc, rows, cl = self._f
        ph = kh + (nh - 1) * sh
        pw = kw + (nw - 1) * sw
        # float64 is exact here (values < 2**50) and divides far faster than int64
        ar = np.ceil(ph * pw * ic / rows)
        ac = np.ceil(nh * nw * oc / cl)
        return ar, ac

    def tiles_of(self, nh: int, nw: int) -> tuple[int, int]:
        """`tiles` of one PW, in integers."""
        g, a = self.g, self.array
        pix = (g.k_h + (nh - 1) * g.stride_h) * (g.k_w + (nw - 1) * g.stride_w)
        return -(-pix * g.in_c // a.rows), -(-nh * nw * g.out_c // a.logical_cols)

    def best(self, h: int, w: int) -> tuple[int, int, int, int, int]:
        """(cycles, nh, nw, ar, ac) of the best single PW for an h x w OFM rectangle.

        Exact over nh <= h, nw <= w; ties broken as VW-SDK's (higher weight utilization,
        smaller nh, smaller Ph*Pw). Equal to `best_exhaustive`, without its h x w grid:

        - for one nh, the nw with the same ceil(w/nw) form a class (O(sqrt(w)) classes).
          Along a class the PW count is fixed and AR, AC never fall, so its first nw has
          the fewest cycles, and the members with those cycles are a prefix that ends
          where AR or AC would grow. Its last member has the most copies at the same
          AR*AC, the highest weight utilization: it alone can win, so only it is evaluated.
        """
        g, a = self.g, self.array
        lo, hi = (v.astype(np.float64) for v in ceil_classes(w))
        best = None
        step = max(1, _CHUNK // lo.size)
        kh, kw, sh, sw = float(g.k_h), float(g.k_w), float(g.stride_h), float(g.stride_w)
        ic, oc, rows, cl = float(g.in_c), float(g.out_c), float(a.rows), float(a.logical_cols)
        n_w = np.ceil(w / lo)[None, :]
        for start in range(1, h + 1, step):
            nh = np.arange(start, min(h, start + step - 1) + 1, dtype=np.float64)[:, None]
            ph = kh + (nh - 1) * sh
            # float64 is exact here (values < 2**52) and divides far faster than int64
            ar = np.ceil(ph * (kw + (lo - 1) * sw) * ic / rows)
            ac = np.ceil(nh * lo * oc / cl)
            # Widest nw of the class with the same AR (Ph*Pw*IC <= AR*R) and AC (nh*nw*OC <= AC*Cl).
            nw_ar = np.floor((np.floor(ar * rows / (ph * ic)) - kw) / sw) + 1
            nw_ac = np.floor(ac * cl / (nh * oc))
            nw = np.minimum(np.minimum(hi, nw_ar), nw_ac)
            cycles = np.ceil(h / nh) * n_w * ar * ac
            ii, jj = np.nonzero(cycles == cycles.min())
            cand = _tie_break(g, cycles[ii, jj], nh[ii, 0], nw[ii, jj], ar[ii, jj], ac[ii, jj])
            if best is None or cand[:4] < best[:4]:
                best = cand
        cyc, _, nh_, _, nw_, ar_, ac_ = best
        return cyc, nh_, nw_, ar_, ac_

    def min_cycles(self, h: int, w: int) -> int:
        """The cycles of `best(h, w)` alone. AR and AC never fall as nh or nw grow, and the PW
        count is fixed on each run of equal ceil(h/nh) (and ceil(w/nw)), so the fewest cycles
        of a run x run rectangle are at its first corner: only the corners are evaluated."""
        return _min_cycles(*self._f, h, w)

    def best_exhaustive(self, h: int, w: int) -> tuple[int, int, int, int, int]:
        """`best` by evaluating every (nh, nw) of the h x w grid: the tests' oracle."""

        g = self.g
        best = None
        nw = np.arange(1, w + 1, dtype=np.float64)[None, :]
        step = max(1, _CHUNK // w)
        for start in range(1, h + 1, step):
            nh = np.arange(start, min(h, start + step - 1) + 1, dtype=np.float64)[:, None]
            ar, ac = self.tiles(nh, nw)
            cycles = np.ceil(h / nh) * np.ceil(w / nw) * ar * ac
            ii, jj = np.nonzero(cycles == cycles.min())
            cand = _tie_break(g, cycles[ii, jj], nh[ii, 0], nw[0, jj], ar[ii, jj], ac[ii, jj])
            if best is None or cand[:4] < best[:4]:
                best = cand
        cyc, _, nh_, _, nw_, ar_, ac_ = best
        return cyc, nh_, nw_, ar_, ac_


@lru_cache(maxsize=1 << 16)  # plain numbers in: regions of one layer (and of its neighbours) repeat
def _min_cycles(kh, kw, sh, sw, ic, oc, rows, cl, h, w) -> int:
    nh = _corners(h)[:, None]
    nw = _corners(w)[None, :]
    ar = np.ceil((kh + (nh - 1) * sh) * (kw + (nw - 1) * sw) * ic / rows)
    ac = np.ceil(nh * nw * oc / cl)
    return int((np.ceil(h / nh) * np.ceil(w / nw) * ar * ac).min())


@lru_cache(maxsize=1 << 14)
def _corners(n: int) -> np.ndarray:
    """The first k of each run of equal ceil(n/k), as float64 (read-only)."""
    c = ceil_classes(n)[0].astype(np.float64)
    c.setflags(write=False)
    return c


def flat_plan(method: str, layer: ConvLayer, array: ArraySpec, nh: int, nw: int, ar: int, ac: int) -> Plan:
    g = layer.per_group()
    return Plan(method, layer, array, nh, nw, g.in_c, g.out_c, ar, ac, "flat", "flat")


@register("vw-flat", "VW-SDK's variable window with flat row and column splits (tiles cut anywhere)",
          batch=lambda layers, array: vw_flat_many(layers, array), batch_per_layer=True)
def vw_flat(layer: ConvLayer, array: ArraySpec) -> Plan:
    _, nh, nw, ar, ac = FlatGrid(layer, array).best(layer.out_h, layer.out_w)
    return flat_plan("vw-flat", layer, array, nh, nw, ar, ac)


def _tie_break(g, cycles, nhs, nws, a_, c_) -> tuple:
    """Among candidates of equal (fewest) cycles, VW-SDK's choice: the highest weight
    utilization, then the smaller nh, then the smaller Ph*Pw. The tuple compares in that order
    (cycles, -utilization, nh, Ph*Pw) and carries (nw, AR, AC) after."""
    pix = (g.k_h + (nhs - 1) * g.stride_h) * (g.k_w + (nws - 1) * g.stride_w)
    k = np.lexsort((pix, nhs, -(nhs * nws) / (a_ * c_)))[0]
    return (int(cycles[k]), -float(nhs[k] * nws[k] / (a_[k] * c_[k])), int(nhs[k]), int(pix[k]),
            int(nws[k]), int(a_[k]), int(c_[k]))


# --- many rectangles at once (whole-network passes of vw-flat and xbar-opt) ------------------
_CORNERS = 1 << 20  # corners per vectorized pass: bounds memory on long lists


class Runs:
    """The runs of `ceil_classes(n)` of some values n, laid end to end: run i of the value
    at index j (`index`) is lo[offset[j] + i] .. hi[offset[j] + i]; keys = j * span + lo
    ascending, to search them. Built per call from the (lru-cached) runs of each value."""

    def __init__(self, values: np.ndarray):
        self.values = np.unique(values)
        runs = [ceil_classes(int(n)) for n in self.values.tolist()]
        self.count = np.array([r[0].size for r in runs], dtype=np.int64)
        self.offset = np.cumsum(self.count) - self.count
        self.lo = np.concatenate([r[0] for r in runs])
        self.hi = np.concatenate([r[1] for r in runs])
        self.span = int(self.values[-1]) + 1
        self.keys = np.repeat(np.arange(self.values.size, dtype=np.int64), self.count) * self.span + self.lo

    def index(self, n: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.values, n)


def _slices(ne: np.ndarray, limit: int):
    """(start, stop) of consecutive items whose `ne` sum to at most `limit` (one item at least)."""
    ends = np.cumsum(ne)
    start = 0
    while start < ne.size:
        stop = max(start + 1, int(np.searchsorted(ends, ends[start] - ne[start] + limit, side="right")))
        yield start, stop
        start = stop


def _corners_of(items: np.ndarray, rows: int, cl: int, runs: Runs):
    """Every run x run corner (first nh, first nw) of every item (kh, kw, sh, sw, ic, oc, h, w):
    (item, corner index in h, corner index in w, nh, nw, ar, ac, cycles), float64 figures."""
    jh, jw = runs.index(items[:, 6]), runs.index(items[:, 7])
    cw = runs.count[jw]
    ne = runs.count[jh] * cw
    e = np.repeat(np.arange(len(items)), ne)
    local = np.arange(int(ne.sum())) - np.repeat(np.cumsum(ne) - ne, ne)
    ih, iw = local // cw[e], local % cw[e]
    lof = runs.lo.astype(np.float64)
    nh = lof[runs.offset[jh][e] + ih]
    nw = lof[runs.offset[jw][e] + iw]
    fkh, fkw, fsh, fsw, fic, foc, fh, fw = items.astype(np.float64)[e].T  # one gather for all eight
    ar = np.ceil((fkh + (nh - 1) * fsh) * (fkw + (nw - 1) * fsw) * fic / rows)
    ac = np.ceil(nh * nw * foc / cl)
    cycles = np.ceil(fh / nh) * np.ceil(fw / nw) * ar * ac
    return e, ih, iw, nh, nw, ar, ac, cycles, ne


def _in_slices(items, rows: int, cl: int, one, width: int) -> tuple:
    """`one(items_slice, rows, cl, runs)` over slices of at most `_CORNERS` corners, concatenated."""
    items = np.asarray(items, dtype=np.int64).reshape(-1, 8)
    if not len(items):
        return tuple(np.zeros(0, dtype=np.int64) for _ in range(width))
    runs = Runs(np.concatenate((items[:, 6], items[:, 7])))
    ne = runs.count[runs.index(items[:, 6])] * runs.count[runs.index(items[:, 7])]
    parts = [one(items[s:e], rows, cl, runs) for s, e in _slices(ne, _CORNERS)]
    return tuple(np.concatenate(v) for v in zip(*parts))


def min_cycles_many(items: np.ndarray, rows: int, cl: int) -> np.ndarray:
    """`FlatGrid.min_cycles` of many items (kh, kw, sh, sw, ic, oc, h, w) at once, int64."""
    return _in_slices(items, rows, cl, _min_cycles_slice, 1)[0]


def _min_cycles_slice(items, rows, cl, runs):
    *_, cycles, ne = _corners_of(items, rows, cl, runs)
    return (np.minimum.reduceat(cycles, np.cumsum(ne) - ne).astype(np.int64),)


def best_many(items: np.ndarray, rows: int, cl: int) -> tuple:
    """`FlatGrid.best(h, w)` of many items (kh, kw, sh, sw, ic, oc, h, w) at once, exactly, ties
    included: (cycles, nh, nw, ar, ac) int64 arrays.

    The fewest cycles of a run x run rectangle (equal ceil(h/nh) and ceil(w/nw)) are at its
    first corner (AR and AC never fall as nh or nw grow), so the corners give each item's
    fewest cycles. The candidates with those cycles lie in the rectangles whose corner has
    them, with the corner's AR and AC; per nh of such a rectangle the widest such nw has the
    highest weight utilization. Only those rows are then ranked by `_tie_break`'s order."""
    return _in_slices(items, rows, cl, _best_slice, 5)


def _best_slice(items, rows, cl, runs):
    e, ih, iw, nh, nw, ar, ac, cycles, ne = _corners_of(items, rows, cl, runs)
    mins = np.minimum.reduceat(cycles, np.cumsum(ne) - ne)
    t = np.flatnonzero(cycles == mins[e])
    e, ih, iw, lo_h, lo_w, ar, ac, cycles = e[t], ih[t], iw[t], nh[t], nw[t], ar[t], ac[t], cycles[t]
    hi_h = runs.hi[runs.offset[runs.index(items[e, 6])] + ih].astype(np.float64)
    hi_w = runs.hi[runs.offset[runs.index(items[e, 7])] + iw].astype(np.float64)
    # Every nh of each winning rectangle, with its widest nw at the corner's AR and AC.
    n = (hi_h - lo_h + 1).astype(np.int64)
    r = np.repeat(np.arange(t.size), n)
    fnh = lo_h[r] + (np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n))
    it = e[r]
    kh, kw, sh, sw, ic, oc = (items[it, i].astype(np.float64) for i in range(6))
    rar, rac = ar[r], ac[r]
    ph = kh + (fnh - 1) * sh
    nw_ar = np.floor((np.floor(rar * rows / (ph * ic)) - kw) / sw) + 1
    nw_ac = np.floor(rac * cl / (fnh * oc))
    fnw = np.minimum(np.minimum(hi_w[r], nw_ar), nw_ac)
    ok = fnw >= lo_w[r]
    it, fnh, fnw, ph, kw, sw, rar, rac, cyc = it[ok], fnh[ok], fnw[ok], ph[ok], kw[ok], sw[ok], rar[ok], rac[ok], \
        cycles[r][ok]
    pix = ph * (kw + (fnw - 1) * sw)
    k = np.lexsort((pix, fnh, -(fnh * fnw) / (rar * rac), it))
    k = k[np.concatenate(([True], it[k][1:] != it[k][:-1]))]
    return tuple(v[k].astype(np.int64) for v in (cyc, fnh, fnw, rar, rac))


def vw_flat_many(layers, array: ArraySpec) -> list[Plan]:
    """`vw-flat` of many layers in one vectorized pass (`best_many`)."""
    if not layers:
        return []
    items = np.array([_item(layer.per_group()) for layer in layers], dtype=np.int64)
    _, nh, nw, ar, ac = (v.tolist() for v in best_many(items, array.rows, array.logical_cols))
    return [flat_plan("vw-flat", layer, array, *v) for layer, *v in zip(layers, nh, nw, ar, ac)]


def _item(g: ConvLayer, h: int | None = None, w: int | None = None) -> tuple:
    return (g.k_h, g.k_w, g.stride_h, g.stride_w, g.in_c, g.out_c, g.out_h if h is None else h,
            g.out_w if w is None else w)
