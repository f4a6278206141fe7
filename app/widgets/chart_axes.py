"""pyqtgraph axes that read like the tables: counts with separators, log values as counts."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from app import numbers


class CountAxis(pg.AxisItem):
    """Left axis of a count chart. In log mode the plotted value is log10(count)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.log_values = False

    def tickStrings(self, values, scale, spacing):
        if self.log_values:
            return [numbers.compact(10 ** v) for v in values]
        return [numbers.compact(v * scale) for v in values]

    def tickValues(self, minVal, maxVal, size):
        if not self.log_values:
            return super().tickValues(minVal, maxVal, size)
        lo, hi = int(minVal // 1), int(maxVal // 1) + 1
        return [(1.0, [float(v) for v in range(lo, hi + 1)])]


class LabelAxis(pg.AxisItem):
    """Bottom axis with one text label per integer position (layers, array sizes)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.labels: dict[int, str] = {}

    def set_labels(self, labels: dict[int, str]) -> None:
        self.labels = labels
        self.setTicks([list(labels.items())])


TEXT = "#1b1f24"
AXIS = "#5b6470"


def title_size() -> str:
    return f"{QApplication.font().pointSizeF() * 1.15:.1f}pt"


def styled_plot(plot: pg.PlotItem, title: str, left: str, bottom: str) -> None:
    """Dark, application-sized text on every axis: readable on a projector."""
    plot.setTitle(title, size=title_size(), color=TEXT)
    font = QFont(QApplication.font())
    for name, text in (("left", left), ("bottom", bottom)):
        axis = plot.getAxis(name)
        axis.setTickFont(font)
        axis.setTextPen(TEXT)
        axis.setPen(AXIS)
        axis.setLabel(text, color=TEXT, **{"font-size": f"{font.pointSizeF():.1f}pt"})
    plot.showGrid(x=False, y=True, alpha=0.25)
    plot.setMenuEnabled(False)
    plot.hideButtons()


# --- what a chart shows, named on the chart itself (a slide must say which network) --------
WARN = "#b35900"  # dark orange: reads on white and on a washed-out projector
STALE_PREFIX = "Out of date — "
DIM = 0.35  # opacity of an out-of-date chart's plots


def options_text(methods, options: dict | None) -> str:
    """The compression-aware methods' options shown, e.g. 'PAIRS (edge6, on VW-SDK)' ('' for none)."""
    from app.design_space import COMPRESSED, method_title

    return "; ".join(method_title(m, (options or {}).get(m)) for m in methods if m in COMPRESSED)


def bits_text(array) -> str:
    return f"{array.cell_bits}-bit cells, {array.weight_bits}-bit weights"


def subject_text(network: str, array=None, methods=(), options: dict | None = None, arrays: str = "") -> str:
    """'vgg13-paper · 512×512 array · 1-bit cells, 1-bit weights', then a line with the
    compression-aware methods' options when any is shown ('PAIRS (edge6, on VW-SDK)').

    `arrays` replaces the array's size (a sweep names its range of sizes)."""
    parts = [network or "untitled network"]
    if arrays:
        parts.append(arrays)
    elif array is not None:
        parts.append(f"{array.rows:,}×{array.cols:,} array")
    if array is not None:
        parts.append(bits_text(array))
    extra = options_text(methods, options)
    return " · ".join(parts) + (f"\n{extra}" if extra else "")  # the options on a line of their own


def set_plot_title(plot: pg.PlotItem, html: str) -> None:
    """A PlotItem title of several lines: pyqtgraph fixes the title row at 30 px (one line)."""
    plot.setTitle(html, size=title_size(), color=TEXT)
    height = plot.titleLabel.item.boundingRect().height() + 4
    plot.titleLabel.setMaximumHeight(height)
    plot.layout.setRowFixedHeight(0, height)


class ChartHeading:
    """A chart's heading (what it shows, then its network, array and options) in a pyqtgraph
    LabelItem, and the out-of-date state: a warning prefix in the heading and dimmed plots,
    so a stale figure cannot pass for a current one (on screen or in an exported file)."""

    def __init__(self, label: pg.LabelItem, dim: list, set_html=None):
        self.label = label
        self.dim = dim  # graphics items greyed while out of date
        self._set_html = set_html or (lambda html: label.setText(html, size=title_size(), color=TEXT))
        self.title, self.subject, self.stale = "", "", False

    def set(self, title: str, subject: str = "") -> None:
        self.title, self.subject = title, subject
        self._render()

    def set_stale(self, stale: bool) -> None:
        self.stale = bool(stale) and bool(self.subject)  # nothing shown is nothing out of date
        for item in self.dim:
            item.setOpacity(DIM if self.stale else 1.0)
        self._render()

    def text(self) -> str:
        """The heading as plain text (tests, file names)."""
        lines = [f"{STALE_PREFIX if self.stale else ''}{self.title}", self.subject]
        return "\n".join(line for line in lines if line)

    def _render(self) -> None:
        title = f"<b>{_escape(self.title)}</b>"
        if self.stale:
            title = f"<span style='color:{WARN}'>{STALE_PREFIX}</span>{title}"
        html = title
        if self.subject:
            size = f"{QApplication.font().pointSizeF() * 0.95:.1f}pt"
            lines = "<br>".join(_escape(line) for line in self.subject.split("\n"))
            html += f"<br><span style='font-size:{size}; font-weight:normal'>{lines}</span>"
        self._set_html(html)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


BAR_LIMIT = 2000  # layers per chart drawn as bars; beyond, one line per method


def add_layer_series(plot: pg.PlotItem, x: np.ndarray, heights, colour: str, offset: float, width: float):
    """One method's per-layer values on `plot`: grouped bars (x + offset, `width` wide) for a
    network a reader can count, a line through the layers beyond BAR_LIMIT. 100,000 bars are
    far below a pixel each and take 0.7 s per repaint (one QPicture rectangle each); the line is
    drawn downsampled to the pixels in view. Returns the item (for the legend)."""
    heights = np.asarray(heights, dtype=float)
    if len(x) <= BAR_LIMIT:
        item = pg.BarGraphItem(x=x + offset, height=heights, width=width, brush=colour, pen=pg.mkPen("w", width=0.5))
        plot.addItem(item)
        return item
    # Not stepMode: pyqtgraph's downsampling breaks its len(x) == len(y) + 1 rule.
    item = pg.PlotDataItem(np.asarray(x, dtype=float), heights, pen=pg.mkPen(colour, width=1.5))
    plot.addItem(item)
    # Only once in its ViewBox: pyqtgraph asks the view for its range while the item is added.
    item.setDownsampling(auto=True, method="peak")
    item.setClipToView(True)
    return item
