"""Column widths from a few rows' text, measured with font metrics.

QTableView.resizeColumnsToContents asks the delegate for a size hint per cell and role: about
80 ms for 200 rows of the results table, and it samples from the top, so the bold totals rows
at the bottom of a long table were never measured. Here the first rows, the last rows (the
totals) and the rows in view are measured, with the font each cell is drawn in.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QStyle, QTableView

HEAD_ROWS, TAIL_ROWS = 25, 10  # rows measured from each end, besides the rows in view
SORT_ARROW = 14  # room for the header's sort indicator


def sample_rows(view: QTableView) -> list[int]:
    n = view.model().rowCount()
    top = max(0, view.rowAt(0))
    bottom = view.rowAt(max(0, view.viewport().height() - 1))
    bottom = n - 1 if bottom < 0 else bottom
    picked = set(range(min(n, HEAD_ROWS))) | set(range(max(0, n - TAIL_ROWS), n)) | set(range(top, bottom + 1))
    return sorted(picked)


def fit_columns(view: QTableView, max_width: int = 420) -> None:
    """Size every shown column to its header and the sampled cells (at most `max_width` px)."""
    model = view.model()
    if model is None:
        return
    rows = sample_rows(view)
    style = view.style()
    pad = 2 * (style.pixelMetric(QStyle.PM_FocusFrameHMargin, None, view) + 1) + 6
    base = QFontMetrics(view.font())
    header = view.horizontalHeader()
    head_fm = QFontMetrics(header.font())
    head_pad = 2 * style.pixelMetric(QStyle.PM_HeaderMargin, None, header) + SORT_ARROW
    metrics: dict[str, QFontMetrics] = {}
    for col in range(model.columnCount()):
        if view.isColumnHidden(col):
            continue
        title = str(model.headerData(col, Qt.Horizontal, Qt.DisplayRole) or "")
        width = max((head_fm.horizontalAdvance(line) for line in title.split("\n")), default=0) + head_pad
        for row in rows:
            index = model.index(row, col)
            text = index.data(Qt.DisplayRole)
            if text is None or text == "":
                continue
            font = index.data(Qt.FontRole)
            if isinstance(font, QFont):
                key = font.toString()
                fm = metrics.get(key) or metrics.setdefault(key, QFontMetrics(font))
            else:
                fm = base
            width = max(width, fm.horizontalAdvance(str(text)) + pad)
        view.setColumnWidth(col, min(width, max_width))
