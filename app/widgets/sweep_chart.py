"""Total cycles against array size for each method, computed in the worker on request."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from engine.batch import SweepResult

from app import method_style, numbers
from app.background_jobs import SWEEP_SIZES
from app.widgets.chart_axes import TEXT, ChartHeading, CountAxis, LabelAxis, set_plot_title, styled_plot, subject_text
from app.widgets.chart_export import export_button, file_stem
from app.widgets.job_progress_bar import JobProgressBar


TITLE = "Total cycles against array size"


class SweepChart(QWidget):
    sweep_requested = Signal()
    cancel_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.result: SweepResult | None = None
        self.run_button = QPushButton("Run sweep")
        self.run_button.setToolTip("Map the whole network on square arrays from 64×64 to 4096×4096 "
                                   "with every chosen method (runs in the background)")
        self.run_button.clicked.connect(self.sweep_requested)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.hide()  # only while a sweep runs: the panel fits a slim dock column
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.progress = JobProgressBar()
        self.note = QLabel("")
        self.note.setObjectName("hintText")
        self.note.setMinimumWidth(1)  # cut, not widening a slim dock column (the heading says it all)
        self.progress.setMinimumWidth(self.fontMetrics().averageCharWidth() * 6)

        self.size_axis = LabelAxis("bottom")
        self.count_axis = CountAxis("left")
        self.count_axis.log_values = True
        self.plot_widget = pg.PlotWidget(background="w", axisItems={"bottom": self.size_axis,
                                                                    "left": self.count_axis})
        self.plot = self.plot_widget.getPlotItem()
        styled_plot(self.plot, TITLE, "total cycles (log)", "array rows = columns")
        self.heading = ChartHeading(self.plot.titleLabel,
                                    [self.plot.vb, self.plot.getAxis("left"), self.plot.getAxis("bottom")],
                                    lambda html: set_plot_title(self.plot, html))
        self.heading.set(TITLE, "Run the sweep to see the network's total cycles at each array size")
        self.legend = self.plot.addLegend(offset=(-10, 10), labelTextSize="10pt", labelTextColor=TEXT)  # dark: legible on a projector
        self.size_axis.set_labels({int(np.log2(s)): f"{s}" for s in SWEEP_SIZES})

        top = QHBoxLayout()
        top.addWidget(self.run_button)
        top.addWidget(self.cancel_button)
        top.addWidget(self.progress, 1)
        top.addWidget(self.note)
        self.export = export_button(self, lambda: file_stem(f"sweep_{self.heading.subject}"))
        top.addWidget(self.export)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(top)
        lay.addWidget(self.plot_widget, 1)

    def set_busy(self, busy: bool) -> None:
        self.run_button.setEnabled(not busy)
        self.cancel_button.setEnabled(busy)
        self.cancel_button.setVisible(busy)
        if not busy:
            self.progress.show_idle()

    def set_progress(self, done: int, total: int, text: str) -> None:
        self.progress.show_progress(done, total, text)

    def set_note(self, text: str) -> None:
        self.note.setText(text)

    def show_result(self, result: SweepResult | None, network: str = "") -> None:
        """`network`: the name of the network swept (for the heading)."""
        self.result = result
        self.plot.clear()
        self.legend.clear()
        self.heading.set_stale(False)
        if result is None:
            self.heading.set(TITLE, "")
            return
        r = result.request
        sizes = f"square arrays {r.arrays[0].rows:,}…{r.arrays[-1].rows:,}"
        self.heading.set(TITLE, subject_text(network, r.arrays[0], method_style.ordered(r.methods), r.options,
                                             arrays=sizes))
        x = np.log2([a.rows for a in result.request.arrays])
        for m in method_style.ordered(result.totals):
            totals = result.totals[m]
            color = method_style.color(m)
            item = self.plot.plot(x, np.log10(np.maximum(totals, 1)), pen=pg.mkPen(color, width=3),
                                  symbol="o", symbolBrush=color, symbolPen="w", symbolSize=10)
            self.legend.addItem(item, method_style.label(m))
        bound = self.plot.plot(x, np.log10(np.maximum(result.lower_bounds, 1)),
                               pen=pg.mkPen("#333", width=2, style=Qt.DashLine))
        self.legend.addItem(bound, "lower bound")
        self.plot.enableAutoRange()
        self.set_note(self._summary())

    def _summary(self) -> str:
        arrays = self.result.request.arrays
        return f"{len(arrays)} sizes, {arrays[0].cell_bits}-bit cells, {arrays[0].weight_bits}-bit weights"

    def set_stale(self, stale: bool) -> None:
        """The network, methods or options changed since this sweep: marked out of date until run again."""
        stale = stale and self.result is not None
        self.heading.set_stale(stale)
        if self.result is not None:
            self.note.setText("out of date: run the sweep again" if stale else self._summary())

    def export_view(self):
        return self.plot_widget

    def series_text(self) -> str:
        """The plotted numbers as text (tooltips, tests)."""
        if self.result is None:
            return ""
        sizes = [a.rows for a in self.result.request.arrays]
        return "\n".join(f"{method_style.label(m)}: " + ", ".join(f"{s}: {numbers.count(c)}" for s, c in zip(sizes, t))
                         for m, t in ((m, self.result.totals[m]) for m in method_style.ordered(self.result.totals)))
