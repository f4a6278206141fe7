"""What one cell of the crossbar means in one cycle: pure functions for hover, pin and labels.

The grid's image has cells centred on integer coordinates (column x, row y, y growing
downwards), so `cell_at` is a rounding; `describe_cell` applies the layout (section 5)
and the schedule (section 6) of the mapping model to one cell.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.schedule import Cycle

from .modes import slice_of
from .tile import KIND_NAMES, UNUSED_CELL, WEIGHT_CELL, Tile


def cell_at(x: float, y: float, rows: int, cols: int) -> tuple[int, int] | None:
    """(row, col) of the cell under view coordinates (x, y), or None outside the array."""
    if not (math.isfinite(x) and math.isfinite(y)):
        return None
    r, c = math.floor(y + 0.5), math.floor(x + 0.5)
    return (r, c) if 0 <= r < rows and 0 <= c < cols else None


@dataclass(frozen=True)
class CellInfo:
    row: int
    col: int
    cycle: int
    tile: tuple[int, int]  # (a, b)
    kind: str  # "weight", "zero", "unused"; compressed plans also "pruned", "extra"
    channel: int | None  # global input channel of the row
    pw_pixel: tuple[int, int] | None  # (y, x) inside the parallel window
    ifm: tuple[int, int] | None  # IFM pixel driving the row this cycle; None: padding or unused
    padding: bool
    copy: int | None
    window: tuple[int, int] | None  # (wy, wx) of the copy
    oc: int | None  # global output channel of the column
    bit: int | None
    ofm: tuple[int, int] | None  # OFM pixel the column feeds this cycle; None: past the edge
    past_edge: bool
    kernel: tuple[int, int] | None  # (ky, kx) of the weight held
    weight: int | None = None  # W[oc, ic, ky, kx] when the weights are known
    slice_value: int | None = None  # what the cell stores of it (bit slice)
    row_note: str = ""  # dense view of a compressed plan: where the row goes in the repacked array

    # --- text -------------------------------------------------------------------------
    def label(self, long: bool = False, mode: str | None = None) -> str:
        """Short text drawn inside a zoomed-in cell, e.g. 'k2 c5 (1,0)'; see `_label_text`."""
        return _label_text(self.kind, self.copy, self.channel, self.kernel, self.oc, self.bit, self.weight, long,
                           mode)

    def row_text(self) -> str:
        if self.channel is None:
            return "unused row"
        y, x = self.pw_pixel
        src = "padding (driven with 0)" if self.padding else f"IFM ({self.ifm[0]}, {self.ifm[1]})"
        note = f" · {self.row_note}" if self.row_note else ""
        return f"input channel {self.channel} · PW pixel ({y}, {x}) · {src}{note}"

    def col_text(self) -> str:
        if self.copy is None:
            return "unused column"
        wy, wx = self.window
        dst = "past the edge (adds nothing)" if self.past_edge else f"OFM ({self.ofm[0]}, {self.ofm[1]})"
        return f"copy {self.copy} · window ({wy}, {wx}) · output channel {self.oc} · bit slice {self.bit} · {dst}"

    def weight_text(self) -> str:
        if self.kind == "unused":
            return "no weight (outside the mapped block)"
        if self.kind == "zero":
            return "zero cell of the block (kernel offset outside the kernel), holds 0"
        if self.kind == "pruned":
            return "pruned: the compression masks this weight (the cell holds 0)"
        if self.kind == "extra":
            return "compensatory weight outside the kernel footprint (KERNTROL-C)"
        ky, kx = self.kernel
        text = f"W[{self.oc}, {self.channel}, {ky}, {kx}]"
        if self.weight is not None:
            text += f" = {self.weight}"
            if self.slice_value is not None and self.slice_value != self.weight:
                text += f" (this cell's slice: {self.slice_value})"
        return text

    def fields(self) -> list[tuple[str, str]]:
        """(name, value) rows for the inspector panel."""
        return [("Cell", f"row {self.row}, column {self.col} · cycle {self.cycle:,}"),
                ("Row", self.row_text()), ("Column", self.col_text()), ("Weight", self.weight_text())]

    def tooltip(self) -> str:
        """The hover tooltip: three short lines (row, column, what the cell holds)."""
        weight = self.weight_text()
        if self.kind == "weight":
            weight = "weight " + weight
        return "\n".join((f"row {self.row} · {self.row_text()}", f"column {self.col} · {self.col_text()}", weight))


ZERO_LABEL = ("·0·", "zero (off kernel)")  # short, long: a zero cell of the block, never a weight 0


def _label_text(kind, copy, channel, kernel, oc, bit, weight, long, mode=None) -> str:
    """Text of a zoomed-in cell. A zero cell of the block reads '·0·' / 'zero (off kernel)',
    a weight 'k2 c5 (1,0)' (long: and its output channel, slice, 'w=0'); coloured by weight
    value, the value comes first ('w=0' short), so a weight 0 never looks like a zero cell."""
    if kind == "unused":
        return ""
    if kind == "zero":
        return ZERO_LABEL[1 if long else 0]
    if kind == "pruned":
        return "×"
    if kind == "extra":
        return f"k{copy} c{channel} +"
    text = f"k{copy} c{channel} ({kernel[0]},{kernel[1]})"
    if mode == "weight" and weight is not None:
        return f"w={weight}" + (f"\n{text}" if long else "")
    if long:
        text += f"\no{oc}" + (f" q{bit}" if bit else "") + (f" w={weight}" if weight is not None else "")
    return text


def format_label(tile: Tile, group: int, r: int, col: int, long: bool = False, weights=None,
                 mode: str | None = None) -> str:
    """The label of cell (r, col) without building a whole CellInfo (the overlay draws thousands);
    `mode`: the grid's colour mode (by weight value, labels lead with the value)."""
    kind = tile.kind_at(r, col)
    if kind != WEIGHT_CELL:
        p = tile.plan
        return _label_text(KIND_NAMES[kind], int(tile.cols.copy[col]), group * p.group.in_c + int(tile.rows.c[r]),
                           None, None, None, None, long, mode)
    p = tile.plan
    c, o = int(tile.rows.c[r]), int(tile.cols.oc[col])
    kernel = tile.kernel_at(r, col)
    oc = group * p.group.out_c + o
    weight = None if weights is None else int(np.asarray(weights)[oc, c, kernel[0], kernel[1]])
    return _label_text("weight", int(tile.cols.copy[col]), group * p.group.in_c + c, kernel, oc,
                       int(tile.cols.bit[col]), weight, long, mode)


def describe_cell(tile: Tile, cyc: Cycle, r: int, col: int, weights: np.ndarray | None = None,
                  layer=None, region=None, row_note: str = "") -> CellInfo:
    """Everything about cell (r, col) of `tile` during cycle `cyc` (which must use that tile).

    For a plan made of regions, `tile` belongs to the region's own plan; `layer` is the
    whole layer and `region` the engine Region, which place the region's pixels in the
    layer's IFM and OFM (a PW hanging past its region reads zeros, like padding).
    `row_note` adds to a used row's description: in the dense view of a compressed plan,
    where the row goes in the repacked array.
    """
    p = tile.plan  # the region's plan, or the plan itself
    S = p.layer
    L = layer or S
    dy = dx = oy0 = ox0 = 0
    if region is not None:
        oy0, ox0 = region.oy, region.ox
        dy, dx = oy0 * L.stride_h - L.pad_h, ox0 * L.stride_w - L.pad_w
    rv, cv = tile.rows, tile.cols
    kind = tile.kind_at(r, col)
    channel = pw = ifm = None
    padding = False
    if rv.used[r]:
        y, x = int(rv.y[r]), int(rv.x[r])
        channel, pw = cyc.group * p.group.in_c + int(rv.c[r]), (y, x)
        ly = cyc.py * p.nh * S.stride_h - S.pad_h + y
        lx = cyc.px * p.nw * S.stride_w - S.pad_w + x
        beyond = region is not None and (ly >= S.in_h or lx >= S.in_w)
        iy, ix = ly + dy, lx + dx
        padding = beyond or not (0 <= iy < L.in_h and 0 <= ix < L.in_w)
        ifm = None if padding else (iy, ix)
    copy = window = oc = bit = ofm = None
    past = False
    if cv.used[col]:
        copy, bit = int(cv.copy[col]), int(cv.bit[col])
        window = (copy // p.nw, copy % p.nw)
        oc = cyc.group * p.group.out_c + int(cv.oc[col])
        oy, ox = cyc.py * p.nh + window[0], cyc.px * p.nw + window[1]
        past = oy >= S.out_h or ox >= S.out_w
        ofm = None if past else (oy + oy0, ox + ox0)
    kernel = tile.kernel_at(r, col) if kind == WEIGHT_CELL else None
    value = slice_value = None
    if kernel is not None and weights is not None:
        value = int(np.asarray(weights)[oc, int(rv.c[r]), kernel[0], kernel[1]])
        slice_value = slice_of(value, bit, p.array)
    name = KIND_NAMES[kind]
    return CellInfo(r, col, cyc.index, (tile.a, tile.b), name, channel, pw, ifm, padding, copy, window,
                    oc, bit, ofm, past, kernel, value, slice_value, row_note if channel is not None else "")
