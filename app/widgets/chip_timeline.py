"""The pipeline timeline of one image: one bar per layer, its cycles, the bottleneck marked
(past BAR_LIMIT layers, one line along where the bars would be).

A pyqtgraph PlotItem for the Chip panel's scene. Layer l's bar starts where the layers
before it end (the latency is where the last bar ends) and is as long as its cycles; the
bottleneck (the slowest layer, which sets the pipelined interval) is outlined in red (the
figures above it name it: a label beside the bar would cover the next layers' bars). Bars take the floorplan's layer colours.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from engine.chip_alloc import ChipReport

from app.chip_grid import layer_colours
from app.widgets.chart_axes import BAR_LIMIT, LabelAxis, styled_plot

MARK = "#d62728"  # the bottleneck's outline
MAX_NAMES = 16  # layer names on the axis up to this many layers; numbers past it
MAX_TICKS = 8  # labelled layers at most (a long network's axis stays legible)
TITLE = "Pipeline of one image"


class ChipTimelinePlot(pg.PlotItem):
    def __init__(self):
        self.layer_axis = LabelAxis("left")
        super().__init__(axisItems={"left": self.layer_axis})
        styled_plot(self, TITLE, "layer", "cycle")
        self.invertY(True)
        self.showGrid(x=True, y=False, alpha=0.25)
        self.bars: pg.BarGraphItem | None = None  # a bar per layer, up to BAR_LIMIT layers
        self.staircase: pg.PlotDataItem | None = None  # one line along them past it
        self.starts = np.zeros(0, dtype=np.int64)

    def _draw_bars(self, cycles: np.ndarray) -> None:
        n = cycles.size
        # One brush per distinct colour (the palette repeats).
        colours = layer_colours(n).astype(int).tolist()
        unique = {tuple(c): None for c in colours}
        for c in unique:
            unique[c] = pg.mkBrush(*c)
        brushes = [unique[tuple(c)] for c in colours]
        self.bars = pg.BarGraphItem(x0=self.starts.astype(np.float64), width=cycles, y=np.arange(n, dtype=np.float64),
                                    height=0.8, brushes=brushes, pen=pg.mkPen("w", width=0.5))
        self.addItem(self.bars)

    def _draw_staircase(self, cycles: np.ndarray) -> None:
        """Past BAR_LIMIT layers the bars are far below a pixel high (100,000 of them took 0.3 s
        to draw): one line along them instead, layer l from its start to its end at height l,
        then down to the next, downsampled to the pixels in view."""
        ends = self.starts + cycles
        x = np.stack([self.starts, ends], axis=1).ravel().astype(np.float64)
        y = np.repeat(np.arange(cycles.size, dtype=np.float64), 2)
        self.staircase = pg.PlotDataItem(x, y, pen=pg.mkPen("#3a414b", width=1.5))
        self.addItem(self.staircase)
        self.staircase.setDownsampling(auto=True, method="peak")  # once in its view (as add_layer_series)
        self.staircase.setClipToView(True)

    def show_report(self, r: ChipReport | None) -> None:
        self.clear()
        self.bars = self.staircase = None
        if r is None:
            return
        cycles = r.cycles.astype(np.float64)
        n = cycles.size
        self.starts = np.concatenate([[0], np.cumsum(r.cycles)[:-1]])
        if n <= BAR_LIMIT:
            self._draw_bars(cycles)
        else:
            self._draw_staircase(r.cycles)
        b = r.bottleneck
        self.addItem(pg.BarGraphItem(x0=[float(self.starts[b])], width=[cycles[b]], y=[float(b)], height=[0.95],
                                     brush=None, pen=pg.mkPen(MARK, width=2.5)))
        names = r.needs.names
        step = max(1, -(-n // MAX_TICKS))
        self.layer_axis.set_labels({i: (names[i] if n <= MAX_NAMES else str(i + 1)) for i in range(0, n, step)})
        self.setYRange(-0.6, n - 0.4, padding=0)
        self.setXRange(0, max(float(r.latency_cycles), 1.0), padding=0.02)
