"""Cell layout: which weight sits in which cell of a tile (mapping model, section 5).

Row and column meanings are cheap vectors (`row_vectors`, `col_vectors`); the 2-D cell
maps of `TileLayout` are built from them by broadcasting, on first use.
Channels are numbered within the plan's group (a grouped layer maps one group).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .plan import Plan

UNUSED = -1  # cell outside the mapped block
ZERO = -2  # cell inside the block whose kernel offset falls outside the kernel


@dataclass(frozen=True)
class RowVectors:
    """Per array row: channel (within the group) and PW pixel (y, x); -1 for unused rows."""

    c: np.ndarray
    y: np.ndarray
    x: np.ndarray

    @property
    def used(self) -> np.ndarray:
        return self.c >= 0


@dataclass(frozen=True)
class ColVectors:
    """Per physical column: kernel copy, output channel (within the group), bit slice; -1 unused."""

    copy: np.ndarray
    oc: np.ndarray
    bit: np.ndarray

    @property
    def used(self) -> np.ndarray:
        return self.copy >= 0


def _check_tile(plan: Plan, a: int, b: int) -> None:
    if not (0 <= a < plan.ar and 0 <= b < plan.ac):
        raise IndexError(f"tile ({a}, {b}) outside {plan.ar} row tiles x {plan.ac} column tiles")


def row_vectors(plan: Plan, a: int) -> RowVectors:
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
    cols, cpw, cl = plan.array.cols, plan.array.cells_per_weight, plan.array.logical_cols
    p = np.arange(cols, dtype=np.int64)
    vloc, q = p // cpw, p % cpw
    oc_total = plan.group.out_c
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
        return block, inside, ky, kx

    @property
    def block(self) -> np.ndarray:
        """True for cells inside the mapped block (weights and zero cells)."""
        return self._offsets[0]

    @property
    def weight(self) -> np.ndarray:
        """True for cells that hold a weight bit slice."""
        return self._offsets[1]

    @cached_property
    def copy(self) -> np.ndarray:
        block, inside, _, _ = self._offsets
        out = np.where(block, np.int32(ZERO), np.int32(UNUSED))
        return np.where(inside, self.cols.copy[None, :], out).astype(np.int32)

    def _where_weight(self, values) -> np.ndarray:
        return np.where(self.weight, values, np.int32(UNUSED)).astype(np.int32)

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
        """Everything about one cell, for an inspector."""
        copy = int(self.copy[r, col])
        return {"row": r, "col": col, "copy": copy, "ic": int(self.rows.c[r]), "y": int(self.rows.y[r]),
                "x": int(self.rows.x[r]), "oc": int(self.cols.oc[col]), "bit": int(self.cols.bit[col]),
                "col_copy": int(self.cols.copy[col]), "ky": int(self.ky[r, col]), "kx": int(self.kx[r, col])}


def tile_layout(plan: Plan, a: int = 0, b: int = 0) -> TileLayout:
    return TileLayout(plan, a, b)
