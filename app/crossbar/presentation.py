"""Presentation mode (F11): full screen, large text, only the grid, the IFM and playback.

Everything the mode hides or changes is remembered and put back when it ends: dock
panels, toolbars, menu and status bars, the totals strip, the text size and whether the
window was maximised. Shortcuts keep working (the window's actions belong to the window,
not to its hidden menus).
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import QDockWidget, QMainWindow, QToolBar

from app import text_size

PRESENTATION_POINTS = 18.0


class Presentation(QObject):
    toggled = Signal(bool)

    def __init__(self, window: QMainWindow, view, hide_also=(), parent=None):
        super().__init__(parent or window)
        self.window, self.view = window, view
        self.hide_also = tuple(hide_also)  # e.g. the network totals above the grid
        self.active = False
        self._saved: dict = {}

    def toggle(self) -> None:
        self.leave() if self.active else self.enter()

    def enter(self, full_screen: bool = True, talk: bool = True) -> None:
        """`talk`: large text and the view's talk layout; without it and without `full_screen`
        the window simply shows the crossbar view alone (--screenshot of a crossbar state)."""
        if self.active:
            return
        w = self.window
        bars = [b for b in w.findChildren(QToolBar) if b.parent() is w]
        docks = [d for d in w.findChildren(QDockWidget) if d.parent() is w]
        self._saved = {
            "state": w.saveState(),
            "maximized": w.isMaximized(),
            "full": w.isFullScreen(),
            "visible": {x: x.isVisible() for x in (*bars, *docks, w.menuBar(), w.statusBar(), *self.hide_also)},
            "font": QFont(QGuiApplication.font()),
        }
        for x in self._saved["visible"]:
            x.hide()
        if talk:
            text_size.apply_points(max(PRESENTATION_POINTS, self._saved["font"].pointSizeF()), remember=False)
            self.view.set_presentation(True)
        if full_screen:
            w.showFullScreen()
        self.active = True
        self.toggled.emit(True)

    def leave(self) -> None:
        if not self.active:
            return
        w, s = self.window, self._saved
        QGuiApplication.setFont(s["font"])
        self.view.set_presentation(False)
        if s["full"]:
            w.showFullScreen()
        elif s["maximized"]:
            w.showMaximized()
        else:
            w.showNormal()
        for x, was_visible in s["visible"].items():
            x.setVisible(was_visible)
        w.restoreState(s["state"])
        self.active = False
        self.toggled.emit(False)
