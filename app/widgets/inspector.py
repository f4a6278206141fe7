"""The selected layer and its plan, every figure explained by its tooltip."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QFormLayout, QFrame, QLabel, QPushButton, QVBoxLayout,
                               QWidget)

from engine.energy import EnergyModel

from app import method_style, numbers
from app.metric_help import HELP
from app.crossbar.cell_panel import CellPanel
from app.selection import PlanSelection

# (label, help key, how to read it from a plan)
PLAN_ROWS = (
    ("Cycles", "cycles", lambda p: numbers.count(p.cycles)),
    ("Windows", "windows", lambda p: numbers.dims(p.nh, p.nw)),
    ("PW pixels", "pixels", lambda p: numbers.dims(p.pix_h, p.pix_w)),
    ("PW positions", "n_pw", lambda p: numbers.count(p.n_pw)),
    ("Regions", "regions", lambda p: f"{len(p.regions)} (edge-aware)" if p.regions else "1"),
    ("ICt / OCt", "tiles", lambda p: f"{p.ict:,} / {p.oct:,}"),
    ("AR × AC", "arac", lambda p: f"{p.ar:,} × {p.ac:,}"),
    ("Weight util.", "weight_util", lambda p: numbers.percent(p.weight_utilization)),
    ("Block occ.", "block_occ", lambda p: numbers.percent(p.block_occupancy)),
    ("MAC util.", "mac_util", lambda p: numbers.percent(p.mac_utilization)),
    ("Lower bound", "lower_bound", lambda p: numbers.count(p.lower_bound)),
    ("Efficiency", "efficiency", lambda p: numbers.percent(p.efficiency)),
)

# Figures that need the user's energies per event: (label, help key).
ENERGY_ROWS = (("ADC conv.", "adc"), ("DAC conv.", "dac"), ("Energy", "energy"))

LAYER_ROWS = ("IFM", "Kernel", "Stride, pad", "OFM", "MACs")


def _rule() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.HLine)
    line.setFrameShadow(QFrame.Sunken)
    return line


class Inspector(QWidget):
    method_chosen = Signal(str)
    back_to_optimum = Signal()

    def __init__(self, methods: list[str], parent=None):
        super().__init__(parent)
        self.energy_model = EnergyModel()
        self.plan = None
        self.layer_title = QLabel("No layer selected")
        self.layer_title.setObjectName("inspectorTitle")
        self.layer_title.setWordWrap(True)
        self.facts: dict[str, QLabel] = {}
        facts = QFormLayout()
        for key in LAYER_ROWS:
            self.facts[key] = QLabel("–")
            self.facts[key].setAlignment(Qt.AlignRight | Qt.AlignVCenter)
            facts.addRow(key, self.facts[key])

        self.method = QComboBox()
        for m in methods:
            self.method.addItem(method_style.label(m), m)
        self.method.setToolTip("The method whose plan the crossbar view shows")
        self.method.activated.connect(lambda i: self.method_chosen.emit(self.method.itemData(i)))

        self.what_if = QFrame()
        self.what_if.setObjectName("whatIfBanner")
        banner = QVBoxLayout(self.what_if)
        note = QLabel("What-if plan picked in the design space: NOT the method's optimum.")
        note.setWordWrap(True)
        back = QPushButton("Back to the optimum")
        back.clicked.connect(self.back_to_optimum)
        banner.addWidget(note)
        banner.addWidget(back)
        self.what_if.hide()

        self.values: dict[str, QLabel] = {}
        form = QFormLayout()
        form.addRow("Method", self.method)
        for title, key in [(t, k) for t, k, _ in PLAN_ROWS] + list(ENERGY_ROWS):
            name, value = QLabel(title), QLabel("–")
            value.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
            value.setTextInteractionFlags(Qt.TextSelectableByMouse)
            for w in (name, value):
                w.setToolTip(HELP[key])
            self.values[key] = value
            form.addRow(name, value)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        lay.addWidget(self.layer_title)
        lay.addLayout(facts)
        lay.addWidget(_rule())
        lay.addWidget(self.what_if)
        lay.addLayout(form)
        lay.addWidget(_rule())
        self.cell = CellPanel()  # the crossbar view's hovered or pinned cell
        lay.addWidget(self.cell)
        lay.addStretch(1)

    def show_selection(self, sel: PlanSelection | None) -> None:
        if sel is None:
            self.layer_title.setText("No layer selected")
            for label in self.facts.values():
                label.setText("–")
            self.what_if.hide()
            self._show_plan(None)
            return
        layer = sel.layer
        self.layer_title.setText(f"{sel.layer_index + 1}. {layer.name}")
        groups = f" · {layer.groups} groups" if layer.groups > 1 else ""
        values = {
            "IFM": f"{layer.in_h}×{layer.in_w}×{layer.in_c:,}",
            "Kernel": f"{layer.k_h}×{layer.k_w}{groups}",
            "Stride, pad": f"{numbers.dims(layer.stride_h, layer.stride_w)}, {numbers.dims(layer.pad_h, layer.pad_w)}",
            "OFM": f"{layer.out_h}×{layer.out_w}×{layer.out_c:,}",
            "MACs": numbers.count(layer.macs),
        }
        for key, label in self.facts.items():
            label.setText(values[key])
        i = self.method.findData(sel.method)
        if i >= 0:
            self.method.setCurrentIndex(i)
        self.what_if.setVisible(sel.what_if)
        self._show_plan(sel.plan)

    def show_cell(self, info, pinned: bool = False) -> None:
        self.cell.show_cell(info, pinned)

    def set_energy_model(self, model: EnergyModel) -> None:
        """The user's energies per event (Array and methods): the energy row follows them."""
        self.energy_model = model
        self._show_plan(self.plan)

    def _show_plan(self, plan) -> None:
        self.plan = plan
        for title, key, read in PLAN_ROWS:
            self.values[key].setText(read(plan) if plan is not None else "–")
        conv = plan.conversions() if plan is not None else None
        pj = conv.energy_pj(self.energy_model) if conv is not None else None
        self.values["adc"].setText(numbers.count(conv.adc) if conv else "–")
        self.values["dac"].setText(numbers.count(conv.dac) if conv else "–")
        unit = numbers.energy_unit(pj or 0.0)
        self.values["energy"].setText(f"{numbers.energy(pj, unit)} {unit}" if conv else "–")
