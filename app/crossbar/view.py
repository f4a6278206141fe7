"""The crossbar view: grid, IFM and OFM planes, playback, compare mode and exports, assembled.

It follows the selection (`show_selection(PlanSelection | None)`, connected to
`SelectionModel.changed`) and reports the pinned or hovered cell (`cell_changed`) for the
inspector. Weights are optional (`set_weights`); colouring by weight value is offered
only for a layer whose weights are known. A compressed plan is shown as its repacked
array or with its skipped rows in place, hatched (`set_compressed_view`, app.crossbar.compressed).
"""
from __future__ import annotations

from typing import Callable

import numpy as np
from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QSizePolicy, QSplitter, QStackedWidget, QVBoxLayout, QWidget

from engine import ConvLayer, Plan
from engine.methods import METHODS, map_layer

from app import method_style, numbers

from .compare import ComparePane
from .compressed import VIEWS, is_compressed, shown_plan, summary
from .controls import PlaybackControls
from .export_controller import ExportController
from .grid_widget import GridWidget
from .link_lines import LinkLines
from .output_timeline import OutputTimeline
from .plan_panel import PlanPanel
from .plane_view import PlaneView
from .playback import Playback
from .toolbar import CrossbarToolbar

PlanSource = Callable[[object, str], "Plan | None"]  # (selection, method) -> plan of that method


def caption(sel, compressed_view: str = "repacked") -> str:
    """'conv3_1 · SDK · optimal plan · 2×2 windows on 4×4 pixels · 1 × 1 tiles · 8,748 cycles';
    a compressed plan adds what its compression saves, and shows the figures of the array drawn."""
    if sel is None:
        return ""
    head = f"{sel.layer_index + 1}. {sel.layer.name} · {method_style.label(sel.method)}"
    if sel.plan is None:
        return f"{head} · no result yet"
    p = shown_plan(sel.plan, compressed_view)
    kind = "what-if plan (not the optimum)" if sel.what_if else "optimal plan"
    text = (f"{head} · {kind} · {numbers.dims(p.nh, p.nw)} windows on {numbers.dims(p.pix_h, p.pix_w)} pixels · "
            f"{p.ar} × {p.ac} tiles · {numbers.count(p.cycles)} cycles")
    if is_compressed(sel.plan):
        text += "\n" + summary(sel.plan, compressed_view)
    return text


def map_other_method(selection, method: str) -> Plan | None:
    """The plan another method makes for the selected layer on the same array (milliseconds)."""
    return map_layer(selection.layer, selection.plan.array, method)


class CrossbarView(QWidget):
    cell_changed = Signal(object)  # CellInfo of the pinned (else hovered) cell, or None
    status = Signal(str)  # one-line messages for the window's status bar

    def __init__(self, parent=None, plan_source: PlanSource = map_other_method):
        super().__init__(parent)
        self.setObjectName("crossbarView")
        self.selection = None
        self.plan_source = plan_source
        self.weights: dict[ConvLayer, np.ndarray] = {}
        self.comparing = False
        self.presenting = False
        self.compressed_view = "repacked"  # kept across layers and methods
        self.source_plan: Plan | None = None  # the selection's plan (the panel may show its dense view)

        self.toolbar = CrossbarToolbar()
        self.grid = GridWidget()
        self.ifm = PlaneView("ifmView")
        self.ofm = PlaneView("ofmView")
        self.timeline = OutputTimeline()
        self.ofm.add_footer(self.timeline)
        self.compare = ComparePane()
        self.playback = Playback(self)
        self.controls = PlaybackControls(self.playback)
        self.exports = ExportController(self, self)
        self.text = QLabel()  # which plan this is: the method's optimum or a what-if pick
        self.text.setObjectName("crossbarCaption")
        self.text.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
        self.message = QLabel("Select a layer with a result to see its crossbar.")
        self.message.setAlignment(Qt.AlignCenter)
        self.message.setWordWrap(True)

        side = QSplitter(Qt.Vertical)
        side.addWidget(self.ifm)
        side.addWidget(self.ofm)
        self.side = side
        self._sizes = None  # splitter sizes before presentation mode
        self.single = QSplitter(Qt.Horizontal)
        self.single.addWidget(self.grid)
        self.single.addWidget(side)
        self.single.setStretchFactor(0, 3)
        self.single.setStretchFactor(1, 1)
        self.page = QWidget()  # the single view's page: the splitter, and the link lines over it
        page_lay = QVBoxLayout(self.page)
        page_lay.setContentsMargins(0, 0, 0, 0)
        page_lay.addWidget(self.single)
        self.lines = LinkLines(self.page, self.grid, self.ifm)
        self.panel = PlanPanel(self.grid, self.ifm, self.ofm, self, self.timeline, self.lines)
        for splitter in (self.single, side):
            splitter.splitterMoved.connect(self.lines.remap)
        self.stack = QStackedWidget()
        for w in (self.message, self.page, self.compare):
            self.stack.addWidget(w)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(self.toolbar)
        lay.addWidget(self.text)
        lay.addWidget(self.exports.progress)
        lay.addWidget(self.stack, 1)
        lay.addWidget(self.controls)
        self._connect()
        self._shortcuts()
        self.show_selection(None)

    def _connect(self) -> None:
        tb, pb = self.toolbar, self.playback
        tb.mode_chosen.connect(self.set_mode)
        tb.highlight_chosen.connect(self.set_highlight)
        self.grid.escape_pressed.connect(lambda: self.panel.set_pin(None))
        tb.fit_clicked.connect(self.fit)
        tb.compare_toggled.connect(self.set_comparing)
        tb.compare_method_chosen.connect(lambda _m: self._update_compare())
        tb.export_chosen.connect(self.exports.export)
        tb.compressed_view_chosen.connect(self.set_compressed_view)
        tb.values_toggled.connect(lambda on: self.set_values(on))
        tb.seed_chosen.connect(lambda seed: self.set_values(self.panel.values_on, seed))
        tb.lines_toggled.connect(self.set_lines)
        self.timeline.cycle_chosen.connect(self.playback.set_cycle)
        pb.cycle_changed.connect(self._cycle_changed)
        pb.next_change = self._next_change
        self.controls.order_chosen.connect(self.set_order)
        self.panel.status_changed.connect(self._panel_status)
        self.panel.cell_changed.connect(self.cell_changed)
        self.exports.status.connect(self.status)

    def _shortcuts(self) -> None:
        pb = self.playback
        for key, slot in ((Qt.Key_Space, pb.toggle), (Qt.Key_Left, lambda: pb.step(-1)),
                          (Qt.Key_Right, lambda: pb.step(1)), (Qt.Key_Home, pb.to_start),
                          (Qt.Key_End, pb.to_end), (Qt.Key_PageDown, pb.skip_tile)):
            sc = QShortcut(QKeySequence(key), self)
            sc.setContext(Qt.WidgetWithChildrenShortcut)
            sc.activated.connect(slot)

    # --- the selection ---------------------------------------------------------------------------
    def show_selection(self, selection) -> None:
        previous = self.source_plan if self.panel.plan is not None else None
        self.selection = selection
        plan = selection.plan if selection is not None else None
        self.text.setText(caption(selection, self.compressed_view))
        self.toolbar.set_compressed_enabled(is_compressed(plan))
        if plan is None:
            self.source_plan = None
            self.playback.set_total(0)
            self.panel.set_plan(None)
            self.stack.setCurrentWidget(self.message)
            self.controls.set_status("No plan")
            self.toolbar.set_weights_known(False)
            return
        w = self.weights.get(selection.layer)
        self.toolbar.set_weights_known(w is not None)
        self.toolbar.set_methods(list(METHODS), plan.method)
        if plan == previous:
            return  # the same plan again (e.g. the row re-selected): keep cycle and pin
        self.source_plan = plan
        self.panel.weights = w
        self._show_plan(0)

    def _show_plan(self, t: int) -> None:
        """The selection's plan, as the compressed view asks, from cycle t; colour mode and
        loop order stay."""
        plan = self.source_plan
        shown = shown_plan(plan, self.compressed_view)
        order = self.panel.cycles.schedule.order if self.panel.cycles else "weight"
        self.panel.set_plan(shown, order, t, source=plan if shown is not plan else None)
        self.toolbar.set_mode(self.panel.mode)
        self.stack.setCurrentWidget(self.compare if self.comparing else self.page)
        if self.comparing:
            self._update_compare()
        else:
            self.playback.set_total(shown.cycles, t)

    def set_compressed_view(self, kind: str) -> None:
        """A compressed plan as its repacked array ("repacked", the default) or with every
        skipped row in place, hatched ("dense"): the uncompressed layout and schedule. The
        choice stays for the next compressed plan; other plans ignore it."""
        if kind not in VIEWS:
            raise ValueError(f"unknown compressed view {kind!r}; known: {', '.join(VIEWS)}")
        self.toolbar.set_compressed_view(kind)
        if kind == self.compressed_view:
            return
        self.compressed_view = kind
        if self.selection is None or not is_compressed(self.source_plan) or self.panel.cycles is None:
            return
        self.text.setText(caption(self.selection, kind))
        playing = self.playback.playing
        t = self._same_place(shown_plan(self.source_plan, kind))
        self._show_plan(t)
        self.status.emit(summary(self.source_plan, kind))
        if playing and not self.comparing:
            self.playback.play()

    def _same_place(self, new: Plan) -> int:
        """The cycle of `new` at the current (group, column tile, PW position), first row tile."""
        from engine.schedule import Schedule

        cyc = self.panel.cycles.cycle(self.panel.t)
        s = Schedule(new, self.panel.cycles.schedule.order)
        return int(s.index(cyc.group, min(cyc.b, new.ac - 1), min(cyc.a, new.ar - 1),
                           min(cyc.py, new.n_pw_h - 1), min(cyc.px, new.n_pw_w - 1)))

    def set_weights(self, layer: ConvLayer, weights: np.ndarray | None) -> None:
        """Integer weights (OC, IC/groups, Kh, Kw) of `layer`, or None to forget them."""
        if weights is None:
            self.weights.pop(layer, None)
        else:
            w = np.asarray(weights)
            want = (layer.out_c, layer.group_in_c, layer.k_h, layer.k_w)
            if w.shape != want or w.dtype.kind not in "iu":
                raise ValueError(f"weights of '{layer.name}' must be integers of shape {want}, got {w.dtype} {w.shape}")
            self.weights[layer] = w
        if self.selection is not None and self.selection.layer == layer:
            self.toolbar.set_weights_known(weights is not None)
            self.panel.set_weights(self.weights.get(layer))
            self.toolbar.set_mode(self.panel.mode)

    # --- user choices ------------------------------------------------------------------------------
    def set_mode(self, mode: str) -> None:
        self.panel.set_mode(mode)
        self.toolbar.set_mode(mode)
        if self.comparing:
            self.compare.set_mode(mode)

    def set_values(self, on: bool, seed: int | None = None) -> None:
        """Values mode (app.crossbar.values): the numbers of every cycle on the strips, the OFM
        and in the tooltips; `seed` of the random operands (kept when None)."""
        self.panel.set_values(on, seed)
        tb = self.toolbar
        for box, value in ((tb.values, on), (tb.seed, self.panel.seed)):
            box.blockSignals(True)
            box.setChecked(value) if box is tb.values else box.setValue(value)
            box.blockSignals(False)
        tb._seed_action.setVisible(on)
        if self.panel.values_problem:
            self.status.emit(f"Values mode: {self.panel.values_problem}")

    def set_lines(self, on: bool) -> None:
        """Lines from the IFM pixels of the channel shown to the rows they drive this cycle
        (app.crossbar.link_lines), over the grid and the IFM: for slides."""
        self.panel.set_lines(on)
        box = self.toolbar.lines
        box.blockSignals(True)
        box.setChecked(bool(on))
        box.blockSignals(False)

    def set_highlight(self, kind: str) -> None:
        """Outline the cells related to the pinned cell: none, weight, copy or pixel."""
        self.panel.set_highlight(kind)
        self.toolbar.highlight.setCurrentIndex(self.toolbar.highlight.findData(kind))

    def set_order(self, order: str) -> None:
        self.controls.set_order(order)
        if self.comparing:
            self.compare.set_order(order)
            self.compare.set_time(self.playback.t)
            return
        self.panel.set_order(order)
        self.playback.set_cycle(self.panel.t)

    def set_cycle(self, t: int) -> None:
        self.playback.set_cycle(t)

    def fit(self) -> None:
        for grid in (self.grid, *(s.grid for s in self.compare.sides)):
            grid.fit()

    def zoom_to(self, row: int, col: int, size: int) -> None:
        self.grid.zoom_to(row, col, size)

    # --- playback ------------------------------------------------------------------------------------
    def _cycle_changed(self, t: int) -> None:
        if self.comparing:
            self.compare.set_time(t)
            self.controls.set_status(f"time {t:,} / {self.compare.total:,} cycles (proportional: one cycle "
                                     "takes the same time on both sides)")
        else:
            self.panel.set_cycle(t)

    def _panel_status(self, text: str) -> None:
        if not self.comparing:
            self.controls.set_status(text)

    def _next_change(self, t: int) -> int:
        if self.comparing:
            return self.compare.next_change(t)
        return self.panel.cycles.schedule.next_tile_change(t) if self.panel.cycles else t

    # --- compare mode ---------------------------------------------------------------------------------
    def set_comparing(self, on: bool) -> None:
        self.comparing = bool(on) and self.panel.plan is not None
        self.toolbar.compare.blockSignals(True)
        self.toolbar.compare.setChecked(self.comparing)
        self.toolbar.compare.blockSignals(False)
        if self.panel.plan is None:
            return
        if self.comparing:
            self.stack.setCurrentWidget(self.compare)
            self._update_compare()
        else:
            self.stack.setCurrentWidget(self.page)
            self.playback.set_total(self.panel.cycles.total, min(self.playback.t, self.panel.cycles.total - 1))

    def _update_compare(self) -> None:
        if not self.comparing or self.selection is None or self.panel.plan is None:
            return
        other = self.toolbar.other.currentData()
        second = self.plan_source(self.selection, other) if other else None
        order = self.panel.cycles.schedule.order
        self.compare.set_plans(self.panel.plan, second, order)
        self.compare.set_mode(self.panel.mode if self.panel.mode != "weight" else "copy")
        self.playback.set_total(self.compare.total)

    # --- presentation and shutdown ----------------------------------------------------------------------
    def set_presentation(self, on: bool) -> None:
        """Talk mode (the window hides its panels, goes full screen and sets large text):
        grid, IFM, OFM, playback and every choice of the toolbar but export, all in the
        large text; the IFM and OFM column as wide as their planes need at full height."""
        on = bool(on)
        was, self.presenting = self.presenting, on
        for w in self.toolbar.talk_hidden:
            w.setVisible(not on)
        self.exports.progress.setVisible(not on and self.exports.slot.busy)
        self.controls.set_status_own_line(on)
        if on and not was:
            self._sizes = (self.single.sizes(), self.side.sizes())
        elif not on and was and self._sizes:
            self.single.setSizes(self._sizes[0])
            self.side.setSizes(self._sizes[1])
        self.refresh_fonts()
        if on:
            QTimer.singleShot(0, self.balance_planes)  # once the full-screen size is known

    def refresh_fonts(self) -> None:
        """pyqtgraph's texts (rulers, titles, legends) and the playback icons follow the
        application font; Qt's own widgets follow it by themselves."""
        for grid in (self.grid, *(s.grid for s in self.compare.sides)):
            grid.refresh_fonts()
        self.controls.refresh_fonts()

    def changeEvent(self, ev) -> None:
        super().changeEvent(ev)
        if ev.type() in (QEvent.FontChange, QEvent.ApplicationFontChange):
            self.refresh_fonts()
            if self.presenting:
                QTimer.singleShot(0, self.balance_planes)

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        if self.presenting:  # full screen arrives after the mode is entered
            QTimer.singleShot(0, self.balance_planes)

    @staticmethod
    def _title_height(plane, width: int) -> int:
        t = plane.title
        title = t.heightForWidth(width) if t.wordWrap() and t.heightForWidth(width) > 0 else t.sizeHint().height()
        return title + plane.extra_height() - t.height()  # and the footer (the OFM's timeline)

    def balance_planes(self) -> None:
        """Give the IFM and OFM column the width their planes fill at its full height (at most
        45% of the view, the grid keeps the most; at least 20%, the titles wrap), and split its
        height between them by their planes' shapes: no wide blank band beside a plane."""
        if self.stack.currentWidget() is not self.page:
            return
        planes = [v for v in (self.ifm, self.ofm) if v._extent is not None and v.isVisible()]
        total_w, height = sum(self.single.sizes()), self.side.height()
        if len(planes) != 2 or total_w <= 0 or height <= 0:
            return
        ratios = [v._extent[2] / max(1, v._extent[3]) for v in planes]  # plane height per unit of width
        width = int(0.3 * total_w)
        for _ in range(2):  # the titles' height depends on the width (they wrap), the width on it
            titles = [self._title_height(v, width) + 8 for v in planes]
            width = int(min(0.45 * total_w, max(0.2 * total_w, (height - sum(titles)) / max(1e-6, sum(ratios)))))
        self.single.setSizes([total_w - width, width])
        want = [int(width * r) + t for r, t in zip(ratios, titles)]
        spare = (height - sum(want)) // 2  # negative: both give up the same
        self.side.setSizes([max(40, w + spare) for w in want])

    def shutdown(self) -> None:
        self.playback.pause()
        if self.panel.values is not None:
            self.panel.values.close()
        self.exports.shutdown()
