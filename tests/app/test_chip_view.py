"""The Chip view in the window: figures from the engine, floorplan hover and click, spec edits
without re-mapping, field errors, exports and the project's chip spec."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF

from app.chip_figures import table_row
from app.chip_grid import describe_array
from engine.chip import ChipSpec
from engine.chip_alloc import allocate
from engine.chip_floorplan import floorplan, tile_position
from engine.chip_needs import layer_needs
from engine.formats import load_project, save_project
from engine.formats.project import Project
from engine.schedule import Cycle

METHODS = ("im2col", "sdk", "vw-sdk")


def chip_window(qtbot, open_app_window, network="resnet18-paper"):
    w = open_app_window(network)
    qtbot.waitUntil(lambda: w.mapping.result is not None and w.mapping.is_current(), timeout=20000)
    w.chip_dock.show()
    w.chip_dock.raise_()
    qtbot.waitUntil(lambda: w.chip_panel.widget is not None and w.chip_panel.widget.report is not None, timeout=10000)
    return w, w.chip_panel.widget


def engine_report(w, method, spec):
    return allocate(layer_needs([p[method] for p in w.mapping.result.plans]), spec)


def test_figures_table_and_floorplan_are_the_engines(qtbot, open_app_window):
    w, panel = chip_window(qtbot, open_app_window)
    spec = ChipSpec(arrays=200)
    panel.set_spec(spec)
    panel.set_method("vw-sdk")
    want = engine_report(w, "vw-sdk", spec)
    assert panel.report.to_dict() == want.to_dict()
    text = panel.figures.text
    for figure in (f"{want.arrays_needed:,} arrays needed", f"Latency: {want.latency_cycles:,} cycles",
                   f"interval: {want.interval_cycles:,} cycles", f"{want.images_per_s:,.0f} images/s",
                   f"utilization {100 * want.chip_utilization:.1f} %"):
        assert figure in text
    assert (panel.plan_map.layer == floorplan(want).layer).all()
    assert (panel.plan_map.replica == floorplan(want).replica).all()
    methods = panel.study.methods
    assert methods == tuple(m for m in METHODS if m in w.mapping.result.request.methods)
    for row, m in enumerate(methods):  # every method on the same chip, side by side
        cells = [panel.table.item(row, c).text() for c in range(panel.table.columnCount())]
        assert cells == table_row(m, engine_report(w, m, spec))
    assert "Chip" in panel.heading.text() and "200 arrays" in panel.heading.text()
    assert list(panel.timeline.bars.opts["width"]) == want.cycles.astype(float).tolist()


def _scene_point(panel, i):
    y, x = np.argwhere(panel.plan_plot.grid.index == i)[0]
    return panel.plan_plot.vb.mapViewToScene(QPointF(x + 0.5, y + 0.5))


class _Click:
    def __init__(self, pos):
        self._pos = pos

    def scenePos(self):
        return self._pos


def _array_of_a_later_tile(panel):
    """An array holding a layer's tile other than its first (so the click must move the cycle)."""
    fp = panel.plan_map
    i = int(np.flatnonzero(fp.tile > 0)[0])
    return i, int(fp.layer[i])


def test_hover_names_the_array_and_a_click_opens_its_layer_and_tile(qtbot, open_app_window):
    w, panel = chip_window(qtbot, open_app_window)
    panel.set_spec(ChipSpec(arrays=200))
    panel.set_method("vw-sdk")
    qtbot.waitUntil(lambda: hasattr(w.central.crossbar, "playback"), timeout=10000)
    i, layer = _array_of_a_later_tile(panel)
    panel.plan_plot.mouse_moved(_scene_point(panel, i))
    plans = [p["vw-sdk"] for p in w.mapping.result.plans]
    assert panel.hover.text() == describe_array(panel.report, panel.plan_map, plans, i)
    pos = tile_position(plans[layer], int(panel.plan_map.tile[i]))
    assert f"its tile (a, b) = ({pos.a}, {pos.b})" in panel.hover.text()
    assert plans[layer].layer.name in panel.hover.text()

    panel.plan_plot.mouse_clicked(_Click(_scene_point(panel, i)))
    assert (w.selection.layer_index, w.selection.method) == (layer, "vw-sdk")
    view = w.central.crossbar
    assert view.selection.layer_index == layer and view.panel.plan == plans[layer]
    cyc = view.panel.cycles.cycle(view.playback.t)
    assert (cyc.group, cyc.region, cyc.a, cyc.b, cyc.py, cyc.px) == (pos.group, pos.region, pos.a, pos.b, 0, 0)
    assert view.playback.t == view.panel.cycles.index_of(Cycle(0, pos.group, pos.b, pos.a, 0, 0, pos.region))
    assert w.layer_editor.table.currentIndex().row() == layer


def test_a_budget_edit_updates_figures_and_floorplan_without_mapping_again(qtbot, open_app_window):
    w, panel = chip_window(qtbot, open_app_window)
    result = w.mapping.result
    started = []
    w.mapping.slot.busy_changed.connect(started.append)
    spin = panel.editor.spins["arrays"]
    for budget in (30, 120, 5000):
        spin.setValue(budget)
        want = engine_report(w, panel.current_method(), ChipSpec(arrays=budget))
        assert panel.report.to_dict() == want.to_dict() and panel.plan_map.layer.size == budget
        assert f"Latency: {want.latency_cycles:,} cycles" in panel.figures.text
    assert w.mapping.result is result and started == [] and w.mapping.is_current()
    assert w.chip_spec.arrays == 5000 and w.isWindowModified()
    panel.editor.slider.setValue(0)  # the slider's left end: one array
    assert spin.value() == 1 and panel.report.spec.arrays == 1 and not panel.report.fits


def test_not_fitting_shows_the_shortfall_and_each_rounds_floorplan(qtbot, open_app_window):
    w, panel = chip_window(qtbot, open_app_window)
    panel.set_method("vw-sdk")
    panel.editor.spins["arrays"].setValue(8)
    want = engine_report(w, "vw-sdk", ChipSpec(arrays=8))
    assert not want.fits and f"short by {want.shortfall:,}" in panel.figures.text
    assert panel.round.isVisibleTo(panel) and panel.round.maximum() == want.rounds
    panel.round.setValue(2)
    assert (panel.plan_map.layer == floorplan(want, 1).layer).all()


def test_bad_fields_show_an_error_beside_the_field_and_keep_the_last_good_chip(qtbot, open_app_window):
    w, panel = chip_window(qtbot, open_app_window)
    panel.editor.spins["arrays"].setValue(64)
    good, figures = panel.spec(), panel.figures.text
    ed = panel.editor
    ed.spins["dac_bits"].setValue(12)  # more DAC bits than the 8 input bits
    assert ed.errors["dac_bits"].isVisibleTo(ed) and "more than the 8 input bits" in ed.errors["dac_bits"].text()
    assert panel.spec() == good and panel.figures.text == figures and w.chip_spec == good
    ed.spins["dac_bits"].setValue(2)
    assert not ed.errors["dac_bits"].isVisibleTo(ed) and panel.spec().dac_bits == 2
    ed.spins["columns_per_adc"].setValue(4096)  # the mapped 512x512 array has 512 columns
    assert "at most 512" in ed.errors["columns_per_adc"].text() and panel.spec().columns_per_adc == 8
    ed.spins["columns_per_adc"].setValue(16)
    assert ed.error() is None and panel.report.spec.columns_per_adc == 16


def test_chip_exports_png_and_svg(qtbot, open_app_window, tmp_path):
    from app.widgets.chart_export import export_widget

    w, panel = chip_window(qtbot, open_app_window)
    for name in ("chip.png", "chip.svg"):
        path = export_widget(panel, tmp_path / name)
        assert path.stat().st_size > 2000
    assert "Floorplan" in (tmp_path / "chip.svg").read_text(errors="replace")


def test_project_keeps_the_chip_spec_and_old_projects_open(qtbot, open_app_window, dialog_script, tmp_path):
    w, panel = chip_window(qtbot, open_app_window)
    spec = ChipSpec(arrays=333, arrays_per_tile=4, input_bits=6, dac_bits=2, adc_bits=9, columns_per_adc=4,
                    t_read_ns=12.5, reprogram_ns=1000)
    panel.set_spec(spec)
    dialog_script.save_path = str(tmp_path / "chip.xbarscope.json")
    w.commands["save"].trigger()
    assert load_project(dialog_script.save_path).chip == spec

    other = open_app_window("vgg13-paper")
    assert other.project.open(dialog_script.save_path)
    assert other.chip_spec == spec and not other.isWindowModified()
    other.chip_dock.show()
    other.chip_dock.raise_()
    qtbot.waitUntil(lambda: other.chip_panel.widget is not None and other.chip_panel.widget.report is not None,
                    timeout=20000)
    assert other.chip_panel.widget.spec() == spec
    assert {f: s.value() for f, s in other.chip_panel.widget.editor.spins.items()} == spec.to_dict()

    old = tmp_path / "old.xbarscope.json"
    save_project(Project(w.workspace.project().network, w.workspace.project().array), old)
    assert "chip" not in old.read_text()
    assert other.project.open(str(old)) and dialog_script.errors == []
    assert other.chip_spec == ChipSpec() and other.chip_panel.widget.spec() == ChipSpec()


def test_a_new_array_that_refuses_the_chip_names_the_field_until_it_is_fixed(qtbot, open_app_window):
    w, panel = chip_window(qtbot, open_app_window)
    panel.editor.spins["columns_per_adc"].setValue(256)
    assert panel.report.spec.columns_per_adc == 256
    with qtbot.waitSignal(w.mapping.result_ready, timeout=20000):
        w.array_editor.set_size(128, 128)  # auto-run maps again: 256 columns per ADC no longer fit
    qtbot.waitUntil(lambda: panel.study is not None and panel.study.array.cols == 128, timeout=10000)
    assert "at most 128" in panel.editor.errors["columns_per_adc"].text() and panel.report is None
    panel.editor.spins["columns_per_adc"].setValue(64)
    assert panel.editor.error() is None and panel.report.spec.columns_per_adc == 64
    assert panel.report.to_dict() == engine_report(w, panel.current_method(), panel.spec()).to_dict()


def test_a_long_network_timeline_is_one_line_along_the_bars(qtbot):
    """Past BAR_LIMIT layers the timeline draws one staircase line (a bar each took 0.3 s to
    draw at 100,000 layers): layer l from its start to its end at height l."""
    import pyqtgraph as pg

    from engine import ArraySpec
    from engine.chip_needs import LayerNeeds
    from app.widgets.chart_axes import BAR_LIMIT
    from app.widgets.chip_timeline import ChipTimelinePlot

    n = BAR_LIMIT + 7
    rng = np.random.default_rng(3)
    needs = LayerNeeds("vw-sdk", ArraySpec(64, 64), tuple(f"l{i}" for i in range(n)), rng.integers(1, 4, n),
                       rng.integers(1, 500, n), rng.integers(1, 64, n))
    report = allocate(needs, ChipSpec(arrays=int(needs.tiles.sum()) + 50))
    win = pg.GraphicsLayoutWidget()
    qtbot.addWidget(win)
    plot = ChipTimelinePlot()
    win.addItem(plot)
    plot.show_report(report)
    assert plot.bars is None and plot.staircase is not None
    x, y = plot.staircase.xData, plot.staircase.yData
    starts = np.concatenate([[0], np.cumsum(report.cycles)[:-1]])
    assert (x[0::2] == starts).all() and (x[1::2] == starts + report.cycles).all()
    assert (y[0::2] == np.arange(n)).all() and (y[1::2] == np.arange(n)).all()
    assert x[-1] == report.latency_cycles
    small = allocate(LayerNeeds("vw-sdk", ArraySpec(64, 64), ("a", "b"), np.array([1, 2]), np.array([5, 9]),
                                np.array([3, 4])), ChipSpec(arrays=10))
    plot.show_report(small)
    assert plot.staircase is None and list(plot.bars.opts["width"]) == small.cycles.astype(float).tolist()
