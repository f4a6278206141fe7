"""Cycles per layer for each method side by side, and total speed-ups (the paper's Fig. 8 style)."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QVBoxLayout, QWidget

from engine.batch import MapResult
from engine.energy import EnergyModel

from app import method_style, numbers
from app.widgets.chart_axes import (TEXT, ChartHeading, CountAxis, LabelAxis, add_layer_series, styled_plot, subject_text,
                                    title_size)
from app.widgets.chart_export import export_button, file_stem

TITLE = "Mapping comparison: cycles, speed-up and energy by method"


class ComparisonChart(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.result: MapResult | None = None
        self.methods: tuple[str, ...] = ()
        self.energy_model = EnergyModel()
        self.energy_totals: dict[str, float] = {}  # method -> total energy in pJ, as drawn
        self.log_scale = QCheckBox("Log scale")
        self.log_scale.setToolTip("Show cycles on a logarithmic axis (layers differ by orders of magnitude)")
        self.log_scale.setChecked(True)
        self.log_scale.toggled.connect(self._redraw)

        self.view = pg.GraphicsLayoutWidget()
        self.view.setBackground("w")
        self.heading = ChartHeading(self.view.addLabel(row=0, col=0, colspan=3), [])
        self.view.nextRow()
        self.layer_axis = LabelAxis("bottom")
        self.count_axis = CountAxis("left")
        self.cycles_plot = self.view.addPlot(axisItems={"bottom": self.layer_axis, "left": self.count_axis})
        styled_plot(self.cycles_plot, "Computing cycles per layer", "cycles", "layer")
        self.legend = self.cycles_plot.addLegend(offset=(-10, 10), labelTextSize="10pt", labelTextColor=TEXT)  # dark: legible on a projector
        self.method_axis = LabelAxis("bottom")
        self.speed_plot = self.view.addPlot(axisItems={"bottom": self.method_axis})
        styled_plot(self.speed_plot, "Total speed-up over im2col", "× faster", "method")
        self.energy_axis = LabelAxis("bottom")
        self.energy_plot = self.view.addPlot(axisItems={"bottom": self.energy_axis})
        styled_plot(self.energy_plot, "Total energy", "µJ", "method")
        self.heading.dim = [self.cycles_plot, self.speed_plot, self.energy_plot]
        self.heading.set(TITLE)
        self.view.ci.layout.setColumnStretchFactor(0, 4)
        self.view.ci.layout.setColumnStretchFactor(1, 1)
        self.view.ci.layout.setColumnStretchFactor(2, 1)

        top = QHBoxLayout()
        top.addStretch(1)
        top.addWidget(self.log_scale)
        self.export = export_button(self, lambda: file_stem(f"comparison_{self.heading.subject}"))
        top.addWidget(self.export)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(top)
        lay.addWidget(self.view, 1)

    def show_result(self, result: MapResult | None, methods: tuple[str, ...], network: str = "") -> None:
        """`network`: the name of the network `result` maps (for the heading)."""
        self.result = result
        self.methods = method_style.ordered(m for m in methods if result is not None and m in result.request.methods)
        r = result.request if result is not None else None
        self.heading.set(TITLE, subject_text(network, r.array, self.methods, r.options) if r else "")
        self.heading.set_stale(False)
        self._redraw()

    def set_stale(self, stale: bool) -> None:
        """The inputs changed since this result: marked out of date until it is recomputed."""
        self.heading.set_stale(stale)

    def export_view(self):
        return self.view

    def set_energy_model(self, model: EnergyModel) -> None:
        """New energies per event: only the energy bars change (no re-mapping)."""
        self.energy_model = model
        self.energy_plot.clear()
        if self.result is not None and self.methods:
            self._draw_energy()

    def _redraw(self) -> None:
        self.cycles_plot.clear()
        self.speed_plot.clear()
        self.energy_plot.clear()
        self.legend.clear()
        if self.result is None or not self.methods:
            return
        log = self.log_scale.isChecked()
        self.count_axis.log_values = log
        layers = self.result.request.layers
        k = len(self.methods)
        width = 0.8 / k
        x = np.arange(len(layers), dtype=float)
        for j, m in enumerate(self.methods):
            cycles = self.result.figures(m).cycles.astype(float)
            heights = np.log10(np.maximum(cycles, 1)) if log else cycles
            bars = add_layer_series(self.cycles_plot, x, heights, method_style.color(m), (j - (k - 1) / 2) * width,
                                    width)
            self.legend.addItem(bars, method_style.label(m))
        many = len(layers) > 14 or max(len(layer.name) for layer in layers) > 8
        step = max(1, len(layers) // 24)
        self.layer_axis.set_labels({i: (str(i + 1) if many else layer.name)
                                    for i, layer in enumerate(layers) if i % step == 0})
        self.cycles_plot.getAxis("bottom").setLabel("layer (number in the table)" if many else "layer")
        self.cycles_plot.enableAutoRange()
        self._draw_speedups()
        self._draw_energy()

    def _draw_energy(self) -> None:
        model = self.energy_model
        self.energy_totals = {m: self.result.figures(m).conversions_total().energy_pj(model) for m in self.methods}
        unit = numbers.energy_unit(max(self.energy_totals.values()))
        div = numbers.ENERGY_UNITS[unit]
        self.energy_plot.setTitle(f"Total energy ({unit})", size=title_size(), color=TEXT)
        self.energy_plot.getAxis("left").setLabel(unit, color=TEXT)
        self.energy_plot.setToolTip(
            f"Energy proxy with {model.adc_pj:g} pJ per ADC conversion, {model.dac_pj:g} pJ per DAC "
            f"conversion and {model.mac_pj:g} pJ per cell MAC (set them under Array and methods)")
        for j, m in enumerate(self.methods):
            e = self.energy_totals[m] / div
            self.energy_plot.addItem(pg.BarGraphItem(x=[j], height=[e], width=0.6, brush=method_style.color(m)))
            text = pg.TextItem(numbers.energy(self.energy_totals[m], unit), color=TEXT, anchor=(0.5, 1.0))
            text.setFont(_bold_font())
            text.setPos(j, e)
            self.energy_plot.addItem(text)
        self.energy_axis.set_labels({j: method_style.label(m) for j, m in enumerate(self.methods)})
        top = max(self.energy_totals.values()) / div
        self.energy_plot.setYRange(0, (top or 1) * 1.2, padding=0)
        self.energy_plot.setXRange(-0.6, len(self.methods) - 0.4, padding=0)

    def _draw_speedups(self) -> None:
        totals = self.result.totals()
        base_method = "im2col" if "im2col" in totals else self.methods[0]
        self.speed_plot.setTitle(f"Total speed-up over {method_style.label(base_method)}",
                                 size=title_size(), color=TEXT)
        base = totals[base_method]
        for j, m in enumerate(self.methods):
            s = base / totals[m]
            self.speed_plot.addItem(pg.BarGraphItem(x=[j], height=[s], width=0.6, brush=method_style.color(m)))
            text = pg.TextItem(numbers.ratio(s), color=TEXT, anchor=(0.5, 1.0))
            text.setFont(_bold_font())
            text.setPos(j, s)
            self.speed_plot.addItem(text)
        self.method_axis.set_labels({j: method_style.label(m) for j, m in enumerate(self.methods)})
        top = max(base / totals[m] for m in self.methods)
        self.speed_plot.setYRange(0, top * 1.2, padding=0)
        self.speed_plot.setXRange(-0.6, len(self.methods) - 0.4, padding=0)


def _bold_font():
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QApplication

    font = QFont(QApplication.font())
    font.setBold(True)
    return font
