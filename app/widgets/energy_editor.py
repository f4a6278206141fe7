"""Energy per event, as the user's own values: pJ per ADC conversion, per DAC conversion, per cell MAC.

The defaults are the engine's examples (engine.energy.EnergyModel), not measurements. Changing a
value recomputes the energy figures from the plans already mapped: no re-mapping.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDoubleSpinBox, QGridLayout, QLabel, QPushButton, QWidget

from engine.energy import EnergyModel
from engine.errors import XbarError

FIELDS = (  # (EnergyModel field, label, tooltip)
    ("adc_pj", "ADC",
     "Energy of one analog-to-digital conversion (one column read in one cycle), in picojoules. "
     "Example default: 2 pJ, an 8-bit SAR ADC."),
    ("dac_pj", "DAC",
     "Energy of one digital-to-analog conversion (one row driven in one cycle), in picojoules. "
     "Example default: 0.05 pJ, a 1-bit input driver."),
    ("mac_pj", "Cell MAC",
     "Energy of one analog multiply-accumulate in one memory cell, in picojoules. "
     "Example default: 0.001 pJ."),
)


class EnergySpinBox(QDoubleSpinBox):
    """Four decimals for values such as 0.001 pJ, without trailing zeros ('2 pJ', not '2.0000 pJ')."""

    def textFromValue(self, value: float) -> str:
        text = self.locale().toString(value, "f", self.decimals())
        point = self.locale().decimalPoint()
        return text.rstrip("0").rstrip(point) if point in text else text


class EnergyEditor(QWidget):
    changed = Signal(object)  # the new EnergyModel

    def __init__(self, parent=None):
        super().__init__(parent)
        self._model = EnergyModel()
        self.spins: dict[str, QDoubleSpinBox] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 0, 6, 4)
        title = QLabel("Energy in pJ per ADC conversion, per DAC conversion and per cell MAC "
                       "(example defaults: set your own)")
        title.setWordWrap(True)
        title.setToolTip("Energy proxy = ADC conversions × pJ per ADC conversion + DAC conversions × "
                         "pJ per DAC conversion + MACs × pJ per cell MAC")
        grid.addWidget(title, 0, 0, 1, 4)
        for i, (field, label, tip) in enumerate(FIELDS):
            s = EnergySpinBox()
            s.setObjectName(f"energy_{field}")
            s.setDecimals(4)
            s.setRange(0.0, 1e4)
            s.setSingleStep(0.01 if field != "adc_pj" else 0.1)
            s.setSuffix(" pJ")
            s.setAlignment(Qt.AlignRight)
            s.setKeyboardTracking(False)  # one change per finished number
            s.setToolTip(tip)
            s.setValue(getattr(self._model, field))
            s.valueChanged.connect(self._edited)
            self.spins[field] = s
            lab = QLabel(label)
            lab.setToolTip(tip)
            grid.addWidget(lab, 1 + i // 2, 2 * (i % 2))
            grid.addWidget(s, 1 + i // 2, 2 * (i % 2) + 1)
        reset = QPushButton("Defaults")
        reset.setToolTip("Back to the example energies (2 pJ, 0.05 pJ, 0.001 pJ)")
        reset.clicked.connect(lambda: self.set_model(EnergyModel()))
        grid.addWidget(reset, 2, 2, 1, 2)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)

    def _edited(self) -> None:
        try:
            model = EnergyModel(**{f: float(s.value()) for f, s in self.spins.items()})
        except XbarError:  # the spin boxes' range keeps values valid; be safe anyway
            return
        if model != self._model:
            self._model = model
            self.changed.emit(model)

    # --- values ----------------------------------------------------------------------
    def model(self) -> EnergyModel:
        return self._model

    def set_model(self, model: EnergyModel) -> None:
        """Show `model` exactly (the spin boxes round for display only); one `changed` signal."""
        for f, s in self.spins.items():
            s.blockSignals(True)
            s.setValue(getattr(model, f))
            s.blockSignals(False)
        if model != self._model:
            self._model = model
            self.changed.emit(model)

    def to_json(self) -> dict:
        return {f: getattr(self._model, f) for f, _, _ in FIELDS}

    def from_json(self, value) -> None:
        """A project's `options["energy"]`; anything unusable leaves the example defaults."""
        try:
            model = EnergyModel(**{f: value[f] for f, _, _ in FIELDS if f in value}) \
                if isinstance(value, dict) else EnergyModel()
        except (XbarError, TypeError):
            model = EnergyModel()
        self.set_model(model)
