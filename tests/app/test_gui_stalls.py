"""The window keeps reacting while long work runs (issues 13 and 18): a 10 ms timer on the GUI
thread records its largest gap while resnet50-sized jobs run in the real window.

This is the one place where a test measures time, as the issues ask: a job that ran on the GUI
thread (or a result shown by a slow loop) freezes the window for hundreds of milliseconds, far
above the 100 ms allowed. Each job runs three times and the smallest of its worst gaps counts:
work done on the GUI thread freezes every run, while a hiccup of a loaded machine (another
process taking the CPU) seldom hits all three.
"""
from __future__ import annotations

import pytest

from app.gap_meter import GapMeter
from engine.formats import save_network
from engine.methods import METHODS
from engine.presets import load_preset

LIMIT_MS = 100
RUNS = 3


def _run(qtbot, done, meter, timeout_ms=60000):
    qtbot.waitUntil(done, timeout=timeout_ms)
    for _ in range(5):  # what the result's arrival queued: repaints, charts
        qtbot.wait(10)
    assert meter.ticks > 0


@pytest.fixture
def window(open_app_window, qtbot):
    w = open_app_window("resnet50", size=(1600, 1000))
    qtbot.waitUntil(lambda: w.mapping.result is not None, timeout=30000)
    qtbot.wait(200)  # let the first result's repaints settle
    return w


def test_mapping_resnet50_with_every_method_never_stalls_the_window(window, qtbot):
    w = window
    w.array_editor.set_methods(tuple(METHODS))
    gaps = []
    for _ in range(RUNS):
        w.mapping.result = None  # shown again each time, as a new result is
        with GapMeter() as g:
            w.mapping.run()
            _run(qtbot, lambda: not w.mapping.slot.busy and w.mapping.result is not None
                 and len(w.mapping.result.request.methods) == len(METHODS), g)
        gaps.append(g.worst)
    assert w.results_model.rowCount() == len(w.mapping.result.plans) * len(METHODS) + len(METHODS)
    assert min(gaps) < LIMIT_MS, f"the window froze {min(gaps):.0f} ms (at best of {RUNS}) mapping and showing resnet50"


def test_importing_and_opening_resnet50_never_stall_the_window(window, qtbot, tmp_path):
    w = window
    layers = tmp_path / "resnet50.csv"
    save_network(load_preset("resnet50"), layers)
    w.mapping.auto_run = False  # the import alone
    for how in ("import", "open"):
        gaps = []
        for _ in range(RUNS):
            w.project.mark_clean()
            with GapMeter() as g:
                getattr(w.project, "import_file" if how == "import" else "open")(str(layers))
                _run(qtbot, lambda: not w.project.importer.slot.busy, g)
            gaps.append(g.worst)
            assert w.layer_model.rowCount() == len(load_preset("resnet50").layers)
        assert min(gaps) < LIMIT_MS, f"the window froze {min(gaps):.0f} ms (at best of {RUNS}) in File > {how}"


def test_a_200_cycle_gif_export_never_stalls_the_window(window, qtbot, tmp_path):
    from app.crossbar.animation_dialog import AnimationOptions

    w = window
    view = w.central.crossbar
    qtbot.waitUntil(lambda: getattr(view, "panel", None) is not None and view.panel.cycles is not None,
                    timeout=30000)
    assert view.panel.cycles.total >= 200
    gaps = []
    for i in range(RUNS):
        path = tmp_path / f"play{i}.gif"
        request = view.exports.animation_request(str(path), AnimationOptions(0, 199, 1, 10, 640, 360))
        with GapMeter() as g:
            view.exports.start(request)
            _run(qtbot, lambda: not view.exports.slot.busy, g)
        gaps.append(g.worst)
        assert path.stat().st_size > 0
    assert min(gaps) < LIMIT_MS, f"the window froze {min(gaps):.0f} ms (at best of {RUNS}) exporting a GIF"
