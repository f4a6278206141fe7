"""What an IFM pixel or an OFM output is linked to in one cycle: the rows a pixel drives,
the columns adding to an output, the grid cells to outline, and the words of their
tooltips. Pure numpy (no Qt): PlanPanel asks with the cycle and the channel it shows.
"""
from __future__ import annotations

import numpy as np

Rect = tuple[int, int, int, int]  # (row, col, height, width) on the grid


def listed(indices: np.ndarray, most: int = 12) -> str:
    """'3, 7, 11' (the first `most`, then '…')."""
    return ", ".join(map(str, indices[:most].tolist())) + (" …" if indices.size > most else "")


def rows_of_pixel(schedule, t: int, channel: int, iy: int, ix: int) -> np.ndarray:
    """Rows IFM pixel (channel, iy, ix) drives in cycle t."""
    src = schedule.row_sources(t)
    return np.flatnonzero((src.c == channel) & (src.iy == iy) & (src.ix == ix))


def columns_of_output(schedule, t: int, oc: int, oy: int, ox: int) -> np.ndarray:
    """Columns adding to OFM output (oc, oy, ox) in cycle t."""
    tg = schedule.col_targets(t)
    return np.flatnonzero((tg.oc == oc) & (tg.oy == oy) & (tg.ox == ox))


def row_cells(tile, rows) -> list[Rect]:
    """The weight cells of each row (one rectangle per run of them)."""
    return [(int(r), run.start, 1, run.stop - run.start) for r in rows for run in tile.weight_cells_in_row(int(r))]


def column_cells(tile, cols) -> list[Rect]:
    """Each column over the rows the tile uses."""
    top, bottom = tile.used_row_span
    return [(top, int(col), bottom - top, 1) for col in cols]


def drives_text(rows: np.ndarray) -> str:
    return f"drives row{'s' if rows.size > 1 else ''} {listed(rows)} this cycle" if rows.size else "not read this cycle"


def fed_text(cols: np.ndarray) -> str:
    return f"\nfed this cycle by column{'s' if cols.size > 1 else ''} {listed(cols)}" if cols.size else ""
