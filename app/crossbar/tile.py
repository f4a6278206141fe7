"""One array tile (row tile `a`, column tile `b`) of a plan, as the view draws it.

Built from the engine's row and column vectors (mapping model, section 5) without the
full-array cell maps: whether a cell holds a weight, and which kernel element, depends
only on its row's PW pixel and its column's kernel copy. A small (PW pixels x copies)
table plus two gathers therefore classify the whole tile, 4096 x 4096 in tens of
milliseconds where the engine's full maps take most of a second. Compressed plans
(engine.compress) add the channel: the engine's `cell_tables` give codes per (channel
class, PW pixel, copy), gathered the same way. Pure numpy.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from engine.layout import col_vectors, row_vectors
from engine.plan import Plan

# Cell kinds in the tables below; compressed plans add the last two (engine.compress).
UNUSED_CELL, ZERO_CELL, WEIGHT_CELL, PRUNED_CELL, EXTRA_CELL = 0, 1, 2, 3, 4
KIND_NAMES = ("unused", "zero", "weight", "pruned", "extra")


@dataclass(frozen=True)
class Run:
    """Consecutive rows or columns sharing one value (a channel, a kernel copy)."""

    start: int
    stop: int  # exclusive
    value: int


def runs(values: np.ndarray, valid: np.ndarray) -> list[Run]:
    """Runs of equal `values` over the positions where `valid` holds."""
    idx = np.flatnonzero(valid)
    if idx.size == 0:
        return []
    v = values[idx]
    cut = np.flatnonzero((np.diff(v) != 0) | (np.diff(idx) != 1)) + 1
    starts = np.concatenate(([0], cut))
    stops = np.concatenate((cut, [idx.size]))
    return [Run(a, b, c) for a, b, c in zip(idx[starts].tolist(), (idx[stops - 1] + 1).tolist(), v[starts].tolist())]


class Tile:
    """Row/column meanings of tile (a, b) and the per-(PW pixel, copy) kernel tables."""

    def __init__(self, plan: Plan, a: int, b: int):
        if not (0 <= a < plan.ar and 0 <= b < plan.ac):
            raise IndexError(f"tile ({a}, {b}) outside {plan.ar} x {plan.ac}")
        self.plan, self.a, self.b = plan, a, b
        self.rows = row_vectors(plan, a)
        self.cols = col_vectors(plan, b)
        self.pp = plan.pix_h * plan.pix_w
        # Row -> PW pixel index, column -> copy; the last table row/column means "unused".
        self.row_pix = np.where(self.rows.used, self.rows.y * plan.pix_w + self.rows.x, self.pp).astype(np.intp)
        self.col_copy = np.where(self.cols.used, self.cols.copy, plan.copies).astype(np.intp)
        self.compressed = getattr(plan, "compression", None) is not None

    # --- compressed plans: cell kinds by (channel class, PW pixel, copy) -------------------
    @cached_property
    def _compressed_tables(self):
        """(row keys, (classes*pp+1, cols) kinds per column): the engine's `cell_tables`
        (engine.compress.views) gathered to this tile's columns; the last row means unused.
        In the dense view a column of a removed output channel holds no weight: its weight
        cells become PRUNED, its compensatory ones ZERO (as the engine's cell maps say)."""
        from engine import layout
        from engine.compress.views import cell_tables

        ct = _cell_tables(self.plan, cell_tables)
        n_cls = ct.codes.shape[0]
        n = n_cls * self.pp
        lut = np.zeros(8, dtype=np.uint8)  # code -> kind for the negative codes (index code + 8)
        lut[layout.ZERO + 8], lut[layout.PRUNED + 8], lut[layout.EXTRA + 8] = ZERO_CELL, PRUNED_CELL, EXTRA_CELL
        lut[layout.UNUSED + 8] = UNUSED_CELL
        codes = ct.codes.reshape(n, self.plan.copies)
        table = np.full((n + 1, self.plan.copies + 1), UNUSED_CELL, dtype=np.uint8)
        table[:-1, :-1] = np.where(codes >= 0, WEIGHT_CELL, lut[np.minimum(codes, -1) + 8])
        rv = self.rows
        row_key = np.where(rv.used, ct.channel_class[np.maximum(rv.c, 0)] * self.pp + self.row_pix, n).astype(np.intp)
        per_col = table[:, self.col_copy]
        cv = self.cols
        if cv.kept is not None:
            gone = cv.used & ~cv.kept
            if gone.any():
                sub = per_col[:, gone]
                sub[sub == WEIGHT_CELL] = PRUNED_CELL
                sub[sub == EXTRA_CELL] = ZERO_CELL
                per_col[:, gone] = sub
        return row_key, per_col

    def key_tables(self) -> tuple[np.ndarray, np.ndarray]:
        """Compressed plans: (row key of each row, (keys + 1, cols) cell kinds); a key is a
        (channel class, PW pixel) pair, the last one means an unused row (see `key_pix`)."""
        return self._compressed_tables

    @cached_property
    def key_pix(self) -> np.ndarray:
        """PW pixel index of each row key (pp for the unused key): (pixel, column) tables
        become (key, column) tables by `table[key_pix]`."""
        n = self._compressed_tables[1].shape[0] - 1
        return np.append(np.arange(n) % self.pp, self.pp).astype(np.intp)

    @property
    def cell_kinds(self) -> np.ndarray | None:
        """Per-cell kinds of the whole tile for a compressed plan; None for other plans."""
        return self.kinds() if self.compressed else None

    @cached_property
    def skipped_rows(self) -> np.ndarray | None:
        """Rows of the dense view of a compressed plan that the compressed array leaves out
        (`rows.kept` False on a used row); None when there are none."""
        kept = self.rows.kept
        if kept is None:
            return None
        m = self.rows.used & ~kept
        return m if m.any() else None

    @cached_property
    def removed_cols(self) -> np.ndarray | None:
        """Columns of output channels the compression removes (dense view); None when none."""
        kept = self.cols.kept
        if kept is None:
            return None
        m = self.cols.used & ~kept
        return m if m.any() else None

    def kinds(self, r0: int = 0, r1: int | None = None, rsel=None, csel=None) -> np.ndarray:
        """Kinds of the cells of rows r0..r1 (or of the sampled rows/columns)."""
        if self.compressed:
            row_key, per_col = self._compressed_tables
            rk = row_key[r0:r1] if rsel is None else row_key[rsel]
            return np.take(per_col if csel is None else per_col[:, csel], rk, axis=0)
        rp = self.row_pix[r0:r1] if rsel is None else self.row_pix[rsel]
        cc = self.col_copy if csel is None else self.col_copy[csel]
        return np.take(self.kind_table[:, cc], rp, axis=0)

    def kinds_at(self, rr, cc) -> np.ndarray:
        """Kinds of the cells (rr[i], cc[i])."""
        if self.compressed:
            row_key, per_col = self._compressed_tables
            return per_col[row_key[rr], cc]
        return self.kind_table[self.row_pix[rr], self.col_copy[cc]]

    @property
    def shape(self) -> tuple[int, int]:
        return self.plan.array.rows, self.plan.array.cols

    @cached_property
    def _tables(self):
        """(pp+1, copies+1) tables: cell kind, ky, kx (-1 outside the kernel)."""
        p, L = self.plan, self.plan.layer
        pix, k = np.arange(self.pp), np.arange(p.copies)
        ky = (pix // p.pix_w)[:, None] - (k // p.nw * L.stride_h)[None, :]
        kx = (pix % p.pix_w)[:, None] - (k % p.nw * L.stride_w)[None, :]
        inside = (ky >= 0) & (ky < L.k_h) & (kx >= 0) & (kx < L.k_w)
        shape = (self.pp + 1, p.copies + 1)
        kind = np.full(shape, UNUSED_CELL, dtype=np.uint8)
        kind[:-1, :-1] = np.where(inside, WEIGHT_CELL, ZERO_CELL)
        kyt = np.full(shape, -1, dtype=np.int32)
        kxt = np.full(shape, -1, dtype=np.int32)
        kyt[:-1, :-1] = np.where(inside, ky, -1)
        kxt[:-1, :-1] = np.where(inside, kx, -1)
        return kind, kyt, kxt

    @property
    def kind_table(self) -> np.ndarray:
        return self._tables[0]

    def per_pixel_copy(self, table: np.ndarray, rsel=None, csel=None) -> np.ndarray:
        """Expand a (pp+1, copies+1) table to the cells (rows x cols, or a sampled subset)."""
        rp = self.row_pix if rsel is None else self.row_pix[rsel]
        cc = self.col_copy if csel is None else self.col_copy[csel]
        return np.take(table[:, cc], rp, axis=0)

    # --- one cell ---------------------------------------------------------------------
    def kind_at(self, r: int, c: int) -> int:
        return int(self.kinds_at(r, c))

    def kernel_at(self, r: int, c: int) -> tuple[int, int] | None:
        _, kyt, kxt = self._tables
        ky, kx = int(kyt[self.row_pix[r], self.col_copy[c]]), int(kxt[self.row_pix[r], self.col_copy[c]])
        return None if ky < 0 else (ky, kx)

    # --- runs, for outlines -------------------------------------------------------------
    @cached_property
    def copy_runs(self) -> list[Run]:
        return runs(self.cols.copy, self.cols.used)

    @cached_property
    def oc_runs(self) -> list[Run]:
        return runs(self.cols.oc, self.cols.used)

    @cached_property
    def channel_runs(self) -> list[Run]:
        return runs(self.rows.c, self.rows.used)

    def narrowest(self, kind: str) -> int:
        """Rows or columns in the narrowest run of `kind` ("oc", "channel", "copy"): line spacing."""
        cache = self.__dict__.setdefault("_narrowest", {})
        if kind not in cache:
            found = getattr(self, f"{kind}_runs")
            cache[kind] = min((r.stop - r.start for r in found), default=0)
        return cache[kind]

    @cached_property
    def used_row_span(self) -> tuple[int, int]:
        idx = np.flatnonzero(self.rows.used)
        return (int(idx[0]), int(idx[-1]) + 1) if idx.size else (0, 0)

    @cached_property
    def block_span(self) -> tuple[int, int, int, int]:
        """(r0, r1, c0, c1): the rows and columns the mapped block spans."""
        idx = np.flatnonzero(self.cols.used)
        return self.used_row_span + ((int(idx[0]), int(idx[-1]) + 1) if idx.size else (0, 0))

    def kinds_present(self) -> set[int]:
        """The cell kinds this tile holds (cheap: from the per-column tables)."""
        if not self.compressed:
            return set(np.unique(self.kinds(rsel=np.unique(self.row_pix, return_index=True)[1])).tolist())
        row_key, per_col = self._compressed_tables
        return set(np.unique(per_col[np.unique(row_key)]).tolist())

    # --- where a weight sits (section 5, inverted) -------------------------------------
    def cells_of_weight(self, oc: int, c: int, ky: int, kx: int) -> tuple[np.ndarray, np.ndarray]:
        """Every cell of this tile holding W[oc, c, ky, kx] (channels within the group)."""
        p, L = self.plan, self.plan.layer
        k = np.arange(p.copies)
        pix = (ky + k // p.nw * L.stride_h) * p.pix_w + (kx + k % p.nw * L.stride_w)
        row_hit = (self.rows.c[:, None] == c) & (self.row_pix[:, None] == pix[None, :])
        col_hit = (self.cols.oc[:, None] == oc) & (self.cols.copy[:, None] == k[None, :])
        r_idx, k_r = np.nonzero(row_hit)
        c_idx, k_c = np.nonzero(col_hit)
        pair = k_r[:, None] == k_c[None, :]
        ri, ci = np.nonzero(pair)
        r_out, c_out = r_idx[ri], c_idx[ci]
        if self.compressed:  # a compressed plan may have pruned some of them
            keep = self.kinds_at(r_out, c_out) == WEIGHT_CELL
            r_out, c_out = r_out[keep], c_out[keep]
        return r_out, c_out

    def weight_cells_in_row(self, r: int) -> list[Run]:
        """Runs of weight-holding cells in row r (one per kernel copy that reads its pixel)."""
        return runs(self.cols.copy, self.kinds(r, r + 1)[0] == WEIGHT_CELL)


_TABLES: dict = {}  # id(plan) -> (plan, CellTables): the tiles of one plan share its tables
_TABLES_LOCK = threading.Lock()  # export workers build tiles too


def _cell_tables(plan: Plan, build):
    """`build(plan)` once per plan (a few recent plans are kept; keyed by identity, as
    hashing a compressed plan hashes its masks)."""
    with _TABLES_LOCK:
        hit = _TABLES.get(id(plan))
    if hit is not None and hit[0] is plan:
        return hit[1]
    tables = build(plan)
    with _TABLES_LOCK:
        _TABLES[id(plan)] = (plan, tables)
        while len(_TABLES) > 4:
            _TABLES.pop(next(iter(_TABLES)))
    return tables


def display_stride(rows: int, cols: int, max_cells: int = 1 << 26) -> int:
    """Sampling step for arrays too large to hold one byte per cell on screen (over 8192^2)."""
    s = 1
    while (rows // s) * (cols // s) > max_cells:
        s += 1
    return s
