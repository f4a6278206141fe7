"""The legend of the grid's colour mode, drawn inside the scene so that exports include it."""
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
        if self.legend is None:
            return []
        rows = [("title", None, self.legend.title)]
        rows += [("entry", idx, text) for idx, text in self.legend.entries]
        rows += [("hatch", None, text) for text in self.legend.hatched]
        if self.legend.note:
            rows.append(("note", None, self.legend.note))
        if self.show_strips and not self.compact:
            rows.append(("title", None, "Strips (this cycle)"))
            rows += [("entry", idx, text) for idx, text in STRIP_ROWS]
        return rows

    def _relayout(self) -> None:
        fm = QFontMetricsF(self._font)
        lines = self._lines()
        h = fm.height() * 1.35
        width = max((fm.horizontalAdvance(t) + (h * 1.4 if kind in ("entry", "hatch") else 0) for kind, _, t in lines),
                    default=0)
        self.setPreferredWidth(width + 16)
        self.setMinimumWidth(width + 16)
        self.setPreferredHeight(h * len(lines) + 12)
        self.updateGeometry()

    def paint(self, p, *args):
        if self.legend is None:
            return
        fm = QFontMetricsF(self._font)
        h = fm.height() * 1.35
        sw = fm.height() * 0.95
        y = 6.0
        table = self.legend.table
        for kind, idx, text in self._lines():
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
