"""Heatmap of VW-SDK cycles over every (nh, nw) candidate of the selected layer.

One ImageItem, cells centred on integers (x = nw, y = nh), fixed levels. Hover names a
candidate's figures; a click asks for it as a what-if plan.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app import numbers
from app.design_space import DesignSpace, candidate_at, focus_box
from app.widgets.chart_axes import styled_plot

_CMAP = pg.colormap.get("viridis")
FOCUS = 2  # the first view shows candidates within this factor of the optimum


def heat_rgba(cycles: np.ndarray) -> np.ndarray:
    """(OH, OW) cycles (-1 invalid) -> (OW, OH, 4) uint8 for ImageItem's [x, y] order.

    Fewer cycles is brighter (log scale); candidates that do not fit are transparent.
    """
    valid = cycles > 0
    rgba = np.zeros(cycles.shape + (4,), dtype=np.uint8)
    if valid.any():
        logc = np.log10(np.where(valid, cycles, 1).astype(float))
        lo, hi = logc[valid].min(), logc[valid].max()
        t = 1.0 - (logc - lo) / (hi - lo) if hi > lo else np.ones_like(logc)
        rgba[...] = _CMAP.map(t.ravel(), mode="byte").reshape(cycles.shape + (4,))
    rgba[~valid] = 0
    return np.ascontiguousarray(rgba.transpose(1, 0, 2))


class DesignSpaceView(QWidget):
    candidate_clicked = Signal(int, int)  # nh, nw

    def __init__(self, parent=None):
        super().__init__(parent)
        self.space: DesignSpace | None = None
        self.title = QLabel("Select a layer to see its VW-SDK design space.")
        self.title.setObjectName("hintText")
        self.title.setWordWrap(True)
        self.hover = QLabel(" ")
        self.hover.setObjectName("hoverText")
        self.plot_widget = pg.PlotWidget(background="w")
        self.plot = self.plot_widget.getPlotItem()
        styled_plot(self.plot, "", "nh (windows down)", "nw (windows across)")
        self.plot.showGrid(x=False, y=False)
        self.plot.setAspectLocked(False)
        self.image = pg.ImageItem(axisOrder="col-major")
        self.plot.addItem(self.image)
        self.best_marker = pg.ScatterPlotItem(symbol="star", size=22, brush="#ff2d2d", pen=pg.mkPen("w", width=1.5))
        self.what_if_marker = pg.ScatterPlotItem(symbol="o", size=20, brush=None, pen=pg.mkPen("#ff00ff", width=3))
        self.plot.addItem(self.best_marker)
        self.plot.addItem(self.what_if_marker)
        self.plot.scene().sigMouseMoved.connect(self._mouse_moved)
        self.plot.scene().sigMouseClicked.connect(self._mouse_clicked)
        self.plot_widget.setToolTip("Brighter = fewer cycles. ★ the optimum; ○ the what-if plan. "
                                    "Hover for a candidate's figures; click to show it as a what-if plan.")

        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.title)
        lay.addWidget(self.plot_widget, 1)
        lay.addWidget(self.hover)

    def show_space(self, space: DesignSpace | None) -> None:
        self.space = space
        if space is None:
            self.image.clear()
            self.best_marker.clear()
            self.what_if_marker.clear()
            return
        oh, ow = space.shape
        self.image.setImage(heat_rgba(space.cycles()), autoLevels=False, levels=(0, 255))
        self.image.setRect(QRectF(0.5, 0.5, ow, oh))
        best = space.optimum
        self.best_marker.setData([best.nw], [best.nh])
        layer = space.request.layer
        fallback = " (im2col fallback wins)" if best.row_split == "flat" else ""
        self.title.setText(f"<b>{layer.name}</b>: {oh * ow:,} candidates; brighter = fewer cycles. "
                           f"★ optimum {best.nh}×{best.nw} windows, {numbers.count(best.cycles)} cycles"
                           f"{fallback}. Zoomed to candidates within {FOCUS}× of it (scroll to zoom).")
        nh_max, nw_max = focus_box(space, FOCUS)
        self.plot.setRange(xRange=(0.5, nw_max + 0.5), yRange=(0.5, nh_max + 0.5), padding=0.02)

    def show_message(self, text: str) -> None:
        self.show_space(None)
        self.title.setText(text)

    def mark_what_if(self, nh: int | None, nw: int | None) -> None:
        if nh is None:
            self.what_if_marker.clear()
        else:
            self.what_if_marker.setData([nw], [nh])

    def describe(self, nh: int, nw: int) -> str:
        c = self.space.candidate(nh, nw) if self.space else None
        if c is None:
            return f"{nh} × {nw} windows: does not fit the array"
        return (f"{nh} × {nw} windows ({c['ph']} × {c['pw']} pixels): {numbers.count(c['cycles'])} cycles · "
                f"ICt {c['ict']:,} · OCt {c['oct']:,} · AR {c['ar']:,} · AC {c['ac']:,}")

    def _candidate_at_scene(self, pos):
        if self.space is None or not self.plot.vb.sceneBoundingRect().contains(pos):
            return None
        p = self.plot.vb.mapSceneToView(pos)
        return candidate_at(p.x(), p.y(), self.space.shape)

    def _mouse_moved(self, pos) -> None:
        cand = self._candidate_at_scene(pos)
        self.hover.setText(self.describe(*cand) if cand else " ")

    def _mouse_clicked(self, event) -> None:
        cand = self._candidate_at_scene(event.scenePos())
        if cand is not None:
            self.candidate_clicked.emit(*cand)
