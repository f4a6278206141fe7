"""Where the crossbar grid view goes (next issue). It already follows the selection.

The real view replaces this widget in `CentralArea` and keeps the same slot:
`show_selection(PlanSelection | None)`, connected to `SelectionModel.changed`.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout

from app import method_style, numbers
from app.selection import PlanSelection


class CrossbarPlaceholder(QFrame):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("crossbarPlaceholder")
        self.selection: PlanSelection | None = None
        self.title = QLabel("Crossbar view")
        self.title.setObjectName("placeholderTitle")
        self.text = QLabel()
        self.text.setObjectName("placeholderText")
        self.text.setWordWrap(True)
        for w in (self.title, self.text):
            w.setAlignment(Qt.AlignCenter)
        lay = QVBoxLayout(self)
        lay.addStretch(1)
        lay.addWidget(self.title)
        lay.addWidget(self.text)
        lay.addStretch(1)
        self.show_selection(None)

    def show_selection(self, selection: PlanSelection | None) -> None:
        self.selection = selection
        if selection is None or selection.plan is None:
            self.text.setText("The cell-by-cell crossbar layout and its cycle playback will appear "
                              "here.\nSelect a result row to choose the layer and method.")
            return
        p = selection.plan
        kind = "what-if plan (not the optimum)" if selection.what_if else "optimal plan"
        self.text.setText(
            f"{selection.layer.name} · {method_style.label(selection.method)} · {kind}\n"
            f"{numbers.dims(p.nh, p.nw)} windows on {numbers.dims(p.pix_h, p.pix_w)} pixels · "
            f"{p.ar} × {p.ac} array tiles · {numbers.count(p.cycles)} cycles\n"
            "(crossbar grid: next release)")
