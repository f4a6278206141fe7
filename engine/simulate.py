"""Functional proof (mapping model, section 7): drive the schedule through the tile matrices.

`simulate` builds each tile's matrix `G` from the cell layout (bit slices of the integer
weights), drives every cycle's input vector through it (`y = x @ G`; the cycles of one
tile are stacked into one matrix product), recombines bit slices by shift-and-add and
accumulates partial sums into the OFM. It must equal `direct_conv` exactly.
"""
from __future__ import annotations

import numpy as np

from .errors import XbarError
from .layers import ArraySpec, ConvLayer
from .layout import TileLayout
from .plan import Plan

# Input-vector entries materialised per matrix product: bounds memory on big layers.
_CHUNK = 1 << 22


def weight_range(weight_bits: int) -> tuple[int, int]:
    """Signed integer weights representable in `weight_bits` (two's complement)."""
    return -(1 << (weight_bits - 1)), (1 << (weight_bits - 1)) - 1


def bit_slices(w: np.ndarray, array: ArraySpec) -> np.ndarray:
    """Slices of signed integer weights, shape (cpw, *w.shape); slice 0 least significant.

    Two's complement of `cpw*cell_bits` bits; every slice unsigned except the top one,
    read as signed, so that `sum_q slice_q * 2**(q*cell_bits) == w` exactly.
    """
    lo, hi = weight_range(array.weight_bits)
    w = np.asarray(w, dtype=np.int64)
    if w.size and (w.min() < lo or w.max() > hi):
        raise XbarError(f"weights must lie in [{lo}, {hi}] for {array.weight_bits}-bit weights")
    cb, cpw = array.cell_bits, array.cells_per_weight
    total = cb * cpw
    u = w & ((1 << total) - 1) if total < 63 else w
    mask = (1 << cb) - 1
    out = np.stack([(u >> (q * cb)) & mask for q in range(cpw)])
    top = out[cpw - 1]
    out[cpw - 1] = np.where(top >= (1 << (cb - 1)), top - (1 << cb), top)
    return out


def exact_matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Integer matrix product, exact: float64 (BLAS) while every sum stays below 2**52, else int64."""
    bound = int(np.abs(a).max(initial=0)) * int(np.abs(b).max(initial=0)) * a.shape[-1]
    if bound < 2 ** 52:
        return np.rint(a.astype(np.float64) @ b.astype(np.float64)).astype(np.int64)
    return a.astype(np.int64) @ b.astype(np.int64)


def direct_conv(layer: ConvLayer, x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Reference convolution: x (IC, H, W), w (OC, IC/g, Kh, Kw) -> (OC, OH, OW), int64."""
    L = layer
    xp = np.pad(np.asarray(x, dtype=np.int64), ((0, 0), (L.pad_h, L.pad_h), (L.pad_w, L.pad_w)))
    win = np.lib.stride_tricks.sliding_window_view(xp, (L.k_h, L.k_w), axis=(1, 2))
    win = win[:, ::L.stride_h, ::L.stride_w][:, :L.out_h, :L.out_w]  # (IC, OH, OW, Kh, Kw)
    icg, ocg = L.group_in_c, L.group_out_c
    out = np.empty((L.out_c, L.out_h, L.out_w), dtype=np.int64)
    w = np.asarray(w, dtype=np.int64)
    for g in range(L.groups):
        cols = win[g * icg:(g + 1) * icg].transpose(1, 2, 0, 3, 4).reshape(L.out_h * L.out_w, -1)
        wg = w[g * ocg:(g + 1) * ocg].reshape(ocg, -1)
        out[g * ocg:(g + 1) * ocg] = exact_matmul(cols, wg.T).T.reshape(ocg, L.out_h, L.out_w)
    return out


def _check_shapes(layer: ConvLayer, x: np.ndarray, w: np.ndarray) -> None:
    if x.shape != (layer.in_c, layer.in_h, layer.in_w):
        raise XbarError(f"layer '{layer.name}': input shape {x.shape}, expected "
                        f"{(layer.in_c, layer.in_h, layer.in_w)}")
    want = (layer.out_c, layer.group_in_c, layer.k_h, layer.k_w)
    if w.shape != want:
        raise XbarError(f"layer '{layer.name}': weight shape {w.shape}, expected {want}")


def tile_matrix(layout: TileLayout, slices: np.ndarray, group: int) -> np.ndarray:
    """The tile's conductance matrix G (rows x cols) of bit-slice values, int64."""
    p = layout.plan
    g_mat = np.zeros((p.array.rows, p.array.cols), dtype=np.int64)
    r, c = np.nonzero(layout.weight)
    oc = group * p.group.out_c + layout.cols.oc[c]
    g_mat[r, c] = slices[layout.cols.bit[c], oc, layout.rows.c[r], layout.ky[r, c], layout.kx[r, c]]
    return g_mat


def simulate(layer: ConvLayer, array: ArraySpec, plan: Plan, x: np.ndarray, w: np.ndarray,
             should_stop=None) -> np.ndarray:
    """Run every cycle of `plan` on input `x` (IC, H, W) with integer weights `w`; return the OFM."""
    from .batch import _check  # shared cancel check

    x, w = np.asarray(x, dtype=np.int64), np.asarray(w, dtype=np.int64)
    _check_shapes(layer, x, w)
    if plan.layer != layer or plan.array != array:
        raise XbarError(f"layer '{layer.name}': the plan was made for another layer or array")
    L, p = layer, plan
    slices = bit_slices(w, array)
    cpw, cb, cl = array.cells_per_weight, array.cell_bits, array.logical_cols
    shift = (1 << (np.arange(cpw, dtype=np.int64) * cb))
    # Padded IFM, extended so that PWs hanging past the far edge read zeros.
    need_h = (p.n_pw_h - 1) * p.nh * L.stride_h + p.pix_h
    need_w = (p.n_pw_w - 1) * p.nw * L.stride_w + p.pix_w
    xp = np.zeros((L.in_c, max(need_h, L.in_h + 2 * L.pad_h), max(need_w, L.in_w + 2 * L.pad_w)), np.int64)
    xp[:, L.pad_h:L.pad_h + L.in_h, L.pad_w:L.pad_w + L.in_w] = x
    # Accumulator covering every window of every PW position, cropped at the end.
    ocg, icg = p.group.out_c, p.group.in_c
    acc = np.zeros((L.out_c, p.n_pw_h * p.nh, p.n_pw_w * p.nw), dtype=np.int64)
    pys, pxs = np.divmod(np.arange(p.n_pw), p.n_pw_w)
    step = max(1, _CHUNK // array.rows)
    for b in range(p.ac):
        for a in range(p.ar):
            lay = TileLayout(p, a, b)  # the same for every group
            rv, cv = lay.rows, lay.cols
            used = rv.used
            ry, rx = np.where(used, rv.y, 0), np.where(used, rv.x, 0)
            vcols = cv.copy[: cl * cpw: cpw]  # one entry per logical column
            vused = vcols >= 0
            vk = np.where(vused, vcols, 0)
            for g in range(L.groups):
                _check(should_stop)
                gm = tile_matrix(lay, slices, g)
                rc = np.where(used, g * icg + rv.c, 0)
                vo = g * ocg + np.where(vused, cv.oc[: cl * cpw: cpw], 0)
                for s in range(0, p.n_pw, step):
                    py, px = pys[s:s + step, None], pxs[s:s + step, None]
                    xin = xp[rc[None, :], py * p.nh * L.stride_h + ry[None, :], px * p.nw * L.stride_w + rx[None, :]]
                    xin = np.where(used[None, :], xin, 0)
                    y = exact_matmul(xin, gm)[:, : cl * cpw].reshape(-1, cl, cpw)
                    yv = (y * shift).sum(axis=2)  # shift-and-add of the bit slices
                    oy = py * p.nh + (vk // p.nw)[None, :]
                    ox = px * p.nw + (vk % p.nw)[None, :]
                    sel = np.broadcast_to(vused[None, :], yv.shape)
                    # Within one tile every (position, logical column) feeds a distinct output.
                    acc[np.broadcast_to(vo[None, :], yv.shape)[sel], oy[sel], ox[sel]] += yv[sel]
    return acc[:, :L.out_h, :L.out_w]


def random_operands(layer: ConvLayer, array: ArraySpec, rng: np.random.Generator,
                    x_bits: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Random integer IFM (unsigned `x_bits`) and weights (signed, array.weight_bits)."""
    lo, hi = weight_range(array.weight_bits)
    x = rng.integers(0, 1 << x_bits, size=(layer.in_c, layer.in_h, layer.in_w), dtype=np.int64)
    w = rng.integers(lo, hi + 1, size=(layer.out_c, layer.group_in_c, layer.k_h, layer.k_w), dtype=np.int64)
    return x, w


def verify(layer: ConvLayer, array: ArraySpec, plan: Plan, rng=None, should_stop=None) -> bool:
    """Functional proof with random operands: simulate == direct convolution."""
    rng = np.random.default_rng(0) if rng is None else rng
    x, w = random_operands(layer, array, rng)
    return bool(np.array_equal(simulate(layer, array, plan, x, w, should_stop), direct_conv(layer, x, w)))


__all__ = ["bit_slices", "direct_conv", "random_operands", "simulate", "tile_matrix",
           "verify", "weight_range"]
