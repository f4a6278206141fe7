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
class Legend:
    title: str
    entries: tuple[tuple[int, str], ...]  # (palette index, text)
    note: str
    table: np.ndarray  # (256, 3) uint8 palette of this mode
    total: int = 0  # category rows the tile has (entries lists the first LEGEND_ROWS of them)
    neutral: int = 2  # the last `neutral` entries are the greys (zero, unused, ...)
    hatched: tuple[str, ...] = ()  # dense view of a compressed plan: what the hatching marks


def _neutral_table(kind_t: np.ndarray) -> np.ndarray:
    """Palette index of neutral cells (unused / zero); 0 where the cell holds a weight."""
    return np.array([pal.UNUSED, pal.ZERO, 0], dtype=np.uint8)[kind_t]


def _weight_bins(array) -> tuple[int, int, int]:
    lo, hi = weight_range(array.weight_bits)
    return lo, hi, min(pal.N_CLASSES, hi - lo + 1)


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
            cat = np.arange(p.copies + 1)[None, :]
        else:
            _, kyt, kxt = tile._tables
            cat = kyt * p.layer.k_w + kxt
        return _gather(tile, np.where(is_w, pal.category_index(cat), neutral_t)[:, cc], rsel, csel)
    if mode in ("oc", "bit"):
        vec = tile.cols.oc if mode == "oc" else tile.cols.bit
        colour = pal.category_index(np.maximum(vec if csel is None else vec[csel], 0))
        return _gather(tile, np.where(is_w[:, cc], colour[None, :], neutral_t[:, cc]).astype(np.uint8), rsel, csel)
    if mode == "ic":
        vec = tile.rows.c if rsel is None else tile.rows.c[rsel]
        out = _gather(tile, neutral_t[:, cc], rsel, csel)
        weight = _gather(tile, is_w[:, cc].astype(np.uint8), rsel, csel, weight_mask=True)
        out += weight * pal.category_index(np.maximum(vec, 0))[:, None]
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
    if mode == "weight":
        lo, hi, n = _weight_bins(tile.plan.array)
        table = pal.palette(pal.diverging(n))
        values = range(lo, hi + 1) if hi - lo < 8 else sorted({lo, lo // 2, 0, hi // 2, hi})
        rows = [(weight_colour_index(v, tile.plan.array), f"weight {v:+d}" if v else "weight 0") for v in values]
        return Legend(title, tuple(rows) + neutral, f"{tile.plan.array.weight_bits}-bit weights, "
                      f"{lo} … {hi}", table, len(rows), len(neutral), hatch_entries(tile))
    count, cats = _categories(mode, tile, group)
    colours = pal.sequential(count) if mode == "bit" else pal.categorical(min(count, pal.N_CLASSES))
    table = pal.palette(colours)
    shown = [(int(pal.category_index(v)), text) for v, text in cats[:LEGEND_ROWS]]
    note = ""
    if len(cats) > LEGEND_ROWS:
        note = f"… and {len(cats) - LEGEND_ROWS:,} more"
    if count > pal.N_CLASSES:
        note = (note + "; " if note else "") + f"colours repeat every {pal.N_CLASSES}"
    return Legend(title, tuple(shown) + neutral, note, table, len(cats), len(neutral), hatch_entries(tile))


def available_modes(has_weights: bool) -> list[str]:
    return [m for m, (_, needs) in MODES.items() if has_weights or not needs]


def slice_of(value: int, bit: int, array) -> int:
    """The bit-slice value a cell stores for weight `value` (section 7)."""
    return int(slice_values(np.int64(value), bit, array))
