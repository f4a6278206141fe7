"""The issue's "done when" list, driven through the real main window."""
from __future__ import annotations

from PySide6.QtCore import QPointF, Qt, QTimer

from app.models.layer_rows import COLUMN_INDEX


def run_and_wait(qtbot, w, timeout=10000):
    with qtbot.waitSignal(w.mapping.result_ready, timeout=timeout):
        assert w.mapping.run()
    return w.mapping.result


def edit_cell(w, row, key, text):
    model = w.layer_model
    assert model.setData(model.index(row, COLUMN_INDEX[key]), text, Qt.EditRole)


def test_vgg13_paper_total_is_77102(qtbot, open_app_window):
    w = open_app_window("vgg13-paper")
    run_and_wait(qtbot, w)
    cell = w.results_table.cell_text("Total", "VW-SDK", "cycles")
    assert cell.replace(",", "") == "77102"
    assert w.results_table.cell_text("Total", "SDK", "cycles") == "114,697"
    assert w.results_table.cell_text("Total", "im2col", "cycles") == "243,736"
    assert w.central.totals.cards["vw-sdk"].value.text() == "77,102"
    assert "3.16× vs im2col" in w.central.totals.cards["vw-sdk"].detail.text()


def test_editing_channels_changes_the_result(qtbot, open_app_window):
    w = open_app_window("vgg13-paper")
    run_and_wait(qtbot, w)
    before = w.results_table.cell_text("conv1_2", "VW-SDK", "cycles")
    with qtbot.waitSignal(w.mapping.result_ready, timeout=5000):  # small job: re-runs by itself
        edit_cell(w, 1, "in_c", "128")
    after = w.results_table.cell_text("conv1_2", "VW-SDK", "cycles")
    assert before == "24,642" and after != before
    assert w.mapping.result.request.layers[1].in_c == 128
    assert w.windowTitle().endswith("— XbarScope") and w.isWindowModified()


def test_kernel_larger_than_ifm_shows_the_error_and_disables_run(qtbot, open_app_window):
    w = open_app_window("vgg13-paper")
    run_and_wait(qtbot, w)
    edit_cell(w, 9, "kernel", "17")  # conv5_2 has a 14x14 input
    cell = w.layer_model.index(9, COLUMN_INDEX["kernel"])
    assert "kernel height 17 is larger than the padded input height 14" in cell.data(Qt.ToolTipRole)
    assert cell.data(Qt.BackgroundRole) is not None
    assert not w.run_bar.run_button.isEnabled()
    assert not w.commands["run"].isEnabled()
    assert "row 10" in w.run_bar.reason.text() and "kernel height 17" in w.run_bar.reason.text()
    assert w.results_model.stale  # old numbers stay visible, greyed
    assert not w.mapping.run()
    edit_cell(w, 9, "kernel", "3")
    assert w.run_bar.run_button.isEnabled() and w.run_bar.reason.text() == ""


def test_long_sweep_cancels_fast_and_the_event_loop_keeps_running(qtbot, open_app_window):
    w = open_app_window("vgg13-paper")
    ticks = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    try:
        # About a thousand array sizes: tens of thousands of layer mappings, many seconds of work.
        sizes = range(64, 4097, 4)
        assert w.sweeps.start(w.layer_model.layers(), w.array_editor.spec(), ("im2col", "sdk", "vw-sdk"), sizes)
        qtbot.waitUntil(lambda: len(ticks) >= 20, timeout=5000)  # GUI timers fire during the job
        assert w.sweeps.slot.busy, "the sweep finished too soon to test cancelling it"
        assert w.commands["cancel"].isEnabled()
        with qtbot.waitSignal(w.sweeps.slot.cancelled, timeout=500):  # "a fraction of a second"
            w.commands["cancel"].trigger()
        qtbot.waitUntil(lambda: not w.sweeps.slot.busy, timeout=500)
    finally:
        timer.stop()
    assert w.sweep_panel.widget.run_button.isEnabled()
    assert w.statusBar().currentMessage() == "Sweep cancelled"


def test_sweep_plots_every_method(qtbot, open_app_window):
    w = open_app_window("resnet18-paper")
    with qtbot.waitSignal(w.sweeps.slot.result, timeout=20000):
        w.commands["sweep"].trigger()
    text = w.sweep_panel.widget.series_text()
    assert "VW-SDK: 64:" in text and "4096:" in text


def test_stale_results_are_dropped(qtbot, open_app_window):
    w = open_app_window("resnet18-paper")
    dropped = []
    w.mapping.slot.dropped.connect(dropped.append)
    w.mapping.run()
    edit_cell(w, 0, "out_c", "32")  # before the first answer arrives
    qtbot.waitUntil(lambda: w.mapping.result is not None
                    and w.mapping.result.request.layers[0].out_c == 32, timeout=5000)
    assert all(r.request.layers[0].out_c == 64 for r in dropped)
    assert "dropped" not in w.statusBar().currentMessage()  # silent: it could hide an error


def test_errors_name_the_layer_in_the_status_bar(qtbot, open_app_window):
    from engine.errors import XbarError

    w = open_app_window("resnet18-paper")
    # Let the start-up job finish first: its late result would overwrite the status message.
    run_and_wait(qtbot, w)
    w.mapping.debounce.stop()

    def failing(request, progress, should_stop):
        raise XbarError("layer 'conv3', method vw-sdk: something the engine refused")

    w.mapping.slot.fn = failing
    with qtbot.waitSignal(w.mapping.slot.failed, timeout=2000):
        w.mapping.run()
    assert "layer 'conv3'" in w.statusBar().currentMessage()
    assert "Traceback" not in w.statusBar().currentMessage()


def test_selecting_a_result_row_selects_layer_and_method(qtbot, open_app_window):
    w = open_app_window("vgg13-paper")
    run_and_wait(qtbot, w)
    seen = []
    w.selection.changed.connect(seen.append)
    table = w.results_table.table
    target = next(r for r in range(w.results_table.proxy.rowCount())
                  if w.results_table.proxy.index(r, 0).data() == "conv3_1"
                  and w.results_table.proxy.index(r, 1).data() == "SDK")
    table.setCurrentIndex(w.results_table.proxy.index(target, 2))
    sel = seen[-1]
    assert (sel.layer.name, sel.method, sel.what_if) == ("conv3_1", "sdk", False)
    assert sel.plan.cycles == 8748
    assert "conv3_1 · SDK · optimal plan" in w.central.crossbar.text.text()
    assert w.inspector.values["cycles"].text() == "8,748"
    assert w.layer_editor.table.currentIndex().row() == 4


def test_design_space_click_shows_a_labelled_what_if_plan(qtbot, open_app_window):
    w = open_app_window("resnet18-paper")
    run_and_wait(qtbot, w)
    with qtbot.waitSignal(w.design.slot.result, timeout=5000):
        w.selection.select(3, "vw-sdk")  # 14x14x256 layer: optimum 3x4 pixels, 504 cycles
    view = w.design_panel.widget
    assert "optimum 1×2 windows, 504 cycles" in view.title.text()
    assert view.describe(1, 2).startswith("1 × 2 windows (3 × 4 pixels): 504 cycles · ICt 42")
    w.design_dock.raise_()
    qtbot.waitUntil(lambda: view.plot.vb.width() > 50, timeout=2000)
    view._mouse_moved(view.plot.vb.mapViewToScene(QPointF(2.2, 0.9)))  # hover: x is nw, y is nh
    assert view.hover.text().startswith("1 × 2 windows (3 × 4 pixels): 504 cycles")
    view.candidate_clicked.emit(2, 2)
    sel = w.selection.current
    assert sel.what_if and (sel.plan.nh, sel.plan.nw) == (2, 2)
    assert not w.inspector.what_if.isHidden()
    assert "what-if plan (not the optimum)" in w.central.crossbar.text.text()
    w.inspector.back_to_optimum.emit()
    assert not w.selection.current.what_if and w.inspector.what_if.isHidden()


def test_method_checkboxes_filter_the_views_without_remapping(qtbot, open_app_window):
    w = open_app_window("vgg13-paper")
    run_and_wait(qtbot, w)
    w.array_editor.method_boxes["im2col"].setChecked(False)
    methods = {w.results_model.rows[i].method for i in range(len(w.results_model.rows))}
    assert methods == {"sdk", "vw-sdk"} and not w.mapping.debounce.isActive()
    assert set(w.central.totals.cards) == {"sdk", "vw-sdk"}
    for box in w.array_editor.method_boxes.values():
        box.setChecked(False)
    assert "choose at least one method" in w.run_bar.reason.text()


def test_array_size_buttons_and_invalid_bits(qtbot, open_app_window):
    w = open_app_window("vgg13-paper")
    run_and_wait(qtbot, w)
    with qtbot.waitSignal(w.mapping.result_ready, timeout=5000):
        w.array_editor.findChild(type(w.run_bar.run_button), "size256").click()
    assert w.mapping.result.request.array.rows == 256
    w.array_editor.cell_bits.setValue(4)  # 4-bit cells, 1-bit weights: the engine refuses
    assert "weight bits (1) must be at least the cell bits (4)" in w.run_bar.reason.text()
    assert w.array_editor.cell_bits.property("invalid") is False
    assert w.array_editor.weight_bits.property("invalid") is True
    assert not w.run_bar.run_button.isEnabled()
