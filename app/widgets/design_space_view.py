"""Heatmap of a layer's design space: cycles at every (nh, nw) parallel-window candidate.

One ImageItem, cells centred on integers (x = nw, y = nh), fixed levels, and a colour bar
that reads in cycles (log scale) or in the share of rows saved. For a
compression-aware method three readings share the plot: compressed cycles, the base
layout's cycles (same colour scale) and the share of rows compression saves. Hover names a
candidate's figures; a click asks for it as a what-if plan.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from app import method_style, numbers
from app.design_space import READINGS, DesignSpace, base_method, candidate_at, focus_box, method_title
from app.widgets.chart_axes import ChartHeading, set_plot_title, styled_plot, subject_text
from app.widgets.chart_export import export_button, file_stem

_CMAP = pg.colormap.get("viridis")
_SAVED_CMAP = pg.colormap.get("inferno")
_FEWER_CMAP = _CMAP.getSubset(0.0, 1.0)  # a copy (colormap.get shares one object per name) ...
_FEWER_CMAP.reverse()  # ... reversed: the bar runs from few cycles (bright) at the bottom to many at the top
_SAVED_BAR_CMAP = _SAVED_CMAP.getSubset(0.1, 0.85)  # saved_rgba's range
FOCUS = 2  # the first view shows candidates within this factor of the optimum
SPREAD = 16  # compressed spaces: the colour scale spans the fewest cycles up to this factor of them


def heat_rgba(cycles: np.ndarray, span: tuple[float, float] | None = None) -> np.ndarray:
    """(OH, OW) cycles (-1 invalid) -> (OW, OH, 4) uint8 for ImageItem's [x, y] order.

    Fewer cycles is brighter (log scale over `span`, default the valid cycles' range);
    candidates that do not fit are transparent.
    """
    valid = cycles > 0
    rgba = np.zeros(cycles.shape + (4,), dtype=np.uint8)
    if valid.any():
        logc = np.log10(np.where(valid, cycles, 1).astype(float))
        lo, hi = (np.log10(span) if span else (logc[valid].min(), logc[valid].max()))
        t = np.clip(1.0 - (logc - lo) / (hi - lo), 0, 1) if hi > lo else np.ones_like(logc)
        rgba[...] = _CMAP.map(t.ravel(), mode="byte").reshape(cycles.shape + (4,))
    rgba[~valid] = 0
    return np.ascontiguousarray(rgba.transpose(1, 0, 2))


def saved_rgba(fraction: np.ndarray) -> np.ndarray:
    """(OH, OW) share of rows saved (-1 invalid) -> (OW, OH, 4); more saved is brighter."""
    valid = fraction >= 0
    rgba = np.zeros(fraction.shape + (4,), dtype=np.uint8)
    if valid.any():
        hi = fraction[valid].max()
        t = np.where(valid, fraction, 0) / hi if hi > 0 else np.zeros(fraction.shape)
        rgba[...] = _SAVED_CMAP.map(0.1 + 0.85 * t.ravel(), mode="byte").reshape(fraction.shape + (4,))
    rgba[~valid] = 0
    return np.ascontiguousarray(rgba.transpose(1, 0, 2))


def valid_span(cycles: np.ndarray) -> tuple[int, int] | None:
    valid = cycles[cycles > 0]
    return (int(valid.min()), int(valid.max())) if valid.size else None


def log_ticks(lo: int, hi: int) -> list[int]:
    """Round cycle counts (1, 2, 5 × 10^k) between lo and hi, with both ends: the colour bar's labels."""
    ticks = {lo, hi}
    for k in range(int(math.log10(max(lo, 1))), int(math.log10(max(hi, 1))) + 1):
        ticks.update(v for v in (10 ** k, 2 * 10 ** k, 5 * 10 ** k) if lo < v < hi)
    out = sorted(ticks)
    # Labels closer than a sixth of the bar to an end are dropped: they would overlap.
    span = math.log10(hi / lo) if hi > lo else 1.0
    return [v for v in out if v in (lo, hi) or min(math.log10(v / lo), math.log10(hi / v)) > span / 6]


def cycle_span(space: DesignSpace) -> tuple[int, int] | None:
    """The colour scale of the cycle readings, compressed and uncompressed together: from the
    fewest cycles up to SPREAD times them (more saturates), so the choice near the best shows."""
    both = [space.cycles("compressed"), space.cycles("uncompressed")]
    valid = np.concatenate([c[c > 0] for c in both])
    return (int(valid.min()), int(min(valid.max(), SPREAD * valid.min()))) if valid.size else None


def _pixels(layer, nh, nw) -> str:
    return f"{layer.k_h + (nh - 1) * layer.stride_h}×{layer.k_w + (nw - 1) * layer.stride_w} pixels"


class DesignSpaceView(QWidget):
    candidate_clicked = Signal(int, int)  # nh, nw

    def __init__(self, parent=None):
        super().__init__(parent)
        self.space: DesignSpace | None = None
        self.network = ""  # the name of the network the space's layer is in (for the heading)
        self.reading = "compressed"
        self.title = QLabel("Select a layer to see its design space.")
        self.title.setObjectName("hintText")
        self.title.setWordWrap(True)
        self.hover = QLabel(" ")
        self.hover.setObjectName("hoverText")
        self.readings = QWidget()
        row = QHBoxLayout(self.readings)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        self.reading_buttons: dict[str, QToolButton] = {}
        group = QButtonGroup(self)
        for name, tip in zip(READINGS, ("Cycles of the compressed layout at each PW",
                                        "Cycles of the base layout at each PW, on the same colour scale",
                                        "Share of the base layout's rows that compression skips at each PW")):
            b = QToolButton()
            b.setText(name.capitalize())
            b.setCheckable(True)
            b.setToolTip(tip)
            b.setObjectName(f"reading_{name.replace(' ', '_')}")
            b.toggled.connect(lambda on, n=name: on and self.set_reading(n))
            group.addButton(b)
            self.reading_buttons[name] = b
            row.addWidget(b)
        row.addStretch(1)
        self.reading_buttons["compressed"].setChecked(True)
        self.readings.hide()
        self.export = export_button(self, lambda: file_stem(f"design_space_{self.heading.subject}"))
        self.plot_widget = pg.PlotWidget(background="w")
        self.plot = self.plot_widget.getPlotItem()
        styled_plot(self.plot, "", "nh (windows down)", "nw (windows across)")
        self.plot.showGrid(x=False, y=False)
        self.plot.setAspectLocked(False)
        self.image = pg.ImageItem(axisOrder="col-major")
        self.plot.addItem(self.image)
        # The colour bar only shows the scale: the image is drawn as RGBA, so it is not linked to it.
        self.bar = pg.ColorBarItem(values=(0, 1), width=14, colorMap=_FEWER_CMAP, interactive=False, rounding=1e-9,
                                   colorMapMenu=False)
        self.bar.axis.setTextPen("#3a414b")
        self.bar.axis.enableAutoSIPrefix(False)  # fractions would read "(x0.001)"
        # Labels at both ends of the bar, and room for the widest ("12,096+").
        self.bar.axis.setStyle(hideOverlappingLabels=False, autoExpandTextSpace=True)
        self.bar.axis.setWidth(None)  # ColorBarItem fixes it at 45 px
        self.plot.layout.addItem(self.bar, 2, 5)
        self.bar_ticks: list[tuple[float, str]] = []
        self.best_marker = pg.ScatterPlotItem(symbol="star", size=22, brush="#ff2d2d", pen=pg.mkPen("w", width=2))
        self.search_marker = pg.ScatterPlotItem(symbol="d", size=18, brush="#00b4ff", pen=pg.mkPen("k", width=1.5))
        self.what_if_marker = pg.ScatterPlotItem(symbol="o", size=20, brush=None, pen=pg.mkPen("#ff00ff", width=3))
        for item in (self.best_marker, self.search_marker, self.what_if_marker):
            self.plot.addItem(item)
        self.heading = ChartHeading(self.plot.titleLabel,
                                    [self.plot.vb, self.plot.getAxis("left"), self.plot.getAxis("bottom"), self.bar],
                                    lambda html: set_plot_title(self.plot, html))
        self.plot.scene().sigMouseMoved.connect(self._mouse_moved)
        self.plot.scene().sigMouseClicked.connect(self._mouse_clicked)
        self.plot_widget.setToolTip("Brighter = fewer cycles (or more rows saved). ★ the method's plan; "
                                    "◆ a better compressed PW; ○ the what-if plan. "
                                    "Hover for a candidate's figures; click to show it as a what-if plan. "
                                    f"Zoomed first to candidates within {FOCUS}× of the best; scroll to zoom.")

        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.export, 0, Qt.AlignTop)
        lay.addLayout(top)
        lay.addWidget(self.readings)
        lay.addWidget(self.plot_widget, 1)
        lay.addWidget(self.hover)

    def show_space(self, space: DesignSpace | None, network: str | None = None) -> None:
        """`network`: the name of the network the layer is in (None: the last one named)."""
        self.space = space
        if network is not None:
            self.network = network
        self.clear_hover()
        self.heading.set_stale(False)
        if space is None:
            self.heading.set("", "")
            self.plot.setTitle(None)
            self.image.clear()
            self.best_marker.clear()
            self.search_marker.clear()
            self.what_if_marker.clear()
            self.readings.hide()
            return
        self.readings.setVisible(space.compressed)
        oh, ow = space.shape
        best = space.optimum
        self.best_marker.setData([best.nw], [best.nh])
        better = space.better_than_optimum()
        if better:
            self.search_marker.setData([better[1]], [better[0]])
        else:
            self.search_marker.clear()
        r = space.request
        self.heading.set(f"Design space of {r.layer.name}: {method_title(r.method, r.option_values())}",
                         subject_text(self.network, r.array))  # the title names the options
        self._draw()
        self.image.setRect(QRectF(0.5, 0.5, ow, oh))  # after setImage: the rect scales the image's size
        nh_max, nw_max = focus_box(space, FOCUS)
        self.plot.setRange(xRange=(0.5, nw_max + 0.5), yRange=(0.5, nh_max + 0.5), padding=0.02)

    def set_reading(self, reading: str) -> None:
        """compressed | uncompressed | rows saved (compressed spaces)."""
        if reading not in READINGS:
            raise ValueError(f"unknown reading {reading!r}")
        self.reading = reading
        if not self.reading_buttons[reading].isChecked():
            self.reading_buttons[reading].setChecked(True)
        if self.space is not None:
            self._draw()

    def _draw(self) -> None:
        space = self.space
        reading = self.reading if space.compressed else "compressed"
        if reading == "rows saved":
            saved = space.rows_saved()
            rgba = saved_rgba(saved)
            hi = float(saved.max()) if (saved > 0).any() else 1.0
            self._set_bar(_SAVED_BAR_CMAP, (0.0, hi), [(v, f"{v:.0%}") for v in np.linspace(0, hi, 5)],
                          "rows saved")
        else:
            cycles = space.cycles(reading)
            span = cycle_span(space) if space.compressed else valid_span(cycles)
            rgba = heat_rgba(cycles, span)
            if span is not None:
                lo, hi = span
                top = f"{numbers.count(hi)}+" if space.compressed and cycles.max() > hi else numbers.count(hi)
                ticks = [(math.log10(v), top if v == hi else numbers.count(v)) for v in log_ticks(lo, hi)]
                self._set_bar(_FEWER_CMAP, (math.log10(lo), math.log10(max(hi, lo + 1))), ticks, "cycles")
        self.image.setImage(rgba, autoLevels=False, levels=(0, 255))
        self.title.setText(self._title_text(reading))

    def _set_bar(self, cmap, levels, ticks, label: str) -> None:
        self.bar.setColorMap(cmap)
        self.bar.setLevels(levels)
        lo, hi = levels
        inside = 1e-3 * (hi - lo)  # the axis drops a tick that rounding puts just past an end
        self.bar.axis.setTicks([[(min(max(v, lo + inside), hi - inside), t) for v, t in ticks]])
        self.bar.axis.setLabel(label)
        self.bar_ticks = ticks  # what the bar says (tests)

    def _title_text(self, reading: str) -> str:
        space = self.space
        oh, ow = space.shape
        layer, best = space.request.layer, space.optimum
        zoom = f"Zoomed to candidates within {FOCUS}× of the best (scroll to zoom)."
        if not space.compressed:
            fallback = " (im2col fallback wins)" if best.row_split == "flat" else ""
            return (f"<b>{layer.name}</b>: {oh * ow:,} candidates; brighter = fewer cycles. "
                    f"★ optimum {best.nh}×{best.nw} windows, {numbers.count(best.cycles)} cycles"
                    f"{fallback}. {zoom}")
        r = space.request
        name, base = method_style.label(r.method), method_style.label(base_method(r))
        if reading == "rows saved":
            saved = space.rows_saved()
            top = saved[saved >= 0].max() if (saved >= 0).any() else 0
            what = f"rows saved (share of the {base} layout's rows skipped); brighter = more (0 % … {top:.0%})"
        else:
            lo, hi = cycle_span(space) or (0, 0)
            what = (f"{'compressed' if reading == 'compressed' else f'uncompressed ({base})'} cycles; "
                    f"brighter = fewer ({numbers.count(lo)} … {numbers.count(hi)}"
                    f"{' or more' if hi == SPREAD * lo else ''}; same scale in both)")
        whose = f"{base}'s best PW, compressed" if r.method != "vwc-sdk" else "VW-SDK's search after pruning"
        before = best.compression.base.cycles if best.compression is not None else best.cycles
        text = (f"<b>{layer.name}</b> · {method_title(r.method, r.option_values())}: {oh * ow:,} candidates, "
                f"{what}.<br>★ {name}'s plan ({whose}): {best.nh}×{best.nw} windows "
                f"({_pixels(layer, best.nh, best.nw)}), {numbers.count(best.cycles)} cycles "
                f"({numbers.count(before)} uncompressed).<br>")
        better = space.better_than_optimum()
        if better is None:
            return text + "No other PW does better compressed."
        nh, nw, cycles = better
        gain = best.cycles - cycles
        return text + (f"◆ A compression-aware search would pick {nh}×{nw} windows ({_pixels(layer, nh, nw)}): "
                       f"{numbers.count(cycles)} cycles, {numbers.count(gain)} ({gain / best.cycles:.0%}) fewer.")

    def show_message(self, text: str) -> None:
        self.show_space(None)
        self.title.setText(text)

    def clear_hover(self) -> None:
        """The readout names a candidate of the space under the mouse: gone when the space changes."""
        self.hover.setText(" ")

    def set_stale(self, stale: bool) -> None:
        """The selected layer, method or network changed and its space is still being computed."""
        self.clear_hover()
        self.heading.set_stale(stale and self.space is not None)

    def export_view(self):
        return self.plot_widget

    def mark_what_if(self, nh: int | None, nw: int | None) -> None:
        if nh is None:
            self.what_if_marker.clear()
        else:
            self.what_if_marker.setData([nw], [nh])

    def describe(self, nh: int, nw: int) -> str:
        c = self.space.candidate(nh, nw) if self.space else None
        if c is None:
            return f"{nh} × {nw} windows: does not fit the array"
        if "rows_before" not in c:
            return (f"{nh} × {nw} windows ({c['ph']} × {c['pw']} pixels): {numbers.count(c['cycles'])} cycles · "
                    f"ICt {c['ict']:,} · OCt {c['oct']:,} · AR {c['ar']:,} · AC {c['ac']:,}")
        return (f"{nh} × {nw} windows ({c['ph']} × {c['pw']} pixels) · rows {c['rows_before']:,} → "
                f"{c['rows_after']:,} · AR {c['ar_before']:,} → {c['ar']:,} · AC {c['ac']:,} · "
                f"cycles {numbers.count(c['cycles_before'])} → {numbers.count(c['cycles'])}")

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
