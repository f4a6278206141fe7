"""The layer a compressed plan computes, written without the layout: the proof's reference.

For output (oc, oy, ox), computed by kernel copy k = (oy mod nh)*nw + (ox mod nw) at PW
position (py, px) = (oy div nh, ox div nw), with X zero outside the IFM:

    out = sum over c, ky, kx with weight_keep[k, c, ky, kx] of
              W[oc, c, ky, kx] * X[c, oy*sh - ph + ky, ox*sw - pw + kx]
        + sum over c, y, x with extra[k, c, y, x] of
              E[k, oc, c, y, x] * X[c, py*nh*sh - ph + y, px*nw*sw - pw + x]

and 0 for an output channel the plan removes. So: a direct convolution with each copy's
masked weights, taken at the outputs that copy computes, plus (KERNTROL-C) the extra
weights E as a per-copy convolution on the PW grid: copy k's extended kernel covers every
kept PW pixel, its compensatory weights the ones outside its 3x3 footprint. The reference
reads the masks (the definition of the pruned layer) but none of the row lists, tiles or
repacking the simulation runs through.
"""
from __future__ import annotations

import numpy as np

from ..layers import ArraySpec, ConvLayer
from ..plan import Plan
from ..simulate import _int_dtype, direct_conv, exact_matmul, weight_range


def _copy_of_output(plan: Plan, layer: ConvLayer) -> np.ndarray:
    oy, ox = np.arange(layer.out_h), np.arange(layer.out_w)
    return (oy % plan.nh)[:, None] * plan.nw + (ox % plan.nw)[None, :]


def _extra_term(layer: ConvLayer, plan: Plan, x: np.ndarray, mask: np.ndarray, e: np.ndarray) -> np.ndarray:
    L = layer
    sh, sw = plan.nh * L.stride_h, plan.nw * L.stride_w
    need_h = (plan.n_pw_h - 1) * sh + plan.pix_h
    need_w = (plan.n_pw_w - 1) * sw + plan.pix_w
    xp = np.zeros((L.in_c, max(need_h, L.in_h + 2 * L.pad_h), max(need_w, L.in_w + 2 * L.pad_w)), dtype=np.int64)
    xp[:, L.pad_h:L.pad_h + L.in_h, L.pad_w:L.pad_w + L.in_w] = x
    win = np.lib.stride_tricks.sliding_window_view(xp, (plan.pix_h, plan.pix_w), axis=(1, 2))
    win = win[:, ::sh, ::sw][:, :plan.n_pw_h, :plan.n_pw_w]  # (IC, positions y, positions x, Ph, Pw)
    icg, ocg = L.group_in_c, L.group_out_c
    out = np.zeros((L.out_c, plan.n_pw_h * plan.nh, plan.n_pw_w * plan.nw), dtype=np.int64)
    mask = np.broadcast_to(mask, (plan.copies, icg, plan.pix_h, plan.pix_w))
    for g in range(L.groups):
        cols = win[g * icg:(g + 1) * icg].transpose(0, 3, 4, 1, 2).reshape(icg * plan.pix_h * plan.pix_w, -1)
        for k in range(plan.copies):
            if not mask[k].any():
                continue
            wy, wx = divmod(k, plan.nw)
            ek = np.where(mask[k][None], e[k, g * ocg:(g + 1) * ocg], 0).reshape(ocg, -1)
            part = exact_matmul(ek, cols).reshape(ocg, plan.n_pw_h, plan.n_pw_w)
            out[g * ocg:(g + 1) * ocg, wy::plan.nh, wx::plan.nw] = part
    return out[:, :L.out_h, :L.out_w]


def reference_conv(layer: ConvLayer, plan: Plan, x: np.ndarray, w: np.ndarray,
                   extra: np.ndarray | None = None) -> np.ndarray:
    """The OFM of the compressed layer (see the module docstring), int64 (OC, OH, OW)."""
    comp, L = plan.compression, layer
    icg, ocg = L.group_in_c, L.group_out_c
    keep = np.broadcast_to(comp.weight_keep, (plan.copies, icg, L.k_h, L.k_w)).reshape(plan.copies, -1)
    masks, which = np.unique(keep, axis=0, return_inverse=True)  # copies often share one mask
    which = which.ravel()
    copy_at = _copy_of_output(plan, L)
    out = np.zeros((L.out_c, L.out_h, L.out_w), dtype=np.int64)
    w = np.asarray(w)
    for i, m in enumerate(masks):
        at = np.isin(copy_at, np.flatnonzero(which == i))
        if at.any():
            wm = np.where(m.reshape(icg, L.k_h, L.k_w)[None], w, 0)
            out[:, at] = direct_conv(L, x, wm)[:, at]
    if comp.extra is not None and extra is not None:
        out += _extra_term(L, plan, np.asarray(x), comp.extra, np.asarray(extra))
    if comp.oc_keep is not None:
        gone = np.setdiff1d(np.arange(ocg), comp.oc_keep)
        out[(np.arange(L.groups)[:, None] * ocg + gone[None, :]).ravel()] = 0
    return out


def random_extra(layer: ConvLayer, array: ArraySpec, plan: Plan, rng: np.random.Generator) -> np.ndarray:
    """Random integer values (the weight range) for every possible compensatory cell:
    (copies, OC, IC/g, Ph, Pw). Extra weights compute with whatever values training gives."""
    lo, hi = weight_range(array.weight_bits)
    shape = (plan.copies, layer.out_c, layer.group_in_c, plan.pix_h, plan.pix_w)
    return rng.integers(lo, hi + 1, size=shape, dtype=_int_dtype(array.weight_bits))
