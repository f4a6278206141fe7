"""Colour modes of the crossbar grid: the index image of a tile and the legend explaining it.

Zero cells of the block and unused cells keep their neutral greys in every mode. Pure
numpy: the view and the export workers call the same `tile_image` and `legend`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.simulate import slice_values, weight_range

from . import palette as pal
from .tile import EXTRA_CELL, PRUNED_CELL, WEIGHT_CELL, ZERO_CELL, Tile

# name: (menu label, needs weights)
MODES = {
    "copy": ("Kernel copy", False),
    "ic": ("Input channel", False),
    "oc": ("Output channel", False),
    "element": ("Kernel element (ky, kx)", False),
    "bit": ("Bit slice", False),
    "weight": ("Weight value", True),
}
LEGEND_ROWS = 12  # category rows listed before "… n more"


@dataclass(frozen=True)
class SwatchGrid:
    """A small 2-D table of swatches: the legend of things laid out by row and column
    (kernel copies by window, kernel elements by (ky, kx)); at most 12 x 9 (or 24) cells."""

    rows_label: str  # e.g. "window row"
    cols_label: str
    row_names: tuple[str, ...]
    col_names: tuple[str, ...]
    cells: tuple[tuple[int, ...], ...]  # palette index per (row, column)


@dataclass(frozen=True)
class ColourBar:
    """An ordered ramp (many channels): palette indices low to high, ticks under it, and the
    part of the range this tile holds."""

    label: str
    indices: tuple[int, ...]
    ticks: tuple[tuple[float, str], ...]  # (position 0..1 along the bar, text)
    span: tuple[float, float] | None = None  # 0..1: the channels of this tile


@dataclass(frozen=True)
class Legend:
    title: str
    entries: tuple[tuple[int, str], ...]  # (palette index, text)
    note: str
    table: np.ndarray  # (256, 3) uint8 palette of this mode
    total: int = 0  # category rows the tile has (entries lists the first LEGEND_ROWS of them)
    neutral: int = 2  # the last `neutral` entries are the greys (zero, unused, ...)
    hatched: tuple[str, ...] = ()  # dense view of a compressed plan: what the hatching marks
    grid: SwatchGrid | None = None  # when set, the view draws it instead of the category rows
    bar: ColourBar | None = None  # likewise, for an ordered ramp

    def key(self) -> tuple:
        """What the legend shows (equal keys: no re-layout needed)."""
        return self.title, self.entries, self.note, self.hatched, self.grid, self.bar


def _neutral_table(kind_t: np.ndarray) -> np.ndarray:
    """Palette index of neutral cells (unused / zero); 0 where the cell holds a weight."""
    return np.array([pal.UNUSED, pal.ZERO, 0], dtype=np.uint8)[kind_t]


def _weight_bins(array) -> tuple[int, int, int]:
    lo, hi = weight_range(array.weight_bits)
    return lo, hi, min(pal.N_CLASSES, hi - lo + 1)


def copy_classes(plan) -> np.ndarray:
    """(copies,) category number of each kernel copy k = wy*nw + wx (see palette.grid_classes)."""
    return pal.grid_classes(plan.nh, plan.nw)[0].reshape(-1)


def copy_colours(plan) -> list[str]:
    """'#rrggbb' of each kernel copy as the copy mode draws it (window outlines on the IFM)."""
    cls, colours = pal.grid_classes(plan.nh, plan.nw)
    return ["#%02x%02x%02x" % tuple(int(v) for v in colours[c % pal.N_CLASSES]) for c in cls.reshape(-1)]


def element_classes(layer) -> np.ndarray:
    """(k_h * k_w,) category number of each kernel element ky*k_w + kx."""
    return pal.grid_classes(layer.k_h, layer.k_w)[0].reshape(-1)


def channel_classes(values, n: int) -> np.ndarray:
    """Category numbers of channel numbers (0..n-1 within the group): one distinct colour each
    up to 12 channels, else their place on an ordered ramp (read with a colour bar)."""
    v = np.maximum(np.asarray(values), 0)
    return v if n <= len(pal.BASE_HUES) else pal.ramp_class(v, n)


_KIND_LUT = np.array([pal.UNUSED, pal.ZERO, 0, pal.INDEX["pruned"], pal.INDEX["extra"]], dtype=np.uint8)


def tile_image(tile: Tile, mode: str, weights: np.ndarray | None = None, group: int = 0,
               rsel=None, csel=None) -> np.ndarray:
    """(rows, cols) uint8 palette indices of the tile in `mode`; see `_image`."""
    img = _image(tile, mode, weights, group, rsel, csel)
    if mode == "weight" and tile.compressed:  # cells the compression prunes or adds
        kinds = tile.kinds(rsel=rsel, csel=csel)
        img = np.where(kinds == WEIGHT_CELL, img, _KIND_LUT[kinds]).astype(np.uint8)
    return img


def _gather(tile: Tile, per_col: np.ndarray, rsel=None, csel=None, weight_mask: bool = False) -> np.ndarray:
    """Expand a (PW pixel + 1, column) table to the tile's rows. Compressed plans go through
    (row key, column) tables, where the key adds the channel's class: cells that are not
    kernel weights there take their kind's colour (or, with `weight_mask`, the table is
    replaced by 1 on weight cells, 0 elsewhere). Small tables, one full-size gather."""
    if not tile.compressed:
        return np.take(per_col, tile.row_pix if rsel is None else tile.row_pix[rsel], axis=0)
    row_key, kinds = tile.key_tables()
    k = kinds if csel is None else kinds[:, csel]
    if weight_mask:
        t = (k == WEIGHT_CELL).astype(np.uint8)
    else:
        t = np.where(k == WEIGHT_CELL, per_col[tile.key_pix], _KIND_LUT[k])
    return np.take(t, row_key if rsel is None else row_key[rsel], axis=0)


def _image(tile: Tile, mode: str, weights: np.ndarray | None = None, group: int = 0,
           rsel=None, csel=None) -> np.ndarray:
    """(rows, cols) uint8 palette indices of the tile in `mode` (a sampled subset if rsel/csel).

    Everything is computed on (PW pixel, copy) or (PW pixel, column) tables and gathered
    row by row at the end: the full-size work is one memory copy per mode, except for
    input channels (one multiply-add) and weight values (one gather from W).
    """
    p = tile.plan
    kind_t = tile.kind_table
    neutral_t = _neutral_table(kind_t)
    is_w = kind_t == WEIGHT_CELL
    cc = tile.col_copy if csel is None else tile.col_copy[csel]
    if mode in ("copy", "element"):
        if mode == "copy":
            cat = np.append(copy_classes(p), 0)[None, :]
        else:
            _, kyt, kxt = tile._tables
            cat = np.append(element_classes(p.layer), 0)[np.where(kyt >= 0, kyt * p.layer.k_w + kxt, -1)]
        return _gather(tile, np.where(is_w, pal.category_index(cat), neutral_t)[:, cc], rsel, csel)
    if mode in ("oc", "bit"):
        vec = tile.cols.oc if mode == "oc" else tile.cols.bit
        vec = np.maximum(vec if csel is None else vec[csel], 0)
        colour = pal.category_index(channel_classes(vec, p.group.out_c) if mode == "oc" else vec)
        return _gather(tile, np.where(is_w[:, cc], colour[None, :], neutral_t[:, cc]).astype(np.uint8), rsel, csel)
    if mode == "ic":
        vec = tile.rows.c if rsel is None else tile.rows.c[rsel]
        out = _gather(tile, neutral_t[:, cc], rsel, csel)
        weight = _gather(tile, is_w[:, cc].astype(np.uint8), rsel, csel, weight_mask=True)
        out += weight * pal.category_index(channel_classes(vec, p.group.in_c))[:, None]
        return out
    if mode == "weight":
        if weights is None:
            raise ValueError("colour by weight value needs the layer's weights")
        return _weight_image(tile, np.asarray(weights), group, neutral_t, rsel, csel)
    raise ValueError(f"unknown colour mode {mode!r}; known: {', '.join(MODES)}")


def _weight_image(tile: Tile, w: np.ndarray, group: int, neutral_t, rsel, csel) -> np.ndarray:
    """W[oc, c, ky, kx] of every weight cell through one flat gather, binned to colours."""
    p, L = tile.plan, tile.plan.layer
    kk = L.k_h * L.k_w
    _, kyt, kxt = tile._tables
    elem = np.where(kyt >= 0, kyt * L.k_w + kxt, 0).astype(np.int64)
    rc = np.maximum(tile.rows.c if rsel is None else tile.rows.c[rsel], 0).astype(np.int64)
    oc = np.maximum(tile.cols.oc if csel is None else tile.cols.oc[csel], 0).astype(np.int64)
    oc = oc + group * p.group.out_c
    flat = tile.per_pixel_copy(elem, rsel, csel)
    flat += (oc * (L.group_in_c * kk))[None, :]
    flat += (rc * kk)[:, None]
    lo, hi, n = _weight_bins(p.array)
    per_weight = pal.FIRST_CLASS + np.rint((w.reshape(-1).astype(np.float64) - lo) * (n - 1) / max(1, hi - lo))
    colours = per_weight.astype(np.uint8).take(flat)
    neutral = tile.per_pixel_copy(neutral_t, rsel, csel)
    return np.where(neutral == 0, colours, neutral)


def weight_colour_index(value: int, array) -> int:
    lo, hi, n = _weight_bins(array)
    return int(pal.FIRST_CLASS + round((value - lo) * (n - 1) / max(1, hi - lo)))


def _categories(mode: str, tile: Tile, group: int) -> tuple[int, list[tuple[int, str]]]:
    """How many category colours the mode needs, and the legend's category rows.

    Channels are coloured by their number within the group and named globally."""
    p = tile.plan
    if mode == "copy":
        rows = [(k, f"copy {k} · window ({k // p.nw}, {k % p.nw})") for k in range(p.copies)]
        return p.copies, rows
    if mode == "element":
        L = p.layer
        return L.k_h * L.k_w, [(ky * L.k_w + kx, f"kernel ({ky}, {kx})") for ky in range(L.k_h) for kx in range(L.k_w)]
    if mode == "bit":
        cpw = p.array.cells_per_weight
        names = {0: " (least significant)", cpw - 1: " (most significant, signed)"} if cpw > 1 else {}
        return cpw, [(q, f"bit slice {q}{names.get(q, '')}") for q in range(cpw)]
    if mode == "ic":
        g = p.group.in_c
        chans = np.unique(tile.rows.c[tile.rows.used])
        return g, [(int(c), f"input channel {group * g + int(c)}") for c in chans]
    if mode == "oc":
        g = p.group.out_c
        chans = np.unique(tile.cols.oc[tile.cols.used])
        return g, [(int(o), f"output channel {group * g + int(o)}") for o in chans]
    raise ValueError(mode)


def hatch_entries(tile: Tile) -> tuple[str, ...]:
    """Legend lines of the hatching the tile shows (dense view of a compressed plan)."""
    out = ()
    if tile.skipped_rows is not None:
        out += ("skipped row (hatched)",)
    if tile.removed_cols is not None:
        out += ("removed output channel (hatched)",)
    return out


def _swatch_grid(n_rows: int, n_cols: int, rows_label: str, cols_label: str) -> tuple[SwatchGrid, str]:
    """The 2-D legend of an n_rows x n_cols layout coloured by `palette.grid_classes`: one
    swatch per distinct colour (12 x 9 at most), and a note when colours repeat."""
    cls, _ = pal.grid_classes(n_rows, n_cols)
    if n_rows == 1 or n_cols == 1:  # a line of many, folded like its colours
        n = n_rows * n_cols
        if n <= len(pal.BASE_HUES):
            cells = (tuple(int(pal.category_index(c)) for c in cls.reshape(-1)),)
            return SwatchGrid("", rows_label, ("",), tuple(str(k) for k in range(n)), cells), ""
        flat = cls.reshape(-1)
        nh = min(n, pal.GRID_HUES)
        nl = min(-(-n // nh), pal.GRID_LEVELS)
        cells = tuple(tuple(int(pal.category_index(flat[r * nh + c])) for c in range(nh) if r * nh + c < n)
                      for r in range(nl))
        note = f"colours repeat every {nh * nl} {rows_label}s" if n > nh * nl else ""
        return SwatchGrid(rows_label, "+", tuple(str(r * nh) for r in range(nl)),
                          tuple(f"+{c}" for c in range(nh)), cells), note
    hr = n_rows if n_rows * n_cols <= len(pal.BASE_HUES) else min(n_rows, pal.GRID_HUES)
    hc = n_cols if n_rows * n_cols <= len(pal.BASE_HUES) else min(n_cols, pal.GRID_LEVELS)
    cells = tuple(tuple(int(pal.category_index(cls[r, c])) for c in range(hc)) for r in range(hr))
    notes = []
    if n_rows > hr:
        notes.append(f"every {hr} {rows_label}s")
    if n_cols > hc:
        notes.append(f"every {hc} {cols_label}s")
    note = ("colours repeat " + " and ".join(notes)) if notes else ""
    return SwatchGrid(rows_label, cols_label, tuple(str(r) for r in range(hr)), tuple(str(c) for c in range(hc)),
                      cells), note


def _channel_bar(label: str, n: int, first: int, chans: np.ndarray) -> ColourBar:
    """Colour bar of `n` channels named from `first`; `chans` (within the group) this tile holds."""
    bins = int(pal.ramp_class(n - 1, n)) + 1
    ticks = [(0.0, f"{first}"), (1.0, f"{first + n - 1}")]
    if n >= 8:
        ticks.insert(1, (0.5, f"{first + n // 2}"))
    span = None
    if chans.size:
        span = (float(chans.min()) / n, float(chans.max() + 1) / n)
    return ColourBar(f"{label} number (this tile outlined)", tuple(pal.FIRST_CLASS + i for i in range(bins)),
                     tuple(ticks), span)


GRID_MIN = 5  # laid out things (copies, kernel elements) from this many get a 2-D swatch grid


def legend(tile: Tile, mode: str, group: int = 0) -> Legend:
    """The legend (and the palette) of `mode` for this tile."""
    neutral = ((pal.ZERO, "zero cell (off the kernel)"), (pal.UNUSED, "unused cell"))
    if tile.compressed:  # the kinds a compression adds or leaves out, where this tile has them
        present = tile.kinds_present()
        added = ((PRUNED_CELL, pal.INDEX["pruned"], "pruned weight (masked by the compression)"),
                 (EXTRA_CELL, pal.INDEX["extra"], "compensatory weight (off the kernel)"),
                 (ZERO_CELL, pal.ZERO, neutral[0][1]))
        neutral = tuple((i, text) for k, i, text in added if k in present) + neutral[1:]
    title = MODES[mode][0]
    p = tile.plan
    if mode == "weight":
        lo, hi, n = _weight_bins(p.array)
        table = pal.palette(pal.diverging(n))
        values = range(lo, hi + 1) if hi - lo < 8 else sorted({lo, lo // 2, 0, hi // 2, hi})
        rows = [(weight_colour_index(v, p.array), f"weight {v:+d}" if v else "weight 0") for v in values]
        return Legend(title, tuple(rows) + neutral, f"{p.array.weight_bits}-bit weights, "
                      f"{lo} … {hi}", table, len(rows), len(neutral), hatch_entries(tile))
    count, cats = _categories(mode, tile, group)
    grid = bar = None
    note = ""
    if mode == "copy":
        colours, cats, grid, note = _grid_legend(p.nh, p.nw, copy_classes(p), cats, count,
                                                 ("window row", "window column", "copy"))
    elif mode == "element":
        L = p.layer
        colours, cats, grid, note = _grid_legend(L.k_h, L.k_w, element_classes(L), cats, count,
                                                 ("ky", "kx", "element"))
    elif mode in ("ic", "oc") and count > len(pal.BASE_HUES):
        colours = pal.channel_ramp(count)
        chans = np.array([c for c, _ in cats], dtype=np.int64)
        cats = [(int(pal.ramp_class(c, count)), text) for c, text in cats]
        name = "input" if mode == "ic" else "output"
        bar = _channel_bar(f"{name} channel", count, group * count, chans)
        if chans.size:
            note = f"this tile: {name} channels {group * count + int(chans.min())}–{group * count + int(chans.max())}"
    elif mode == "bit":
        colours = pal.sequential(count)
    else:
        colours = pal.categorical(min(count, pal.N_CLASSES))
    table = pal.palette(colours)
    shown = [(int(pal.category_index(v)), text) for v, text in cats[:LEGEND_ROWS]]
    if grid is None and bar is None and len(cats) > LEGEND_ROWS:
        note = f"… and {len(cats) - LEGEND_ROWS:,} more"
    return Legend(title, tuple(shown) + neutral, note, table, len(cats), len(neutral), hatch_entries(tile), grid, bar)


def available_modes(has_weights: bool) -> list[str]:
    return [m for m, (_, needs) in MODES.items() if has_weights or not needs]


def slice_of(value: int, bit: int, array) -> int:
    """The bit-slice value a cell stores for weight `value` (section 7)."""
    return int(slice_values(np.int64(value), bit, array))


def _grid_legend(n_rows: int, n_cols: int, cls, cats, count: int, names: tuple[str, str, str]):
    """Colours, categories, swatch grid and note of a 2-D colouring (copies by window, kernel
    elements by ky, kx); a single row or column is shown as one run of `names[2]`."""
    colours = pal.grid_classes(n_rows, n_cols)[1]
    cats = [(int(cls[k]), text) for k, text in cats]
    grid, note = None, ""
    if count >= GRID_MIN:
        if n_rows == 1 or n_cols == 1:
            grid, note = _swatch_grid(1, count, names[2], "")
        else:
            grid, note = _swatch_grid(n_rows, n_cols, names[0], names[1])
    return colours, cats, grid, note
