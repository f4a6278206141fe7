"""What a compressed plan (PAIRS, KERNTROL, VWC-SDK) did and why: figures, kernels, PW rows.

Every figure is read from the engine (`Compression.to_dict`, the plans' own fields); the
panel only formats them. Under the figures: what each kernel keeps (`PatternGrid`) and the
PW's row utilization (`RowUtilizationMap`, shown for any single-region plan).
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QBoxLayout, QButtonGroup, QFormLayout, QFrame, QHBoxLayout, QLabel, QRadioButton,
                               QScrollArea, QVBoxLayout, QWidget)

from app import method_style, numbers
from app.widgets.pattern_grid import PatternGrid, id_ranges
from app.widgets.row_utilization_map import READINGS, RowUtilizationMap

COMPRESSED = ("pairs", "kerntrol", "vwc-sdk")

# (key, row title, tooltip)
WIDE = 900  # panel width from which the three parts stand side by side (the bottom dock)

FIGURES = (
    ("method", "Method", "The compression-aware method and what it does"),
    ("base", "Base layout", "The uncompressed plan the compression starts from: its windows and PW"),
    ("options", "Options", "The options the method ran with"),
    ("rule", "Rule", "How the patterns, the omitted rows or the pruned channels were chosen"),
    ("rows", "Rows", "Rows of the dense layout (input channels × PW pixels) before → rows kept after"),
    ("skipped", "Rows skipped", "Dense rows the compressed array leaves out"),
    ("rate", "Compression", "Compression rate: rows before / rows after"),
    ("tiles", "Row tiles (AR)", "Row tiles before → after repacking the kept rows"),
    ("cycles", "Cycles", "Cycles of the base layout → of the compressed one (the saving)"),
    ("channels", "Channels removed", "Input channels pruned so the row tiles come out full"),
    ("out_channels", "Outputs removed", "Output channels no longer computed: the next layer "
                                        "does not read them"),
    ("lost", "Lost per copy", "Kernel weights each kernel copy loses (their rows are omitted)"),
    ("extra", "Extra per copy", "Compensatory weights each kernel copy gains (KERNTROL-C)"),
    ("note", "Note", "What the engine noted: why less (or nothing) was compressed, assumptions"),
)
WHAT = {"pairs": "pattern pruning, row skipping",
        "kerntrol": "kernel shape control",
        "vwc-sdk": "residual channels pruned"}
RULE_PREFIX = {"pairs": "patterns by", "kerntrol": "rows omitted by", "vwc-sdk": "channels pruned:"}
SECTION = {"pairs": "Pattern of each input channel", "kerntrol": "Shape of each kernel copy",
           "vwc-sdk": "Channels kept and removed"}
NO_COMPRESSION = "No compression: pick PAIRS, KERNTROL or VWC-SDK for this layer."


def _per_copy(values, of: int | None = None) -> str:
    """[1, 1, 1, 1] -> '1 of 9 in each of 4 copies'; different values listed."""
    values = [int(v) for v in values]
    tail = f" of {of}" if of else ""
    if len(set(values)) == 1:
        return f"{values[0]}{tail} in each of {len(values)} copies"
    shown = ", ".join(str(v) for v in values[:16]) + (", …" if len(values) > 16 else "")
    return f"{shown}{tail} (copies 0–{len(values) - 1})"


def _channels(ids, total: int) -> tuple[str, str]:
    """Text and tooltip for a list of channels out of `total`."""
    ids = np.asarray(ids)
    if ids.size == 0:
        return "none", ""
    return f"{ids.size:,} of {total:,}: {id_ranges(ids, limit=6)}", id_ranges(ids)


def _section(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("inspectorTitle")
    label.setWordWrap(True)  # a narrow dock or large text wraps instead of widening the panel
    return label


def _rule() -> QFrame:
    return QFrame(frameShape=QFrame.HLine, frameShadow=QFrame.Sunken)


class CompressionPanel(QWidget):
    """`show_plan(plan | None)`. `values[key]` are the figure labels (keys of FIGURES),
    `grid` the PatternGrid, `map` the RowUtilizationMap; `hovered(str)` repeats what the
    mouse is over in either drawing."""

    hovered = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.plan = None
        self.title = _section("No layer selected")
        self.hint = QLabel(NO_COMPRESSION)
        self.hint.setObjectName("hintText")
        self.hint.setWordWrap(True)

        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        self.values: dict[str, QLabel] = {}
        for key, title, tip in FIGURES:
            name, value = QLabel(title), QLabel("–")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextSelectableByMouse)
            name.setToolTip(tip)
            value.setToolTip(tip)
            self.values[key] = value
            self.form.addRow(name, value)

        self.grid_title = _section("")
        self.grid = PatternGrid()
        self.map_title = _section("Rows of the PW")
        self.reading = QButtonGroup(self)
        self.reading_row = QWidget()
        row = QHBoxLayout(self.reading_row)
        row.setContentsMargins(0, 0, 0, 0)
        for i, (key, text) in enumerate(zip(READINGS, ("Row utilization", "Channels skipping"))):
            b = QRadioButton(text)
            b.setProperty("reading", key)
            b.setChecked(i == 0)
            self.reading.addButton(b, i)
            row.addWidget(b)
        row.addStretch(1)
        self.reading_chosen = ""  # the user's pick; until then PAIRS opens on the channels skipping
        self.reading.idClicked.connect(self._reading_clicked)
        self.map = RowUtilizationMap()
        self.hover = QLabel("")
        self.hover.setObjectName("hoverText")
        self.hover.setWordWrap(True)
        for w in (self.grid, self.map):
            w.hovered.connect(self._hovered)

        body = QWidget()
        # Figures, patterns and the PW map: one column in a narrow dock, side by side in a wide one.
        self.columns = QBoxLayout(QBoxLayout.TopToBottom, body)
        self.columns.setContentsMargins(8, 8, 8, 8)
        self.columns.setSpacing(12)
        self.grid_rule = _rule()
        self.map_rule = _rule()
        parts = ((self.title, self.hint, self.form), (self.grid_rule, self.grid_title, self.grid),
                 (self.map_rule, self.map_title, self.reading_row, self.map, self.hover))
        for items in parts:
            col = QVBoxLayout()
            for item in items:
                col.addLayout(item) if isinstance(item, QFormLayout) else col.addWidget(item)
            col.addStretch(1)
            self.columns.addLayout(col, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.show_plan(None)

    def resizeEvent(self, event) -> None:
        wide = event.size().width() >= WIDE
        self.columns.setDirection(QBoxLayout.LeftToRight if wide else QBoxLayout.TopToBottom)
        super().resizeEvent(event)

    def _reading_clicked(self, i: int) -> None:
        self.reading_chosen = self.reading.button(i).property("reading")
        self.map.set_reading(self.reading_chosen)

    def _hovered(self, text: str) -> None:
        self.hover.setText(text)
        self.hovered.emit(text)

    def figures(self) -> dict[str, str]:
        """The figures shown (visible rows only), by key."""
        return {k: label.text() for k, label in self.values.items() if self._row_shown(k)}

    def _row_shown(self, key: str) -> bool:
        return self.form.isRowVisible(self.values[key])

    def _set(self, key: str, text: str | None, tip: str | None = None) -> None:
        label = self.values[key]
        self.form.setRowVisible(label, bool(text))
        label.setText(text or "–")
        if tip:
            label.setToolTip(tip)
        else:
            label.setToolTip(next(t for k, _, t in FIGURES if k == key))

    # --- showing a plan ------------------------------------------------------------------
    def show_plan(self, plan) -> None:
        self.plan = plan
        self.hover.setText("")
        comp = getattr(plan, "compression", None)
        self.title.setText("No layer selected" if plan is None
                           else f"{plan.layer.name} · {method_style.label(plan.method)}")
        for key in self.values:
            self._set(key, None)
        if comp is None:
            self.hint.setText(NO_COMPRESSION if plan is None or plan.method not in COMPRESSED
                              else f"The {method_style.label(plan.method)} plan carries no compression.")
            self.hint.show()
        else:
            self.hint.hide()
            self._show_figures(plan, comp)
        has_grid = self.grid.show_plan(plan)
        self.grid_title.setText(SECTION.get(comp.kind, "") if comp is not None else "")
        for w in (self.grid_rule, self.grid_title, self.grid):
            w.setVisible(has_grid)
        has_map = self.map.show_plan(plan)
        reading = self.reading_chosen or "skipped"
        self.map.set_reading(reading if self.map.skipped is not None else "utilization")
        self.reading.button(READINGS.index(self.map.reading)).setChecked(True)
        windows = f"{plan.copies} window{'s' if plan.copies > 1 else ''}" if plan is not None else ""
        self.map_title.setText(f"Rows of the PW ({plan.pix_h}×{plan.pix_w} pixels, {windows})" if has_map else "")
        self.reading_row.setVisible(has_map and self.map.skipped is not None)
        for w in (self.map_rule, self.map_title, self.map, self.hover):
            w.setVisible(has_map)

    def _show_figures(self, plan, comp) -> None:
        info = comp.to_dict(plan)
        c = info["compression"]
        base = comp.base
        self._set("method", f"{method_style.label(plan.method)}: {WHAT[comp.kind]}")
        windows = numbers.dims(base.nh, base.nw)
        if (base.nh, base.nw) != (plan.nh, plan.nw):
            windows += f" → {numbers.dims(plan.nh, plan.nw)} after pruning"
        self._set("base", f"{method_style.label(c['base_method'])}, {windows} windows, "
                          f"PW {numbers.dims(base.pix_h, base.pix_w)}")
        options = [f"{k} {v}" for k, v in c["options"].items() if k not in ("base", "patterns")]
        if comp.kind == "pairs" and comp.patterns:
            options.insert(0, f"{len(comp.patterns)} patterns")
        self._set("options", ", ".join(options) or None)
        if c.get("rule"):
            self._set("rule", f"{RULE_PREFIX[comp.kind]} {c['rule']}")
        per_group = " per group" if plan.layer.groups > 1 else ""
        self._set("rows", f"{numbers.count(c['rows_before'])} → {numbers.count(c['rows_after'])}{per_group}")
        skipped = info["rows_skipped"]
        self._set("skipped", f"{numbers.count(skipped)} ({numbers.percent(skipped / c['rows_before'])})")
        self._set("rate", numbers.ratio(info["compression_rate"]))
        self._set("tiles", f"{numbers.count(c['ar_before'])} → {numbers.count(c['ar_after'])}")
        before, after = c["cycles_before"], c["cycles_after"]
        change = (before - after) / before if before else 0.0
        saving = f"saves {numbers.percent(change)}" if change >= 0 else f"costs {numbers.percent(-change)} more"
        self._set("cycles", f"{numbers.count(before)} → {numbers.count(after)} ({saving})")
        if comp.kind == "vwc-sdk":
            self._set("channels", *_channels(c["channels_removed"], plan.group.in_c))
            if c["out_channels_removed"]:
                self._set("out_channels", *_channels(c["out_channels_removed"], plan.group.out_c))
        if "kernel_elements_lost_per_copy" in c:
            self._set("lost", _per_copy(c["kernel_elements_lost_per_copy"], plan.layer.k_h * plan.layer.k_w))
        if "extra_weights_per_copy" in c:
            self._set("extra", _per_copy(c["extra_weights_per_copy"]))
        if c.get("note"):
            self._set("note", c["note"])
