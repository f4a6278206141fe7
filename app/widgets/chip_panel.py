"""The Chip view: the mapped network on a chip of many arrays (engine.chip, issue 16).

The chip spec editor on top, a method choice and a table of every mapped method on the same
chip, then one pyqtgraph scene (so PNG and SVG exports hold all of it): the heading, the
chip figures, the floorplan (app.widgets.chip_floorplan_view) and the pipeline timeline
(app.widgets.chip_timeline). It follows the mapping result (`show_result`); a spec edit
only allocates again (app.chip_study: well under a millisecond), never maps again.
Clicking an array emits `array_clicked(layer index, method, TilePosition)`.
"""
from __future__ import annotations

import html

import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QSpinBox,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from engine.batch import MapResult
from engine.chip import ChipError, ChipSpec
from engine.chip_floorplan import floorplan, tile_position

from app import method_style
from app.chip_figures import TABLE_COLUMNS, figure_lines, table_row
from app.chip_grid import describe_array, floor_grid, floor_image
from app.chip_study import ChipStudy
from app.widgets.chart_axes import TEXT, WARN, ChartHeading, subject_text
from app.widgets.chart_export import export_button, file_stem
from app.widgets.chip_floorplan_view import ChipFloorplanPlot
from app.widgets.chip_spec_editor import ChipSpecEditor
from app.widgets.chip_timeline import ChipTimelinePlot

TITLE = "Chip: the network on many arrays"
MIN_VIEW_PX = 600


class ChipPanel(QWidget):
    array_clicked = Signal(int, str, object)  # layer index, method, engine.chip_floorplan.TilePosition
    spec_changed = Signal(object)  # ChipSpec, after an accepted edit

    def __init__(self, parent=None):
        super().__init__(parent)
        self.study: ChipStudy | None = None
        self.network = ""
        self.reports: dict = {}  # method -> ChipReport on the current spec
        self.report = self.plan_map = None  # the shown method's report and floorplan
        self._plans: list = []
        self._grid = None
        self._behind = False  # a refresh waits for the panel to be shown
        self.editor = ChipSpecEditor()
        self.editor.check = self._check
        self.editor.changed.connect(self._spec_edited)
        self.method = QComboBox()
        self.method.setObjectName("chipMethod")
        self.method.setToolTip("The method whose plans the floorplan and the timeline place on the chip")
        self.method.currentIndexChanged.connect(lambda _i: self._refresh())
        self.round = QSpinBox()
        self.round.setObjectName("chipRound")
        self.round.setPrefix("round ")
        self.round.setToolTip("The network does not fit: each round of the time-multiplexed schedule has its "
                              "own floorplan")
        self.round.valueChanged.connect(lambda _v: self._show_floorplan())
        self.round.hide()
        self.export = export_button(self, lambda: file_stem(f"chip_{self.heading.subject}"))
        self.table = QTableWidget(0, len(TABLE_COLUMNS))
        self.table.setObjectName("chipMethods")
        self.table.setHorizontalHeaderLabels(TABLE_COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.setToolTip("Every mapped method on the same chip; click a row to show its floorplan")
        self.table.cellClicked.connect(lambda row, _c: self.method.setCurrentIndex(row))

        self.view = pg.GraphicsLayoutWidget()
        self.view.setBackground("w")
        self.view.ci.setSpacing(4)
        self.view.setMinimumHeight(MIN_VIEW_PX)  # a slim dock scrolls rather than crushing the plots
        self.heading = ChartHeading(self.view.addLabel(row=0, col=0, justify="left"), [])
        self.figures = self.view.addLabel(row=1, col=0, justify="left")
        self.plan_plot = ChipFloorplanPlot()
        self.view.addItem(self.plan_plot, row=2, col=0)
        self.timeline = ChipTimelinePlot()
        self.view.addItem(self.timeline, row=3, col=0)
        self.view.ci.layout.setRowStretchFactor(2, 3)
        self.view.ci.layout.setRowStretchFactor(3, 2)
        self.heading.dim = [self.plan_plot, self.timeline, self.figures]
        self.heading.set(TITLE)
        self.view.scene().sigMouseMoved.connect(self.plan_plot.mouse_moved)
        self.view.scene().sigMouseClicked.connect(self.plan_plot.mouse_clicked)
        self.plan_plot.hovered.connect(self._hovered)
        self.plan_plot.clicked.connect(self._clicked)
        self.hover = QLabel(" ")
        self.hover.setObjectName("hoverText")
        self.hover.setWordWrap(True)
        # Room for two lines from the start: a hover that wraps must not push the view about.
        self.hover.setMinimumHeight(2 * self.hover.fontMetrics().lineSpacing() + 4)
        self.hint = QLabel("Map the network to place it on the chip.")
        self.hint.setObjectName("hintText")
        self.hint.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(QLabel("Method"))
        top.addWidget(self.method, 1)
        top.addWidget(self.round)
        top.addWidget(self.export)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.setSpacing(3)
        lay.addWidget(self.editor)
        lay.addLayout(top)
        lay.addWidget(self.table)
        lay.addWidget(self.hint)
        lay.addWidget(self.hover)  # above the view: in view while the floorplan is hovered, however tall
        lay.addWidget(self.view, 1)

    # --- inputs --------------------------------------------------------------------------------
    def show_result(self, result: MapResult | None, methods: tuple[str, ...], network: str = "",
                    prefer: str | None = None) -> None:
        """`prefer`: the method to show first (the window's selected one), if mapped."""
        self.network = network
        self.study = ChipStudy(result, method_style.ordered(methods)) if result is not None else None
        shown = self.study.methods if self.study else ()
        keep = self.current_method() or prefer
        self.method.blockSignals(True)
        self.method.clear()
        for m in shown:
            self.method.addItem(method_style.label(m), m)
        i = self.method.findData(prefer if prefer in shown else keep)
        self.method.setCurrentIndex(max(i, 0))
        self.method.blockSignals(False)
        self.heading.set_stale(False)
        self._revalidate()

    def set_spec(self, spec: ChipSpec) -> None:
        self.editor.set_spec(spec)  # emits changed: refreshed there

    def spec(self) -> ChipSpec:
        return self.editor.spec()

    def set_method(self, method: str) -> None:
        i = self.method.findData(method)
        if i >= 0:
            self.method.setCurrentIndex(i)

    def current_method(self) -> str | None:
        return self.method.currentData()

    def set_stale(self, stale: bool) -> None:
        self.heading.set_stale(stale)

    def export_view(self):
        return self.view

    # --- figures -------------------------------------------------------------------------------
    def _check(self, spec: ChipSpec) -> None:
        m = self.current_method()
        if self.study is not None and m is not None:
            self.study.report(m, spec)  # ChipError for a spec the mapped array cannot take

    def _revalidate(self) -> None:
        """A new result: the spec in force may not suit its array (columns per ADC)."""
        if not self.on_screen():  # checked when shown: allocating a long network takes a while
            self._behind = True
            return
        try:
            self._check(self.editor.spec())
        except ChipError as e:  # no figures until the field is fixed (the study stays for the check)
            self.editor.show_error(e.field, str(e).removeprefix(f"chip: {e.field}: "))
        self._refresh()

    def _spec_edited(self, spec: ChipSpec) -> None:
        self._refresh()
        self.spec_changed.emit(spec)

    def _refresh(self) -> None:
        if not self.on_screen():  # not yet shown: allocating a long network takes a while
            self._behind = True
            return
        self._behind = False
        self.reports, self.report = {}, None
        m, spec = self.current_method(), self.editor.spec()
        if self.study is None or m is None:
            self._clear()
            return
        for method in self.study.methods:
            try:
                self.reports[method] = self.study.report(method, spec)
            except ChipError:
                continue  # the check above ran on the shown method; the others share its array
        self.report = self.reports.get(m)
        if self.report is None:
            self._clear()
            return
        self.hint.hide()
        self._plans = self.study.plans(m)
        self.editor.set_needed(self.report.arrays_needed)
        r = self.report
        self.round.blockSignals(True)
        self.round.setRange(1, r.rounds)
        self.round.setSuffix(f" of {r.rounds:,}")
        self.round.blockSignals(False)
        self.round.setVisible(not r.fits)
        req = self.study.result.request
        self.heading.set(f"{TITLE}: {method_style.label(m)} on {spec.arrays:,} arrays",
                         subject_text(self.network, req.array, (m,), req.options))
        self._fit_figures()  # the heading's new text keeps the wrapping width
        self.figures.setText("<br>".join(f"<span style='color:{WARN if warn else TEXT}'>{html.escape(t, quote=False)}</span>"
                                         for t, warn in figure_lines(r)))
        self._fit_figures()
        self._fill_table()
        self._show_floorplan()
        self.timeline.show_report(r)

    def _clear(self) -> None:
        self.hint.show()
        self.heading.set(TITLE)
        self.figures.setText(" ")
        self.table.setRowCount(0)
        self.plan_map = None
        self.plan_plot.show_picture(None, None)
        self.timeline.show_report(None)
        self.round.hide()

    def _fill_table(self) -> None:
        self.table.setRowCount(len(self.study.methods))
        for row, method in enumerate(self.study.methods):
            r = self.reports.get(method)
            cells = table_row(method, r) if r is not None else [method_style.label(method)] + ["–"] * 6
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignVCenter | (Qt.AlignLeft if col == 0 else Qt.AlignRight))
                self.table.setItem(row, col, item)
        self.table.selectRow(self.method.currentIndex())
        rows = sum(self.table.rowHeight(i) for i in range(self.table.rowCount()))
        # Room for the sideways scroll bar too: in a slim dock it would hide the last row.
        height = self.table.horizontalHeader().height() + rows + self.table.horizontalScrollBar().sizeHint().height() + 4
        self.table.setFixedHeight(height)

    def _show_floorplan(self) -> None:
        r = self.report
        if r is None:
            return
        spec, aspect = r.spec, self.plan_plot.aspect()
        g = self._grid
        if g is None or (g.arrays, g.per_tile) != (spec.arrays, spec.arrays_per_tile) or _reshaped(g.aspect, aspect):
            self._grid = floor_grid(spec.arrays, spec.arrays_per_tile, aspect)
        self.plan_map = floorplan(r, self.round.value() - 1 if not r.fits else 0)
        self.plan_plot.show_picture(self._grid, floor_image(self._grid, self.plan_map, len(r.needs.names)))
        self.hover.setText(" ")

    def _fit_figures(self) -> None:
        """The heading and figure lines wrap at the view's width (a narrow dock must not cut them off)."""
        for label in (self.heading.label, self.figures):
            label.item.setTextWidth(max(120, self.view.width() - 24))
            label.updateMin()
            label.setMinimumWidth(0)  # its width follows the view's, never holds the view wide

    def on_screen(self) -> bool:
        """Shown and not behind another tab: a tabified dock's hidden page stays isVisible()
        in Qt 6, only its visible region is empty."""
        return self.isVisible() and not self.visibleRegion().isEmpty()

    def catch_up(self) -> None:
        """The panel came on screen (shown, or its dock's tab chosen: then only a paint says
        so): show what arrived meanwhile."""
        if self._behind and self.on_screen():
            self._revalidate()

    def paintEvent(self, ev) -> None:
        super().paintEvent(ev)
        if self._behind:  # painted: on screen now, shown or its tab chosen (which sends no show event)
            QTimer.singleShot(0, self.catch_up)

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        self._fit_figures()
        if self._grid is not None and _reshaped(self._grid.aspect, self.plan_plot.aspect()):
            self._show_floorplan()  # tiles laid out again to fill the plot's new shape

    # --- hover and click -------------------------------------------------------------------------
    def describe(self, i: int) -> str:
        return describe_array(self.report, self.plan_map, self._plans, i)

    def _hovered(self, i: int) -> None:
        self.hover.setText(self.describe(i) if i >= 0 and self.plan_map is not None else " ")

    def _clicked(self, i: int) -> None:
        if self.plan_map is None or self.plan_map.layer[i] < 0:
            return
        layer = int(self.plan_map.layer[i])
        self.array_clicked.emit(layer, self.current_method(), tile_position(self._plans[layer],
                                                                            int(self.plan_map.tile[i])))


def _reshaped(laid_out: float, now: float) -> bool:
    """The plot's shape moved far enough from the floorplan's that laying it out again fills it better."""
    return not 0.75 < now / laid_out < 1.33
