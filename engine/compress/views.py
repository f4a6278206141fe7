"""What a view needs to draw a compressed plan, beyond the ordinary cell layout.

- the repacked array: `TileLayout(plan, a, b)` of the compressed plan itself (rows are the
  kept ones; cell codes include PRUNED and EXTRA);
- the uncompressed array with skipped rows in place: `TileLayout(dense_plan(plan), a, b)`,
  whose `rows.kept` is False on skipped or omitted rows and whose pruned cells are PRUNED;
- where each dense row went: `row_fate(plan, a)`; where each (channel, PW pixel) went:
  `row_slots(plan)`;
- each channel's pattern / each copy's kernel shape: `kernel_masks(plan)`;
- the PW row-utilization map (KERNTROL): `row_utilization(plan)`, `omitted_pixels`;
- cell codes of a whole tile by two gathers (large arrays): `cell_tables(plan)`.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..plan import Plan
from .kerntrol import omitted_pixels, row_utilization  # noqa: F401  (re-exported for views)
from .model import Compression


def _comp(plan: Plan) -> Compression:
    if plan.compression is None:
        raise ValueError(f"the {plan.method} plan carries no compression")
    return plan.compression


def dense_plan(plan: Plan) -> Plan:
    """The compressed plan's base layout (its PW, tiles and cycles) with the compression in
    place but nothing repacked: rows and columns carry `kept` flags, pruned weights show
    as PRUNED cells, compensatory ones as EXTRA. It simulates to the same OFM."""
    comp = _comp(plan)
    if not comp.repacked:
        return plan
    base = comp.base
    if (base.nh, base.nw) == (plan.nh, plan.nw):
        dense = replace(comp, repacked=False)
    else:  # VWC-SDK searched again: its masks are per channel, so they carry over to the base PW
        keep_c = comp.row_keep.any(axis=(1, 2))
        row_keep = np.broadcast_to(keep_c[:, None, None], (keep_c.size, base.pix_h, base.pix_w))
        dense = replace(comp, row_keep=row_keep, repacked=False)
    return replace(base, method=plan.method, compression=dense)


def row_slots(plan: Plan) -> np.ndarray:
    """(IC, Ph, Pw) int: index of each (channel, PW pixel) row among the kept rows, -1 if
    left out; row tile = index // tile_rows, row = index % tile_rows."""
    comp = _comp(plan)
    out = np.full(comp.row_keep.shape, -1, dtype=np.int64)
    out[comp.row_keep] = np.arange(comp.kept_rows)  # boolean order is the repacked (dense) order
    return out


@dataclass(frozen=True)
class RowFate:
    """Per row of dense tile `a`: kept or not, and its row tile and row in the repacked array
    (-1 when skipped, unused, or when the repacked plan has another PW: VWC-SDK)."""

    kept: np.ndarray
    tile: np.ndarray
    row: np.ndarray


def row_fate(plan: Plan, a: int) -> RowFate:
    """Where the rows of row tile `a` of `dense_plan(plan)` go in the repacked array."""
    comp = _comp(plan)
    dense = dense_plan(plan)
    rv = dense.compression.row_vectors(dense, a)
    same_pw = (dense.nh, dense.nw) == (plan.nh, plan.nw)
    idx = np.full(rv.c.shape, -1, dtype=np.int64)
    if same_pw:
        ok = rv.kept
        idx[ok] = row_slots(plan)[rv.c[ok], rv.y[ok], rv.x[ok]]
    t = comp.tile_rows
    return RowFate(rv.kept, np.where(idx >= 0, idx // t, -1), np.where(idx >= 0, idx % t, -1))


def kernel_masks(plan: Plan) -> np.ndarray:
    """(copies, IC, Kh, Kw) bool: the kernel weights each copy keeps for each input channel
    (a read-only broadcast view). PAIRS: [0, c] is channel c's pattern; KERNTROL: [k, 0] is
    copy k's shape; VWC-SDK: removed channels are all False."""
    comp, L = _comp(plan), plan.layer
    return np.broadcast_to(comp.weight_keep, (plan.copies, plan.group.in_c, L.k_h, L.k_w))



@dataclass(frozen=True)
class CellTables:
    """Cell codes of a compressed plan by (channel class, PW pixel, copy), for drawing big
    tiles with two gathers (as app.crossbar.tile does for dense plans):

        code = codes[channel_class[rows.c], rows.y * Pw + rows.x, cols.copy]

    for used rows and columns gives TileLayout.copy: the copy index for a kernel weight,
    ZERO, PRUNED or EXTRA. In the dense view a column whose `cols.kept` is False (an output
    channel removed) holds no weight: its kernel cells are PRUNED, its EXTRA cells ZERO."""

    channel_class: np.ndarray  # (IC,) int: channels with the same masks share a class
    codes: np.ndarray  # (classes, Ph*Pw, copies) int32


def cell_tables(plan: Plan) -> CellTables:
    from ..layout import EXTRA, PRUNED, ZERO
    from .model import footprints

    comp, L = _comp(plan), plan.layer
    ic, pp = plan.group.in_c, plan.pix_h * plan.pix_w
    wk = comp.weight_keep
    ex = comp.extra
    per_channel = wk.shape[1] > 1 or (ex is not None and ex.shape[1] > 1)
    if per_channel:  # classes of channels with identical masks (PAIRS: one per pattern used)
        wkb = np.broadcast_to(wk, (wk.shape[0], ic) + wk.shape[2:]).transpose(1, 0, 2, 3).reshape(ic, -1)
        feats = [wkb] if ex is None else [wkb, np.broadcast_to(ex, (ex.shape[0], ic) + ex.shape[2:])
                                          .transpose(1, 0, 2, 3).reshape(ic, -1)]
        _, first, cls = np.unique(np.concatenate(feats, axis=1), axis=0, return_index=True, return_inverse=True)
        reps, cls = first, cls.ravel()
    else:
        reps, cls = np.zeros(1, dtype=np.int64), np.zeros(ic, dtype=np.int64)
    k = np.arange(plan.copies)
    pix = np.arange(pp)
    ky = (pix // plan.pix_w)[:, None] - (k // plan.nw * L.stride_h)[None, :]
    kx = (pix % plan.pix_w)[:, None] - (k % plan.nw * L.stride_w)[None, :]
    inside = footprints(plan).reshape(plan.copies, pp).T  # (pp, copies)
    codes = np.empty((len(reps), pp, plan.copies), dtype=np.int32)
    for i, c in enumerate(reps):
        c = int(c)
        keep = inside & comp.weight_keep[np.minimum(k, wk.shape[0] - 1)[None, :], min(c, wk.shape[1] - 1),
                                         np.clip(ky, 0, L.k_h - 1), np.clip(kx, 0, L.k_w - 1)]
        out = np.where(inside, PRUNED, ZERO)
        if ex is not None:
            e = ex[np.minimum(k, ex.shape[0] - 1), min(c, ex.shape[1] - 1)].reshape(plan.copies, pp).T
            out = np.where(e & ~inside, EXTRA, out)
        codes[i] = np.where(keep, k[None, :], out)
    return CellTables(cls.astype(np.int64), codes)


COMPRESSION_FIELDS = ("rows_before", "rows_after", "rows_skipped", "compression_rate", "channels_removed",
                      "cycles_before")


def compression_fields(plan: Plan) -> dict | None:
    """A compressed plan's figures for tables and CSV files (None for other plans):
    rows before and after, rows skipped, compression rate, channels removed (VWC-SDK
    only, else None) and the uncompressed layout's cycles."""
    comp = plan.compression
    if comp is None:
        return None
    return {"rows_before": comp.dense_rows, "rows_after": comp.kept_rows, "rows_skipped": comp.rows_skipped,
            "compression_rate": comp.compression_rate,
            "channels_removed": int(comp.channels_removed.size) if comp.kind == "vwc-sdk" else None,
            "cycles_before": comp.base.cycles}
