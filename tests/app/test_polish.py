"""What a user expects around the numbers: shortcuts, tooltips, copy/export, About, text size."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeySequence

from app import text_size
from app.about import about_text
from app.models.result_rows import COLUMNS
from app.results_export import export_results_csv
from app.widgets.inspector import PLAN_ROWS
from engine import __version__

from .conftest import wait_for_charts


def run_and_wait(qtbot, w):
    with qtbot.waitSignal(w.mapping.result_ready, timeout=10000):
        w.mapping.run()
    wait_for_charts(qtbot, w)


def test_keyboard_shortcuts(open_app_window):
    w = open_app_window("vgg13-paper")
    expected = {"new": QKeySequence.New, "open": QKeySequence.Open, "save": QKeySequence.Save,
                "run": "F5", "cancel": "Esc"}
    for name, key in expected.items():
        assert w.commands[name].shortcut() == QKeySequence(key), name
    assert w.commands["open"].shortcut().toString() == "Ctrl+O"
    assert w.commands["save"].shortcut().toString() == "Ctrl+S"
    assert w.commands["new"].shortcut().toString() == "Ctrl+N"


def test_f5_runs_and_esc_is_only_live_while_busy(qtbot, open_app_window):
    w = open_app_window("vgg13-paper")
    qtbot.waitUntil(lambda: w.mapping.result is not None and not w.mapping.slot.busy, timeout=5000)
    assert not w.commands["cancel"].isEnabled()  # idle: Esc stays with editors and dialogs
    with qtbot.waitSignal(w.mapping.result_ready, timeout=10000):
        w.commands["run"].trigger()


def test_every_metric_has_a_plain_words_tooltip(open_app_window):
    w = open_app_window("vgg13-paper")
    model = w.results_model
    for i, col in enumerate(COLUMNS):
        if col.key not in ("layer", "method"):
            tip = model.headerData(i, Qt.Horizontal, Qt.ToolTipRole)
            assert tip and len(tip.split()) >= 8, col.key
    for title, key, _ in PLAN_ROWS:
        assert len(w.inspector.values[key].toolTip().split()) >= 8, title


def test_copy_and_export(qtbot, open_app_window, tmp_path):
    w = open_app_window("vgg13-paper")
    run_and_wait(qtbot, w)
    w.results_table.copy_to_clipboard()
    text = QGuiApplication.clipboard().text()
    assert text.splitlines()[0].split("\t")[:3] == ["layer", "method", "cycles"]
    assert "Total\tvw-sdk\t77102" in text
    out = tmp_path / "results.csv"
    assert export_results_csv(w, w.results_table, str(out))
    assert "Total,vw-sdk,77102," in out.read_text()
    assert "Exported 33 rows" in w.statusBar().currentMessage()


def test_about_names_the_version():
    assert f"XbarScope {__version__}" in about_text()


def test_text_size_steps_and_is_remembered(open_app_window):
    open_app_window("vgg13-paper")
    start = text_size.current_points()
    assert text_size.step(+2) == start + 2
    assert QGuiApplication.font().pointSizeF() == start + 2
    assert text_size.current_points() == start + 2
    text_size.apply_points(start)


def test_comparison_chart_log_toggle(qtbot, open_app_window):
    w = open_app_window("vgg13-paper")
    run_and_wait(qtbot, w)
    chart = w.comparison.widget
    assert chart.count_axis.log_values
    chart.log_scale.setChecked(False)
    assert not chart.count_axis.log_values and w.view_prefs["log_scale"] is False
    assert len(chart.cycles_plot.items) >= 3  # one bar series per method
