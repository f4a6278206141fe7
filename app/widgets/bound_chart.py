"""Distance to the lower bound: efficiency (lower bound ÷ cycles) per layer for each method, and in total.

100 % means no mapping of the model can use fewer cycles; the gap above a bar is what is left
on the table. Same style as the comparison chart.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from engine.batch import MapResult

from app import method_style, numbers
from app.widgets.chart_axes import TEXT, ChartHeading, LabelAxis, add_layer_series, styled_plot, subject_text
from app.widgets.chart_export import export_button, file_stem
from app.widgets.comparison_chart import _bold_font


class PercentAxis(pg.AxisItem):
    def tickStrings(self, values, scale, spacing):
        return [f"{v:.0f} %" for v in values]


TITLE = "Distance to the lower bound: efficiency = lower bound ÷ cycles"


class BoundChart(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.result: MapResult | None = None
        self.methods: tuple[str, ...] = ()
        self.series: dict[str, np.ndarray] = {}  # method -> per-layer efficiency (0..1), as drawn
        self.totals: dict[str, float] = {}  # method -> lower bound total ÷ cycles total

        self.view = pg.GraphicsLayoutWidget()
        self.view.setBackground("w")
        self.heading = ChartHeading(self.view.addLabel(row=0, col=0, colspan=2), [])
        self.view.nextRow()
        self.layer_axis = LabelAxis("bottom")
        self.layer_plot = self.view.addPlot(axisItems={"bottom": self.layer_axis, "left": PercentAxis("left")})
        styled_plot(self.layer_plot, "Efficiency per layer: lower bound ÷ cycles (100 % = at the bound)",
                    "efficiency", "layer")
        self.legend = self.layer_plot.addLegend(offset=(-10, 4), labelTextSize="10pt", labelTextColor=TEXT)  # dark: legible on a projector
        self.method_axis = LabelAxis("bottom")
        self.total_plot = self.view.addPlot(axisItems={"bottom": self.method_axis, "left": PercentAxis("left")})
        styled_plot(self.total_plot, "Network efficiency", "lower bound ÷ cycles", "method")
        self.heading.dim = [self.layer_plot, self.total_plot]
        self.heading.set(TITLE)
        self.view.ci.layout.setColumnStretchFactor(0, 4)
        self.view.ci.layout.setColumnStretchFactor(1, 1)

        self.note = QLabel("Lower bound ÷ cycles for each method: the gap under 100 % is how far a "
                           "mapping is from the best any mapping of this model could do.")
        self.note.setObjectName("hintText")
        self.note.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        top = QHBoxLayout()
        top.addWidget(self.note, 1)
        self.export = export_button(self, lambda: file_stem(f"bound_{self.heading.subject}"))
        top.addWidget(self.export, 0, Qt.AlignTop)
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

    def _redraw(self) -> None:
        self.layer_plot.clear()
        self.total_plot.clear()
        self.legend.clear()
        self.series, self.totals = {}, {}
        if self.result is None or not self.methods:
            return
        layers = self.result.request.layers
        n, k = len(layers), len(self.methods)
        width = 0.8 / k
        x = np.arange(n, dtype=float)
        totals = self.result.totals()
        for j, m in enumerate(self.methods):
            eff = self.result.figures(m).efficiency
            self.series[m] = eff
            self.totals[m] = self.result.lower_bound_total(m) / totals[m] if totals[m] else 0.0
            bars = add_layer_series(self.layer_plot, x, 100 * np.asarray(eff, dtype=float), method_style.color(m),
                                    (j - (k - 1) / 2) * width, width)
            self.legend.addItem(bars, method_style.label(m))
        self.legend.setColumnCount(k)  # one line above the 100 % mark
        self.layer_plot.addItem(pg.InfiniteLine(pos=100, angle=0, pen=pg.mkPen(TEXT, width=1, style=pg.QtCore.Qt.DashLine)))
        many = n > 14 or max(len(layer.name) for layer in layers) > 8
        step = max(1, n // 24)
        self.layer_axis.set_labels({i: (str(i + 1) if many else layer.name)
                                    for i, layer in enumerate(layers) if i % step == 0})
        self.layer_plot.getAxis("bottom").setLabel("layer (number in the table)" if many else "layer")
        self.layer_plot.setYRange(0, 125, padding=0)
        self.layer_plot.setXRange(-0.6, n - 0.4, padding=0)
        for j, m in enumerate(self.methods):
            e = 100 * self.totals[m]
            self.total_plot.addItem(pg.BarGraphItem(x=[j], height=[e], width=0.6, brush=method_style.color(m)))
            text = pg.TextItem(numbers.percent(self.totals[m]), color=TEXT, anchor=(0.5, 1.0))
            text.setFont(_bold_font())
            text.setPos(j, e)
            self.total_plot.addItem(text)
        self.method_axis.set_labels({j: method_style.label(m) for j, m in enumerate(self.methods)})
        self.total_plot.setYRange(0, 118, padding=0)
        self.total_plot.setXRange(-0.6, k - 0.4, padding=0)
