"""A dock's content that is built after the window is on screen.

pyqtgraph takes about a second to import on these machines; the charts need it, the
first look at the window does not. Calls made before the real widget exists are kept
(the latest per method name) and replayed when it is built.
"""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class LazyPanel(QWidget):
    ready = Signal(object)  # the real widget, once built

    def __init__(self, factory: Callable[[], QWidget], title: str, parent=None):
        super().__init__(parent)
        self._factory = factory
        self.widget: QWidget | None = None
        self._pending: dict[str, tuple] = {}
        self._soon: dict[str, tuple] = {}
        self._soon_timer = QTimer(self)
        self._soon_timer.setSingleShot(True)
        self._soon_timer.setInterval(0)
        self._soon_timer.timeout.connect(self._call_soon_now)
        self._lay = QVBoxLayout(self)
        self._lay.setContentsMargins(0, 0, 0, 0)
        self._loading = QLabel(f"Loading {title}…")
        self._loading.setAlignment(Qt.AlignCenter)
        self._lay.addWidget(self._loading)

    def build(self) -> QWidget:
        if self.widget is None:
            self.widget = self._factory()
            self._lay.removeWidget(self._loading)
            self._loading.deleteLater()
            self._lay.addWidget(self.widget)
            self.ready.emit(self.widget)
            for name, args in self._pending.items():
                getattr(self.widget, name)(*args)
            self._pending.clear()
        return self.widget

    def call(self, name: str, *args) -> None:
        if self.widget is not None:
            getattr(self.widget, name)(*args)
        else:
            self._pending.pop(name, None)  # keep call order: latest call last
            self._pending[name] = args

    def call_soon(self, name: str, *args) -> None:
        """As `call`, on a later turn of the event loop, the latest call per name only: when a
        result arrives the table is shown first and each chart redraws in a turn of its own, so
        no single turn keeps the window from reacting for long."""
        self._soon[name] = args
        self._soon_timer.start()

    def _call_soon_now(self) -> None:
        calls, self._soon = self._soon, {}
        for name, args in calls.items():
            self.call(name, *args)

    def shutdown(self) -> None:
        self._soon_timer.stop()
        self._soon.clear()
