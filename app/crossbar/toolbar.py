"""The row above the grid: colour mode, highlight, compressed view, fit, compare and export."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QHBoxLayout, QMenu, QSizePolicy, QSpinBox, QToolBar,
                               QToolButton, QWidget)

from app import method_style

from .compressed import VIEWS
from .cycles import MAX_LINKS
from .modes import MODES
from .plan_panel import HIGHLIGHTS

EXPORTS = (("png", "View as PNG…"), ("svg", "View as SVG…"), ("gif", "Playback as GIF…"),
           ("mp4", "Playback as MP4…"), ("csv", "Cell map as CSV…"), ("json", "Cell map as JSON…"),
           ("trace_json", "Cycle values (trace) as JSON…"), ("trace_csv", "Cycle values (trace) as CSV…"))


class CrossbarToolbar(QWidget):
    mode_chosen = Signal(str)
    highlight_chosen = Signal(str)
    fit_clicked = Signal()
    compare_toggled = Signal(bool)
    compare_method_chosen = Signal(str)
    export_chosen = Signal(str)
    compressed_view_chosen = Signal(str)  # "repacked" or "dense"
    values_toggled = Signal(bool)
    seed_chosen = Signal(int)
    lines_toggled = Signal(bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.bar = QToolBar()  # what does not fit goes into its » menu: a narrow window stays narrow
        self.bar.setStyleSheet("QToolBar { border: none; }")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(2, 0, 2, 0)
        lay.addWidget(self.bar)
        self.mode = QComboBox()
        for key, (text, _) in MODES.items():
            self.mode.addItem(text, key)
        self.mode.setToolTip("What the cell colours show")
        self.mode.activated.connect(lambda i: self.mode_chosen.emit(self.mode.itemData(i)))
        self.highlight = QComboBox()
        for key, text in HIGHLIGHTS.items():
            self.highlight.addItem(text, key)
        self.highlight.setToolTip("Outline the cells related to the pinned cell (click a cell to pin it)")
        self.highlight.activated.connect(lambda i: self.highlight_chosen.emit(self.highlight.itemData(i)))
        self.compressed = QComboBox()
        for key, text in VIEWS.items():
            self.compressed.addItem(text, key)
        self.compressed.activated.connect(lambda i: self.compressed_view_chosen.emit(self.compressed.itemData(i)))
        self.set_compressed_enabled(False)
        self.fit = QToolButton()
        self.fit.setText("Fit")
        self.fit.setToolTip("Show the whole array (pan: drag, zoom: wheel)")
        self.fit.clicked.connect(self.fit_clicked)
        self.values = QCheckBox("Values")
        self.values.setToolTip("Show the numbers each cycle computes: the input value on every row (strip "
                               "left of the grid), each column's partial sum (strip above), the running "
                               "sums on the OFM; hover a cell or an output for its numbers. Random inputs "
                               "(and weights, unless the layer's are known) from the seed beside it")
        self.values.toggled.connect(self.values_toggled)
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setPrefix("seed ")
        self.seed.setToolTip("Seed of the random inputs and weights of values mode (as xbarscope-cli trace --seed)")
        self.seed.editingFinished.connect(lambda: self.seed_chosen.emit(self.seed.value()))
        self.lines = QCheckBox("Lines")
        self.lines.setToolTip("Draw a line from every IFM pixel of the channel shown to the array row it "
                              "drives this cycle (for slides; hover an IFM pixel to pick out its lines). "
                              f"Past {MAX_LINKS} rows every k-th is drawn")
        self.lines.toggled.connect(self.lines_toggled)
        self.compare = QCheckBox("Compare")
        self.compare.setToolTip("Two methods on this layer side by side, played in proportional time")
        self.compare.toggled.connect(self.compare_toggled)
        self.other = QComboBox()
        self.other.activated.connect(lambda i: self.compare_method_chosen.emit(self.other.itemData(i)))
        self.export = QToolButton()
        self.export.setText("Export")
        self.export.setPopupMode(QToolButton.InstantPopup)
        menu = QMenu(self.export)
        self.export_actions = {}
        for key, text in EXPORTS:
            action = menu.addAction(text)
            action.triggered.connect(lambda _=False, k=key: self.export_chosen.emit(k))
            self.export_actions[key] = action
        self.export.setMenu(menu)
        self.mode.setToolTip("Colour the cells by: kernel copy, input or output channel, kernel element, "
                             "bit slice, or weight value (when the layer's weights are known)")
        self.other.setToolTip("The method to compare with")
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Preferred)
        # Lines and Values after Compare: on a narrow row (presentation text) the toolbar's » menu takes the
        # last widgets first, and the colour mode, highlight and compare must stay in sight.
        actions = {w: self.bar.addWidget(w) for w in (self.mode, self.highlight, self.compressed, self.fit, spacer,
                                                       self.compare, self.other, self.lines, self.values,
                                                       self.seed, self.export)}
        # Presentation mode keeps every choice a talk may need (colour mode, highlight,
        # compare); only the export menu goes (a toolbar hides a widget through its action).
        self.talk_hidden = [actions[self.export]]
        self._compressed_action = actions[self.compressed]
        self._compressed_action.setVisible(self.compressed.isEnabled())
        self._seed_action = actions[self.seed]
        self._seed_action.setVisible(False)  # only with values on
        self.values.toggled.connect(self._seed_action.setVisible)

    def set_methods(self, methods: list[str], current: str | None) -> None:
        """Methods to compare with (all but the one shown); keeps the choice when possible."""
        keep = self.other.currentData()
        self.other.clear()
        for m in methods:
            if m != current:
                self.other.addItem(method_style.label(m), m)
        # Keep the user's choice; else the closest rival: SDK for VW-SDK, VW-SDK for the others.
        for want in (keep, "sdk" if current == "vw-sdk" else "vw-sdk"):
            i = self.other.findData(want)
            if i >= 0:
                self.other.setCurrentIndex(i)
                return

    def set_weights_known(self, known: bool) -> None:
        """'Weight value' is offered only when the layer's weights are known."""
        i = self.mode.findData("weight")
        item = self.mode.model().item(i)
        item.setEnabled(known)
        item.setToolTip("" if known else "Needs the layer's weights (e.g. from an ONNX model)")

    def set_compressed_enabled(self, enabled: bool) -> None:
        """The repacked / skipped-rows-in-place choice applies to compressed plans only: shown only
        for them, so the row keeps room for Compare and the method at large text."""
        self.compressed.setEnabled(enabled)
        if hasattr(self, "_compressed_action"):  # also called while the row is being built
            self._compressed_action.setVisible(enabled)
        self.compressed.setToolTip(
            "Compressed plans: what the compressed array holds (kept rows repacked), or the uncompressed "
            "layout with every skipped row in place, hatched" if enabled else
            "Only for compression-aware methods (PAIRS, KERNTROL, VWC-SDK)")

    def set_compressed_view(self, kind: str) -> None:
        self.compressed.setCurrentIndex(self.compressed.findData(kind))

    def set_mode(self, mode: str) -> None:
        self.mode.setCurrentIndex(self.mode.findData(mode))
