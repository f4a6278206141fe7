"""The inspector's "Cell" section: what the hovered or pinned crossbar cell means."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

from .cells import CellInfo

FIELDS = ("Cell", "Row", "Column", "Weight")


class CellPanel(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("cellPanel")
        self.title = QLabel("<b>Crossbar cell</b>")
        self.title.setWordWrap(True)  # the inspector is narrow: never widen it
        self.values: dict[str, QLabel] = {}
        form = QFormLayout(self)
        form.setContentsMargins(0, 4, 0, 0)
        form.addRow(self.title)
        for key in FIELDS:
            label = QLabel("–")
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextSelectableByMouse)
            self.values[key] = label
            form.addRow(key, label)
        self.show_cell(None)

    def show_cell(self, info: CellInfo | None, pinned: bool = False) -> None:
        if info is None:
            self.title.setText("<b>Crossbar cell</b> · hover a cell, click to pin it")
            for label in self.values.values():
                label.setText("–")
            return
        self.title.setText(f"<b>Crossbar cell</b> · {'pinned' if pinned else 'under the mouse'}")
        for key, text in info.fields():
            self.values[key].setText(text.replace(" · ", "\n"))
