"""Cell layout: which weight sits in which cell of a tile (mapping model, section 5).

Row and column meanings are cheap vectors (`row_vectors`, `col_vectors`); the 2-D cell
maps of `TileLayout` are built from them by broadcasting, on first use.
Channels are numbered within the plan's group (a grouped layer maps one group).

A compressed plan (`plan.compression`, engine.compress) lists its rows instead of
deriving them from the dense formula: the kept rows, repacked into row tiles; its
columns may leave out pruned output channels. Its cells gain two kinds: PRUNED (a
weight of the dense mapping that the compression masks) and EXTRA (a compensatory
weight outside the kernel footprint, KERNTROL-C).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .plan import Plan

UNUSED = -1  # cell outside the mapped block
ZERO = -2  # cell inside the block whose kernel offset falls outside the kernel
PRUNED = -3  # cell whose weight the compression masks (pattern, omitted row, removed channel)
EXTRA = -4  # compensatory weight outside the kernel footprint (KERNTROL-C)


@dataclass(frozen=True)
class RowVectors:
    """Per array row: channel (within the group) and PW pixel (y, x); -1 for unused rows.

    `kept` is set by the dense view of a compressed plan: False for rows the compressed
    array leaves out (skipped or omitted rows, removed channels); None means all kept.
    """

    c: np.ndarray
    y: np.ndarray
    x: np.ndarray
    kept: np.ndarray | None = None

    @property
    def used(self) -> np.ndarray:
        return self.c >= 0


@dataclass(frozen=True)
class ColVectors:
    """Per physical column: kernel copy, output channel (within the group), bit slice; -1 unused.

    `kept`: as for rows (False for columns of output channels a compressed plan removes)."""

    copy: np.ndarray
    oc: np.ndarray
    bit: np.ndarray
    kept: np.ndarray | None = None

    @property
    def used(self) -> np.ndarray:
        return self.copy >= 0


def _check_tile(plan: Plan, a: int, b: int) -> None:
    if not (0 <= a < plan.ar and 0 <= b < plan.ac):
        raise IndexError(f"tile ({a}, {b}) outside {plan.ar} row tiles x {plan.ac} column tiles")


def row_vectors(plan: Plan, a: int) -> RowVectors:
    if plan.compression is not None:
        return plan.compression.row_vectors(plan, a)
    return dense_row_vectors(plan, a)


def dense_row_vectors(plan: Plan, a: int) -> RowVectors:
    """Rows by the section 5 formulas (the layout of an uncompressed plan)."""
    rows = plan.array.rows
    pp = plan.pix_h * plan.pix_w
    r = np.arange(rows, dtype=np.int64)
    ic = plan.group.in_c
    if plan.row_split == "flat":
        u = a * rows + r
        valid = u < pp * ic
        c = u // pp
    else:
        local = r // pp
        c = a * plan.ict + local
        valid = (local < plan.ict) & (c < ic)
        u = r
    rem = u % pp
    y, x = rem // plan.pix_w, rem % plan.pix_w
    neg = np.int64(-1)
    return RowVectors(np.where(valid, c, neg).astype(np.int32), np.where(valid, y, neg).astype(np.int32),
                      np.where(valid, x, neg).astype(np.int32))


def col_vectors(plan: Plan, b: int) -> ColVectors:
    if plan.compression is not None:
        return plan.compression.col_vectors(plan, b)
    return dense_col_vectors(plan, b)


def dense_col_vectors(plan: Plan, b: int, oc_total: int | None = None) -> ColVectors:
    """Columns by the section 5 formulas for `oc_total` output channels (default: the group's)."""
    cols, cpw, cl = plan.array.cols, plan.array.cells_per_weight, plan.array.logical_cols
    p = np.arange(cols, dtype=np.int64)
    vloc, q = p // cpw, p % cpw
    oc_total = plan.group.out_c if oc_total is None else oc_total
    if plan.col_split == "flat":
        v = b * cl + vloc
        valid = (vloc < cl) & (v < plan.copies * oc_total)
        k, oc = v // oc_total, v % oc_total
    else:
        k, o = vloc // plan.oct, vloc % plan.oct
        oc = b * plan.oct + o
        valid = (vloc < cl) & (k < plan.copies) & (oc < oc_total)
    neg = np.int64(-1)
    return ColVectors(np.where(valid, k, neg).astype(np.int32), np.where(valid, oc, neg).astype(np.int32),
                      np.where(valid, q, neg).astype(np.int32))


class TileLayout:
    """The cell maps of tile (a, b): arrays of shape (rows, cols), built lazily."""

    def __init__(self, plan: Plan, a: int, b: int):
        _check_tile(plan, a, b)
        self.plan, self.a, self.b = plan, a, b
        self.rows = row_vectors(plan, a)
        self.cols = col_vectors(plan, b)

    @cached_property
    def _offsets(self):
        p = self.plan
        wy = np.where(self.cols.used, self.cols.copy // p.nw, 0)
        wx = np.where(self.cols.used, self.cols.copy % p.nw, 0)
        ky = self.rows.y[:, None] - (wy * p.layer.stride_h)[None, :]
        kx = self.rows.x[:, None] - (wx * p.layer.stride_w)[None, :]
        block = self.rows.used[:, None] & self.cols.used[None, :]
        inside = block & (ky >= 0) & (ky < p.layer.k_h) & (kx >= 0) & (kx < p.layer.k_w)
        kernel, extra = inside, np.zeros_like(inside)
        if p.compression is not None and p.compression.changes_cells:
            kernel, extra = p.compression.cell_masks(
                self.rows.c[:, None], self.rows.y[:, None], self.rows.x[:, None],
                self.cols.copy[None, :], self.cols.oc[None, :], ky, kx, inside)
            extra = block & extra
        return block, inside, ky, kx, kernel, extra

    @property
    def block(self) -> np.ndarray:
        """True for cells inside the mapped block (weights and zero cells)."""
        return self._offsets[0]

    @property
    def kernel(self) -> np.ndarray:
        """True for cells holding a weight of the layer's kernel (pruned ones excluded)."""
        return self._offsets[4]

    @property
    def extra(self) -> np.ndarray:
        """True for compensatory weight cells (KERNTROL-C); all False for other plans."""
        return self._offsets[5]

    @property
    def pruned(self) -> np.ndarray:
        """True for cells whose kernel weight the compression masks."""
        return self._offsets[1] & ~self._offsets[4]

    @cached_property
    def weight(self) -> np.ndarray:
        """True for cells that hold a weight bit slice (kernel or compensatory)."""
        return self.kernel | self.extra

    @cached_property
    def copy(self) -> np.ndarray:
        """Kernel copy of each weight cell; UNUSED, ZERO, PRUNED or EXTRA for the other cells."""
        block, inside, _, _, kernel, extra = self._offsets
        out = np.where(block, np.int32(ZERO), np.int32(UNUSED))
        out = np.where(inside, np.int32(PRUNED), out)
        out = np.where(extra, np.int32(EXTRA), out)
        return np.where(kernel, self.cols.copy[None, :], out).astype(np.int32)

    def _where_weight(self, values) -> np.ndarray:
        return np.where(self.kernel, values, np.int32(UNUSED)).astype(np.int32)

    @cached_property
    def ky(self) -> np.ndarray:
        return self._where_weight(self._offsets[2])

    @cached_property
    def kx(self) -> np.ndarray:
        return self._where_weight(self._offsets[3])

    @cached_property
    def ic(self) -> np.ndarray:
        """Input channel of the cell's row (inside the block, zero cells included)."""
        return np.where(self.block, self.rows.c[:, None], np.int32(UNUSED)).astype(np.int32)

    @cached_property
    def oc(self) -> np.ndarray:
        return np.where(self.block, self.cols.oc[None, :], np.int32(UNUSED)).astype(np.int32)

    @cached_property
    def bit(self) -> np.ndarray:
        return np.where(self.block, self.cols.bit[None, :], np.int32(UNUSED)).astype(np.int32)

    def cell(self, r: int, col: int) -> dict:
        """Everything about one cell, for an inspector (compressed plans: also whether its
        row and column are kept in the compressed array)."""
        copy = int(self.copy[r, col])
        d = {"row": r, "col": col, "copy": copy, "ic": int(self.rows.c[r]), "y": int(self.rows.y[r]),
             "x": int(self.rows.x[r]), "oc": int(self.cols.oc[col]), "bit": int(self.cols.bit[col]),
             "col_copy": int(self.cols.copy[col]), "ky": int(self.ky[r, col]), "kx": int(self.kx[r, col])}
        if self.plan.compression is not None:
            d["row_kept"] = bool(self.rows.used[r] if self.rows.kept is None else self.rows.kept[r])
            d["col_kept"] = bool(self.cols.used[col] if self.cols.kept is None else self.cols.kept[col])
        return d


def tile_layout(plan: Plan, a: int = 0, b: int = 0) -> TileLayout:
    return TileLayout(plan, a, b)
