"""How long the GUI thread could not react: the largest gap between ticks of a 10 ms timer.

Used by the GUI-stall test and bench/gui_stalls.py while long work runs in the real window.
"""
from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QTimer


class GapMeter:
    """`with GapMeter() as g: ...` then `g.worst` is the largest tick interval in ms."""

    def __init__(self, interval_ms: int = 10):
        self.clock = QElapsedTimer()
        self.timer = QTimer()
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.worst = 0.0
        self.last = 0.0
        self.ticks = 0

    def _tick(self) -> None:
        now = self.clock.nsecsElapsed() / 1e6
        self.worst = max(self.worst, now - self.last)
        self.last = now
        self.ticks += 1

    def __enter__(self) -> "GapMeter":
        self.clock.start()
        self.last, self.worst, self.ticks = 0.0, 0.0, 0
        self.timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self.timer.stop()
