"""Issue 15 item 2: an OFM output's contributing cycles on a small timeline (click a tick to
go there), and the optional overlay of lines from the IFM pixels to the rows they drive."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Qt

from .test_crossbar_support import make_view  # noqa: F401 (fixture)


def test_hovering_an_output_puts_its_cycles_on_the_timeline(make_view, qtbot):
    view = make_view()
    panel, tl = view.panel, view.timeline
    assert tl.caption().startswith("hover an output") and tl.isVisible()
    view.set_cycle(4)
    oc = panel._ofm_channel
    view.ofm.hovered.emit((3, 3))
    want = np.sort(panel.cycles.schedule.contributing_cycles(oc, 3, 3))
    assert tl.cycles.tolist() == want.tolist() and want.size == panel.plan.ar
    fed = [t for t in range(panel.cycles.total)
           if ((lambda tg: ((tg.oc == oc) & (tg.oy == 3) & (tg.ox == 3)).any())(panel.cycles.schedule.col_targets(t)))]
    assert tl.cycles.tolist() == fed  # the cycles whose columns feed it, every one
    done = int(np.count_nonzero(want <= 4))
    assert tl.caption() == (f"output (channel {oc}, 3, 3): {want.size} contributing cycles, "
                            f"{done} added by cycle 4")
    view.ofm.hovered.emit(None)  # the mouse moves on to the timeline: the output stays
    assert tl.label == f"output (channel {oc}, 3, 3)"
    last = int(want[-1])
    x = tl.x_of(last)
    assert tl.tick_at(x) == want.size - 1 and tl.tick_at(x + 40) is None
    qtbot.mouseClick(tl, Qt.LeftButton, pos=QPointF(x, tl._bar().center().y()).toPoint())
    assert view.playback.t == last and panel.t == last  # a tick click goes to its cycle
    assert tl.added == want.size and f"{want.size} added by cycle {last:,}" in tl.caption()


def test_in_values_mode_the_timeline_adds_each_cycles_partial_sum(make_view):
    view = make_view()
    view.ofm.hovered.emit((2, 2))
    view.set_values(True, seed=4)
    panel, tl = view.panel, view.timeline
    oc = panel._ofm_channel
    cycles, values = panel.values.trace.contributions(oc, 2, 2)
    order = np.argsort(cycles)
    assert tl.values.tolist() == values[order].tolist()
    view.set_cycle(panel.cycles.total - 1)
    final = int(panel.values.trace.expected()[oc, 2, 2])
    assert tl.caption().endswith(f"sum so far {final:,} of {final:,}")
    assert "adds" in tl.tick_text(0) and "(added)" in tl.tick_text(0)


def test_a_pinned_cell_shows_the_output_it_feeds(make_view):
    view = make_view()
    panel = view.panel
    view.set_cycle(2)
    tg = panel.cycles.schedule.col_targets(2)
    col = int(np.flatnonzero(tg.oc >= 0)[0])
    tile = panel.cycles.tile(panel.cycles.cycle(2))
    row = int(np.flatnonzero(tile.rows.used)[0])
    panel.set_pin((row, col))
    info = panel.info_at((row, col))
    assert info.ofm is not None and panel.timeline_output == (info.oc, *info.ofm)
    view.show_selection(None)
    assert view.timeline.label == ""


def test_lines_join_each_ifm_pixel_to_the_row_it_drives(make_view, qtbot):
    view = make_view()
    panel, lines = view.panel, view.lines
    view.set_cycle(4)
    assert not lines.isVisible()
    view.set_lines(True)
    assert lines.isVisible() and view.toolbar.lines.isChecked()
    assert lines.geometry() == view.page.rect() and view.page.isAncestorOf(view.grid)
    src = panel.cycles.schedule.row_sources(4)
    want = np.flatnonzero((src.c == panel._ifm_channel) & (src.iy >= 0))
    assert lines.rows.tolist() == want.tolist()
    assert (lines.pixels[:, 0] == src.iy[want]).all() and (lines.pixels[:, 1] == src.ix[want]).all()
    segs = lines.segments()
    assert len(segs) == want.size  # the whole plane and array are in sight
    # Each line starts on its pixel in the IFM pane and ends at the right end of its row.
    for (a, b, _), (iy, ix), r in zip(segs, lines.pixels.tolist(), lines.rows.tolist()):
        ifm_px = view.ifm.plot.viewport().mapFrom(view.page, a.toPoint())
        at = view.ifm.vb.mapSceneToView(view.ifm.plot.mapToScene(ifm_px))
        assert abs(at.x() - ix) < 0.6 and abs(at.y() - iy) < 0.6
        grid_px = view.grid.viewport().mapFrom(view.page, b.toPoint())
        end = view.grid.vb.mapSceneToView(view.grid.mapToScene(grid_px))
        assert abs(end.y() - r) < 0.6 and abs(end.x() - (view.grid.cols - 0.5)) < 1.0
    view.ifm.hovered.emit(tuple(lines.pixels[0].tolist()))
    assert lines.hot[0] and lines.hot.sum() == np.count_nonzero((lines.pixels == lines.pixels[0]).all(axis=1))
    view.grid.zoom_to(0, 0, 4)  # rows scrolled out of sight are not drawn
    qtbot.wait(10)
    seen = view.grid.vb.viewRect()
    assert len(lines.segments()) == int(np.count_nonzero((want >= seen.top()) & (want <= seen.bottom())))
    view.set_comparing(True)
    assert not lines.isVisible()  # the single view's overlay goes with its page
    view.set_comparing(False)
    assert lines.isVisible()
    view.set_lines(False)
    assert not lines.isVisible()


def test_many_links_are_thinned_but_the_hovered_pixels_kept():
    from app.crossbar.cycles import PlanCycles

    from .test_crossbar_support import small_plan

    c = PlanCycles(small_plan())
    t = 4
    ch = int(c.schedule.row_sources(t).c.max())
    pixels, rows, hot, step = c.ifm_links(t, ch)
    src = c.schedule.row_sources(t)
    want = np.flatnonzero((src.c == ch) & (src.iy >= 0))
    assert step == 1 and rows.tolist() == want.tolist() and not hot.any()
    hot_px = tuple(pixels[3].tolist())
    _, rows2, hot2, step2 = c.ifm_links(t, ch, hot_px, most=2)
    assert step2 == -(-want.size // 2) and rows2.tolist() == sorted(set(want[::step2].tolist())
                                                                     | set(rows[hot].tolist() if hot.any() else [])
                                                                     | set(want[(src.iy[want] == hot_px[0]) &
                                                                                (src.ix[want] == hot_px[1])].tolist()))
    assert hot2.sum() == np.count_nonzero((src.iy[want] == hot_px[0]) & (src.ix[want] == hot_px[1]))


def test_exported_frames_draw_the_link_lines_when_asked():
    from app.crossbar import palette as pal
    from app.crossbar.export_frames import FrameRenderer, FrameSpec

    from .test_crossbar_support import small_plan

    plan = small_plan()
    plain = FrameRenderer(FrameSpec(plan, width=960, height=540))
    lined = FrameRenderer(FrameSpec(plan, width=960, height=540, lines=True))
    t = 4
    a, b = plain.render(t), lined.render(t)
    link = pal.INDEX["link"]
    assert not (a == link).any() and (b == link).any()
    assert ((a != b) <= (b == link)).all()  # the lines are all that changes
    ic, _ = lined.cycles.default_channels(lined.cycles.cycle(t))
    segs = lined._links(t, ic)
    _, rows, _, _ = lined.cycles.ifm_links(t, ic)
    assert len(segs) == rows.size > 0
    gy0, gx0, fg, gw = lined._grid_at
    for (_, (x_end, y_end)), r in zip(segs, rows.tolist()):
        assert x_end == gx0 + gw and gy0 + r * fg <= y_end <= gy0 + (r + 1) * fg  # at the right end of its row
    assert b[int(segs[0][1][1]), int(segs[0][1][0])] == link
    assert pal.hex_of(lined.table, link) == "#e67800"


def test_a_view_picture_with_lines_has_the_ifm_pane_and_the_lines(make_view, tmp_path):
    from PySide6.QtGui import QImage

    view = make_view()
    view.set_cycle(4)
    view.set_lines(True)
    path = tmp_path / "lines.png"
    assert view.exports.export_image(str(path))
    img = QImage(str(path))
    assert (img.width(), img.height()) == (2 * view.page.width(), 2 * view.page.height())
    a, b, _ = view.lines.segments()[0]
    mid = (a + b) / 2 * 2  # halfway along the first line, in the picture's pixels
    c = img.pixelColor(int(mid.x()), int(mid.y()))
    assert c.red() > 200 and 60 < c.green() < 200 and c.blue() < 120  # orange: the line
    view.set_lines(False)
    assert view.exports.export_image(str(path))
    assert QImage(str(path)).width() != 2 * view.page.width()  # the grid's own picture again


def test_the_words_under_the_axis_are_short_and_the_tooltip_says_all(make_view):
    view = make_view()
    view.set_cycle(4)
    oc = view.panel._ofm_channel
    view.ofm.hovered.emit((3, 3))
    tl = view.timeline
    n, done = tl.cycles.size, tl.added
    assert tl.short_caption() == f"ch {oc} (3, 3): {done}/{n} added"
    assert tl.caption().startswith(f"output (channel {oc}, 3, 3): {n} contributing cycles")
