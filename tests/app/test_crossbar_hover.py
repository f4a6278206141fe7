"""Hover answers on the grid (a tooltip per hovered cell), zero cells labelled apart from a
weight 0, and a tile change that shows in the grid's title. Small layer of known layout
(see test_crossbar_support): 2 row tiles (channels 0-1, then channel 2), cycle 9 starts tile 2."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint

from app.crossbar import plan_panel as plan_panel_module
from app.crossbar.cells import ZERO_LABEL, format_label
from app.crossbar.tile import Tile

from .test_crossbar_support import SMALL, WEIGHTS, make_view, small_plan  # noqa: F401 (fixture)
from .test_crossbar_view import hover, viewport_pos


@pytest.fixture
def view(make_view):
    return make_view(size=(1400, 850))


class FakeToolTip:
    """Records what the panel asks QToolTip to do (the real one is a top-level window)."""

    def __init__(self):
        self.shown: list[str] = []
        self.hidden = 0

    def showText(self, pos, text, widget=None):  # noqa: N802 (Qt's name)
        self.shown.append(text)

    def hideText(self):  # noqa: N802
        self.hidden += 1


@pytest.fixture
def tips(monkeypatch):
    fake = FakeToolTip()
    monkeypatch.setattr(plan_panel_module, "QToolTip", fake)
    return fake


def test_tooltip_tells_a_weight_from_a_zero_cell(qtbot, view, tips):
    view.set_weights(SMALL, WEIGHTS)
    view.set_cycle(4)
    hover(qtbot, view, 22, 29)
    tip = tips.shown[-1]
    assert tip == view.panel.tooltip_text and len(tip.splitlines()) == 3
    assert tip.splitlines()[0].startswith("row 22 · input channel 1 · PW pixel (1, 2) · IFM (2, 3)")
    assert "copy 3 · window (1, 1) · output channel 2 · bit slice 1" in tip and "OFM (3, 3)" in tip
    assert tip.splitlines()[2].startswith(f"weight W[2, 1, 0, 1] = {WEIGHTS[2, 1, 0, 1]}")
    hover(qtbot, view, 0, 24)  # copy 3 off its kernel at PW pixel (0, 0)
    assert tips.shown[-1].splitlines()[2] == "zero cell of the block (kernel offset outside the kernel), holds 0"


def test_tooltip_changes_only_with_the_cell_and_hides_off_the_block(qtbot, view, tips):
    view.set_cycle(4)
    hover(qtbot, view, 22, 29)
    n = len(tips.shown)
    centre = viewport_pos(view, 22, 29)
    for dx in (-2, -1, 1, 2):  # moves inside the same cell: nothing new to show
        qtbot.mouseMove(view.grid.viewport(), centre + QPoint(dx, 0))
    assert len(tips.shown) == n
    view.set_cycle(5)  # the next PW: the same row reads another IFM pixel, the tooltip follows
    assert len(tips.shown) == n + 1 and "IFM (2, 5)" in tips.shown[-1]
    view.set_cycle(9)  # row tile 2 holds channel 2 only: row 22 is unused there
    assert view.panel.tooltip_text == "" and tips.hidden >= 1
    hidden = tips.hidden
    qtbot.mouseMove(view.grid.viewport(), QPoint(3, 3))  # off the array
    assert view.panel.tooltip_text == "" and tips.hidden == hidden  # already hidden: no call


def test_zero_cells_are_labelled_apart_from_a_zero_weight():
    plan = small_plan()
    tile = Tile(plan, 0, 0)
    # (0, 24): copy 3 off its kernel -> zero cell; find a weight cell whose value is 0.
    assert format_label(tile, 0, 0, 24) == ZERO_LABEL[0] == "·0·"
    assert format_label(tile, 0, 0, 24, long=True) == ZERO_LABEL[1] == "zero (off kernel)"
    assert format_label(tile, 0, 0, 24, True, WEIGHTS, "weight") == "zero (off kernel)"
    found = None
    for r in range(16):
        for c in range(0, 32, 2):
            k = tile.kernel_at(r, c)
            if k is not None and WEIGHTS[int(tile.cols.oc[c]), int(tile.rows.c[r]), k[0], k[1]] == 0:
                found = (r, c)
                break
        if found:
            break
    assert found is not None
    zero_weight = format_label(tile, 0, *found, False, WEIGHTS, "weight")
    assert zero_weight == "w=0"  # coloured by weight value: the value first
    assert format_label(tile, 0, *found, True, WEIGHTS, "weight").startswith("w=0\nk")
    assert "w=0" in format_label(tile, 0, *found, True, WEIGHTS, "copy")
    assert ZERO_LABEL[0] not in (zero_weight, format_label(tile, 0, *found))


def test_a_tile_change_changes_the_title_and_marks_it(qtbot, view, monkeypatch):
    panel = view.panel
    view.set_cycle(8)
    title = view.grid.title.text
    assert panel.tile_text == "row tile 1/2 · input channels 0–1 · column tile 1/1 · output channels 0–3"
    assert panel.tile_text in title.replace("&nbsp;", "")
    assert not panel.tile_marked  # the first tile shown is no change
    view.playback.skip_tile()  # Page Down / "Next tile"
    assert view.playback.t == 9 and panel.t == 9
    assert panel.tile_text == "row tile 2/2 · input channels 2 · column tile 1/1 · output channels 0–3"
    assert panel.tile_marked and plan_panel_module.FLASH_STYLE in view.grid.title.text
    assert view.grid.overlay.marked  # the block is framed too
    assert view.grid.title.text != title
    # The mark stays through renders until FLASH_S has passed and the cycle moved on.
    view.set_cycle(10)
    monkeypatch.setattr(plan_panel_module, "FLASH_S", 0.0)
    view.set_cycle(11)
    assert not panel.tile_marked and plan_panel_module.FLASH_STYLE not in view.grid.title.text
    assert not view.grid.overlay.marked
    assert panel.tile_text in view.grid.title.text.replace("&nbsp;", "")


def test_a_tile_change_changes_the_image_in_channel_mode(qtbot, view):
    view.set_mode("ic")
    view.set_cycle(8)
    before = view.grid.image.image.copy()
    view.set_cycle(9)
    assert not np.array_equal(before, view.grid.image.image)
