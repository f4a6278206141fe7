"""The compressed methods' figures for every PW candidate at once (design-space view).

Like engine.methods.vw_sdk.candidate_grid for VW-SDK: the figures `candidate_plan` gives
at each (nh, nw), without building masks per candidate. Kept rows are counted per axis:

- PAIRS: PW pixel row y is reachable from kernel rows `sig(y) = {ky : y - ky = wy*sh,
  0 <= wy < nh}` (a 3-bit signature); pixel (y, x) is kept for pattern p when p has a
  weight in sig(y) x sig(x). With H the histograms of signatures along each axis, the kept
  pixels are `Hy @ T_p @ Hx^T`, T_p[sy, sx] = any(p[sy, sx]).
- KERNTROL: pixel coverage factors, cov(y, x) = cov_y(y) * cov_x(x); with histograms of
  the per-axis coverages the kept pixels are a sum over (cov_y, cov_x) pairs.
- VWC-SDK: each candidate's own residual `IC mod ICt`, pruned within `max_prune`.
"""
from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

import numpy as np

from ..errors import XbarError
from ..layers import ArraySpec, ConvLayer
from .patterns import assign_patterns, pattern_masks, resolve_patterns


def _per_axis(ns: np.ndarray, k: int, s: int, kind: str, bins: int) -> np.ndarray:
    """(len(ns), bins): for each window count n, the histogram over the PW pixels u of one
    axis of value(hit), hit[u, t] = kernel tap t of some window lands on u; value: the taps'
    3-bit signature ("sig") or their count ("count")."""
    return np.array([_axis_hist(n, k, s, kind, bins) for n in ns.tolist()], dtype=np.int64).reshape(len(ns), bins)


@lru_cache(maxsize=1 << 15)  # slices of one design grid (and later grids) ask for the same n again
def _axis_hist(n: int, k: int, s: int, kind: str, bins: int) -> tuple:
    taps = np.arange(k)
    d = np.arange(k + (n - 1) * s)[:, None] - taps[None, :]
    hit = (d >= 0) & (d % s == 0) & (d // s < n)
    value = hit @ (1 << np.arange(3)) if kind == "sig" else hit.sum(axis=1)
    return tuple(np.bincount(value, minlength=bins).tolist())


def _pairs_kept(g: ConvLayer, uh, uw, masks: np.ndarray, counts: np.ndarray) -> np.ndarray:
    hy = _per_axis(uh, 3, g.stride_h, "sig", 8)
    hx = _per_axis(uw, 3, g.stride_w, "sig", 8)
    sig = ((np.arange(8)[:, None] >> np.arange(3)[None, :]) & 1).astype(np.int64)  # (8, 3)
    kept = np.zeros((len(uh), len(uw)), dtype=np.int64)
    for m, n in zip(masks, counts):
        if n:
            t = (sig @ m.astype(np.int64) @ sig.T > 0).astype(np.int64)  # (8, 8)
            kept += n * (hy @ t @ hx.T)
    return kept


def _kerntrol_kept(g: ConvLayer, uh, uw, threshold) -> np.ndarray:
    t = Fraction(str(threshold))
    bh, bw = g.k_h + 1, g.k_w + 1
    hy = _per_axis(uh, g.k_h, g.stride_h, "count", bh)
    hx = _per_axis(uw, g.k_w, g.stride_w, "count", bw)
    copies = uh[:, None] * uw[None, :]
    kept = np.zeros((len(uh), len(uw)), dtype=np.int64)
    for a in range(bh):
        for b in range(bw):
            stays = a * b * t.denominator > t.numerator * copies
            kept += np.where(stays, hy[:, a][:, None] * hx[:, b][None, :], 0)
    return kept


def compressed_grid(layer: ConvLayer, array: ArraySpec, method: str, nh, nw, should_stop=None, **options) -> dict:
    """Figures of `method` (pairs, kerntrol, vwc-sdk) for every (nh, nw) of two broadcastable
    int arrays: the keys of candidate_grid (nh, nw, ph, pw, ict, oct, ar, ac, cycles, valid)
    plus rows_before and rows_after (per group). Invalid candidates have cycles -1.
    `should_stop`: computed in slices of rows, cancellable between them (vw_sdk.grid_slices)."""
    if should_stop is not None:
        from ..methods.vw_sdk import grid_slices

        return grid_slices(lambda a, b: compressed_grid(layer, array, method, a, b, **options), nh, nw, should_stop)
    from ..methods import OPTIONS, method_options
    from ..methods.vw_sdk import candidate_grid
    from .build import layer_weights

    if method not in ("pairs", "kerntrol", "vwc-sdk"):
        raise XbarError(f"'{method}' is not a compression-aware method")
    o = method_options(method, options) or OPTIONS[method]()
    g = layer.per_group()
    nh, nw = np.broadcast_arrays(np.asarray(nh, dtype=np.int64), np.asarray(nw, dtype=np.int64))
    base = "vw-sdk" if method == "vwc-sdk" else o.base
    c = candidate_grid(layer, array, nh, nw)
    pp = c["ph"] * c["pw"]
    dense = pp * g.in_c
    if base == "sdk":  # flat tiles, always valid
        valid = np.ones(nh.shape, dtype=bool)
        ar0, ac = -(-dense // array.rows), -(-(nh * nw * g.out_c) // array.logical_cols)
        ict, oct_ = np.full(nh.shape, g.in_c), np.full(nh.shape, g.out_c)
    else:
        valid, ar0, ac, ict, oct_ = c["valid"], c["ar"], c["ac"], c["ict"], c["oct"]
    uh, ih = np.unique(nh, return_inverse=True)
    uw, iw = np.unique(nw, return_inverse=True)
    ih, iw = ih.reshape(nh.shape), iw.reshape(nw.shape)
    if method == "vwc-sdk":
        ict1 = np.maximum(ict, 1)
        res = np.where(valid, g.in_c % ict1, 0)
        res = np.where(res <= int(o.max_prune * g.in_c + 1e-9), res, 0)
        kept = (g.in_c - res) * pp
        ar = -(-(g.in_c - res) // ict1)
    else:
        if method == "pairs" and (g.k_h, g.k_w) == (3, 3):
            pats = resolve_patterns(o.pattern_set, o.patterns)
            masks = pattern_masks(pats)
            weights = layer_weights(o.weights, layer)
            rule = o.assign or ("magnitude" if weights is not None else "first")
            counts = np.bincount(assign_patterns(masks, g.in_c, rule, o.seed, weights), minlength=len(masks))
            kept = _pairs_kept(g, uh, uw, masks, counts)[ih, iw]
        elif method == "kerntrol":
            pix = _kerntrol_kept(g, uh, uw, o.threshold)[ih, iw]
            kept = np.where((pix == 0) | (pix == pp), pp, pix) * g.in_c  # omitting all or none: unchanged
        else:
            kept = dense
        ar = np.where(kept < dense, -(-kept // array.rows), ar0)
        ict = np.where(kept < dense, g.in_c, ict)  # repacked rows are cut flat
    n_pw = (-(-g.out_h // nh)) * (-(-g.out_w // nw))
    cycles = np.where(valid, n_pw * ar * ac, -1)
    return {"nh": nh, "nw": nw, "ph": c["ph"], "pw": c["pw"], "ict": ict, "oct": oct_, "ar": ar, "ac": ac,
            "cycles": cycles, "valid": valid, "rows_before": dense, "rows_after": np.where(valid, kept, 0)}
