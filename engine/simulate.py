"""Functional proof (mapping model, section 7): drive the schedule through the tile matrices.

`simulate` builds each tile's matrix `G` from the cell layout (bit slices of the integer
weights), drives every cycle's input vector through it (`y = x @ G`; the cycles of one
tile are stacked into one matrix product), recombines bit slices by shift-and-add and
accumulates partial sums into the OFM. It must equal `direct_conv` exactly.

A compressed plan (engine.compress) computes a pruned layer: `expected_output` gives its
reference (a direct convolution with the masked weights; compensatory weights `extra`
added on the PW grid), and `verify` compares against it.
"""
from __future__ import annotations

import numpy as np

from .errors import XbarError, check_cancel
from .layers import ArraySpec, ConvLayer
from .layout import TileLayout, col_vectors, row_vectors
from .plan import Plan

# Input-vector entries materialised per matrix product: bounds memory on big layers.
_CHUNK = 1 << 22


def weight_range(weight_bits: int) -> tuple[int, int]:
    """Signed integer weights representable in `weight_bits` (two's complement)."""
    return -(1 << (weight_bits - 1)), (1 << (weight_bits - 1)) - 1


def check_weights(w: np.ndarray, array: ArraySpec) -> None:
    lo, hi = weight_range(array.weight_bits)
    if w.size and (w.min() < lo or w.max() > hi):
        raise XbarError(f"weights must lie in [{lo}, {hi}] for {array.weight_bits}-bit weights")


def slice_values(w: np.ndarray, q, array: ArraySpec) -> np.ndarray:
    """Bit slice `q` (broadcast with `w`) of signed integer weights; slice 0 least significant.

    Two's complement of `cpw*cell_bits` bits; every slice unsigned except the top one,
    read as signed, so that `sum_q slice_q * 2**(q*cell_bits) == w` exactly.
    """
    cb, cpw = array.cell_bits, array.cells_per_weight
    w = np.asarray(w, dtype=np.int64)
    q = np.asarray(q, dtype=np.int64)
    s = (w >> (q * cb)) & ((1 << cb) - 1)  # arithmetic shift: sign-extends like the doc says
    return np.where((q == cpw - 1) & (s >= (1 << (cb - 1))), s - (1 << cb), s)


def bit_slices(w: np.ndarray, array: ArraySpec) -> np.ndarray:
    """All slices of `w`, shape (cpw, *w.shape)."""
    w = np.asarray(w, dtype=np.int64)
    check_weights(w, array)
    q = np.arange(array.cells_per_weight).reshape((-1,) + (1,) * w.ndim)
    return slice_values(w[None], q, array)


def exact_matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Integer matrix product, exact: float64 (BLAS) while every sum stays below 2**52, else int64."""
    bound = int(np.abs(a).max(initial=0)) * int(np.abs(b).max(initial=0)) * a.shape[-1]
    if bound < 2 ** 52:
        return np.rint(a.astype(np.float64) @ b.astype(np.float64)).astype(np.int64)
    return a.astype(np.int64) @ b.astype(np.int64)


def direct_conv(layer: ConvLayer, x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Reference convolution: x (IC, H, W), w (OC, IC/g, Kh, Kw) -> (OC, OH, OW), int64."""
    L = layer
    xp = np.pad(np.asarray(x), ((0, 0), (L.pad_h, L.pad_h), (L.pad_w, L.pad_w)))
    win = np.lib.stride_tricks.sliding_window_view(xp, (L.k_h, L.k_w), axis=(1, 2))
    win = win[:, ::L.stride_h, ::L.stride_w][:, :L.out_h, :L.out_w]  # (IC, OH, OW, Kh, Kw)
    icg, ocg = L.group_in_c, L.group_out_c
    out = np.empty((L.out_c, L.out_h, L.out_w), dtype=np.int64)
    w = np.asarray(w)
    step = max(1, _CHUNK // (icg * L.k_h * L.k_w))  # output channels per product: bounds memory
    for g in range(L.groups):
        cols = win[g * icg:(g + 1) * icg].transpose(1, 2, 0, 3, 4).reshape(L.out_h * L.out_w, -1)
        for o in range(g * ocg, (g + 1) * ocg, step):
            o1 = min(o + step, (g + 1) * ocg)
            out[o:o1] = exact_matmul(cols, w[o:o1].reshape(o1 - o, -1).T).T.reshape(o1 - o, L.out_h, L.out_w)
    return out


def _check_shapes(layer: ConvLayer, x: np.ndarray, w: np.ndarray) -> None:
    if x.shape != (layer.in_c, layer.in_h, layer.in_w):
        raise XbarError(f"layer '{layer.name}': input shape {x.shape}, expected "
                        f"{(layer.in_c, layer.in_h, layer.in_w)}")
    want = (layer.out_c, layer.group_in_c, layer.k_h, layer.k_w)
    if w.shape != want:
        raise XbarError(f"layer '{layer.name}': weight shape {w.shape}, expected {want}")


def tile_matrix(layout: TileLayout, w: np.ndarray, group: int, extra: np.ndarray | None = None) -> np.ndarray:
    """The tile's conductance matrix G (rows x cols) of bit-slice values, int64.

    `extra` (copies, OC, IC/g, Ph, Pw): values of compensatory cells (zero when None)."""
    p = layout.plan
    g_mat = np.zeros((p.array.rows, p.array.cols), dtype=np.int64)
    r, c = np.nonzero(layout.kernel)
    oc = group * p.group.out_c + layout.cols.oc[c]
    wv = w[oc, layout.rows.c[r], layout.ky[r, c], layout.kx[r, c]]
    g_mat[r, c] = slice_values(wv, layout.cols.bit[c], p.array)
    if extra is not None:
        r, c = np.nonzero(layout.extra)
        ev = extra[layout.cols.copy[c], group * p.group.out_c + layout.cols.oc[c], layout.rows.c[r],
                   layout.rows.y[r], layout.rows.x[r]]
        g_mat[r, c] = slice_values(ev, layout.cols.bit[c], p.array)
    return g_mat


class _Tile:
    """The used sub-block of one tile: used rows x used logical columns (all bit slices).

    Empty rows and columns add nothing, so the products run on this block only. Built from
    the layout's row and column vectors (section 5) without the full-array cell maps.
    """

    def __init__(self, plan: Plan, rv, cv, r: np.ndarray, v: np.ndarray):
        """`rv`, `cv`: the tile's row and column vectors; `r`: its used rows; `v`: the used logical
        columns this block covers (a tile is simulated in column blocks: see `_blocks`)."""
        p = plan
        cpw = p.array.cells_per_weight
        self.r, self.v = r, v
        self.phys = (self.v[:, None] * cpw + np.arange(cpw)[None, :]).ravel()
        self.row_c, self.row_y, self.row_x = rv.c[self.r], rv.y[self.r], rv.x[self.r]
        k = cv.copy[self.phys]
        ky = self.row_y[:, None] - (k // p.nw * p.layer.stride_h)[None, :]
        kx = self.row_x[:, None] - (k % p.nw * p.layer.stride_w)[None, :]
        self.inside = (ky >= 0) & (ky < p.layer.k_h) & (kx >= 0) & (kx < p.layer.k_w)
        # Zero cells of the block read any valid weight and are masked out afterwards.
        self.w_ky, self.w_kx = np.clip(ky, 0, p.layer.k_h - 1), np.clip(kx, 0, p.layer.k_w - 1)
        self.w_oc, self.w_bit = cv.oc[self.phys], cv.bit[self.phys]
        self.extra, self.w_copy = None, k
        if p.compression is not None and p.compression.changes_cells:  # pruned weights out, extra ones in
            self.inside, extra = p.compression.cell_masks(
                self.row_c[:, None], self.row_y[:, None], self.row_x[:, None], k[None, :], self.w_oc[None, :],
                ky, kx, self.inside)
            self.extra = extra if extra.any() else None
        kv = cv.copy[self.v * cpw]
        self.v_oc, self.v_wy, self.v_wx = cv.oc[self.v * cpw], kv // p.nw, kv % p.nw

    def matrices(self, w: np.ndarray, groups: np.ndarray, ocg: int, array: ArraySpec,
                 extra: np.ndarray | None = None) -> np.ndarray:
        """G sub-blocks of several groups: (len(groups), used rows, used columns)."""
        oc = groups[:, None, None] * ocg + self.w_oc[None, None, :]
        wv = w[oc, self.row_c[None, :, None], self.w_ky[None], self.w_kx[None]]
        g = np.where(self.inside[None], slice_values(wv, self.w_bit[None, None, :], array), 0)
        if self.extra is not None and extra is not None:
            ev = extra[self.w_copy[None, None, :], oc, self.row_c[None, :, None], self.row_y[None, :, None],
                       self.row_x[None, :, None]]
            g = np.where(self.extra[None], slice_values(ev, self.w_bit[None, None, :], array), g)
        return g


def simulate(layer: ConvLayer, array: ArraySpec, plan: Plan, x: np.ndarray, w: np.ndarray,
             should_stop=None, extra: np.ndarray | None = None) -> np.ndarray:
    """Run every cycle of `plan` on input `x` (IC, H, W) with integer weights `w`; return the OFM.

    The cycles of one tile (all PW positions, and all groups of a grouped layer, which share
    the layout) are stacked into one batched matrix product; each product row is one cycle.
    `extra` (copies, OC, IC/g, Ph, Pw): integer values of a compressed plan's compensatory
    cells (KERNTROL-C); None leaves those cells at zero.
    """
    x, w = np.asarray(x), np.asarray(w)
    _check_shapes(layer, x, w)
    check_weights(w, array)
    if plan.layer != layer or plan.array != array:
        raise XbarError(f"layer '{layer.name}': the plan was made for another layer or array")
    if extra is not None:
        extra = np.asarray(extra)
        want = (plan.copies, layer.out_c, layer.group_in_c, plan.pix_h, plan.pix_w)
        if extra.shape != want:
            raise XbarError(f"layer '{layer.name}': extra weights of shape {extra.shape}, expected {want}")
        check_weights(extra, array)
    if plan.regions:
        return _simulate_regions(layer, array, plan, x, w, should_stop)
    L, p = layer, plan
    cpw, cb = array.cells_per_weight, array.cell_bits
    shift = 1 << (np.arange(cpw, dtype=np.int64) * cb)
    # Padded IFM, extended so that PWs hanging past the far edge read zeros.
    need_h = (p.n_pw_h - 1) * p.nh * L.stride_h + p.pix_h
    need_w = (p.n_pw_w - 1) * p.nw * L.stride_w + p.pix_w
    xp = np.zeros((L.in_c, max(need_h, L.in_h + 2 * L.pad_h), max(need_w, L.in_w + 2 * L.pad_w)), x.dtype)
    xp[:, L.pad_h:L.pad_h + L.in_h, L.pad_w:L.pad_w + L.in_w] = x
    # Accumulator covering every window of every PW position, cropped at the end.
    ocg, icg = p.group.out_c, p.group.in_c
    acc = np.zeros((L.out_c, p.n_pw_h * p.nh, p.n_pw_w * p.nw), dtype=np.int64)
    pys, pxs = np.divmod(np.arange(p.n_pw), p.n_pw_w)
    for b, a, t in _blocks(p, should_stop):
        nr, nc, nv = len(t.r), len(t.phys), len(t.v)
        g_step = max(1, min(L.groups, _CHUNK // (nr * nc)))
        for g0 in range(0, L.groups, g_step):
            check_cancel(should_stop)
            gs = np.arange(g0, min(L.groups, g0 + g_step))
            gm = t.matrices(w, gs, ocg, array, extra)
            rc = gs[:, None, None] * icg + t.row_c[None, None, :]
            vo = gs[:, None, None] * ocg + t.v_oc[None, None, :]
            step = max(1, _CHUNK // (len(gs) * max(nr, nc)))
            for s in range(0, p.n_pw, step):
                py, px = pys[None, s:s + step, None], pxs[None, s:s + step, None]
                xin = xp[rc, py * p.nh * L.stride_h + t.row_y, px * p.nw * L.stride_w + t.row_x]
                y = exact_matmul(xin, gm).reshape(len(gs), -1, nv, cpw)
                yv = (y * shift).sum(axis=3)  # shift-and-add of the bit slices
                oy = py * p.nh + t.v_wy
                ox = px * p.nw + t.v_wx
                # Within one tile every (group, position, logical column) feeds a distinct output.
                idx = np.broadcast_arrays(vo, oy, ox)
                acc[idx[0], idx[1], idx[2]] += yv
    return acc[:, :L.out_h, :L.out_w]


def _blocks(p: Plan, should_stop=None):
    """(b, a, tile block) for every tile in schedule order, each tile cut into blocks of used
    logical columns (and, past `_CHUNK` rows, rows) so that a block's cell arrays hold at most
    `_CHUNK` cells: memory stays bounded however large the array (a 32768 x 32768 tile would
    otherwise need gigabytes per cell map)."""
    cpw = p.array.cells_per_weight
    for b in range(p.ac):
        cv = col_vectors(p, b)
        v_all = np.nonzero(cv.copy[: p.array.logical_cols * cpw: cpw] >= 0)[0]  # used logical columns
        for a in range(p.ar):
            check_cancel(should_stop)
            rv = row_vectors(p, a)
            r = np.nonzero(rv.used)[0]
            if r.size == 0 or v_all.size == 0:
                continue
            r_step = min(r.size, max(1, _CHUNK // cpw))  # row blocks too, on absurdly tall arrays
            v_step = max(1, _CHUNK // (r_step * cpw))
            for r0 in range(0, r.size, r_step):
                for v0 in range(0, v_all.size, v_step):
                    check_cancel(should_stop)
                    yield b, a, _Tile(p, rv, cv, r[r0:r0 + r_step], v_all[v0:v0 + v_step])


def _simulate_regions(layer, array, plan, x, w, should_stop) -> np.ndarray:
    """Each region runs its own schedule on the window of the padded IFM it reads."""
    L = layer
    xp = np.pad(x, ((0, 0), (L.pad_h, L.pad_h), (L.pad_w, L.pad_w)))
    out = np.zeros((L.out_c, L.out_h, L.out_w), dtype=np.int64)
    for r in plan.regions:
        S = r.plan.layer
        y0, x0 = r.oy * L.stride_h, r.ox * L.stride_w
        xs = xp[:, y0:y0 + S.in_h, x0:x0 + S.in_w]
        out[:, r.oy:r.oy + r.h, r.ox:r.ox + r.w] = simulate(S, array, r.plan, xs, w, should_stop)
    return out


def _int_dtype(bits: int):
    return np.int8 if bits <= 8 else np.int16 if bits <= 16 else np.int32 if bits <= 32 else np.int64


def random_operands(layer: ConvLayer, array: ArraySpec, rng: np.random.Generator,
                    x_bits: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Random integer IFM (unsigned `x_bits`) and weights (signed, array.weight_bits).

    Small integer dtypes keep a 100-million-weight layer at 100 MB, not 800 MB.
    """
    lo, hi = weight_range(array.weight_bits)
    x = rng.integers(0, 1 << x_bits, size=(layer.in_c, layer.in_h, layer.in_w), dtype=_int_dtype(x_bits + 1))
    w = rng.integers(lo, hi + 1, size=(layer.out_c, layer.group_in_c, layer.k_h, layer.k_w),
                     dtype=_int_dtype(array.weight_bits))
    return x, w


def expected_output(layer: ConvLayer, plan: Plan, x: np.ndarray, w: np.ndarray,
                    extra: np.ndarray | None = None) -> np.ndarray:
    """The OFM a plan must compute: a direct convolution, or for a compressed plan the
    reference of its pruned layer (engine.compress.reference.reference_conv)."""
    if plan.compression is None:
        return direct_conv(layer, x, w)
    from .compress.reference import reference_conv

    return reference_conv(layer, plan, x, w, extra)


MAX_VERIFY_VALUES = 1 << 28  # weights, inputs or compensatory weights one verify may draw (bytes each)


def verify_size_problem(layer: ConvLayer, plan: Plan) -> str | None:
    """Why `verify` cannot prove this layer in bounded memory (its operands alone would be too
    large), or None. Crop the IFM first (engine.cli.cropped): the weights do not shrink."""
    sizes = [("weights", layer.out_c * layer.group_in_c * layer.k_h * layer.k_w),
             ("input values", layer.in_c * layer.in_h * layer.in_w)]
    if plan.compression is not None and plan.compression.extra is not None:
        sizes.append(("compensatory weights", plan.copies * layer.out_c * layer.group_in_c * plan.pix_h * plan.pix_w))
    for what, n in sizes:
        if n > MAX_VERIFY_VALUES:
            return (f"layer '{layer.name}' is too large to verify: {n:,} {what}, more than the "
                    f"{MAX_VERIFY_VALUES:,} one verification may hold")
    return None


def verify(layer: ConvLayer, array: ArraySpec, plan: Plan, rng=None, should_stop=None) -> bool:
    """Functional proof with random operands: simulate == direct convolution (for a
    compressed plan: its pruned layer's reference, with random compensatory weights).

    Memory stays bounded whatever the array: tiles are simulated in blocks of cells
    (`_blocks`); a layer whose operands alone are too large raises XbarError saying so
    (`verify_size_problem`)."""
    problem = verify_size_problem(layer, plan)
    if problem:
        raise XbarError(problem)
    rng = np.random.default_rng(0) if rng is None else rng
    x, w = random_operands(layer, array, rng)
    extra = None
    if plan.compression is not None and plan.compression.extra is not None:
        from .compress.reference import random_extra

        extra = random_extra(layer, array, plan, rng)
    out = simulate(layer, array, plan, x, w, should_stop, extra)
    return bool(np.array_equal(out, expected_output(layer, plan, x, w, extra)))


__all__ = ["MAX_VERIFY_VALUES", "bit_slices", "direct_conv", "expected_output", "random_operands", "simulate",
           "tile_matrix", "verify", "verify_size_problem", "weight_range"]
