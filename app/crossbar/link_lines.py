"""Lines from the IFM pixels to the array rows they drive this cycle, drawn over the view.

For slides: the outlines on the grid say which cells an IFM pixel feeds when it is
hovered; these lines show all of one channel's links at once. A transparent widget over
the grid and the IFM pane (it takes no mouse events), painted from the panes' own
coordinate maps, so it follows pans, zooms, splitter moves and resizes. Each line runs from
the centre of an IFM pixel (of the channel the IFM pane shows) to the right end of the row
it drives on the grid; lines whose pixel or row is scrolled out of sight are not drawn.
Past MAX_LINKS rows, every k-th is drawn (the hovered pixel's always).
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QObject, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QWidget

from . import palette as pal

HOT = QColor(pal.hex_of(pal.FIXED_TABLE, pal.INDEX["highlight"]))  # as the grid's outlines
# As exported frames draw them. Opaque: Qt's raster engine strokes a translucent line wider
# than one pixel 20 times slower (0.56 ms a line), and playback repaints them every cycle.
LINE = QColor(pal.hex_of(pal.FIXED_TABLE, pal.INDEX["link"]))


class LinkLines(QWidget):
    def __init__(self, host: QWidget, grid, ifm):
        """Drawn over the whole of `host` (its parent), which holds `grid` and `ifm`: a
        picture of the host (`host.grab()`) has the lines too."""
        super().__init__(host)
        self.setObjectName("linkLines")
        self.setAttribute(Qt.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WA_NoSystemBackground)
        self.host, self.grid, self.ifm = host, grid, ifm
        self.enabled_lines = False
        self.pixels = np.zeros((0, 2), dtype=np.int64)  # (iy, ix) of each line's IFM pixel
        self.rows = np.zeros(0, dtype=np.int64)  # the row each drives
        self.hot = np.zeros(0, dtype=bool)  # the hovered pixel's lines
        self.thinned = 1  # every k-th line drawn
        self._drawn = QRect()  # where the lines were painted last
        self._segs: list | None = None  # segments() of the current lines and views (None: to map again)
        host.installEventFilter(self)
        for vb in (grid.vb, ifm.vb):
            vb.sigRangeChanged.connect(self.remap)
            vb.sigResized.connect(self.remap)
        self.hide()

    def set_enabled(self, on: bool) -> None:
        self.enabled_lines = bool(on)
        self._place()

    def set_lines(self, pixels: np.ndarray, rows: np.ndarray, hot: np.ndarray, step: int = 1) -> None:
        """This cycle's links (PlanCycles.ifm_links: already thinned to every step-th)."""
        self.pixels, self.rows, self.hot, self.thinned = pixels, rows, hot, step
        self._segs = None
        if self.isVisible():  # repaint where the lines were and are (not the whole grid under them)
            drawn, self._drawn = self._drawn, self._bounds(self.segments())
            self.update(drawn.united(self._drawn))

    def eventFilter(self, obj: QObject, event) -> bool:
        if obj is self.host and event.type() in (QEvent.Resize, QEvent.Show):
            self._place()
        return False

    def remap(self, *_) -> None:
        """A pane panned, zoomed, resized or a splitter moved: the lines are mapped again."""
        self._segs = None
        self.update()

    def _place(self) -> None:
        """Cover the host while the lines are on (hidden with it)."""
        if self.enabled_lines:
            self.setGeometry(self.host.rect())
            self.raise_()
        self.setVisible(self.enabled_lines)
        self.remap()

    # --- coordinates -----------------------------------------------------------------------------
    def _mapper(self, pane, vb):
        """view coordinates of `vb` (in `pane`, a GraphicsView) -> this widget's coordinates."""
        viewport = pane.viewport()
        offset = viewport.mapTo(self.host, viewport.rect().topLeft())

        def to_here(x: float, y: float) -> QPointF:
            scene = vb.mapViewToScene(QPointF(x, y))
            return QPointF(pane.mapFromScene(scene)) + QPointF(offset)
        return to_here

    def segments(self) -> list[tuple[QPointF, QPointF, bool]]:
        """(IFM end, row end, hot) of every line in sight (mapped once per cycle or view change:
        the cycle's update and its paint share them)."""
        if self._segs is None:
            self._segs = self._map_segments()
        return self._segs

    def _map_segments(self) -> list[tuple[QPointF, QPointF, bool]]:
        if not self.rows.size or self.grid.cols == 0:
            return []
        seen_ifm, seen_grid = self.ifm.vb.viewRect(), self.grid.vb.viewRect()
        ifm_at, grid_at = self._mapper(self.ifm.plot, self.ifm.vb), self._mapper(self.grid, self.grid.vb)
        x_end = min(self.grid.cols - 0.5, seen_grid.right())
        out = []
        for (iy, ix), r, hot in zip(self.pixels.tolist(), self.rows.tolist(), self.hot.tolist()):
            if not (seen_ifm.contains(QPointF(ix, iy)) and seen_grid.top() <= r <= seen_grid.bottom()):
                continue
            out.append((ifm_at(ix, iy), grid_at(x_end, r), hot))
        return out

    @staticmethod
    def _bounds(segs) -> QRect:
        if not segs:
            return QRect()
        xs = [v for a, b, _ in segs for v in (a.x(), b.x())]
        ys = [v for a, b, _ in segs for v in (a.y(), b.y())]
        return QRectF(QPointF(min(xs), min(ys)), QPointF(max(xs), max(ys))).toAlignedRect().adjusted(-4, -4, 4, 4)

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        segs = self.segments()
        self._drawn = self._bounds(segs)
        # The panes under the lines repaint on their own (a strip, a plane): only the lines
        # crossing what is repainted are drawn again, antialiased lines are not cheap.
        dirty = event.region()
        segs = [s for s in segs if dirty.intersects(self._bounds([s]))]
        for hot_pass in (False, True):  # the hovered pixel's lines on top
            p.setPen(QPen(HOT if hot_pass else LINE, 2.5 if hot_pass else 1.2))
            p.setBrush(HOT if hot_pass else LINE)
            for a, b, hot in segs:
                if hot == hot_pass:
                    p.drawLine(a, b)
                    p.drawEllipse(b, 2.5, 2.5)
