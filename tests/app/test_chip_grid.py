"""The chip floorplan picture (app.chip_grid): every array's pixels, colours and words."""
from __future__ import annotations

import numpy as np
import pytest

from app.chip_grid import EMPTY, array_colours, describe_array, floor_grid, floor_image, layer_colours, tile_shape
from engine.batch import MapRequest, map_network
from engine.chip import ChipSpec
from engine.chip_alloc import allocate
from engine.chip_floorplan import floorplan, tile_position
from engine.chip_needs import layer_needs
from engine.layers import ArraySpec
from engine.presets import load_preset


@pytest.mark.parametrize("per_tile, shape", [(1, (1, 1)), (4, (2, 2)), (8, (4, 2)), (7, (3, 3)), (12, (4, 3))])
def test_tile_shape(per_tile, shape):
    assert tile_shape(per_tile) == shape


@pytest.mark.parametrize("arrays, per_tile", [(1, 8), (13, 4), (256, 8), (1000, 7), (70_000, 8)])
def test_every_array_has_its_own_square_of_pixels_in_its_tile(arrays, per_tile):
    g = floor_grid(arrays, per_tile)
    counts = np.bincount(g.index[g.index >= 0], minlength=arrays)
    assert counts.size == arrays and (counts == g.cell ** 2).all()
    ys, xs = np.nonzero(g.index >= 0)
    first = np.full(arrays, -1)
    first[g.index[ys, xs][::-1]] = np.arange(ys.size)[::-1]  # the first pixel of each array
    for i in {0, arrays // 2, arrays - 1}:
        y, x = ys[first[i]], xs[first[i]]
        assert g.array_at(x + 0.5, y + 0.5) == i
    assert g.array_at(-1, 0) == -1 and g.array_at(0, g.index.shape[0]) == -1
    assert g.index.size <= 1 << 22


def _report(arrays):
    net = load_preset("resnet18-paper")
    result = map_network(MapRequest(net.layers, ArraySpec(), ("vw-sdk",)))
    plans = [p["vw-sdk"] for p in result.plans]
    return allocate(layer_needs(plans), ChipSpec(arrays=arrays)), plans


def test_pixels_take_the_colour_of_the_layer_and_replica_the_array_holds():
    report, plans = _report(40)
    fp = floorplan(report)
    g = floor_grid(40, 8)
    img = floor_image(g, fp, len(plans))
    colours = array_colours(fp, len(plans))
    base = layer_colours(len(plans))
    for i in range(40):
        y, x = np.argwhere(g.index == i)[0]
        assert tuple(img[y, x, :3]) == tuple(colours[i]) and img[y, x, 3] == 255
        if fp.layer[i] < 0:
            assert tuple(colours[i]) == EMPTY
        elif fp.replica[i] == 0:
            assert tuple(colours[i]) == tuple(base[fp.layer[i]].astype(np.uint8))
        else:  # a replica: lighter than the layer's own colour
            assert colours[i].astype(int).sum() > base[fp.layer[i]].sum()
    assert (img[g.index < 0, :3] == 255).all()  # the gaps


def test_hover_words_name_layer_replica_and_tile():
    report, plans = _report(40)
    fp = floorplan(report)
    held = np.flatnonzero(fp.layer >= 0)
    i = int(held[-1])
    layer = int(fp.layer[i])
    pos = tile_position(plans[layer], int(fp.tile[i]))
    text = describe_array(report, fp, plans, i)
    assert text.startswith(f"Array {i:,} (chip tile {i // 8}): layer {layer + 1}. {plans[layer].layer.name}")
    assert f"replica {int(fp.replica[i]) + 1} of {int(report.replicas[layer])}" in text
    assert f"its tile (a, b) = ({pos.a}, {pos.b})" in text
    empty = np.flatnonzero(fp.layer < 0)
    if empty.size:
        assert describe_array(report, fp, plans, int(empty[0])).endswith(": empty")
