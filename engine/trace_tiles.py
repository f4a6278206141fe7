"""One tile's conductance matrix for the cycle trace, kept on its used rows x used columns.

A cycle's partial sums are one input vector times this matrix (mapping model, section 7).
The matrix comes from simulate's tile blocks (`_Tile.matrices`: the same cells, pruned and
compensatory weights included, as the functional proof uses), so the trace and the proof
cannot disagree on a cell. It is stored in the narrowest float type that keeps every sum
exact (float32 below 2**24, float64 below 2**53), else int64: a 4096 x 4096 tile is then
64 MB and one cycle a single BLAS matrix-vector product.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import XbarError
from .layout import col_vectors, row_vectors
from .plan import Plan
from .simulate import _CHUNK, _Tile

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
        y = x_rows[self.rows].astype(self.g.dtype) @ self.g
        out[self.cols] = np.rint(y) if self.g.dtype.kind == "f" else y
        return out


def _positions(used: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    idx = np.flatnonzero(used)
    pos = np.full(used.size, -1, dtype=np.int64)
    pos[idx] = np.arange(idx.size)
    return idx, pos


def check_trace_array(array) -> None:
    """Raise XbarError when one tile matrix of `array` is too large for a trace to hold."""
    if array.rows * array.cols > MAX_TRACE_CELLS:
        raise XbarError(f"a {array.label()} array has {array.rows * array.cols:,} cells; a trace holds at most "
                        f"{MAX_TRACE_CELLS:,} per tile matrix")


def build_tile(plan: Plan, a: int, b: int, group: int, w: np.ndarray, extra, x_max: int) -> TileMatrix:
    """The matrix of tile (a, b) of `group` for inputs of magnitude at most `x_max`."""
    arr = plan.array
    check_trace_array(arr)
    cpw, cb = arr.cells_per_weight, arr.cell_bits
    rv, cv = row_vectors(plan, a), col_vectors(plan, b)
    rows, row_pos = _positions(rv.used)
    v_all = np.flatnonzero(cv.copy[: arr.logical_cols * cpw: cpw] >= 0)  # used logical columns
    cols = (v_all[:, None] * cpw + np.arange(cpw)[None, :]).ravel()
    col_pos = np.full(arr.cols, -1, dtype=np.int64)
    col_pos[cols] = np.arange(cols.size)
    slice_max = 1 << cb if cpw > 1 else 1 << (arr.weight_bits - 1)
    g = np.zeros((rows.size, cols.size), dtype=exact_dtype(max(1, x_max) * slice_max * max(1, rows.size)))
    if rows.size:
        step = max(1, _CHUNK // (rows.size * cpw))  # logical columns per block: bounded temporaries
        for v0 in range(0, v_all.size, step):
            t = _Tile(plan, rv, cv, rows, v_all[v0:v0 + step])
            g[:, v0 * cpw:v0 * cpw + t.phys.size] = t.matrices(w, np.array([group]), plan.group.out_c,
                                                                arr, extra)[0]
    gc, go = group * plan.group.in_c, group * plan.group.out_c
    return TileMatrix(rows, cols, row_pos, col_pos, g, cv.copy, cv.bit,
                      np.unique(rv.c[rv.used]) + gc, np.unique(cv.oc[cv.used]) + go)
