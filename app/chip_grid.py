"""The chip floorplan as one picture: where each array sits, its colour, what hovering names.

Qt-free (numpy). Arrays are grouped in chip tiles of `arrays_per_tile` (engine.chip); a tile
is a small block of arrays (8 -> 4 x 2), tiles are laid out row by row with a gap between
them. Every array is a square of `cell` pixels in one RGBA image (one ImageItem for
thousands of arrays); `index` gives the array under each pixel (-1 in the gaps), so hover
and click are a lookup, the same one the tests check.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from engine.chip_alloc import ChipReport
from engine.chip_floorplan import Floorplan, tile_position

from app.crossbar import palette as pal

MAX_PIXELS = 1 << 21  # the picture stays small enough to convert in a few ms (architecture.md)
EMPTY = pal.hex_rgb("#b9c0c9")  # an array holding no tile: grey, no hue to be mistaken for a layer
GAP = pal.hex_rgb("#ffffff")


def tile_shape(per_tile: int) -> tuple[int, int]:
    """(columns, rows) of arrays in one chip tile: a divisor pair as square as it gets (8 -> 4 x 2),
    else a near-square block (7 -> 3 x 3)."""
    rows = math.isqrt(per_tile)
    while per_tile % rows:
        rows -= 1
    if per_tile // rows <= 2 * rows:  # at most twice as wide as high
        return per_tile // rows, rows
    cols = math.ceil(math.sqrt(per_tile))
    return cols, math.ceil(per_tile / cols)


@dataclass(frozen=True, eq=False)
class FloorGrid:
    arrays: int
    per_tile: int
    cell: int  # pixels per array side
    index: np.ndarray  # (height, width) int64: the array at each pixel, -1 in gaps
    x0: np.ndarray  # per array: its top-left pixel (x right, y down)
    y0: np.ndarray
    aspect: float  # width / height it was laid out for

    def array_at(self, x: float, y: float) -> int:
        """The array under the point (x, y) of the picture (x right, y down), or -1."""
        h, w = self.index.shape
        if not (0 <= x < w and 0 <= y < h):
            return -1
        return int(self.index[int(y), int(x)])


def floor_grid(arrays: int, per_tile: int, aspect: float = 1.6) -> FloorGrid:
    """The layout of `arrays` arrays in tiles of `per_tile`, about `aspect` times wider than high."""
    tw, th = tile_shape(min(per_tile, arrays))
    tiles = math.ceil(arrays / per_tile)
    for cell in (9, 5, 3, 2, 1):
        sep = 1 if cell >= 3 else 0  # a thin line between arrays of a tile, when there is room
        pitch = cell + sep
        gap = max(1, cell // 2 + 1)  # between tiles: wider than between arrays
        tile_w, tile_h = tw * pitch - sep + gap, th * pitch - sep + gap
        cols = max(1, min(tiles, round(math.sqrt(tiles * aspect * tile_h / tile_w))))
        rows = math.ceil(tiles / cols)
        if cols * tile_w * rows * tile_h <= MAX_PIXELS or cell == 1:
            break
    index = np.full((rows * tile_h - gap, cols * tile_w - gap), -1, dtype=np.int64)
    i = np.arange(arrays)
    tile, k = np.divmod(i, per_tile)
    x0 = (tile % cols) * tile_w + (k % tw) * pitch
    y0 = (tile // cols) * tile_h + (k // tw) * pitch
    for dy in range(cell):
        for dx in range(cell):
            index[y0 + dy, x0 + dx] = i
    return FloorGrid(arrays, per_tile, cell, index, x0, y0, aspect)


def layer_colours(layers: int) -> np.ndarray:
    """(layers, 3) uint8: the crossbar view's category colours, repeating past its 112."""
    base = pal.categorical(min(max(layers, 1), pal.N_CLASSES)).astype(np.float64)
    return base[np.arange(layers) % len(base)]


def array_colours(fp: Floorplan, layers: int) -> np.ndarray:
    """(arrays, 3) uint8: the layer's colour; its replicas alternate two lighter shades (a
    replica's edge shows where the next begins); empty arrays grey."""
    out = np.empty((fp.layer.size, 3), dtype=np.uint8)
    held = fp.layer >= 0
    base = layer_colours(layers)[fp.layer[held]]
    r = fp.replica[held]
    tint = np.where(r == 0, 0.0, np.where(r % 2 == 1, 0.45, 0.25))[:, None]  # share of white mixed in
    out[held] = np.rint(base * (1 - tint) + 255 * tint).astype(np.uint8)
    out[~held] = EMPTY
    return out


def floor_image(grid: FloorGrid, fp: Floorplan, layers: int) -> np.ndarray:
    """(height, width, 4) uint8 RGBA picture of the floorplan on `grid`."""
    table = np.vstack([array_colours(fp, layers), np.array([GAP], dtype=np.uint8)])  # last row: the gaps
    rgb = table[grid.index]  # index -1 picks the gap colour
    return np.dstack([rgb, np.full(grid.index.shape, 255, dtype=np.uint8)])


def describe_array(report: ChipReport, fp: Floorplan, plans, i: int) -> str:
    """What array `i` holds, in words: layer, replica, its tile (a, b), group and region if any."""
    where = f"Array {i:,} (chip tile {i // fp.arrays_per_tile:,})"
    layer = int(fp.layer[i])
    if layer < 0:
        return f"{where}: empty"
    plan, n = plans[layer], report.needs
    pos = tile_position(plan, int(fp.tile[i]))
    text = (f"{where}: layer {layer + 1}. {n.names[layer]} · replica {int(fp.replica[i]) + 1} of "
            f"{int(report.replicas[layer]):,} · its tile (a, b) = ({pos.a}, {pos.b}), "
            f"{int(fp.tile[i]) + 1} of {int(n.tiles[layer]):,}")
    if plan.layer.groups > 1:
        text += f" · group {pos.group}"
    if plan.regions:
        r = plan.regions[pos.region]
        text += f" · region {pos.region + 1} of {len(plan.regions)} (OFM from ({r.oy}, {r.ox}))"
    return text + f" · {int(report.cycles[layer]):,} cycles"
