"""One tile's conductance matrix for the cycle trace, kept on its used rows x used columns.

A cycle's partial sums are one input vector times this matrix (mapping model, section 7).
Which weight and slice sits in each cell (pruned and compensatory cells included) comes
from simulate's tile blocks (`_Tile`, the geometry the functional proof uses), so the
trace and the proof cannot disagree on a cell; only the values are read from weights
bit-sliced once per trace. It is stored in the narrowest type that keeps every sum exact
(float32 below 2**24, float64 below 2**53, else int64): a 4096 x 4096 tile is then 64 MB
and one cycle a single matrix-vector product.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import XbarError
from .layout import col_vectors, row_vectors
from .plan import Plan
from .simulate import _CHUNK, _Tile, bit_slices

# Cells of one tile matrix the trace may hold (float32: 256 MB); larger arrays are refused.
MAX_TRACE_CELLS = 1 << 26


def exact_dtype(bound: int):
    """The cheapest dtype whose matrix products of integers stay exact when every sum of
    absolute values is at most `bound`."""
    if bound < 2 ** 24:
        return np.float32
    if bound < 2 ** 53:
        return np.float64
    return np.int64


def exact_product(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Integer matrix product a (m, k) @ b (k, n), exact, int64. Like simulate.exact_matmul,
    but by einsum on one thread: BLAS spread over threads waits milliseconds for them on a
    busy machine (a trace's products are small and asked for between frames)."""
    bound = int(np.abs(a).max(initial=0)) * int(np.abs(b).max(initial=0)) * a.shape[-1]
    dt = exact_dtype(bound)
    y = np.einsum("ij,jk->ik", a.astype(dt), b.astype(dt))
    return np.rint(y).astype(np.int64) if dt is not np.int64 else y


@dataclass(frozen=True)
class TileMatrix:
    """Tile (b, a) of one group: `g[i, j]` is the bit-slice value in array row `rows[i]`,
    physical column `cols[j]` (the used ones); `row_pos`/`col_pos` map an array row/column
    to its index in `g` (-1 for unused ones). Channels are global."""

    rows: np.ndarray
    cols: np.ndarray
    row_pos: np.ndarray
    col_pos: np.ndarray
    g: np.ndarray
    col_copy: np.ndarray  # (C,) kernel copy of every physical column, -1 unused
    col_bit: np.ndarray  # (C,) bit slice of every physical column, -1 unused
    in_channels: np.ndarray  # global input channels the loaded row tile holds
    out_channels: np.ndarray  # global output channels the loaded column tile holds

    def partial(self, x_rows: np.ndarray) -> np.ndarray:
        """(C,) int64 partial sums of every physical column for the array's input vector."""
        out = np.zeros(self.col_pos.size, dtype=np.int64)
        # einsum, not BLAS: a matrix-vector product split over BLAS threads waits milliseconds for
        # them on a busy machine (8 ms at 1024 x 1024 where one thread takes 0.15 ms); any order of
        # the sums is exact below the dtype's bound (exact_dtype)
        y = np.einsum("i,ij->j", x_rows[self.rows].astype(self.g.dtype), self.g)
        out[self.cols] = np.rint(y) if self.g.dtype.kind == "f" else y
        return out


def _positions(used: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    idx = np.flatnonzero(used)
    pos = np.full(used.size, -1, dtype=np.int64)
    pos[idx] = np.arange(idx.size)
    return idx, pos


def tile_dtype(array, x_max: int, rows: int):
    """The dtype of a tile matrix of `rows` used rows for inputs of magnitude at most `x_max`:
    a bit slice is below 2**cell_bits in magnitude (a single-cell weight: 2**(weight_bits-1))."""
    slice_max = 1 << array.cell_bits if array.cells_per_weight > 1 else 1 << (array.weight_bits - 1)
    return exact_dtype(max(1, x_max) * slice_max * max(1, rows))


def check_trace_array(array) -> None:
    """Raise XbarError when one tile matrix of `array` is too large for a trace to hold."""
    if array.rows * array.cols > MAX_TRACE_CELLS:
        raise XbarError(f"a {array.label()} array has {array.rows * array.cols:,} cells; a trace holds at most "
                        f"{MAX_TRACE_CELLS:,} per tile matrix")


def slices_of(w: np.ndarray, extra, array) -> tuple[np.ndarray, np.ndarray | None]:
    """Bit slices of the weights (cpw, *w.shape) and of the compensatory weights, in the
    smallest integer type: slicing once per trace, not per tile cell, makes a 4096 x 4096
    tile's matrix several times cheaper to build."""
    dtype = np.int32 if array.cell_bits < 31 else np.int64
    return (bit_slices(w, array).astype(dtype),
            None if extra is None else bit_slices(extra, array).astype(dtype))


def _block(t: _Tile, oc0: int, sliced) -> np.ndarray:
    """The cells of tile block `t` (simulate's geometry: which weight, which slice, pruned and
    compensatory cells) read from the pre-sliced weights; as `_Tile.matrices` for one group."""
    s, e = sliced
    oc = oc0 + t.w_oc[None, :]
    g = np.where(t.inside, s[t.w_bit[None, :], oc, t.row_c[:, None], t.w_ky, t.w_kx], 0)
    if t.extra is not None and e is not None:
        ev = e[t.w_bit[None, :], t.w_copy[None, :], oc, t.row_c[:, None], t.row_y[:, None], t.row_x[:, None]]
        g = np.where(t.extra, ev, g)
    return g


def build_tile(plan: Plan, a: int, b: int, group: int, sliced, x_max: int) -> TileMatrix:
    """The matrix of tile (a, b) of `group` for inputs of magnitude at most `x_max`;
    `sliced` the weights' `slices_of`."""
    arr = plan.array
    check_trace_array(arr)
    cpw, cb = arr.cells_per_weight, arr.cell_bits
    rv, cv = row_vectors(plan, a), col_vectors(plan, b)
    rows, row_pos = _positions(rv.used)
    v_all = np.flatnonzero(cv.copy[: arr.logical_cols * cpw: cpw] >= 0)  # used logical columns
    cols = (v_all[:, None] * cpw + np.arange(cpw)[None, :]).ravel()
    col_pos = np.full(arr.cols, -1, dtype=np.int64)
    col_pos[cols] = np.arange(cols.size)
    g = np.zeros((rows.size, cols.size), dtype=tile_dtype(arr, x_max, rows.size))
    if rows.size:
        step = max(1, _CHUNK // (rows.size * cpw))  # logical columns per block: bounded temporaries
        for v0 in range(0, v_all.size, step):
            t = _Tile(plan, rv, cv, rows, v_all[v0:v0 + step])
            g[:, v0 * cpw:v0 * cpw + t.phys.size] = _block(t, group * plan.group.out_c, sliced)
    gc, go = group * plan.group.in_c, group * plan.group.out_c
    return TileMatrix(rows, cols, row_pos, col_pos, g, cv.copy, cv.bit,
                      np.unique(rv.c[rv.used]) + gc, np.unique(cv.oc[cv.used]) + go)
