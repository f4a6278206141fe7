"""How long the window freezes while long work runs, and how fast Cancel takes effect.

A 10 ms QTimer ticks on the GUI thread while a job runs in the real main window (offscreen);
the largest gap between two ticks is the longest the window could not repaint or react.
Jobs: mapping a network with every method and showing the result, importing a native CSV
of N layers, opening a project, and the cancel latency (Esc until the window is free) of
mapping and importing, and sorting the results table of N layers.

Then (issue 13 item 4): a 200-cycle GIF export of the shown layer, and, with a ~100 MB ONNX
model built for the run: its import, a project that references it opened with File > Open,
and recovery start-up with an autosave that references it; with the cancel latency of the
export and of the model import.

Usage: python bench/gui_stalls.py [--layers 5000,100000] [--network resnet50] [--onnx-mb 100]
      (--onnx-mb 0 skips the model)
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HOME", tempfile.mkdtemp(prefix="xbarscope-bench-"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.gap_meter import GapMeter  # noqa: E402


def run_until(app, done, timeout_s=600.0):
    t0 = time.perf_counter()
    while not done():
        app.processEvents()
        time.sleep(0.001)
        if time.perf_counter() - t0 > timeout_s:
            raise SystemExit("timed out")
    return time.perf_counter() - t0


def csv_file(n: int) -> Path:
    path = Path(tempfile.mkdtemp()) / f"layers-{n}.csv"
    rows = "".join(f"l{i},{16 + i % 64},{16 + i % 32},{8 + i % 24},{8 + i % 40},3,3\n" for i in range(n))
    path.write_text("name,in_h,in_w,in_c,out_c,k_h,k_w\n" + rows)
    return path


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--layers", default="5000,100000")
    p.add_argument("--network", default="resnet50")
    p.add_argument("--onnx-mb", type=float, default=100.0)
    args = p.parse_args()

    from PySide6.QtCore import Qt

    from engine.methods import METHODS
    from app.models.result_rows import COLUMN_INDEX
    from engine.presets import load_preset
    from app.startup import create_application, open_window
    from app.workers import running_job_count

    app = create_application()
    w = open_window(load_preset(args.network), None, (1600, 1000), ephemeral=True)
    w.build_charts()
    run_until(app, lambda: w.mapping.result is not None)
    w.array_editor.set_methods(tuple(METHODS))
    print(f"{'job':<44} {'time':>9} {'largest GUI gap':>16}")
    with GapMeter() as g:
        w.mapping.run()
        t = run_until(app, lambda: not w.mapping.slot.busy and w.mapping.result is not None
                      and len(w.mapping.result.request.methods) == len(METHODS))
        for _ in range(5):
            app.processEvents()
    print(f"{'map + show ' + args.network + f' x {len(METHODS)} methods':<44} {t:8.2f}s {g.worst:13.0f} ms")

    w.mapping.auto_run = False
    w.array_editor.set_methods(("im2col", "sdk", "vw-sdk"))  # the default three for the long lists
    for n in (int(x) for x in args.layers.split(",")):
        path = csv_file(n)
        w.project.mark_clean()  # no "save changes?" question in the way
        with GapMeter() as g:
            w.project.import_file(str(path))
            t = run_until(app, lambda: not w.project.importer.slot.busy)
            for _ in range(5):
                app.processEvents()
        print(f"{f'import a {n:,}-row CSV':<44} {t:8.2f}s {g.worst:13.0f} ms")
        w.project.mark_clean()
        w.project.import_file(str(path))
        run_until(app, lambda: w.project.importer.slot.busy, 5)
        t0 = time.perf_counter()
        w.commands["cancel"].trigger()
        run_until(app, lambda: not w.project.importer.slot.busy)
        print(f"{f'cancel that import':<44} {time.perf_counter() - t0:8.3f}s")
        run_until(app, lambda: running_job_count() == 0)
        print(f"{'  ... the parse itself ran on until':<44} {time.perf_counter() - t0:8.3f}s")
        with GapMeter() as g:
            w.mapping.run()
            t = run_until(app, lambda: not w.mapping.slot.busy)
            for _ in range(5):
                app.processEvents()
        print(f"{f'map + show {n:,} layers x 3 methods':<44} {t:8.2f}s {g.worst:13.0f} ms")
        table = w.results_table.table
        with GapMeter() as g:
            t0 = time.perf_counter()
            table.sortByColumn(COLUMN_INDEX["energy"], Qt.DescendingOrder)
            t = time.perf_counter() - t0
            for _ in range(5):
                app.processEvents()
        print(f"{f'sort the {table.model().rowCount():,}-row results by energy':<44} {t:8.2f}s {g.worst:13.0f} ms")
        table.sortByColumn(-1, Qt.AscendingOrder)
        w.mapping.run()
        time.sleep(0.3)
        t0 = time.perf_counter()
        w.commands["cancel"].trigger()
        run_until(app, lambda: not w.mapping.slot.busy)
        print(f"{f'cancel mapping {n:,} layers':<44} {time.perf_counter() - t0:8.3f}s")
        run_until(app, lambda: running_job_count() == 0)
        print(f"{'  ... the worker stopped after':<44} {time.perf_counter() - t0:8.3f}s")
    export_and_models(app, w, args.onnx_mb)
    w.project.mark_clean()
    w.shutdown()


def _timed(app, start, busy) -> tuple[float, float]:
    """(seconds, largest GUI gap in ms) of a job started by `start` until `busy()` is false."""
    with GapMeter() as g:
        start()
        t = run_until(app, lambda: not busy())
        for _ in range(5):
            app.processEvents()
    return t, g.worst


def _cancel_latency(app, start, busy, cancel, after_s: float = 0.3) -> float:
    start()
    run_until(app, busy, 5)
    time.sleep(after_s)
    t0 = time.perf_counter()
    cancel()
    run_until(app, lambda: not busy())
    return time.perf_counter() - t0


def export_and_models(app, w, onnx_mb: float) -> None:
    import json

    from app import dialogs
    from app.crossbar.animation_dialog import AnimationOptions

    w.project.load_preset("vgg13-paper")
    w.mapping.auto_run = True
    w.array_editor.set_methods(("im2col", "sdk", "vw-sdk"))
    w.mapping.run()
    run_until(app, lambda: not w.mapping.slot.busy and w.mapping.result is not None)
    view = w.central.crossbar
    run_until(app, lambda: view.panel.cycles is not None, 30)
    folder = Path(tempfile.mkdtemp())
    exports = view.exports
    request = exports.animation_request(str(folder / "play.gif"), AnimationOptions(0, 199, 1, 10, 1280, 720))
    t, gap = _timed(app, lambda: exports.start(request), lambda: exports.slot.busy)
    print(f"{'export a 200-cycle GIF (1280x720)':<44} {t:8.2f}s {gap:13.0f} ms")
    t = _cancel_latency(app, lambda: exports.start(request), lambda: exports.slot.busy,
                        w.commands["cancel"].trigger)
    print(f"{'cancel that export':<44} {t:8.3f}s")
    if onnx_mb <= 0:
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from onnx_import import build

    model = build(folder, onnx_mb, external=False)
    size = model.stat().st_size / 2**20
    importer = w.project.importer
    w.project.mark_clean()
    t, gap = _timed(app, lambda: w.project.import_file(str(model)), lambda: importer.slot.busy)
    print(f"{f'import a {size:.0f} MB ONNX model':<44} {t:8.2f}s {gap:13.0f} ms")
    w.project.mark_clean()
    t = _cancel_latency(app, lambda: w.project.import_file(str(model)), lambda: importer.slot.busy,
                        w.commands["cancel"].trigger, 0.01)
    print(f"{'cancel that import':<44} {t:8.3f}s")
    project = folder / "p.xbarscope.json"
    project.write_text(json.dumps({"format": "xbarscope-project", "version": 1, "network_file": model.name,
                                   "array": {"rows": 512, "cols": 512}}))
    w.project.mark_clean()
    t, gap = _timed(app, lambda: w.project.open(str(project)), lambda: importer.slot.busy)
    print(f"{'open a project that references it':<44} {t:8.2f}s {gap:13.0f} ms")
    w.project.recovery.path.parent.mkdir(parents=True, exist_ok=True)
    w.project.recovery.path.write_text(json.dumps({
        "format": "xbarscope-project", "version": 1, "network_file": str(model),
        "array": {"rows": 512, "cols": 512}}))
    dialogs.ask_restore = lambda *a: True
    w.project.mark_clean()
    t, gap = _timed(app, w.project.offer_recovery, lambda: importer.slot.busy)
    print(f"{'recovery start-up, the autosave uses it':<44} {t:8.2f}s {gap:13.0f} ms")


if __name__ == "__main__":
    main()
