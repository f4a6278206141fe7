"""No stale figure reaches a slide: charts name their network, array and options, and a chart
whose inputs changed is marked out of date until it is recomputed."""
from __future__ import annotations

from PySide6.QtCore import QPointF


from app import method_style
from app.widgets.chart_axes import STALE_PREFIX

from .conftest import wait_for_charts


def _mapped(qtbot, open_app_window, network="resnet18-paper"):
    w = open_app_window(network)
    qtbot.waitUntil(lambda: w.mapping.result is not None and w.mapping.is_current(), timeout=20000)
    w.run_bar.auto_run.setChecked(False)  # edits leave the charts as they are: out of date
    wait_for_charts(qtbot, w)
    return w


def _sweep(qtbot, w):
    with qtbot.waitSignal(w.sweeps.slot.result, timeout=30000):
        w.commands["sweep"].trigger()
    return w.sweep_panel.widget


def test_titles_name_the_network_the_array_and_the_bits(qtbot, open_app_window):
    w = _mapped(qtbot, open_app_window)
    for chart in (w.comparison.widget, w.bound_panel.widget):
        text = chart.heading.text()
        assert "resnet18-paper" in text and "512×512 array" in text and "1-bit cells" in text, text
        assert not text.startswith(STALE_PREFIX)
    sweep = _sweep(qtbot, w)
    assert "resnet18-paper" in sweep.heading.text() and "square arrays 64…4,096" in sweep.heading.text()


def test_compression_options_are_named_when_such_a_method_is_shown(qtbot, open_app_window):
    w = _mapped(qtbot, open_app_window)
    w.run_bar.auto_run.setChecked(True)
    with qtbot.waitSignal(w.mapping.result_ready, timeout=30000):
        w.array_editor.method_boxes["pairs"].setChecked(True)
        w.mapping.run()
    # The charts redraw on a later turn of the event loop (LazyPanel.call_soon), not in the signal.
    qtbot.waitUntil(lambda: "PAIRS (" in w.comparison.widget.heading.text(), timeout=5000)


def test_switching_network_marks_the_sweep_out_of_date_until_swept_again(qtbot, open_app_window):
    w = _mapped(qtbot, open_app_window)
    sweep = _sweep(qtbot, w)
    assert not sweep.heading.stale
    w.project.mark_clean()
    w.project.load_preset("vgg13-paper")
    assert sweep.heading.stale and sweep.heading.text().startswith(STALE_PREFIX)
    assert "resnet18-paper" in sweep.heading.text()  # says which network the curves are of
    assert all(item.opacity() < 1 for item in sweep.heading.dim)  # greyed
    assert "out of date" in sweep.note.text()
    _sweep(qtbot, w)
    assert not sweep.heading.stale and "vgg13-paper" in sweep.heading.text()
    assert all(item.opacity() == 1 for item in sweep.heading.dim)


def test_sweep_is_current_again_when_the_inputs_come_back(qtbot, open_app_window):
    w = _mapped(qtbot, open_app_window)
    sweep = _sweep(qtbot, w)
    box = w.array_editor.method_boxes["xbar-opt"]
    box.setChecked(not box.isChecked())
    assert sweep.heading.stale
    box.setChecked(not box.isChecked())
    assert not sweep.heading.stale


def test_sweep_legend_in_method_order(qtbot, open_app_window):
    w = _mapped(qtbot, open_app_window)
    for m in ("xbar-opt", "vw-flat"):
        w.array_editor.method_boxes[m].setChecked(True)
    sweep = _sweep(qtbot, w)
    labels = [label.text for _, label in sweep.legend.items][:-1]  # the bound last
    want = [method_style.label(m) for m in method_style.ORDER if m in w.array_editor.methods()]
    assert labels == want


def test_an_edit_marks_the_mapping_charts_out_of_date_and_a_run_clears_it(qtbot, open_app_window):
    w = _mapped(qtbot, open_app_window)
    w.array_editor.rows.setValue(256)
    for chart in (w.comparison.widget, w.bound_panel.widget):
        assert chart.heading.stale and "512×512 array" in chart.heading.text()
    with qtbot.waitSignal(w.mapping.result_ready, timeout=30000):
        w.mapping.run()
    charts = (w.comparison.widget, w.bound_panel.widget)
    qtbot.waitUntil(lambda: all("256×512 array" in c.heading.text() for c in charts), timeout=5000)  # call_soon
    for chart in charts:
        assert not chart.heading.stale and "256×512 array" in chart.heading.text()


def test_design_space_readout_clears_on_layer_method_and_network_change(qtbot, open_app_window):
    w = _mapped(qtbot, open_app_window)
    view = w.design_panel.widget
    with qtbot.waitSignal(w.design.slot.result, timeout=10000):
        w.selection.select(3, "vw-sdk")
    assert "Design space of" in view.heading.text() and "resnet18-paper" in view.heading.text()
    assert "512×512 array" in view.heading.text()
    w.design_dock.raise_()
    qtbot.waitUntil(lambda: view.plot.vb.width() > 50, timeout=2000)

    def hover():
        view._mouse_moved(view.plot.vb.mapViewToScene(QPointF(2.2, 0.9)))
        assert view.hover.text().strip()

    hover()
    w.selection.select(4, "vw-sdk")  # another layer
    assert not view.hover.text().strip()
    assert view.heading.stale  # until the new layer's space arrives
    qtbot.waitUntil(lambda: not view.heading.stale, timeout=10000)
    hover()
    w.selection.select(4, "sdk")  # another method
    assert not view.hover.text().strip()
    hover()
    w.project.mark_clean()
    w.project.load_preset("vgg13-paper")  # another network
    assert not view.hover.text().strip()
