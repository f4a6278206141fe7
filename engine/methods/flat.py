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
        self.g = layer.per_group()

    def tiles(self, nh: np.ndarray, nw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        g, a = self.g, self.array
        ph = g.k_h + (nh - 1) * g.stride_h
        pw = g.k_w + (nw - 1) * g.stride_w
        # float64 is exact here (values < 2**50) and divides far faster than int64
        ar = np.ceil(ph * pw * float(g.in_c) / a.rows)
        ac = np.ceil(nh * nw * float(g.out_c) / a.logical_cols)
        return ar, ac

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


def flat_plan(method: str, layer: ConvLayer, array: ArraySpec, nh: int, nw: int, ar: int, ac: int) -> Plan:
    g = layer.per_group()
    return Plan(method, layer, array, nh, nw, g.in_c, g.out_c, ar, ac, "flat", "flat")


@register("vw-flat", "VW-SDK's variable window with flat row and column splits (tiles cut anywhere)")
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
