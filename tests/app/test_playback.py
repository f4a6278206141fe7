"""Playback walks the schedule: keys, buttons, timer, tile skips, loop order."""
from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt

from engine import ArraySpec, ConvLayer, map_layer
from engine.schedule import Schedule

from app.crossbar.controls import SLIDER_STEPS
from app.crossbar.playback import Playback, max_speed

from .test_crossbar_support import make_view  # noqa: F401 (fixture)

LAYER = ConvLayer("pb", 6, 6, 3, 12, 3, 3, pad_h=1, pad_w=1)
STATUS = re.compile(r"cycle ([\d,]+) / ([\d,]+) · row tile (\d+) / (\d+) · column tile (\d+) / (\d+) · "
                    r"PW \((\d+), (\d+)\) of (\d+)×(\d+) · outputs complete ([\d,]+) / ([\d,]+)")


def plan():
    return map_layer(LAYER, ArraySpec(20, 16, 1, 2), "vw-sdk")  # 2 row tiles x 2 column tiles


@pytest.fixture
def view(make_view):
    v = make_view(LAYER, plan(), (1200, 800))
    v.grid.setFocus()
    return v


def shown(view):
    """(t, a, b, py, px, outputs complete) as the status line states them."""
    m = STATUS.fullmatch(view.controls.status.text())
    assert m, view.controls.status.text()
    g = [int(x.replace(",", "")) for x in m.groups()]
    return g[0], g[2] - 1, g[4] - 1, g[6], g[7], g[10]


def test_the_layer_has_several_tiles():
    p = plan()
    assert p.ar > 1 and p.ac > 1 and p.cycles == p.n_pw * p.ar * p.ac


def test_stepping_walks_the_schedule(qtbot, view):
    sched = Schedule(plan())
    for t in range(1, sched.total):
        qtbot.keyClick(view.grid, Qt.Key_Right)
        c = sched.cycle(t)
        assert shown(view) == (t, c.a, c.b, c.py, c.px, sched.outputs_complete(t))
        assert view.panel.t == t == view.playback.t == int(view.controls.cycle_box.value())
    qtbot.keyClick(view.grid, Qt.Key_Right)  # the end stays the end
    assert view.playback.t == sched.total - 1
    assert shown(view)[5] == sched.outputs_total
    for t in range(sched.total - 2, sched.total - 6, -1):
        qtbot.keyClick(view.grid, Qt.Key_Left)
        assert shown(view)[0] == t


def test_home_end_and_tile_skips(qtbot, view):
    p, sched = plan(), Schedule(plan())
    qtbot.keyClick(view.grid, Qt.Key_End)
    assert view.playback.t == sched.total - 1
    qtbot.keyClick(view.grid, Qt.Key_Home)
    assert view.playback.t == 0
    seen = []
    rendered = []
    view.panel.tile_rendered.connect(rendered.append)
    while view.playback.t < sched.total - 1:
        qtbot.mouseClick(view.controls.buttons["skip"], Qt.LeftButton)
        seen.append(view.playback.t)
    assert seen == [k * p.n_pw for k in range(1, p.ar * p.ac)] + [sched.total - 1]
    c = [sched.cycle(t) for t in seen[:-1]]
    assert [(k[2], k[3]) for k in rendered] == [(x.a, x.b) for x in c]  # one re-colour per tile


def test_play_steps_one_cycle_per_tick_and_stops_at_the_end(qtbot, view):
    seen = []
    view.playback.cycle_changed.connect(seen.append)
    view.playback.set_speed(1000)  # clamped to the screen's refresh rate
    assert view.playback.speed == max_speed()
    view.set_cycle(view.playback.total - 6)
    seen.clear()
    qtbot.keyClick(view.grid, Qt.Key_Space)
    assert view.playback.playing
    with qtbot.waitSignal(view.playback.playing_changed, timeout=5000) as sig:
        pass
    assert sig.args == [False] and not view.playback.timer.isActive()
    assert seen == list(range(view.playback.total - 5, view.playback.total))


def test_space_pauses(qtbot, view):
    view.playback.set_speed(1)
    qtbot.keyClick(view.grid, Qt.Key_Space)
    assert view.playback.playing
    qtbot.keyClick(view.grid, Qt.Key_Space)
    assert not view.playback.playing and not view.playback.timer.isActive()


def test_input_stationary_walks_its_own_order(qtbot, view):
    view.controls.order.setCurrentIndex(view.controls.order.findData("input"))
    view.controls.order.activated.emit(view.controls.order.currentIndex())
    sched = Schedule(plan(), "input")
    assert view.panel.cycles.schedule.order == "input"
    for t in range(1, 12):
        qtbot.mouseClick(view.controls.buttons["forward"], Qt.LeftButton)
        c = sched.cycle(t)
        assert shown(view)[:5] == (t, c.a, c.b, c.py, c.px)


def test_slider_and_cycle_box_drive_the_view(qtbot, view):
    view.controls.slider.setValue(7)
    assert view.panel.t == 7
    view.controls.cycle_box.setValue(3)
    assert view.panel.t == 3 and view.controls.slider.value() == 3


def test_slider_scales_for_huge_cycle_counts(qtbot):
    pb = Playback()
    from app.crossbar.controls import PlaybackControls

    controls = PlaybackControls(pb)
    qtbot.addWidget(controls)
    pb.set_total(10 ** 10)  # beyond a 32-bit int: the box still holds it, the slider scales
    pb.set_cycle(10 ** 10 - 1)
    assert controls.slider.value() == SLIDER_STEPS and controls.cycle_box.value() == 10 ** 10 - 1
    controls.slider.setValue(SLIDER_STEPS // 2)
    assert abs(pb.t - (10 ** 10 - 1) // 2) <= 10 ** 5
