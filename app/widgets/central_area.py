"""The window's centre: network totals on top, the crossbar view below.

The crossbar view of the next issue replaces `placeholder` via `set_crossbar_view`.
"""
from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.widgets.crossbar_placeholder import CrossbarPlaceholder
from app.widgets.totals_strip import TotalsStrip


class CentralArea(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.totals = TotalsStrip()
        self.crossbar: QWidget = CrossbarPlaceholder()
        self._lay = QVBoxLayout(self)
        self._lay.setContentsMargins(0, 0, 0, 0)
        self._lay.setSpacing(0)
        self._lay.addWidget(self.totals)
        self._lay.addWidget(self.crossbar, 1)

    def set_crossbar_view(self, view: QWidget) -> None:
        """Swap in the real crossbar view; it must have `show_selection(PlanSelection | None)`."""
        self._lay.replaceWidget(self.crossbar, view)
        self.crossbar.deleteLater()
        self.crossbar = view
