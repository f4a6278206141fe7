"""What a view needs to draw a compressed plan, beyond the ordinary cell layout.

- the repacked array: `TileLayout(plan, a, b)` of the compressed plan itself (rows are the
  kept ones; cell codes include PRUNED and EXTRA);
- the uncompressed array with skipped rows in place: `TileLayout(dense_plan(plan), a, b)`,
  whose `rows.kept` is False on skipped or omitted rows and whose pruned cells are PRUNED;
- where each dense row went: `row_fate(plan, a)`; where each (channel, PW pixel) went:
  `row_slots(plan)`;
- each channel's pattern / each copy's kernel shape: `kernel_masks(plan)`;
- the PW row-utilization map (KERNTROL): `row_utilization(plan)`, `omitted_pixels`.
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

