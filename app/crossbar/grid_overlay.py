"""Block outlines, fine cell lines and cell labels over the grid, drawn by level of detail.

One item paints them all, only inside the visible part of the grid and only where they
are legible: kernel-copy blocks always, channel boundaries once channels are 4 pixels
apart, output-channel boundaries and cell lines further in, and labels such as
`k2 c5 (1,0)` once a cell is large enough to hold them (a zero cell of the block reads
`·0·` or `zero (off kernel)`, never like a weight whose value is 0: see cells._label_text).
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPen

from . import palette as pal
from .cells import format_label
from .tile import Tile

LABEL_MIN_PX = (30, 24)  # cell width, height on screen before labels are tried
MAX_LABELS = 4000


def _pen(colour: str, width: float, alpha: int = 255) -> QPen:
    c = QColor(colour)
    c.setAlpha(alpha)
    pen = QPen(c, width)
    pen.setCosmetic(True)
    return pen


def _device_lines(p, t, lines, pen) -> None:
    """Draw item-space lines as device-pixel lines (axis-aligned, opaque: Qt's fast path)."""
    if not lines:
        return
    p.save()
    p.resetTransform()
    p.setPen(pen)
    p.drawLines([t.map(line) for line in lines])
    p.restore()


class GridOverlay(pg.GraphicsObject):
    def __init__(self):
        super().__init__()
        self.tile: Tile | None = None
        self.group = 0
        self.image: np.ndarray | None = None
        self.dark_text: np.ndarray | None = None  # per palette index: label text black?
        self.weights = None
        self.mode: str | None = None  # the grid's colour mode: by weight value, labels lead with it
        self._rect = QRectF()
        # Opaque pens, drawn in device pixels: translucent or transformed lines take Qt's slow path.
        self.copy_pen = _pen("#1b1f24", 2.0)
        self.channel_pen = _pen("#4d535c", 1.0)
        self.oc_pen = _pen("#7d848e", 1.0)
        self.cell_pen = _pen("#eef0f3", 1.0)
        self.mark_pen = _pen("#f0a30a", 5.0)  # the block just after a tile change (see set_marked)
        self.marked = False
        self.setZValue(5)

    def set_marked(self, marked: bool) -> None:
        """Frame the mapped block for a moment after a tile change (two tiles can look alike)."""
        if marked != self.marked:
            self.marked = marked
            self.update()

    def set_tile(self, tile: Tile | None, group: int, image: np.ndarray | None, table: np.ndarray | None,
                 weights=None) -> None:
        self.prepareGeometryChange()
        self.tile, self.group, self.image, self.weights = tile, group, image, weights
        if table is not None:
            self.dark_text = pal.luminance(table) > 0.45
        if tile is not None:
            rows, cols = tile.shape
            self._rect = QRectF(-0.5, -0.5, cols, rows)
        self.update()

    def boundingRect(self) -> QRectF:
        return self._rect

    def _visible(self):
        vb = self.getViewBox()
        if vb is None or self.tile is None:
            return None
        view = vb.viewRect().intersected(self._rect)
        if view.isEmpty():
            return None
        rows, cols = self.tile.shape
        r0, r1 = max(0, int(view.top() + 0.5)), min(rows, int(np.ceil(view.bottom() + 0.5)))
        c0, c1 = max(0, int(view.left() + 0.5)), min(cols, int(np.ceil(view.right() + 0.5)))
        return r0, r1, c0, c1

    def paint(self, p, *args):
        vis = self._visible()
        if vis is None:
            return
        r0, r1, c0, c1 = vis
        t = p.transform()
        sx, sy = abs(t.m11()) or abs(t.m21()), abs(t.m22()) or abs(t.m12())  # pixels per cell
        tile = self.tile
        top, bottom = tile.used_row_span
        if sx >= 10 and sy >= 10 and (r1 - r0) * (c1 - c0) <= 250_000:
            lines = [QLineF(c - 0.5, r0 - 0.5, c - 0.5, r1 - 0.5) for c in range(c0, c1 + 1)]
            lines += [QLineF(c0 - 0.5, r - 0.5, c1 - 0.5, r - 0.5) for r in range(r0, r1 + 1)]
            _device_lines(p, t, lines, self.cell_pen)
        oc_runs, ch_runs, cp_runs = tile.oc_runs, tile.channel_runs, tile.copy_runs
        if oc_runs and tile.narrowest("oc") * sx >= 6:
            _device_lines(p, t, [QLineF(r.start - 0.5, top - 0.5, r.start - 0.5, bottom - 0.5)
                                 for r in oc_runs if c0 <= r.start <= c1], self.oc_pen)
        if ch_runs and cp_runs and tile.narrowest("channel") * sy >= 4:
            left, right = cp_runs[0].start - 0.5, cp_runs[-1].stop - 0.5
            _device_lines(p, t, [QLineF(left, r.start - 0.5, right, r.start - 0.5)
                                 for r in ch_runs[1:] if r0 <= r.start <= r1], self.channel_pen)
        p.setPen(self.copy_pen)
        p.setBrush(Qt.NoBrush)
        if cp_runs and tile.narrowest("copy") * sx >= 2:
            for run in cp_runs:
                if run.stop >= c0 and run.start <= c1:
                    p.drawRect(QRectF(run.start - 0.5, top - 0.5, run.stop - run.start, bottom - top))
        elif cp_runs:
            p.drawRect(QRectF(cp_runs[0].start - 0.5, top - 0.5, cp_runs[-1].stop - cp_runs[0].start, bottom - top))
        if self.marked and cp_runs:
            p.setPen(self.mark_pen)
            p.drawRect(QRectF(cp_runs[0].start - 0.5, top - 0.5, cp_runs[-1].stop - cp_runs[0].start, bottom - top))
        if sx >= LABEL_MIN_PX[0] and sy >= LABEL_MIN_PX[1] and (r1 - r0) * (c1 - c0) <= MAX_LABELS:
            self._labels(p, r0, r1, c0, c1, sx, sy)

    def _fit(self, texts, sx, sy) -> float:
        """Pixel size at which every label fits its cell (the widest line, all lines)."""
        font = QFont()
        font.setPixelSize(20)
        fm = QFontMetricsF(font)
        widest = max(fm.horizontalAdvance(line) for text in texts for line in text)
        lines = max(len(text) for text in texts)
        return min(16.0, 20 * 0.88 * sx / max(widest, 1), sy * 0.82 / (lines * 1.2))

    def _labels(self, p, r0, r1, c0, c1, sx, sy):
        tile, g = self.tile, self.group
        skip_r, skip_c = tile.skipped_rows, tile.removed_cols  # hatched: the hatching says it all
        cells = [(r, c) for r in range(r0, r1) if skip_r is None or not skip_r[r]
                 for c in range(c0, c1) if skip_c is None or not skip_c[c]]
        if not cells:
            return
        for long in (True, False):
            texts = [format_label(tile, g, r, c, long, self.weights, self.mode).replace(" (", "\n(").split("\n")
                     for r, c in cells]
            shown = [t for t in texts if t[0]]
            if not shown:
                return
            size = self._fit(shown, sx, sy)
            if size >= (10 if long else 7):
                break
        else:
            return  # not legible: leave the cells plain
        font = QFont(p.font())
        font.setPixelSize(int(size))
        t = p.transform()
        p.save()
        p.resetTransform()
        p.setFont(font)
        black, white = QColor("#111111"), QColor("#ffffff")
        shade = self.image is not None and self.dark_text is not None and self.image.shape == tile.shape
        for (r, c), lines in zip(cells, texts):
            if not lines[0]:
                continue
            centre = t.map(QPointF(c, r))
            p.setPen(black if not shade or self.dark_text[self.image[r, c]] else white)
            p.drawText(QRectF(centre.x() - sx / 2, centre.y() - sy / 2, sx, sy), Qt.AlignCenter, "\n".join(lines))
        p.restore()
