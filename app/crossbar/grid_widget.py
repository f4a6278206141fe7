"""The crossbar grid: one indexed `ImageItem` for all cells, with rulers, strips and overlays.

Layout (a pyqtgraph GraphicsLayout, so PNG/SVG exports include every part):

    title
                       column strip  (which columns feed an OFM pixel this cycle)
                       column ruler
    row strip  ruler   grid          legend   (spare width)
    (spare height)

The grid's box is sized to the array's aspect within the space it has (`_place`), and
the fit shows exactly the array (-0.5 … N-0.5, no padding): the rulers and strips are as
long as the array and their ticks stay within 0 … N. Space the aspect leaves over goes
to the right of the legend and below the grid, never inside the rulers.

Cells are centred on integer coordinates, y grows downwards, one image pixel per cell
(MatrixDisplay style). The tile image changes only on a tile or colour-mode change; a
cycle step touches the two strips and two one-pixel-wide translucent bands (rows driven
with padding, columns past the edge), each a few kilobytes.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainterPath, QPen

from . import palette as pal
from .cells import cell_at
from .grid_overlay import GridOverlay
from .hatch import HatchItem, mask_runs
from .legend_item import LegendItem

STRIP_PX = 12
MIN_BOX_PX = 24  # the grid's box never shrinks below this on its short side
LIMIT_SLACK = 0.02  # panning and zooming out may go this far (share of the array) past its edges
COMPACT_WIDTH = 900  # narrower than this, the legend drops its strip rows and shrinks its text
BAND_ALPHA = 95  # darkening of padding rows / past-edge columns


def _cosmetic(colour: str, width: float) -> QPen:
    pen = QPen(QColor(colour), width)
    pen.setCosmetic(True)
    pen.setJoinStyle(Qt.MiterJoin)
    return pen


def _path_item(colour: str, width: float, z: float) -> pg.QtWidgets.QGraphicsPathItem:
    item = pg.QtWidgets.QGraphicsPathItem()
    item.setPen(_cosmetic(colour, width))
    item.setZValue(z)
    item.setVisible(False)  # until it has a path (see _set_path)
    return item


def cells_path(rects) -> QPainterPath:
    """Outline path of (row, col, height, width) cell rectangles."""
    path = QPainterPath()
    for r, c, h, w in rects:
        path.addRect(QRectF(c - 0.5, r - 0.5, w, h))
    return path


class _Outline:
    """A double outline (dark under light) that reads on every cell colour."""

    def __init__(self, vb, outer: str, inner: str, width: float, z: float):
        self.items = (_path_item(outer, width + 2, z), _path_item(inner, width, z + 0.1))
        for item in self.items:
            vb.addItem(item)

    def set_rects(self, rects) -> None:
        path = cells_path(rects)
        for item in self.items:
            _set_path(item, path)


def _set_path(item, path: QPainterPath) -> None:
    """An empty outline is hidden, not drawn: Qt's SVG generator would write it as d="",
    which SVG readers reject ("Invalid path data")."""
    item.setPath(path)
    item.setVisible(not path.isEmpty())


class BandItem(pg.GraphicsObject):
    """Darkens padding rows and past-the-edge columns: filled runs, cost ~ the area covered."""

    def __init__(self):
        super().__init__()
        self.rows = self.cols = 0
        self.row_runs: list = []
        self.col_runs: list = []
        self.brush = QColor(0, 0, 0, BAND_ALPHA)

    def set_shape(self, rows: int, cols: int) -> None:
        self.prepareGeometryChange()
        self.rows, self.cols = rows, cols
        self.row_runs, self.col_runs = [], []
        self.update()

    def set_masks(self, rows: np.ndarray, cols: np.ndarray) -> None:
        self.row_runs = mask_runs(rows)
        self.col_runs = mask_runs(cols)
        self.update()

    def boundingRect(self) -> QRectF:
        return QRectF(-0.5, -0.5, self.cols, self.rows)

    def paint(self, p, *args):
        for a, b in self.row_runs:
            p.fillRect(QRectF(-0.5, a - 0.5, self.cols, b - a), self.brush)
        for a, b in self.col_runs:
            p.fillRect(QRectF(a - 0.5, -0.5, b - a, self.rows), self.brush)


class _Spare(pg.GraphicsWidget):
    """Empty, stretchable: takes the space the grid's box does not need."""

    def __init__(self):
        super().__init__()
        self.setSizePolicy(pg.QtWidgets.QSizePolicy.Expanding, pg.QtWidgets.QSizePolicy.Expanding)
        self.setMinimumSize(0, 0)
        self.setPreferredSize(0, 0)


def box_size(avail_w: float, avail_h: float, rows: int, cols: int) -> tuple[int, int]:
    """Pixel size of the grid's box: the array's aspect, as large as (avail_w, avail_h) allows."""
    if rows <= 0 or cols <= 0:
        return 0, 0
    scale = max(0.0, min(avail_w / cols, avail_h / rows))
    w, h = cols * scale, rows * scale
    if min(w, h) < MIN_BOX_PX:  # a very narrow array: keep it visible, and let it be as long as it fits
        w, h = max(w, MIN_BOX_PX), max(h, MIN_BOX_PX)
        w, h = min(w, max(MIN_BOX_PX, avail_w)), min(h, max(MIN_BOX_PX, avail_h))
    return int(w), int(h)


def view_limits(rows: int, cols: int, box_w: float, box_h: float) -> dict:
    """ViewBox limits: the array (its whole fit, widened to the box's aspect) plus a little."""
    a = box_w / box_h if box_w > 0 and box_h > 0 else cols / rows
    span_x, span_y = max(cols, rows * a), max(rows, cols / a)
    sx, sy = span_x * (1 + 2 * LIMIT_SLACK), span_y * (1 + 2 * LIMIT_SLACK)
    cx, cy = cols / 2 - 0.5, rows / 2 - 0.5
    return dict(xMin=cx - sx / 2, xMax=cx + sx / 2, yMin=cy - sy / 2, yMax=cy + sy / 2,
                maxXRange=sx, maxYRange=sy)


class GridWidget(pg.GraphicsLayoutWidget):
    hovered = Signal(object)  # (row, col) or None
    clicked = Signal(object)  # (row, col) or None (a click outside the array)
    escape_pressed = Signal()  # unpin (a key event, not a shortcut: the window's Esc cancels jobs)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setBackground("w")
        self.rows = self.cols = 0
        self._hover: tuple[int, int] | None = None
        self._strip_table: np.ndarray | None = None  # values mode's strip colours
        ci = self.ci
        ci.setContentsMargins(4, 4, 4, 4)
        ci.layout.setSpacing(0)
        self.title = ci.addLabel("", row=0, col=0, colspan=5, justify="left", color="#1b1f24")
        self.vb = pg.ViewBox(invertY=True, lockAspect=True, enableMenu=False, defaultPadding=0)
        self.row_strip_vb = self._strip_box(horizontal=False)
        self.col_strip_vb = self._strip_box(horizontal=True)
        self.left_axis = pg.AxisItem("left", linkView=self.vb, text="row")
        self.top_axis = pg.AxisItem("top", linkView=self.vb, text="column")
        for axis in (self.left_axis, self.top_axis):
            axis.setTextPen("#3a414b")
            axis.setPen("#8a929c")
            axis.setStyle(hideOverlappingLabels=25)  # refresh_fonts sets it for the font in use
        ci.addItem(self.col_strip_vb, row=1, col=2)
        ci.addItem(self.top_axis, row=2, col=2)
        ci.addItem(self.row_strip_vb, row=3, col=0)
        ci.addItem(self.left_axis, row=3, col=1)
        ci.addItem(self.vb, row=3, col=2)
        self.legend = LegendItem()
        ci.addItem(self.legend, row=1, col=3, rowspan=4)  # may reach below the grid
        # What the array's aspect leaves over (an empty row or column takes no space in a
        # QGraphicsGridLayout, hence items).
        self.spare_right, self.spare_below = _Spare(), _Spare()
        ci.addItem(self.spare_right, row=1, col=4, rowspan=4)
        ci.addItem(self.spare_below, row=4, col=0, colspan=3)
        ci.layout.setColumnStretchFactor(4, 1)
        ci.layout.setRowStretchFactor(4, 1)
        self._box = (0, 0)
        self._placing = False
        for item in (self.legend, self.title, self.left_axis, self.top_axis):
            item.geometryChanged.connect(self._place)
        self.row_strip_vb.setYLink(self.vb)
        self.col_strip_vb.setXLink(self.vb)

        self.image = pg.ImageItem(axisOrder="row-major")
        self.bands = BandItem()
        self.hatch = HatchItem()  # rows a compression skips, drawn in place (dense view)
        self.overlay = GridOverlay()
        for z, item in ((0, self.image), (2, self.bands), (3, self.hatch)):
            item.setZValue(z)
            self.vb.addItem(item)
        self.vb.addItem(self.overlay)
        self.highlight = _Outline(self.vb, "#111111", "#ff00b4", 2.0, 8)
        self.pin_box = _Outline(self.vb, "#111111", "#ffffff", 2.0, 9)
        self.hover_box = _path_item("#111111", 1.5, 10)
        self.vb.addItem(self.hover_box)
        self.row_strip = pg.ImageItem(axisOrder="row-major")
        self.col_strip = pg.ImageItem(axisOrder="row-major")
        self.row_strip_vb.addItem(self.row_strip)
        self.col_strip_vb.addItem(self.col_strip)
        self.scene().sigMouseClicked.connect(self._mouse_clicked)
        self.refresh_fonts()

    def _strip_box(self, horizontal: bool) -> pg.ViewBox:
        vb = pg.ViewBox(invertY=True, enableMenu=False, defaultPadding=0)
        vb.setMouseEnabled(False, False)
        if horizontal:
            vb.setFixedHeight(STRIP_PX)
            vb.setYRange(0, 1, padding=0)
        else:
            vb.setFixedWidth(STRIP_PX)
            vb.setXRange(0, 1, padding=0)
        return vb

    # --- content ------------------------------------------------------------------------
    def set_shape(self, rows: int, cols: int) -> None:
        """A new array size: geometry of every item, and a fit."""
        changed = (rows, cols) != (self.rows, self.cols)
        self.rows, self.cols = rows, cols
        self.image.setRect(QRectF(-0.5, -0.5, cols, rows))
        self.bands.set_shape(rows, cols)
        self.hatch.set_shape(rows, cols)
        self._row_state = self._col_state = None
        self.row_strip.setRect(QRectF(0, -0.5, 1, rows))
        self.col_strip.setRect(QRectF(-0.5, 0, cols, 1))
        if changed:
            self._box = (0, 0)
            self._place()
            self.fit()

    def set_image(self, img: np.ndarray, table: np.ndarray) -> None:
        """The tile's palette-index image (possibly sampled: it is stretched over the array)."""
        self.image.setLookupTable(table, update=False)
        self.image.setImage(img, autoLevels=False)
        self.image.setRect(QRectF(-0.5, -0.5, self.cols, self.rows))
        strips = table if self._strip_table is None else self._strip_table
        self.row_strip.setLookupTable(strips, update=False)
        self.col_strip.setLookupTable(strips, update=False)

    def set_strip_table(self, table: np.ndarray | None) -> None:
        """The strips' own colours (values mode: a value ramp); None: the tile's table again
        from the next set_image. Its fixed entries (padding, past the edge) are the grid's."""
        self._strip_table = table
        if table is not None:
            self.row_strip.setLookupTable(table)
            self.col_strip.setLookupTable(table)
        self._row_state = self._col_state = None  # drawn again at the next cycle

    def set_cycle_state(self, row_state: np.ndarray, col_state: np.ndarray) -> None:
        """Strips and darkening bands of one cycle (palette indices per row / column).

        Only what differs from the previous cycle is touched: inside the IFM, consecutive
        cycles drive the same rows and columns, and the grid is then not repainted at all.
        """
        rows_new = self._row_state is None or not np.array_equal(row_state, self._row_state)
        cols_new = self._col_state is None or not np.array_equal(col_state, self._col_state)
        if rows_new:
            self._row_state = row_state.copy()
            self.row_strip.setImage(row_state[:, None], autoLevels=False)
            self.row_strip.setRect(QRectF(0, -0.5, 1, self.rows))
        if cols_new:
            self._col_state = col_state.copy()
            self.col_strip.setImage(col_state[None, :], autoLevels=False)
            self.col_strip.setRect(QRectF(-0.5, 0, self.cols, 1))
        if rows_new or cols_new:
            self.bands.set_masks(row_state == pal.INDEX["padding"], col_state == pal.INDEX["past_edge"])

    def set_hatch(self, rows: np.ndarray | None, cols: np.ndarray | None, block=None) -> None:
        """Rows (and columns) to hatch: skipped by a compression, shown in place; None: none.
        `block`: (r0, r1, c0, c1) of the mapped block the hatching spans (default: all)."""
        self.hatch.set_masks(rows, cols, block)

    def set_hover(self, cell: tuple[int, int] | None) -> None:
        _set_path(self.hover_box, cells_path([] if cell is None else [(cell[0], cell[1], 1, 1)]))

    def set_pin(self, cell: tuple[int, int] | None) -> None:
        self.pin_box.set_rects([] if cell is None else [(cell[0], cell[1], 1, 1)])

    def set_highlight(self, rects) -> None:
        self.highlight.set_rects(rects)

    def refresh_fonts(self) -> None:
        """Follow the application's text size (View > Larger Text, presentation mode):
        pyqtgraph's items keep the font they were made with, so each is set here."""
        font = pg.QtWidgets.QApplication.font()
        points = f"{font.pointSizeF():.1f}pt"
        for axis, name in ((self.left_axis, "row"), (self.top_axis, "column")):
            axis.textWidth, axis.textHeight = 30, 18  # forget the space the old font needed
            # Let the end labels ('0', '4000') reach past the ruler's ends instead of vanishing.
            axis.setStyle(tickFont=QFont(font), hideOverlappingLabels=int(font.pointSizeF() * 2.5))
            axis.setLabel(name, **{"font-size": points, "color": "#3a414b"})
            axis._adjustSize()
        # Room after the grid for the last column label, which reaches past the ruler's end.
        self.ci.layout.setColumnSpacing(2, round(QFontMetricsF(font).horizontalAdvance("0000") / 2) + 2)
        self.legend.set_compact(self.width() < COMPACT_WIDTH * max(1.0, font.pointSizeF() / 10.5))
        self.legend.set_legend(self.legend.legend)
        self.title.setText(self.title.text, size=points)
        self._place()

    # --- view ---------------------------------------------------------------------------
    def _place(self, *_) -> None:
        """Size the grid's box to the array's aspect in the space the other parts leave."""
        if self._placing or not (self.rows and self.cols):
            return
        self._placing = True
        try:
            left, top, right, bottom = self.ci.layout.getContentsMargins()
            # The widget's own size, not the layout's: a box fixed for a larger size sets the
            # layout's minimum, and the layout would then never shrink to tell us.
            geo = self.viewport().rect()
            legend_w = max(self.legend.preferredWidth(), self.legend.minimumWidth())
            avail_w = (geo.width() - left - right - STRIP_PX - self.left_axis.minimumWidth() - legend_w
                       - self.ci.layout.columnSpacing(2))
            title_h = max(self.title.effectiveSizeHint(Qt.PreferredSize).height(), self.title.geometry().height())
            avail_h = geo.height() - top - bottom - title_h - STRIP_PX - self.top_axis.minimumHeight()
            w, h = box_size(avail_w, avail_h, self.rows, self.cols)
            if (w, h) != self._box and w > 0 and h > 0:
                self._box = (w, h)
                self.vb.setFixedWidth(w)
                self.vb.setFixedHeight(h)
                # The rulers and strips beside it may not grow past it: their row and column
                # are then exactly the box's, so ticks and strips stay registered with the cells.
                for item in (self.top_axis, self.col_strip_vb):
                    item.setMaximumWidth(w)
                for item in (self.left_axis, self.row_strip_vb):
                    item.setMaximumHeight(h)
                self.vb.setLimits(**view_limits(self.rows, self.cols, w, h))
        finally:
            self._placing = False

    def fit(self) -> None:
        """Show exactly the whole array (no padding); it stays whole as the widget resizes,
        since the box keeps the array's aspect, until a pan or zoom."""
        if self.rows and self.cols:
            self.vb.disableAutoRange()
            self.vb.setRange(QRectF(-0.5, -0.5, self.cols, self.rows), padding=0)

    def zoom_to(self, row: int, col: int, size: int) -> None:
        """Show `size` x `size` cells whose top-left cell is (row, col)."""
        self.vb.setRange(QRectF(col - 0.5, row - 0.5, size, size), padding=0)

    def view_to_cell(self, x: float, y: float):
        return cell_at(x, y, self.rows, self.cols)

    def cell_scene_pos(self, row: int, col: int):
        """Scene position of a cell's centre (tests drive the mouse with it)."""
        return self.vb.mapViewToScene(pg.QtCore.QPointF(col, row))

    def _mouse_moved(self, pos) -> None:
        cell = None
        if self.vb.sceneBoundingRect().contains(pos):
            p = self.vb.mapSceneToView(pos)
            cell = self.view_to_cell(p.x(), p.y())
        if cell != self._hover:
            self._hover = cell
            self.set_hover(cell)
            self.hovered.emit(cell)

    def _mouse_clicked(self, ev) -> None:
        if ev.button() != Qt.LeftButton or not self.vb.sceneBoundingRect().contains(ev.scenePos()):
            return
        p = self.vb.mapSceneToView(ev.scenePos())
        self.clicked.emit(self.view_to_cell(p.x(), p.y()))

    def keyPressEvent(self, ev) -> None:
        if ev.key() == Qt.Key_Escape:
            self.escape_pressed.emit()
            ev.accept()
            return
        super().keyPressEvent(ev)

    def resizeEvent(self, ev) -> None:
        if ev is not None and hasattr(self, "legend"):  # pyqtgraph calls it with None while building
            # Larger text needs more room before the full legend fits (presentation mode).
            points = pg.QtWidgets.QApplication.font().pointSizeF()
            self.legend.set_compact(ev.size().width() < COMPACT_WIDTH * max(1.0, points / 10.5))
        super().resizeEvent(ev)
        if hasattr(self, "legend"):
            self._place()

    def changeEvent(self, ev) -> None:
        super().changeEvent(ev)
        if ev.type() == pg.QtCore.QEvent.FontChange:
            self.refresh_fonts()

    def mouseMoveEvent(self, ev) -> None:
        """Every move counts (the scene's sigMouseMoved is rate-limited and may drop the last one,
        leaving a stale cell under a cursor that has stopped)."""
        super().mouseMoveEvent(ev)
        self._mouse_moved(self.mapToScene(ev.position().toPoint()))

    def leaveEvent(self, ev) -> None:
        super().leaveEvent(ev)
        if self._hover is not None:
            self._hover = None
            self.set_hover(None)
            self.hovered.emit(None)
