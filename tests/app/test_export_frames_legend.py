"""GIF/MP4 frames draw the view's new legends: the swatch grid of many kernel copies (and the
IFM windows in the same copy colours), the colour bar of many channels, within the frame."""
from __future__ import annotations

import numpy as np
import pytest

from engine import ArraySpec, ConvLayer, map_layer

from app.crossbar import palette as pal
from app.crossbar.export_frames import FrameRenderer, FrameSpec
from app.crossbar.modes import copy_colours

# VW-SDK maps this 3x3 conv on a 2048² array with 8x8 windows: 64 kernel copies, 16 input channels.
LAYER = ConvLayer("many", 8, 8, 16, 16, 3, 3, pad_h=1, pad_w=1)
# 16x16 windows: 256 copies, the largest (12 x 9) swatch grid and a "colours repeat" note.
WIDE = ConvLayer("wide", 16, 16, 4, 8, 3, 3, pad_h=1, pad_w=1)


@pytest.fixture(scope="module")
def plan():
    p = map_layer(LAYER, ArraySpec(2048, 2048), "vw-sdk")
    assert (p.nh, p.nw, p.copies) == (8, 8, 64)
    return p


def render(plan, mode, size=(1280, 720)):
    r = FrameRenderer(FrameSpec(plan, mode=mode, width=size[0], height=size[1]))
    return r, r.render(0)


def region(frame, area):
    y, x, h, w = area
    return frame[y:y + h, x:x + w]


def categories(pixels) -> set[int]:
    return {int(v) for v in np.unique(pixels) if pal.FIRST_CLASS <= v < pal.FIRST_CLASS + pal.N_CLASSES}


@pytest.mark.parametrize("size", [(640, 360), (1280, 720), (1920, 1080)])
def test_copy_legend_is_the_swatch_grid(plan, size):
    r, frame = render(plan, "copy", size)
    legend = r.cycles.legend(r.cycles.cycle(0), "copy")
    assert legend.grid is not None
    cells = {i for row in legend.grid.cells for i in row}
    assert len(cells) == 64
    shown = categories(region(frame, r.legend_area))
    assert cells <= shown and len(shown) >= 32
    # only the grid's colours: no category rows of their own beside it
    assert shown == cells


def test_ifm_windows_use_the_grid_copy_colours(plan):
    r, frame = render(plan, "copy")
    c = r.cycles
    cyc = c.cycle(0)
    ey, ex, eh, ew = c.ifm_extent()
    assert 3 * max(c.pw_size(cyc)) >= max(eh, ew)  # the whole IFM plane is drawn
    f, y0, x0 = r._fit(r.ifm_area, eh, ew)
    rgb = r.rgb(frame)
    hexes = copy_colours(plan)  # what the live view outlines the windows with
    seen = set()
    for k, (wy, wx, _, _) in enumerate(c.window_boxes(cyc)):
        if k // plan.nw == 0 or k % plan.nw == 0:
            continue  # the first window row and column lie under the PW outline
        # a window's top-left corner is drawn by no later window
        py, px = y0 + int((wy - ey) * f) + 1, x0 + int((wx - ex) * f) + 1
        assert tuple(rgb[py, px]) == pal.hex_rgb(hexes[k]), k
        seen.add(int(frame[py, px]))
    assert len(seen) == 49


def test_channel_legend_is_the_colour_bar(plan):
    r, frame = render(plan, "ic")
    legend = r.cycles.legend(r.cycles.cycle(0), "ic")
    assert legend.bar is not None and len(legend.bar.indices) == 16
    area = region(frame, r.legend_area)
    assert set(legend.bar.indices) <= categories(area)
    assert categories(area) == set(legend.bar.indices)
    assert np.any(area == pal.INDEX["outline"])  # this tile's span outlined


@pytest.mark.parametrize("size", [(640, 360), (1920, 1080)])
def test_the_largest_grid_stays_in_its_area(size):
    p = map_layer(WIDE, ArraySpec(2048, 2048), "vw-sdk")
    assert p.copies > pal.GRID_HUES * pal.GRID_LEVELS
    r, frame = render(p, "copy", size)
    legend = r.cycles.legend(r.cycles.cycle(0), "copy")
    assert (len(legend.grid.cells), len(legend.grid.cells[0])) == (12, 9) and legend.note
    cells = {i for row in legend.grid.cells for i in row}
    assert cells <= categories(region(frame, r.legend_area))
    ly, lx, lh, lw = r.legend_area
    assert ly + lh <= r.ifm_area[0] and lx + lw <= size[0]
    # nothing of the legend spills into the IFM's caption band or off the right edge
    _, cap_y, _ = r._fit(r.ifm_area, 1, 1)
    assert not categories(frame[r.ifm_area[0]:cap_y, lx:])
