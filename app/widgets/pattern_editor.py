"""PAIRS keep patterns drawn as 3x3 grids of toggle cells; add and remove patterns.

A pattern is the engine's 9-character keep mask read row by row ("110110000": the top-left
2x2 block), see engine/compress/patterns.py. Read-only grids show a built-in set.
"""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

PER_ROW = 4  # grids per row: the left dock is narrow
CELL_PX = 15
NEW_PATTERN = "111111111"  # a new pattern starts full: the user clears the cells to prune

_STYLE = """
QToolButton#patternCell { background: #ffffff; border: 1px solid #8d96a3; padding: 0; }
QToolButton#patternCell:checked { background: #0072B2; border-color: #005a8c; }
QToolButton#patternCell:disabled { border-color: #c3cad5; }
QToolButton#patternCell:checked:disabled { background: #8fb4d0; border-color: #8fb4d0; }
QFrame#patternBox[invalid="true"] { border: 2px solid #b3261e; }
"""


class PatternEditor(QWidget):
    """`patterns()` are the masks shown; `changed` on every click, add and remove."""

    changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setStyleSheet(_STYLE)
        self._patterns: list[str] = []
        self.editable = True
        self._bad: int | None = None
        self.grid = QGridLayout()
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(6)
        self.grid.setVerticalSpacing(4)
        self.add_button = QToolButton()
        self.add_button.setObjectName("addPattern")
        self.add_button.setText("+ pattern")
        self.add_button.setToolTip("Add a 3x3 keep pattern (click its cells to clear the weights it prunes)")
        self.add_button.clicked.connect(self.add_pattern)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(self.grid)
        lay.addStretch(1)
        self._boxes: list[QFrame] = []

    # --- values ----------------------------------------------------------------------
    def patterns(self) -> tuple[str, ...]:
        return tuple(self._patterns)

    def set_patterns(self, patterns, editable: bool | None = None) -> None:
        """Show `patterns` (no `changed` signal); `editable` False for a built-in set."""
        self._patterns = [str(p) for p in patterns]
        if editable is not None:
            self.editable = editable
        self._rebuild()

    def set_bad(self, index: int | None) -> None:
        """Outline the pattern the error names (index into `patterns()`), or none."""
        self._bad = index
        for i, box in enumerate(self._boxes):
            box.setProperty("invalid", i == index)
            box.style().unpolish(box)
            box.style().polish(box)

    def add_pattern(self) -> None:
        self._patterns.append(NEW_PATTERN)
        self._rebuild()
        self.changed.emit()

    def remove_pattern(self, index: int) -> None:
        del self._patterns[index]
        self._rebuild()
        self.changed.emit()

    def toggle(self, index: int, cell: int) -> None:
        p = self._patterns[index]
        self._patterns[index] = p[:cell] + ("0" if p[cell] == "1" else "1") + p[cell + 1:]
        self.changed.emit()

    def cell(self, index: int, cell: int) -> QToolButton:
        """The toggle button of cell `cell` (row-major, 0-8) of pattern `index`."""
        return self._boxes[index].findChildren(QToolButton, "patternCell")[cell]

    # --- building --------------------------------------------------------------------
    def _rebuild(self) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item.widget() is not None and item.widget() is not self.add_button:
                item.widget().deleteLater()
        self._boxes = [self._box(i, p) for i, p in enumerate(self._patterns)]
        for i, box in enumerate(self._boxes):
            self.grid.addWidget(box, i // PER_ROW, i % PER_ROW)
        n = len(self._boxes)
        self.grid.addWidget(self.add_button, n // PER_ROW, n % PER_ROW)
        self.add_button.setVisible(self.editable)
        self.set_bad(self._bad if self._bad is not None and self._bad < n else None)

    def _box(self, index: int, pattern: str) -> QFrame:
        box = QFrame()
        box.setObjectName("patternBox")
        cells = QGridLayout()
        cells.setSpacing(1)
        cells.setContentsMargins(0, 0, 0, 0)
        for c, bit in enumerate(pattern):
            b = QToolButton()
            b.setObjectName("patternCell")
            b.setCheckable(True)
            b.setChecked(bit == "1")
            b.setFixedSize(CELL_PX, CELL_PX)
            b.setEnabled(self.editable)
            b.setToolTip(f"Pattern {index + 1}, row {c // 3 + 1}, column {c % 3 + 1}: "
                         "filled = weight kept, empty = pruned")
            b.toggled.connect(lambda _on, i=index, c=c: self.toggle(i, c))
            cells.addWidget(b, c // 3, c % 3)
        head = QHBoxLayout()
        head.setSpacing(2)
        num = QLabel(str(index + 1))
        num.setObjectName("hintText")
        head.addWidget(num)
        head.addStretch(1)
        if self.editable:
            rm = QToolButton()
            rm.setObjectName("removePattern")
            rm.setText("×")
            rm.setAutoRaise(True)
            rm.setToolTip(f"Remove pattern {index + 1}")
            rm.clicked.connect(lambda _=False, i=index: self.remove_pattern(i))
            head.addWidget(rm)
        lay = QVBoxLayout(box)
        lay.setContentsMargins(2, 0, 2, 2)
        lay.setSpacing(1)
        lay.addLayout(head)
        lay.addLayout(cells)
        return box
