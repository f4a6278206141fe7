"""The chip spec (engine.chip.ChipSpec) as spin boxes: the array budget with a slider.

Every edit is checked at once by the engine's own validation; a field it refuses shows the
message next to that field and the last good spec stays in force (the figures keep showing
it), so no value typed here can crash the view. `show_error` marks a field the spec is
refused for later (more columns per ADC than the mapped array has).
"""
from __future__ import annotations

import math
from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QSlider, QSpinBox, QWidget

from engine.chip import ChipError, ChipSpec

from app.widgets.energy_editor import EnergySpinBox

MAX_ARRAYS = 1 << 20  # the view draws every array: a million stays a picture of a few ms
SLIDER_STEPS = 1000
WIDE_PX = 480  # from this width on, two fields a row

# Times in ns: (decimals, maximum). Narrower than the engine's limits (MAX_NS) so the boxes fit a
# slim dock; 1 ms per read and 10 ms per array write are far past any published design.
TIMES = {"t_read_ns": (3, 1e6), "reprogram_ns": (1, 1e7)}

FIELDS = (  # (field, label, suffix, maximum, tooltip); a None maximum: a time in ns (TIMES)
    ("arrays", "Arrays on the chip", "", MAX_ARRAYS,
     "A: identical arrays of the array size set above (example 256). The slider is logarithmic."),
    ("arrays_per_tile", "Arrays per tile", "", 4096,
     "Arrays grouped in one chip tile (like NeuroSim's PEs): for the floorplan and the report (example 8)."),
    ("input_bits", "Input bits", " bit", 32, "Activation precision (example 8)."),
    ("dac_bits", "DAC bits", " bit", 32, "Bits applied per activation per read; 1 is bit-serial (example 1)."),
    ("adc_bits", "ADC bits", " bit", 32, "ADC resolution (example 8); layers that need more are flagged."),
    ("columns_per_adc", "Columns per ADC", "", 1 << 16, "Columns multiplexed onto one ADC (example 8)."),
    ("t_read_ns", "Array read", " ns", None, "Time of one array read, ns (example 10)."),
    ("reprogram_ns", "Array write", " ns", None,
     "Time to write one array's weights, ns; used only when the network does not fit (example 50,000)."),
)


class ChipSpecEditor(QWidget):
    changed = Signal(object)  # a valid ChipSpec, after every accepted edit

    def __init__(self, parent=None):
        super().__init__(parent)
        self._spec = ChipSpec()
        # A further check of an accepted spec (the Chip panel's: it must suit the mapped array);
        # raises ChipError naming the field.
        self.check: Callable[[ChipSpec], None] | None = None
        self._top = 1 << 12  # the slider's right end (set_needed moves it)
        self.spins: dict[str, QSpinBox] = {}
        self.errors: dict[str, QLabel] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 2, 6, 2)
        grid.setVerticalSpacing(2)
        note = QLabel("Chip (example defaults: set your own)")
        note.setObjectName("hintText")
        grid.addWidget(note, 0, 0, 1, 4)
        self._grid, self._cells, self._columns = grid, [], 0
        for field, label, suffix, top, tip in FIELDS:
            s = self._spin(field, suffix, top, tip)
            name = QLabel(label)
            name.setToolTip(tip)
            err = QLabel("")
            err.setObjectName("errorText")
            err.setWordWrap(True)
            err.hide()
            self.errors[field] = err
            self._cells.append((name, s, err))
        self.slider = QSlider(Qt.Horizontal)
        self.slider.setObjectName("chip_arrays_slider")
        self.slider.setRange(0, SLIDER_STEPS)
        self.slider.setToolTip("Array budget, on a logarithmic scale up to 8 times what the network needs")
        self.slider.valueChanged.connect(self._slid)
        self._place(1)
        self._sync_slider()

    def _place(self, columns: int) -> None:
        """The fields one pair a row (a slim dock) or two (a wide one); the budget and its slider
        first; each field's error on the row below it, next to the field."""
        if columns == self._columns:
            return
        self._columns = columns
        grid = self._grid
        for name, s, err in self._cells:
            for widget in (name, s, err):
                grid.removeWidget(widget)
        grid.removeWidget(self.slider)
        for i, (name, s, err) in enumerate(self._cells):
            if columns == 1:
                row, col = 1 + 2 * i + (2 if i else 0), 0
            else:
                row, col = (1, 0) if i == 0 else (3 + 2 * ((i - 1) // 2), 2 * ((i - 1) % 2))
            grid.addWidget(name, row, col)
            grid.addWidget(s, row, col + 1)
            grid.addWidget(err, row + 1, col, 1, 2 if i or columns == 1 else 4)
        if columns == 1:
            grid.addWidget(self.slider, 3, 0, 1, 2)
        else:
            grid.addWidget(self.slider, 1, 2, 1, 2)
        for c in range(4):
            grid.setColumnStretch(c, 1 if c % 2 else 0)

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        self._place(2 if ev.size().width() >= WIDE_PX else 1)

    def _spin(self, field: str, suffix: str, top, tip: str):
        # Qt properties as keywords; keyboardTracking off: one change per finished number.
        props = dict(objectName=f"chip_{field}", suffix=suffix, alignment=Qt.AlignRight, keyboardTracking=False,
                     toolTip=tip)
        if top is None:  # a time in ns
            decimals, most = TIMES[field]
            s = EnergySpinBox(decimals=decimals, minimum=0.0, maximum=most, **props)
        else:
            s = QSpinBox(minimum=1, maximum=top, groupSeparatorShown=True, **props)
        s.setValue(getattr(self._spec, field))
        s.valueChanged.connect(self._edited)
        self.spins[field] = s
        return s

    # --- the spec ----------------------------------------------------------------------------
    def spec(self) -> ChipSpec:
        """The last spec every field accepted (the one the figures show)."""
        return self._spec

    def error(self) -> str | None:
        shown = [e.text() for e in self.errors.values() if e.text()]
        return shown[0] if shown else None

    def set_spec(self, spec: ChipSpec) -> None:
        """Show `spec` (a project opened) without emitting `changed` once per field."""
        self._spec = spec
        for field, s in self.spins.items():
            s.blockSignals(True)
            s.setValue(min(getattr(spec, field), s.maximum()))
            s.blockSignals(False)
        self.clear_errors()
        self._sync_slider()
        self.changed.emit(spec)

    def set_needed(self, arrays_needed: int) -> None:
        """The slider runs from 1 to 8 times the arrays the network needs (or the budget, if larger)."""
        self._top = max(16, min(MAX_ARRAYS, 8 * arrays_needed))
        self._sync_slider()

    def show_error(self, field: str, message: str) -> None:
        self.clear_errors()
        label = self.errors.get(field) or self.errors["arrays"]
        label.setText(message)
        label.show()

    def clear_errors(self) -> None:
        for label in self.errors.values():
            label.setText("")
            label.hide()

    # --- edits -----------------------------------------------------------------------------------
    def _values(self) -> dict:
        return {f: (s.value() if isinstance(s, QSpinBox) else float(s.value())) for f, s in self.spins.items()}

    def _edited(self) -> None:
        try:
            spec = ChipSpec(**self._values())
            if self.check is not None:
                self.check(spec)
        except ChipError as e:
            self.show_error(e.field, str(e).removeprefix(f"chip: {e.field}: "))
            return
        self.clear_errors()
        self._spec = spec
        self._sync_slider()
        self.changed.emit(spec)

    def _slid(self, step: int) -> None:
        top = max(self._top, 1)
        self.spins["arrays"].setValue(max(1, round(top ** (step / SLIDER_STEPS))))

    def _sync_slider(self) -> None:
        top = max(self._top, self.spins["arrays"].value())
        self._top = top
        step = round(SLIDER_STEPS * math.log(self.spins["arrays"].value()) / math.log(top)) if top > 1 else 0
        self.slider.blockSignals(True)
        self.slider.setValue(step)
        self.slider.blockSignals(False)
