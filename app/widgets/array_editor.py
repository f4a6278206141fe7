"""The array spec editor: rows, columns, bits, common sizes one click away, and the methods."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QGridLayout, QHBoxLayout, QLabel, QPushButton, QSpinBox,
                               QVBoxLayout, QWidget)

from engine import ArraySpec
from engine.errors import ArrayError
from engine.methods import DEFAULT_METHODS

from app import method_style

COMMON_SIZES = (64, 128, 256, 512, 1024)
MAX_SIDE = 1 << 16


class ArrayEditor(QWidget):
    """Emits `changed` on every edit; `spec()` is None while the values are invalid."""

    changed = Signal()

    def __init__(self, methods: dict[str, str], parent=None):
        super().__init__(parent)
        self._error: str | None = None
        self.rows = self._spin(1, MAX_SIDE, 512, "Rows (word lines): inputs per array")
        self.cols = self._spin(1, MAX_SIDE, 512, "Columns (bit lines): outputs per array")
        self.cell_bits = self._spin(1, 32, 1, "Bits one memory cell stores")
        self.weight_bits = self._spin(1, 32, 1, "Bits of one weight; a weight takes "
                                      "ceil(weight bits / cell bits) adjacent columns")

        sizes = QHBoxLayout()
        sizes.setSpacing(4)
        for n in COMMON_SIZES:
            b = QPushButton(str(n))
            b.setObjectName(f"size{n}")
            b.setToolTip(f"Set the array to {n} × {n}")
            b.clicked.connect(lambda _=False, n=n: self.set_size(n, n))
            # As narrow as the longest size needs (a push button asks for 80 px): the five fit a slim dock.
            b.setMinimumWidth(b.fontMetrics().horizontalAdvance("1024") + 2 * b.fontMetrics().averageCharWidth())
            sizes.addWidget(b)

        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        grid.addWidget(QLabel("Rows"), 0, 0)
        grid.addWidget(self.rows, 0, 1)
        grid.addWidget(QLabel("× cols"), 0, 2)
        grid.addWidget(self.cols, 0, 3)
        grid.addLayout(sizes, 1, 0, 1, 4)
        grid.addWidget(QLabel("Cell bits"), 2, 0)
        grid.addWidget(self.cell_bits, 2, 1)
        grid.addWidget(QLabel("Weight bits"), 3, 0)  # a row of its own: the panel fits a slim column
        grid.addWidget(self.weight_bits, 3, 1)
        self.error_label = QLabel()
        self.error_label.setObjectName("errorText")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        grid.addWidget(self.error_label, 4, 0, 1, 4)

        self.method_boxes: dict[str, QCheckBox] = {}
        methods_grid = QGridLayout()
        grid.addWidget(QLabel("Methods"), 5, 0, Qt.AlignTop)
        for i, name in enumerate(method_style.ordered(methods)):  # one fixed order, whatever the registry's
            box = QCheckBox(method_style.label(name))
            box.setToolTip(methods[name])
            box.setChecked(name in DEFAULT_METHODS)  # the published three; newer ones on demand
            box.setStyleSheet(f"QCheckBox {{ color: {method_style.color(name)}; font-weight: 700; }}")
            box.toggled.connect(self.changed)
            self.method_boxes[name] = box
            methods_grid.addWidget(box, i // 2, i % 2)  # two a row: fits a slim dock column
        grid.addLayout(methods_grid, 5, 1, 1, 3)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 4, 6, 4)
        lay.addLayout(grid)
        lay.addStretch(1)
        self._validate()

    def _spin(self, lo, hi, value, tip) -> QSpinBox:
        s = QSpinBox()
        s.setRange(lo, hi)
        s.setValue(value)
        s.setToolTip(tip)
        s.setProperty("tip", tip)
        s.setGroupSeparatorShown(True)
        s.setAlignment(Qt.AlignRight)
        s.setKeyboardTracking(False)  # one change per finished number, not per digit
        s.valueChanged.connect(self._validate)
        return s

    def _validate(self) -> None:
        try:
            ArraySpec(self.rows.value(), self.cols.value(), self.cell_bits.value(), self.weight_bits.value())
            self._error, field = None, None
        except ArrayError as e:
            self._error, field = str(e), e.field
        spin = {"rows": self.rows, "cols": self.cols, "cell_bits": self.cell_bits,
                "weight_bits": self.weight_bits}
        for name, s in spin.items():
            bad = name == field
            s.setProperty("invalid", bad)
            s.setToolTip(self._error if bad else s.property("tip"))
            s.style().unpolish(s)
            s.style().polish(s)
        self.error_label.setText(self._error or "")
        self.error_label.setVisible(self._error is not None)
        self.changed.emit()

    # --- values ----------------------------------------------------------------------
    def spec(self) -> ArraySpec | None:
        if self._error:
            return None
        return ArraySpec(self.rows.value(), self.cols.value(), self.cell_bits.value(), self.weight_bits.value())

    def error(self) -> str | None:
        return self._error

    def set_size(self, rows: int, cols: int) -> None:
        self.set_spec(ArraySpec(rows, cols, min(self.cell_bits.value(), self.weight_bits.value()),
                                self.weight_bits.value()))

    def set_spec(self, spec: ArraySpec) -> None:
        """Set all four values with one `changed` signal."""
        spins = (self.rows, self.cols, self.cell_bits, self.weight_bits)
        for s in spins:
            s.blockSignals(True)
        self.rows.setValue(spec.rows)
        self.cols.setValue(spec.cols)
        self.cell_bits.setValue(spec.cell_bits)
        self.weight_bits.setValue(spec.weight_bits)
        for s in spins:
            s.blockSignals(False)
        self._validate()

    def methods(self) -> tuple[str, ...]:
        return method_style.ordered(m for m, b in self.method_boxes.items() if b.isChecked())

    def set_methods(self, methods) -> None:
        for m, b in self.method_boxes.items():
            b.blockSignals(True)
            b.setChecked(m in methods)
            b.blockSignals(False)
        self.changed.emit()
