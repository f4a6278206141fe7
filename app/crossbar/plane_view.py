"""A feature-map plane (IFM or OFM) with boxes drawn on it: one indexed image, pan and zoom.

The IFM view draws the padded input plane of one channel with the current parallel window
and its windows (outlined in their kernel copy's colour); the OFM view draws one output
channel filling in (idle, partial, complete) with the outputs of the current PW outlined.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

MAX_WINDOWS = 64  # beyond this only the PW and the chosen window are outlined


def _rect_item(colour: str, width: float, z: float, dash: bool = False):
    item = pg.QtWidgets.QGraphicsRectItem()
    pen = QPen(QColor(colour), width)
    pen.setCosmetic(True)
    if dash:
        pen.setStyle(Qt.DashLine)
    item.setPen(pen)
    item.setZValue(z)
    return item


def fill_rect(want: QRectF, plane: QRectF, aspect: float) -> QRectF:
    """`want` widened to `aspect` (width / height), then moved to lie on `plane` in each
    direction the plane is large enough for: the extra room shows more of the plane."""
    w, h = want.width(), want.height()
    if w <= 0 or h <= 0 or aspect <= 0:
        return QRectF(want)
    if w / h < aspect:
        w = h * aspect
    else:
        h = w / aspect
    cx, cy = want.center().x(), want.center().y()

    def place(c, size, lo, span):
        start = c - size / 2
        if size >= span:
            return lo + span / 2 - size / 2  # larger than the plane: centred on it
        return min(max(start, lo), lo + span - size)

    return QRectF(place(cx, w, plane.x(), plane.width()), place(cy, h, plane.y(), plane.height()), w, h)


class PlaneView(QWidget):
    """A title line (a QLabel: its text changes every cycle without re-laying out the
    scene) above a pyqtgraph view of the plane."""

    hovered = Signal(object)  # (y, x) of the plane pixel under the mouse, or None off the plane

    def __init__(self, name: str, parent=None):
        super().__init__(parent)
        self.setObjectName(name)
        self._hover = None
        self._title_lines = 2
        self.title = QLabel()
        self.title.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
        self.title.setTextFormat(Qt.RichText)
        self.plot = pg.GraphicsLayoutWidget()
        self.plot.setBackground("w")
        self.plot.ci.setContentsMargins(2, 2, 2, 2)
        self.vb = self.plot.ci.addViewBox(row=0, col=0, invertY=True, lockAspect=True, enableMenu=False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 2, 2, 2)
        lay.setSpacing(2)
        lay.addWidget(self.title)
        lay.addWidget(self.plot, 1)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.vb.addItem(self.image)
        self.frame = _rect_item("#1b1f24", 2.5, 5)  # the PW (IFM) or the PW's outputs (OFM)
        self.frame.setBrush(QColor(255, 214, 0, 90))  # the pixels read / outputs written this cycle
        self.marker = _rect_item("#ff00b4", 2.5, 7)  # the chosen cell's pixel
        self.vb.addItem(self.frame)
        self.vb.addItem(self.marker)
        self.windows: list = []
        self._extent = None
        self._want = None  # the box the automatic range was made for (made again on a resize)
        self._user_range = False  # the user panned or zoomed since
        self.vb.sigResized.connect(self._resized)
        self.vb.sigRangeChangedManually.connect(self._user_moved)
        self.plot.scene().sigMouseMoved.connect(self._mouse_moved)
        self.set_title_wrap(True)

    def add_footer(self, widget: QWidget) -> None:
        """A widget under the plane (the OFM's output timeline)."""
        self.layout().addWidget(widget)
        self.footer = widget

    def extra_height(self) -> int:
        """Height of the title and footer: what the pane needs besides its plane."""
        footer = getattr(self, "footer", None)
        return self.title.height() + (footer.height() + 2 if footer is not None and not footer.isHidden() else 0)

    def set_title_wrap(self, wrap: bool) -> None:
        """A narrow pane's title takes two lines rather than lose its end (the IFM caption
        was cut at 1280x720). Two lines always, so a caption that changes every cycle never
        changes the pane's layout."""
        self.title.setWordWrap(wrap)
        self.title.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
        self.fit_title()

    def set_title_lines(self, lines: int) -> None:
        """Lines the wrapped title keeps room for (values mode's OFM caption says more)."""
        self._title_lines = lines
        self.fit_title()

    def fit_title(self) -> None:
        lines = self._title_lines if self.title.wordWrap() else 1
        self.title.setFixedHeight(lines * self.title.fontMetrics().lineSpacing() + 2)

    def changeEvent(self, event) -> None:
        if event.type() in (QEvent.FontChange, QEvent.ApplicationFontChange):  # Larger Text, presentation
            self.fit_title()
        super().changeEvent(event)

    def set_title(self, text: str) -> None:
        if text != self.title.text():
            self.title.setText(text)

    def set_plane(self, img: np.ndarray, table: np.ndarray, y0: int = 0, x0: int = 0) -> None:
        """Pixel (y, x) of the plane is centred on view coordinates (x, y); img[0, 0] is (y0, x0)."""
        old = self.image.image
        if old is not None and old.shape == img.shape and np.array_equal(old, img) and self.image.lut is table:
            return  # most cycles leave the plane as it was: no re-render, no repaint
        self.image.setLookupTable(table, update=False)
        self.image.setImage(img, autoLevels=False)
        extent = (y0, x0, img.shape[0], img.shape[1])
        self.image.setRect(QRectF(x0 - 0.5, y0 - 0.5, img.shape[1], img.shape[0]))
        if extent != self._extent:
            self._extent = extent
            self._show(QRectF(x0 - 0.5, y0 - 0.5, img.shape[1], img.shape[0]))

    def _show(self, want: QRectF) -> None:
        """Show `want`, widened to the view's aspect over more of the plane (not over blank
        space outside it) where the plane reaches that far."""
        self._want = QRectF(want)
        self._user_range = False
        self.vb.setRange(fill_rect(want, self._plane_rect(), self._view_aspect()), padding=0)

    def pixel_at(self, x: float, y: float) -> tuple[int, int] | None:
        """The plane pixel (y, x) at view coordinates (x, y), or None off the plane."""
        if self._extent is None:
            return None
        ey, ex, eh, ew = self._extent
        py, px = int(np.floor(y + 0.5)), int(np.floor(x + 0.5))
        return (py, px) if ey <= py < ey + eh and ex <= px < ex + ew else None

    def _mouse_moved(self, pos) -> None:
        p = self.vb.mapSceneToView(pos)
        cell = self.pixel_at(p.x(), p.y()) if self.vb.sceneBoundingRect().contains(pos) else None
        if cell != self._hover:  # reported when the pixel changes, not per mouse move
            self._hover = cell
            self.hovered.emit(cell)

    def _user_moved(self, *_) -> None:
        self._user_range = True

    def _plane_rect(self) -> QRectF:
        ey, ex, eh, ew = self._extent
        return QRectF(ex - 0.5, ey - 0.5, ew, eh)

    def _view_aspect(self) -> float:
        r = self.vb.boundingRect()
        return r.width() / r.height() if r.width() > 0 and r.height() > 0 else 1.0

    def _resized(self, *_) -> None:
        """A new size: the automatic range is made again for it (a range of the user's stays)."""
        if self._want is None or self._extent is None:
            return
        if not self._user_range:
            self._show(self._want)

    def set_frame(self, y: int, x: int, h: int, w: int) -> None:
        self.frame.setRect(QRectF(x - 0.5, y - 0.5, w, h))
        self.frame.setVisible(h > 0 and w > 0)

    def follow(self, y: int, x: int, h: int, w: int) -> None:
        """Keep the box (y, x, h, w) in view: re-centre on it when it leaves (no jitter)."""
        if self._extent is None:
            return
        ey, ex, eh, ew = self._extent
        size = max(3 * max(h, w), 24)
        if size >= max(eh, ew):
            return  # the whole plane is small enough to stay in view
        box = QRectF(x - 0.5, y - 0.5, w, h)
        view = self.vb.viewRect()
        if view.contains(box) and (self._user_range or min(view.width(), view.height()) <= 2 * size):
            return  # still in view, and the zoom is the user's or already close
        top = min(max(y + h / 2 - size / 2, ey), ey + eh - size)  # stay on the plane
        left = min(max(x + w / 2 - size / 2, ex), ex + ew - size)
        self._show(QRectF(left - 0.5, top - 0.5, size, size))

    def set_marker(self, pixel: tuple[int, int] | None) -> None:
        self.marker.setVisible(pixel is not None)
        if pixel is not None:
            self.marker.setRect(QRectF(pixel[1] - 0.5, pixel[0] - 0.5, 1, 1))

    def set_windows(self, boxes: np.ndarray, colours: list[str], chosen: int | None) -> None:
        """Outline each window (y, x, h, w) in its colour; the chosen one thicker."""
        show = range(len(boxes)) if len(boxes) <= MAX_WINDOWS else ([chosen] if chosen is not None else [])
        show = list(show)
        while len(self.windows) < len(show):
            item = _rect_item("#000000", 1.5, 6)
            self.vb.addItem(item)
            self.windows.append(item)
        for item, k in zip(self.windows, show):
            y, x, h, w = (int(v) for v in boxes[k])
            inset = 0.08 + 0.06 * (k % 3)  # overlapping windows stay apart
            item.setRect(QRectF(x - 0.5 + inset, y - 0.5 + inset, w - 2 * inset, h - 2 * inset))
            pen = item.pen()
            pen.setColor(QColor(colours[k % len(colours)]))
            pen.setWidthF(3.5 if k == chosen else 1.5)
            item.setPen(pen)
            item.setVisible(True)
        for item in self.windows[len(show):]:
            item.setVisible(False)
