"""The legend of the grid's colour mode, drawn inside the scene so that exports include it.

Few categories are listed one per line; things laid out in 2-D (many kernel copies, kernel
elements) get a small swatch grid labelled by row and column, and many channels a colour
bar with ticks: the legend stays a few lines tall whatever the layer.
"""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPen
from PySide6.QtWidgets import QApplication

from . import palette as pal
from .hatch import WASH, hatch_lines, hatch_pen
from .modes import Legend

# Row strips beside the grid: what their colours mean (palette index, text).
STRIP_ROWS = ((pal.INDEX["driven"], "row reads an IFM pixel"),
              (pal.INDEX["padding"], "row reads padding / column past the edge"),
              (pal.INDEX["active"], "column feeds an OFM pixel"))


class LegendItem(pg.GraphicsWidget):
    def __init__(self):
        super().__init__()
        self.legend: Legend | None = None
        self.show_strips = True
        self.compact = False  # a narrow view: no strip rows, smaller text
        self.setSizePolicy(pg.QtWidgets.QSizePolicy.Fixed, pg.QtWidgets.QSizePolicy.Preferred)
        self._font = QFont(QApplication.font())

    def set_legend(self, legend: Legend | None) -> None:
        self.legend = legend
        self._font = QFont(QApplication.font())
        if self.compact:
            self._font.setPointSizeF(self._font.pointSizeF() * 0.85)
        self._relayout()
        self.update()

    def set_compact(self, compact: bool) -> None:
        if compact != self.compact:
            self.compact = compact
            self.set_legend(self.legend)

    def _lines(self):
        """(kind, palette index or block, text) in drawing order."""
        lg = self.legend
        if lg is None:
            return []
        rows = [("title", None, lg.title)]
        split = len(lg.entries) - lg.neutral
        cats, greys = lg.entries[:split], lg.entries[split:]
        if lg.grid is not None:  # a block replaces the category rows
            rows.append(("grid", lg.grid, ""))
        if lg.bar is not None:
            rows.append(("bar", lg.bar, ""))
        if lg.grid is None and lg.bar is None:
            rows += [("entry", idx, text) for idx, text in cats]
        if lg.note:
            rows.append(("note", None, lg.note))
        rows += [("entry", idx, text) for idx, text in greys]
        rows += [("hatch", None, text) for text in lg.hatched]
        if self.show_strips and not self.compact:
            rows.append(("title", None, "Strips (this cycle)"))
            rows += [("entry", idx, text) for idx, text in STRIP_ROWS]
        return rows

    # --- geometry of the blocks -----------------------------------------------------------
    def _small(self) -> QFont:
        font = QFont(self._font)
        font.setPointSizeF(font.pointSizeF() * 0.85)
        return font

    def _grid_geometry(self, grid):
        """(cell size, row-name width, width, height) of a swatch grid."""
        fm, sm = QFontMetricsF(self._font), QFontMetricsF(self._small())
        cell = max(fm.height() * 0.95, max((sm.horizontalAdvance(n) + 4 for n in grid.col_names), default=0))
        names = max((sm.horizontalAdvance(n) for n in grid.row_names), default=0) + 6
        label = sm.height() * 1.2 if grid.rows_label or grid.cols_label else 0
        width = max(names + cell * max(len(r) for r in grid.cells), sm.horizontalAdvance(self._grid_caption(grid)))
        return cell, names, width, label + sm.height() + cell * len(grid.cells) + 4

    @staticmethod
    def _grid_caption(grid) -> str:
        if not grid.rows_label:
            return f"{grid.cols_label} 0 … {len(grid.col_names) - 1}" if grid.cols_label else ""
        if grid.cols_label == "+":
            return f"{grid.rows_label} = row + column"
        return f"rows: {grid.rows_label} · columns: {grid.cols_label}"

    def _bar_geometry(self, bar):
        fm, sm = QFontMetricsF(self._font), QFontMetricsF(self._small())
        width = max(fm.height() * 12, sm.horizontalAdvance(bar.label) + 8)
        return width, sm.height() * 1.2 + fm.height() * 0.95 + sm.height() + 6

    def _height(self, kind, block, h) -> float:
        if kind == "grid":
            return self._grid_geometry(block)[3]
        if kind == "bar":
            return self._bar_geometry(block)[1]
        return h

    def _relayout(self) -> None:
        fm = QFontMetricsF(self._font)
        lines = self._lines()
        h = fm.height() * 1.35
        widths = [0.0]
        for kind, block, t in lines:
            if kind == "grid":
                widths.append(self._grid_geometry(block)[2])
            elif kind == "bar":
                widths.append(self._bar_geometry(block)[0])
            else:
                widths.append(fm.horizontalAdvance(t) + (h * 1.4 if kind in ("entry", "hatch") else 0))
        width = max(widths)
        self.setPreferredWidth(width + 16)
        self.setMinimumWidth(width + 16)
        self.setPreferredHeight(sum(self._height(k, b, h) for k, b, _ in lines) + 12)
        self.updateGeometry()

    # --- painting ---------------------------------------------------------------------------
    def _paint_grid(self, p, grid, x: float, y: float) -> None:
        table = self.legend.table
        cell, names, _, _ = self._grid_geometry(grid)
        sm = self._small()
        fs = QFontMetricsF(sm)
        p.setFont(sm)
        p.setPen(QColor("#4a5462"))
        caption = self._grid_caption(grid)
        if caption:
            p.drawText(QRectF(x, y, 2000, fs.height()), Qt.AlignVCenter | Qt.AlignLeft, caption)
            y += fs.height() * 1.2
        for j, name in enumerate(grid.col_names):
            p.drawText(QRectF(x + names + j * cell, y, cell, fs.height()), Qt.AlignCenter, name)
        y += fs.height()
        edge = QPen(QColor("#ffffff"), 1)
        for i, row in enumerate(grid.cells):
            p.setPen(QColor("#4a5462"))
            p.drawText(QRectF(x, y + i * cell, names - 4, cell), Qt.AlignVCenter | Qt.AlignRight, grid.row_names[i])
            p.setPen(edge)  # a thin white gap keeps neighbouring swatches apart
            for j, idx in enumerate(row):
                p.setBrush(QColor(pal.hex_of(table, idx)))
                p.drawRect(QRectF(x + names + j * cell, y + i * cell, cell, cell))
        p.setPen(QPen(QColor("#555b63"), 1))
        p.setBrush(Qt.NoBrush)
        p.drawRect(QRectF(x + names, y, cell * max(len(r) for r in grid.cells), cell * len(grid.cells)))

    def _paint_bar(self, p, bar, x: float, y: float) -> None:
        table = self.legend.table
        width, _ = self._bar_geometry(bar)
        fm, sm = QFontMetricsF(self._font), self._small()
        fs = QFontMetricsF(sm)
        p.setFont(sm)
        p.setPen(QColor("#4a5462"))
        p.drawText(QRectF(x, y, 2000, fs.height()), Qt.AlignVCenter | Qt.AlignLeft, bar.label)
        y += fs.height() * 1.2
        bh = fm.height() * 0.95
        n = len(bar.indices)
        step = width / max(1, n)
        p.setPen(Qt.NoPen)
        for i, idx in enumerate(bar.indices):
            p.setBrush(QColor(pal.hex_of(table, idx)))
            p.drawRect(QRectF(x + i * step, y, step + 0.6, bh))
        p.setBrush(Qt.NoBrush)
        p.setPen(QPen(QColor("#555b63"), 1))
        p.drawRect(QRectF(x, y, width, bh))
        if bar.span is not None:  # the part of the range this tile holds
            a, b = bar.span
            p.setPen(QPen(QColor("#1b1f24"), 2.5))
            p.drawRect(QRectF(x + a * width, y - 2, max(2.0, (b - a) * width), bh + 4))
        p.setPen(QColor("#1b1f24"))
        for pos, text in bar.ticks:
            tw = fs.horizontalAdvance(text)
            tx = min(max(x, x + pos * width - tw / 2), x + width - tw)
            p.drawText(QRectF(tx, y + bh + 3, tw + 2, fs.height()), Qt.AlignLeft | Qt.AlignVCenter, text)

    def paint(self, p, *args):
        if self.legend is None:
            return
        fm = QFontMetricsF(self._font)
        h = fm.height() * 1.35
        sw = fm.height() * 0.95
        y = 6.0
        table = self.legend.table
        for kind, idx, text in self._lines():
            if kind in ("grid", "bar"):
                (self._paint_grid if kind == "grid" else self._paint_bar)(p, idx, 8.0, y)
                y += self._height(kind, idx, h)
                continue
            font = QFont(self._font)
            font.setBold(kind == "title")
            font.setItalic(kind == "note")
            p.setFont(font)
            x = 8.0
            if kind == "entry":
                p.setPen(QPen(QColor("#555b63"), 1))
                p.setBrush(QColor(pal.hex_of(table, idx)))
                p.drawRect(QRectF(x, y + (h - sw) / 2, sw, sw))
                x += sw + h * 0.45
            elif kind == "hatch":  # the hatching itself, over the pruned-cell colour
                box = QRectF(x, y + (h - sw) / 2, sw, sw)
                p.fillRect(box, QColor(pal.hex_of(table, pal.INDEX["pruned"])))
                p.fillRect(box, QColor(*WASH))
                p.save()
                p.setClipRect(box)
                p.setPen(hatch_pen(max(1.5, sw / 9)))
                p.drawLines(hatch_lines(box, max(4.0, sw / 3)))
                p.restore()
                p.setPen(QPen(QColor("#555b63"), 1))
                p.setBrush(Qt.NoBrush)
                p.drawRect(box)
                x += sw + h * 0.45
            p.setPen(QColor("#1b1f24") if kind != "note" else QColor("#4a5462"))
            p.drawText(QRectF(x, y, 2000, h), Qt.AlignVCenter | Qt.AlignLeft, text)
            y += h
