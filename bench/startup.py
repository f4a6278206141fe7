"""Startup time of the desktop app: process start to a shown and painted main window.

Runs `xbarscope --network vgg13-paper` (the real entry point, app.main.main) in a fresh
subprocess several times and prints the median. Two figures per run:

- window: the main window is shown and has painted once (what the user first sees);
- charts: the pyqtgraph panels, built right after that first paint, are ready;
- results: the first mapping result is on screen.

Usage: python bench/startup.py [--runs N] [--network NAME]
Without a display the runs use QT_QPA_PLATFORM=offscreen.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

CHILD = r"""
import sys, time
T0 = float(sys.argv[1])
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

def mark(name):
    print(f"{name} {time.time() - T0:.4f}", flush=True)

class FirstPaint(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window, self.seen = window, False
    def eventFilter(self, obj, event):
        if not self.seen and event.type() == QEvent.Paint and self.window.isVisible():
            self.seen = True
            mark("window")
        return False

import app.startup as startup
real_open = startup.open_window

def open_window(*args, **kwargs):
    # The filter must be in place before show(): wrap MainWindow.show for this one call.
    from app.main_window import MainWindow
    real_show = MainWindow.show
    def show(self):
        watcher = FirstPaint(self)
        self.installEventFilter(watcher)
        self.charts_ready.connect(lambda: mark("charts"))
        self.mapping.result_ready.connect(lambda r: (mark("results"), QTimer.singleShot(0, self.quit_for_bench)))
        real_show(self)
    MainWindow.show = show
    MainWindow.quit_for_bench = lambda self: (self.project.mark_clean(), self.close(), QApplication.quit())
    try:
        return real_open(*args, **kwargs)
    finally:
        MainWindow.show = real_show

startup.open_window = open_window
from app.main import main
sys.exit(main(sys.argv[2:]))
"""


def one_run(network: str, env: dict) -> dict[str, float]:
    t0 = time.time()
    done = subprocess.run([sys.executable, "-c", CHILD, repr(t0), "--network", network],
                          capture_output=True, text=True, env=env, timeout=120)
    marks = {}
    for line in done.stdout.splitlines():
        name, _, value = line.partition(" ")
        if name in ("window", "charts", "results"):
            marks.setdefault(name, float(value))
    if "window" not in marks:
        raise SystemExit(f"the app did not show its window:\n{done.stderr[-2000:]}")
    return marks


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--network", default="vgg13-paper")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as home:
        # A private home: no saved layout, no recovery prompt, the user's settings untouched.
        env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=f"{home}/config", XDG_DATA_HOME=f"{home}/data")
        if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
            env.setdefault("QT_QPA_PLATFORM", "offscreen")
        one_run(args.network, env)  # warm the file cache; not counted
        runs = [one_run(args.network, env) for _ in range(args.runs)]
    platform = env.get("QT_QPA_PLATFORM", "default")
    print(f"xbarscope startup, {args.runs} runs, network {args.network}, platform {platform}, "
          f"{os.cpu_count()} CPUs")
    for name in ("window", "charts", "results"):
        values = [r[name] for r in runs if name in r]
        if values:
            print(f"  {name:8s} median {statistics.median(values):.3f} s   "
                  f"(min {min(values):.3f}, max {max(values):.3f})")
    print("window = process start to the main window shown and painted")
    return 0


if __name__ == "__main__":
    sys.exit(main())
