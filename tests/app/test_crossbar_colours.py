"""Colours that scale: neighbouring kernel copies and kernel elements never look alike, however
many there are, and the legend stays a few lines tall (a swatch grid or a colour bar)."""
from __future__ import annotations

import numpy as np
import pytest

from engine import ArraySpec, ConvLayer, map_layer

from app.crossbar import palette as pal
from app.crossbar.modes import LEGEND_ROWS, copy_colours, legend, tile_image
from app.crossbar.tile import WEIGHT_CELL, Tile

MIN_DISTANCE = 40  # Euclidean sRGB distance that reads as a different colour on a projector


def neighbours(n_rows: int, n_cols: int):
    """Pairs of grid positions that touch: left-right, up-down and both diagonals."""
    for y in range(n_rows):
        for x in range(n_cols):
            for dy, dx in ((0, 1), (1, 0), (1, 1), (1, -1)):
                if 0 <= y + dy < n_rows and 0 <= x + dx < n_cols:
                    yield (y, x), (y + dy, x + dx)


def colour_per(values: np.ndarray, img: np.ndarray, table: np.ndarray, weight: np.ndarray) -> dict:
    """The one RGB colour every weight cell of each value (a copy, a kernel element) has."""
    out = {}
    for v in np.unique(values[weight]):
        idx = np.unique(img[weight & (values == v)])
        assert idx.size == 1, f"{v} drawn in {idx.size} colours"
        out[int(v)] = table[idx[0]].astype(np.float64)
    return out


def assert_neighbours_differ(colours: dict, n_rows: int, n_cols: int) -> float:
    worst = min(np.linalg.norm(colours[a[0] * n_cols + a[1]] - colours[b[0] * n_cols + b[1]])
                for a, b in neighbours(n_rows, n_cols))
    # Consecutive numbers too: copies k and k+1 sit side by side in the grid's columns.
    worst = min(worst, min(np.linalg.norm(colours[k] - colours[k + 1]) for k in range(n_rows * n_cols - 1)))
    assert worst > MIN_DISTANCE, worst
    return worst


def tile_colours(plan, mode: str):
    tile = Tile(plan, 0, 0)
    img = tile_image(tile, mode)
    lg = legend(tile, mode)
    kinds = tile.kinds()
    weight = kinds == WEIGHT_CELL
    return tile, img, lg, weight


def test_64_kernel_copies_neighbours_differ_and_the_legend_is_a_small_grid():
    layer = ConvLayer("1x1", 56, 56, 64, 64, 1, 1)
    plan = map_layer(layer, ArraySpec(4096, 4096), "vw-sdk")
    assert (plan.nh, plan.nw) == (8, 8)
    tile, img, lg, weight = tile_colours(plan, "copy")
    copies = np.broadcast_to(tile.cols.copy[None, :], img.shape)
    colours = colour_per(copies, img, lg.table, weight)
    assert len(colours) == 64
    assert_neighbours_differ(colours, 8, 8)
    assert len({tuple(c) for c in colours.values()}) == 64  # 8 hues x 8 lightness levels: all distinct
    # Category colours are never the neutral greys of zero and unused cells.
    for idx in (pal.ZERO, pal.UNUSED):
        grey = lg.table[idx].astype(np.float64)
        assert min(np.linalg.norm(c - grey) for c in colours.values()) > MIN_DISTANCE
    assert lg.grid is not None and len(lg.grid.cells) == 8 and all(len(r) == 8 for r in lg.grid.cells)
    assert lg.grid.rows_label == "window row" and lg.grid.cols_label == "window column"
    assert len(lg.entries) <= LEGEND_ROWS + lg.neutral and "more" not in lg.note
    # The IFM window outlines use the very colours of the grid.
    assert copy_colours(plan)[9] == pal.hex_of(lg.table, int(img[weight & (copies == 9)][0]))


def test_49_kernel_elements_neighbours_differ():
    layer = ConvLayer("conv1", 224, 224, 3, 64, 7, 7, stride_h=2, stride_w=2, pad_h=3, pad_w=3)
    plan = map_layer(layer, ArraySpec(512, 512), "vw-sdk")
    tile, img, lg, weight = tile_colours(plan, "element")
    _, kyt, kxt = tile._tables
    elem = tile.per_pixel_copy(np.where(kyt >= 0, kyt * 7 + kxt, -1))
    colours = colour_per(elem, img, lg.table, weight)
    assert len(colours) == 49
    assert_neighbours_differ(colours, 7, 7)
    assert lg.grid is not None and (len(lg.grid.cells), len(lg.grid.cells[0])) == (7, 7)
    assert (lg.grid.rows_label, lg.grid.cols_label) == ("ky", "kx")


@pytest.mark.parametrize("shape", [(62, 62), (31, 32), (1, 28), (28, 1), (4, 4), (2, 32), (13, 2)])
def test_grid_classes_keep_neighbours_apart_at_any_size(shape):
    n_rows, n_cols = shape
    cls, colours = pal.grid_classes(n_rows, n_cols)
    assert len(colours) <= pal.N_CLASSES
    rgb = colours.astype(np.float64)[cls % pal.N_CLASSES].reshape(-1, 3)
    per = {k: rgb[k] for k in range(n_rows * n_cols)}
    assert_neighbours_differ(per, n_rows, n_cols)


def test_depthwise_layer_on_a_4096_array_has_a_bounded_legend():
    layer = ConvLayer("dw", 112, 112, 32, 32, 3, 3, pad_h=1, pad_w=1, groups=32)
    plan = map_layer(layer, ArraySpec(4096, 4096), "vw-sdk")
    assert plan.copies > 1000
    lg = legend(Tile(plan, 0, 0), "copy")
    assert len(lg.grid.cells) <= pal.GRID_HUES and len(lg.grid.cells[0]) <= pal.GRID_LEVELS
    assert "repeat" in lg.note and len(lg.entries) <= LEGEND_ROWS + lg.neutral


def test_many_channels_get_a_colour_bar_and_each_row_tile_its_own_part_of_it():
    layer = ConvLayer("c", 28, 28, 64, 64, 3, 3, pad_h=1, pad_w=1)
    plan = map_layer(layer, ArraySpec(512, 512), "vw-sdk")
    assert plan.ar >= 2
    lg0, lg1 = legend(Tile(plan, 0, 0), "ic"), legend(Tile(plan, 1, 0), "ic")
    assert lg0.bar is not None and lg0.grid is None
    assert lg0.bar.ticks[0][1] == "0" and lg0.bar.ticks[-1][1] == "63"
    assert lg0.bar.span[1] <= lg1.bar.span[0]  # the tiles' channel ranges, left to right on the bar
    assert "this tile: input channels 0–" in lg0.note
    img0, img1 = tile_image(Tile(plan, 0, 0), "ic"), tile_image(Tile(plan, 1, 0), "ic")
    w0 = Tile(plan, 0, 0).kinds() == WEIGHT_CELL
    w1 = Tile(plan, 1, 0).kinds() == WEIGHT_CELL
    assert not set(np.unique(img0[w0]).tolist()) & set(np.unique(img1[w1]).tolist())  # other colours


def test_few_copies_keep_the_base_hues_and_their_list():
    plan = map_layer(ConvLayer("s", 6, 6, 3, 4, 3, 3, pad_h=1, pad_w=1), ArraySpec(32, 32, 1, 2), "vw-sdk")
    lg = legend(Tile(plan, 0, 0), "copy")
    assert plan.copies == 4 and lg.grid is None
    assert [tuple(lg.table[i]) for i, _ in lg.entries[:4]] == [pal.hex_rgb(h) for h in pal.BASE_HUES[:4]]


def test_legend_item_stays_small_at_any_number_of_copies(qtbot):
    from app.crossbar.legend_item import LegendItem

    item = LegendItem()
    heights = []
    for layer, array in ((ConvLayer("s", 6, 6, 3, 4, 3, 3, pad_h=1, pad_w=1), ArraySpec(32, 32)),
                         (ConvLayer("1x1", 56, 56, 64, 64, 1, 1), ArraySpec(4096, 4096)),
                         (ConvLayer("dw", 112, 112, 32, 32, 3, 3, pad_h=1, pad_w=1, groups=32), ArraySpec(4096, 4096))):
        item.set_legend(legend(Tile(map_layer(layer, array, "vw-sdk"), 0, 0), "copy"))
        assert len(item._lines()) <= 12
        heights.append(item.preferredHeight())
    # 64 or 3,844 copies: a swatch grid of at most 12 x 9, about as tall as the list of 4 copies.
    assert max(heights) < 2 * heights[0], heights
