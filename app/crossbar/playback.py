"""Cycle playback: a QTimer on the GUI thread stepping a cycle index (pyqtgraph ImageView style).

Speeds run from 1 cycle per second to one cycle per screen refresh. The controller knows
nothing about plans; the view tells it the number of cycles and how to find the next tile
change, and draws whatever cycle it announces.
"""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication

DEFAULT_SPEED = 10.0


def max_speed() -> float:
    """Cycles per second at one cycle per frame: the screen's refresh rate (60 if unknown)."""
    screen = QGuiApplication.primaryScreen()
    rate = screen.refreshRate() if screen is not None else 0.0
    return float(rate) if 1.0 <= rate <= 480.0 else 60.0


class Playback(QObject):
    cycle_changed = Signal(object)  # int; object: cycle counts may exceed 32 bits
    playing_changed = Signal(bool)
    total_changed = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.PreciseTimer)
        self.timer.timeout.connect(self._tick)
        self.total = 0
        self.t = 0
        self.speed = DEFAULT_SPEED
        self.next_change: Callable[[int], int] | None = None  # cycle -> first cycle of the next tile
        self._apply_speed()

    @property
    def playing(self) -> bool:
        return self.timer.isActive()

    def set_total(self, total: int, t: int = 0) -> None:
        self.pause()
        self.total = max(0, int(total))
        self.total_changed.emit(self.total)
        self.t = -1  # announce the cycle even if the index is unchanged: the plan is new
        self.set_cycle(t)

    def set_cycle(self, t: int) -> None:
        if self.total == 0:
            return
        t = min(max(0, int(t)), self.total - 1)
        if t != self.t:
            self.t = t
            self.cycle_changed.emit(t)

    def step(self, n: int = 1) -> None:
        self.set_cycle(self.t + n)

    def to_start(self) -> None:
        self.set_cycle(0)

    def to_end(self) -> None:
        self.set_cycle(self.total - 1)

    def skip_tile(self) -> None:
        """Jump to the first cycle of the next array configuration (the last cycle if none)."""
        if self.next_change is not None:
            self.set_cycle(min(self.next_change(self.t), self.total - 1))

    # --- timer -------------------------------------------------------------------------------
    def set_speed(self, cycles_per_second: float) -> None:
        self.speed = min(max(1.0, float(cycles_per_second)), max_speed())
        self._apply_speed()

    def _apply_speed(self) -> None:
        self.timer.setInterval(max(1, int(1000.0 / self.speed)))  # 60/s: 16 ms, not 17

    def play(self) -> None:
        if self.total == 0 or self.playing:
            return
        if self.t >= self.total - 1:
            self.set_cycle(0)  # play from the start again
        self.timer.start()
        self.playing_changed.emit(True)

    def pause(self) -> None:
        if self.playing:
            self.timer.stop()
            self.playing_changed.emit(False)

    def toggle(self) -> None:
        self.pause() if self.playing else self.play()

    def _tick(self) -> None:
        self.step(1)
        if self.t >= self.total - 1:
            self.pause()
