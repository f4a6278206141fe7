"""The chip floorplan: every array of the chip in one ImageItem, hover and click by lookup.

A pyqtgraph PlotItem (it lives in the Chip panel's one scene, so the panel exports as one
picture). The picture and its pixel-to-array table come from app.chip_grid; this item only
shows them, y pointing down so tile 0 is at the top left, and turns the mouse into array
indices: `hovered(i)` (-1 off the arrays) and `clicked(i)`.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGraphicsRectItem

from app.chip_grid import FloorGrid
from app.widgets.chart_axes import styled_plot


class ChipFloorplanPlot(pg.PlotItem):
    hovered = Signal(int)
    clicked = Signal(int)

    def __init__(self):
        super().__init__()
        styled_plot(self, "Floorplan", "", "")
        for name in ("left", "bottom"):
            self.hideAxis(name)
        self.showGrid(x=False, y=False)
        self.invertY(True)
        self.setAspectLocked(True)
        self.grid: FloorGrid | None = None
        self.image = pg.ImageItem(axisOrder="row-major")
        self.addItem(self.image)
        self.mark = QGraphicsRectItem()  # the hovered array, outlined
        self.mark.setPen(pg.mkPen("#1b1f24", width=2, cosmetic=True))
        self.mark.setZValue(10)
        self.mark.hide()
        self.addItem(self.mark)
        self._last = -1

    def show_picture(self, grid: FloorGrid | None, rgba: np.ndarray | None) -> None:
        """A new floorplan; the view is fitted to it when its size changed."""
        size = None if self.grid is None else self.grid.index.shape
        self.grid = grid
        self._last = -1
        self.mark.hide()
        if grid is None:
            self.image.clear()
            return
        self.image.setImage(rgba, levels=(0, 255), autoLevels=False)
        if size != grid.index.shape:
            self.vb.autoRange(padding=0.02)

    def array_at_scene(self, pos) -> int:
        if self.grid is None or not self.vb.sceneBoundingRect().contains(pos):
            return -1
        p = self.vb.mapSceneToView(pos)
        return self.grid.array_at(p.x(), p.y())

    def mouse_moved(self, pos) -> None:
        i = self.array_at_scene(pos)
        if i != self._last:
            self._last = i
            self._mark(i)
            self.hovered.emit(i)

    def _mark(self, i: int) -> None:
        if i < 0:
            self.mark.hide()
            return
        g = self.grid
        self.mark.setRect(float(g.x0[i]) - 0.5, float(g.y0[i]) - 0.5, g.cell + 1.0, g.cell + 1.0)
        self.mark.show()

    def aspect(self) -> float:
        """Width over height of the plot's area (the floorplan is laid out to fill it)."""
        r = self.vb.boundingRect()
        return r.width() / r.height() if r.height() > 20 and r.width() > 20 else 1.6

    def mouse_clicked(self, event) -> None:
        i = self.array_at_scene(event.scenePos())
        if i >= 0:
            self.clicked.emit(i)
