"""The crossbar view with a small layer of known layout (see test_crossbar_support): hover,
pin, highlights, colours, planes, loop order, compare mode."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from engine.layout import tile_layout
from engine.schedule import Schedule

from app.crossbar import palette as pal
from app.crossbar.modes import tile_image
from app.crossbar.tile import Tile
from app.selection import PlanSelection

from .test_crossbar_support import SMALL, WEIGHTS, make_view, small_plan  # noqa: F401 (fixture)


@pytest.fixture
def view(make_view):
    return make_view(size=(1400, 850))


def viewport_pos(view, r, c) -> QPoint:
    QApplication.processEvents()  # pending layout requests move the grid: let them land first
    g = view.grid
    return g.mapFromScene(g.cell_scene_pos(r, c))


def hover(qtbot, view, r, c):
    """Move the mouse onto a cell (from elsewhere: a move to where the cursor already is sends
    no event, and the previous test may have left it there)."""
    target = viewport_pos(view, r, c)
    qtbot.mouseMove(view.grid.viewport(), target + QPoint(0, 40))
    with qtbot.waitSignal(view.grid.hovered, timeout=2000):
        qtbot.mouseMove(view.grid.viewport(), target)
    return view.panel.current_info()


# (cycle, row, col) -> what the inspector must say; worked out by hand from sections 5 and 6.
KNOWN = [
    # cycle 4 = tile a=0, PW (1, 1): the PW starts at IFM (1, 1)
    (4, 22, 29, dict(channel=1, pw_pixel=(1, 2), ifm=(2, 3), copy=3, window=(1, 1), oc=2, bit=1, ofm=(3, 3),
                     kernel=(0, 1), kind="weight")),
    (4, 0, 0, dict(channel=0, pw_pixel=(0, 0), ifm=(1, 1), copy=0, window=(0, 0), oc=0, bit=0, ofm=(2, 2),
                   kernel=(0, 0), kind="weight")),
    # cycle 0: PW (0, 0) starts at (-1, -1): row 0 reads padding; copy 3 sits off the kernel there
    (0, 0, 24, dict(channel=0, pw_pixel=(0, 0), ifm=None, padding=True, copy=3, window=(1, 1), oc=0, bit=0,
                    ofm=(1, 1), kernel=None, kind="zero")),
    # cycle 8 = PW (2, 2): windows (1, *) and (*, 1) would write OFM row/col 5 < 6, all inside;
    # row 31 = channel 1, PW pixel (3, 3) -> IFM (3 + 3, 3 + 3) = (6, 6): past the far edge
    (8, 31, 31, dict(channel=1, pw_pixel=(3, 3), ifm=None, padding=True, copy=3, window=(1, 1), oc=3, bit=1,
                     ofm=(5, 5), kernel=(2, 2), kind="weight")),
    # cycle 9 = tile a=1 (channel 2 only): rows 16.. unused
    (9, 20, 3, dict(channel=None, copy=0, oc=1, bit=1, kind="unused")),
]


@pytest.mark.parametrize("t, r, c, want", KNOWN)
def test_hovering_reports_the_exact_cell(qtbot, view, t, r, c, want):
    view.set_weights(SMALL, WEIGHTS)
    view.set_cycle(t)
    info = hover(qtbot, view, r, c)
    assert (info.row, info.col, info.cycle) == (r, c, t)
    for key, value in want.items():
        assert getattr(info, key) == value, key
    if info.kind == "weight":
        ky, kx = info.kernel
        assert info.weight == WEIGHTS[info.oc, info.channel, ky, kx]
        assert f"W[{info.oc}, {info.channel}, {ky}, {kx}] = {info.weight}" in view.panel.tooltip_text
    # The tooltip says the same, in words.
    tip = view.panel.tooltip_text
    if info.channel is not None:
        assert f"input channel {info.channel}" in tip
        assert ("padding" in tip) if info.ifm is None else (f"IFM ({info.ifm[0]}, {info.ifm[1]})" in tip)
    if want.get("ofm"):
        assert f"OFM ({want['ofm'][0]}, {want['ofm'][1]})" in tip


def test_hover_feeds_the_inspector_signal_and_leaving_clears_it(qtbot, view):
    view.set_cycle(4)
    qtbot.mouseMove(view.grid.viewport(), viewport_pos(view, 10, 10))
    with qtbot.waitSignal(view.cell_changed, timeout=2000) as sig:
        qtbot.mouseMove(view.grid.viewport(), viewport_pos(view, 22, 29))
    assert sig.args[0] is not None and (sig.args[0].row, sig.args[0].col) == (22, 29)
    with qtbot.waitSignal(view.cell_changed, timeout=2000) as sig:
        qtbot.mouseMove(view.grid.viewport(), QPoint(3, 3))  # the title row: outside the array
    assert sig.args[0] is None and view.panel.tooltip_text == ""


def test_click_pins_and_the_pin_follows_the_cycles(qtbot, view):
    view.set_cycle(4)
    qtbot.mouseClick(view.grid.viewport(), Qt.LeftButton, pos=viewport_pos(view, 22, 29))
    assert view.panel.pin == (22, 29)
    hover(qtbot, view, 0, 0)  # hovering elsewhere does not replace the pinned cell
    assert (view.panel.current_info().row, view.panel.current_info().col) == (22, 29)
    view.set_cycle(5)  # PW (1, 2): the same row now reads IFM (2, 5)
    assert view.panel.current_info().ifm == (2, 5)
    qtbot.mouseClick(view.grid.viewport(), Qt.LeftButton, pos=viewport_pos(view, 22, 29))
    assert view.panel.pin is None
    view.panel.set_pin((1, 1))
    qtbot.keyClick(view.grid, Qt.Key_Escape)
    assert view.panel.pin is None


def test_highlights_of_the_pinned_cell(qtbot, view):
    plan = small_plan()
    view.set_cycle(4)
    view.panel.set_pin((22, 29))  # W[2, 1, 0, 1], copy 3, IFM pixel (1, 2, 3)
    ref = tile_layout(plan, 0, 0)
    view.set_highlight("weight")
    assert view.toolbar.highlight.currentData() == "weight"
    cells = {(r, c) for r, c, h, w in view.panel.highlight_rects()}
    want = ref.weight & (ref.oc == 2) & (ref.ic == 1) & (ref.ky == 0) & (ref.kx == 1)
    assert cells == set(zip(*(v.tolist() for v in np.nonzero(want))))
    assert len(cells) == 4 * 2  # every copy, both bit slices
    view.panel.set_highlight("copy")
    assert view.panel.highlight_rects() == [(0, 24, 32, 8)]  # copy 3: columns 24..31, all rows
    view.panel.set_highlight("pixel")
    sched = Schedule(plan)
    for t in range(0, 9):
        view.set_cycle(t)
        src = sched.row_sources(t)
        rows = np.flatnonzero((src.c == 1) & (src.iy == 2) & (src.ix == 3))
        got = {r for r, c, h, w in view.panel.highlight_rects()}
        assert got == set(rows.tolist()), t
        for r, c, h, w in view.panel.highlight_rects():  # only the cells holding a weight
            assert ref.weight[r, c:c + w].all()


def test_colour_modes_give_the_expected_colours(qtbot, view):
    view.set_cycle(4)
    def colour(r, c):
        return tuple(int(v) for v in view.grid.image.lut[view.grid.image.image[r, c]][:3])
    assert colour(22, 29) == pal.hex_rgb(pal.BASE_HUES[3])  # kernel copy 3
    assert colour(0, 0) == pal.hex_rgb(pal.BASE_HUES[0])
    assert colour(0, 24) == pal.hex_rgb("#a3aab4")  # zero cell
    view.set_cycle(9)
    assert colour(20, 3) == pal.hex_rgb("#e6e9ed")  # unused (tile a=1 holds one channel)
    view.set_cycle(4)
    for mode, value in (("ic", 1), ("oc", 2), ("bit", None), ("element", 0 * 3 + 1)):
        view.set_mode(mode)
        img = view.grid.image.image
        assert np.array_equal(img, tile_image(Tile(small_plan(), 0, 0), mode))
        if value is not None:
            assert colour(22, 29) == tuple(int(v) for v in pal.categorical(pal.N_CLASSES)[value])
        else:
            assert colour(22, 29) == tuple(int(v) for v in pal.sequential(2)[1])  # bit slice 1 of 2
    assert view.grid.legend.legend.title == "Kernel element (ky, kx)"


def test_weight_mode_only_with_weights(qtbot, view):
    item = view.toolbar.mode.model().item(view.toolbar.mode.findData("weight"))
    assert not item.isEnabled()
    with pytest.raises(ValueError):
        view.panel.set_mode("weight")
    view.set_weights(SMALL, WEIGHTS)
    assert item.isEnabled()
    view.set_cycle(4)
    view.set_mode("weight")
    lut, img = view.grid.image.lut, view.grid.image.image
    assert tuple(lut[img[22, 29]][:3]) == tuple(pal.diverging(4)[WEIGHTS[2, 1, 0, 1] + 2])
    view.set_weights(SMALL, None)  # forgetting them falls back to kernel copies
    assert view.panel.mode == "copy" and not item.isEnabled()
    with pytest.raises(ValueError):
        view.set_weights(SMALL, np.zeros((4, 3, 3, 2), np.int8))


def test_ifm_and_ofm_planes(qtbot, view):
    plan = small_plan()
    sched = Schedule(plan)
    view.set_cycle(4)
    frame = view.ifm.frame.rect()
    assert (frame.x() + 0.5, frame.y() + 0.5, frame.width(), frame.height()) == (1, 1, 4, 4)
    assert sum(item.isVisible() for item in view.ifm.windows) == 4
    img = view.ofm.image.image
    state = sched.ofm_state(4, 0)
    assert np.array_equal(img == pal.INDEX["ofm_partial"], state == 1)
    assert np.array_equal(img == pal.INDEX["ofm_complete"], state == 2)
    view.set_cycle(17)  # the last cycle: every output of the channel complete
    assert (view.ofm.image.image == pal.INDEX["ofm_complete"]).all()
    assert "36 complete" in view.ofm.title.text()


def test_strips_show_padding_rows_and_active_columns(qtbot, view):
    sched = Schedule(small_plan())
    view.set_cycle(0)
    rows = view.grid.row_strip.image[:, 0]
    src = sched.row_sources(0)
    assert np.array_equal(rows == pal.INDEX["padding"], src.padding)
    assert np.array_equal(rows == pal.INDEX["driven"], (src.c >= 0) & ~src.padding)
    padded = [r for a, b in view.grid.bands.row_runs for r in range(a, b)]
    assert padded == np.flatnonzero(src.padding).tolist()
    cols = view.grid.col_strip.image[0]
    assert (cols == pal.INDEX["active"]).all()  # 6x6 OFM, 2x2 windows: no PW hangs past the edge


def test_loop_order_switch_keeps_the_position(qtbot, view):
    view.set_cycle(10)  # weight order: b=0, a=1, PW (0, 1)
    before = Schedule(small_plan()).cycle(10)
    view.set_order("input")
    after = Schedule(small_plan(), "input").cycle(view.panel.t)
    assert (after.a, after.b, after.py, after.px) == (before.a, before.b, before.py, before.px)
    assert view.playback.t == view.panel.t


def test_compare_mode_plays_in_proportional_time(qtbot, view):
    view.toolbar.set_methods(["im2col", "sdk", "vw-sdk"], "vw-sdk")
    view.set_comparing(True)
    left, right = view.compare.sides
    assert left.panel.plan.method == "vw-sdk" and right.panel.plan.method == "sdk"
    assert view.playback.total == max(left.total, right.total) == 36
    view.set_cycle(20)
    assert left.panel.t == 17 and "finished" in left.status.text()  # 18 cycles: done first
    assert right.panel.t == 20 and "finished" not in right.status.text()
    view.set_comparing(False)
    assert view.playback.total == 18 and view.stack.currentWidget() is view.page


def test_no_plan_shows_a_message(qtbot, view):
    view.show_selection(PlanSelection(0, SMALL, "vw-sdk", None))
    assert view.stack.currentWidget() is view.message and view.playback.total == 0
    view.show_selection(None)
    assert view.panel.plan is None


def test_cell_panel_for_the_inspector(qtbot, view):
    from app.crossbar.cell_panel import CellPanel

    panel = CellPanel()
    qtbot.addWidget(panel)
    seen = []
    view.cell_changed.connect(seen.append)
    view.set_cycle(4)
    view.panel.set_pin((22, 29))
    panel.show_cell(seen[-1], pinned=True)
    assert "pinned" in panel.title.text()
    assert "input channel 1" in panel.values["Row"].text() and "IFM (2, 3)" in panel.values["Row"].text()
    assert "OFM (3, 3)" in panel.values["Column"].text()
    assert panel.values["Weight"].text() == "W[2, 1, 0, 1]"
    n = len(seen)
    view.set_cycle(4)  # nothing changed: no new signal for the inspector
    assert len(seen) == n
    panel.show_cell(None)
    assert panel.values["Row"].text() == "–"
