"""The crossbar view inside the main window, and `xbarscope --screenshot` of a crossbar state."""
from __future__ import annotations

import json

from PySide6.QtGui import QImage

from app.crossbar.view import CrossbarView

from .test_command_line import run_app


def run_and_wait(qtbot, w):
    with qtbot.waitSignal(w.mapping.result_ready, timeout=20000):
        assert w.mapping.run()


def test_the_window_shows_the_selected_plan_in_the_crossbar(qtbot, open_app_window):
    w = open_app_window("vgg13-paper")
    view = w.central.crossbar
    assert isinstance(view, CrossbarView)  # swapped in with the charts, after the first paint
    run_and_wait(qtbot, w)
    w.selection.select(4, "sdk")
    assert view.panel.plan is w.selection.current.plan and view.playback.total == 8748
    assert "5. conv3_1 · SDK · optimal plan" in view.text.text()
    view.set_cycle(100)
    view.panel.set_pin((3, 5))
    info = view.panel.current_info()
    assert (info.row, info.col) == (3, 5)
    assert "pinned" in w.inspector.cell.title.text()
    assert w.inspector.cell.values["Row"].text().startswith(f"input channel {info.channel}")
    # Compare mode takes the other method's plan from the mapping result.
    view.set_comparing(True)
    assert view.compare.sides[1].panel.plan is w.mapping.result.plans[4]["vw-sdk"]


def test_presentation_mode_from_the_window(qtbot, open_app_window):
    w = open_app_window("vgg13-paper")
    run_and_wait(qtbot, w)
    w.commands["presentation"].trigger()
    assert w.presentation.active and w.isFullScreen()
    assert not w.network_dock.isVisible() and not w.results_dock.isVisible() and not w.central.totals.isVisible()
    w.commands["presentation"].trigger()
    assert not w.presentation.active and w.network_dock.isVisible() and w.central.totals.isVisible()


def test_cell_map_export_from_the_file_menu(qtbot, open_app_window, dialog_script, tmp_path):
    w = open_app_window("vgg13-paper")
    run_and_wait(qtbot, w)
    w.selection.select(0, "vw-sdk")
    dialog_script.save_path = str(tmp_path / "cells.json")
    view = w.central.crossbar
    with qtbot.waitSignal(view.exports.done, timeout=20000):
        w.commands["export_json_cells"].trigger()
    doc = json.loads((tmp_path / "cells.json").read_text())
    assert doc["method"] == "vw-sdk" and len(doc["rows"]) == 90 and len(doc["columns"]) == 512


def test_screenshot_of_a_crossbar_state(tmp_path):
    out = tmp_path / "grid.png"
    done = run_app(tmp_path, "--screenshot", str(out), "--network", "vgg13-paper", "--layer", "2",
                   "--method", "sdk", "--cycle", "30", "--color-mode", "ic", "--zoom", "0,0,16",
                   "--size", "1200x800")
    assert done.returncode == 0, done.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1200, 800)


def test_screenshot_flags_fail_in_words(tmp_path):
    cases = [
        (["--cycle", "99999"], "--cycle 99999 is outside 0…12320"),
        (["--layer", "11"], "--layer 11: the network has 10 layers"),
        (["--color-mode", "rainbow"], "--color-mode: 'rainbow' is not one of copy, ic, oc, element, bit, weight"),
        (["--zoom", "1,2"], "--zoom: '1,2' is not ROW,COL,SIZE"),
        (["--method", "nope"], "unknown method 'nope'"),
    ]
    for flags, message in cases:
        done = run_app(tmp_path, "--screenshot", str(tmp_path / "x.png"), "--network", "vgg13-paper",
                       "--method", "sdk", *flags) if "--method" not in flags else \
            run_app(tmp_path, "--screenshot", str(tmp_path / "x.png"), "--network", "vgg13-paper", *flags)
        assert done.returncode == 2, (flags, done.stderr)
        assert message in done.stderr and "Traceback" not in done.stderr, (flags, done.stderr)
    done = run_app(tmp_path, "--cycle", "3")
    assert done.returncode == 2 and "go with --screenshot" in done.stderr


def test_screenshot_of_a_compressed_plan_with_its_skipped_rows(tmp_path):
    out = tmp_path / "dense.png"
    done = run_app(tmp_path, "--screenshot", str(out), "--network", "vgg13-paper", "--methods", "sdk,pairs",
                   "--layer", "2", "--method", "pairs", "--compressed-view", "dense", "--size", "1200x800")
    assert done.returncode == 0, done.stderr
    assert (QImage(str(out)).width(), QImage(str(out)).height()) == (1200, 800)
    done = run_app(tmp_path, "--screenshot", str(out), "--network", "vgg13-paper", "--method", "pairs",
                   "--compressed-view", "squashed")
    assert done.returncode == 2 and "compressed view 'squashed' is not one of repacked, dense" in done.stderr
    done = run_app(tmp_path, "--screenshot", str(out), "--network", "vgg13-paper", "--method", "vw-sdk",
                   "--compressed-view", "dense")
    assert done.returncode == 2 and "--compressed-view: the vw-sdk plan is not compressed" in done.stderr
