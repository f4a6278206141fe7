"""Options of the compression-aware methods (PAIRS, KERNTROL, VWC-SDK): one tab per method.

The same options as the command line's flags (engine/compress/cli_options.py: their choices
and help texts are read from there), checked by the engine's own option classes
(`engine.methods.method_options`); the engine's error text shows under the tab's fields.
`options()` gives the values that differ from the engine's defaults, `{method: {name: value}}`,
as `MapRequest.options` takes them. Model weights are not options here: the window adds them.
"""
from __future__ import annotations

import argparse
from dataclasses import MISSING, fields

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QDoubleSpinBox, QGridLayout, QHBoxLayout, QLabel, QPushButton,
                               QSizePolicy, QSpinBox, QTabWidget, QToolButton, QVBoxLayout, QWidget)

from engine.compress.cli_options import add_arguments
from engine.compress.patterns import PATTERN_SETS, parse_patterns
from engine.errors import XbarError
from engine.methods import OPTIONS, method_options

from app import method_style
from app.widgets.pattern_editor import PatternEditor

METHODS = ("pairs", "kerntrol", "vwc-sdk")  # tab order
OWN = "own"  # the pattern-set combo's entry for the user's patterns
AUTO_ASSIGN = "auto: magnitude with model weights, else first"
SEED_MAX = 2**31 - 1
NOT_TICKED = "#8a929c"
ERROR = "#b3261e"


def _cli_flags() -> dict[str, argparse.Action]:
    p = argparse.ArgumentParser(add_help=False)
    add_arguments(p)
    return {a.dest: a for a in p._actions}


def _defaults(method: str) -> dict:
    return {f.name: f.default for f in fields(OPTIONS[method]) if f.default is not MISSING and f.name != "weights"}


class MethodOptionsEditor(QWidget):
    """`changed` on every edit; `error(methods)` says why the chosen methods cannot run."""

    changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._flags = _cli_flags()
        self._errors: dict[str, str | None] = dict.fromkeys(METHODS)
        self._bad_pattern: int | None = None
        self._ticked: tuple[str, ...] = METHODS
        self._weights_known = False
        self._own: list[str] = []
        self._last = None
        self._was_own = False
        self._prev_set = _defaults("pairs")["pattern_set"]
        self.fields: dict[str, dict[str, QWidget]] = {m: {} for m in METHODS}
        self.error_labels: dict[str, QLabel] = {}

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.setObjectName("methodOptionTabs")
        self.grids = PatternEditor()
        self.grids.changed.connect(self._grids_edited)
        for m in METHODS:
            self.tabs.addTab(self._page(m), method_style.label(m))

        self.expand = QToolButton()
        self.expand.setObjectName("methodOptionsToggle")
        self.expand.setText("Options")
        self.expand.setCheckable(True)
        self.expand.setAutoRaise(True)
        self.expand.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        self.expand.setToolTip("Options of the compression-aware methods PAIRS, KERNTROL and VWC-SDK "
                               "(the command line's flags)")
        self.expand.toggled.connect(self.set_expanded)
        self.summary = QLabel()
        self.summary.setObjectName("hintText")
        self.summary.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        reset = QPushButton("Defaults")
        reset.setObjectName("optionDefaults")
        reset.setToolTip("Back to the engine's default options of all three methods")
        reset.clicked.connect(lambda: self.from_json({}))
        head = QHBoxLayout()
        head.setSpacing(4)
        head.addWidget(self.expand)
        head.addWidget(self.summary, 1)
        head.addWidget(reset)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 2, 6, 4)
        lay.setSpacing(2)
        lay.addLayout(head)
        lay.addWidget(self.tabs)
        self.set_expanded(False)
        self._validate()
        self._last = self._state()

    # --- building --------------------------------------------------------------------
    def _tip(self, name: str) -> str:
        text = self._flags[name].help
        return text.split(": ", 1)[1].replace("--assign ", "assignment ") if ": " in text else text

    def _combo(self, method: str, name: str, items) -> QComboBox:
        c = QComboBox()
        c.setObjectName(f"{method}_{name}")
        c.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        c.setMinimumContentsLength(8)
        for text, data in items:
            c.addItem(text, data)
        c.setToolTip(self._tip(name))
        c.currentIndexChanged.connect(self._edited)
        self.fields[method][name] = c
        return c

    def _choices(self, method: str, name: str) -> QComboBox:
        return self._combo(method, name, [(v, v) for v in self._flags[name].choices])

    def _fraction(self, method: str, name: str, top: float) -> QDoubleSpinBox:
        s = QDoubleSpinBox()
        s.setObjectName(f"{method}_{name}")
        s.setRange(0.0, top)
        s.setDecimals(2)
        s.setSingleStep(0.05)
        s.setAlignment(Qt.AlignRight)
        s.setKeyboardTracking(False)
        s.setToolTip(self._tip(name))
        s.setValue(_defaults(method)[name])
        s.valueChanged.connect(self._edited)
        self.fields[method][name] = s
        return s

    def _page(self, method: str) -> QWidget:
        page = QWidget()
        grid = QGridLayout(page)
        grid.setContentsMargins(2, 4, 2, 2)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(3)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)

        def row(r, *pairs):
            for i, (text, widget) in enumerate(pairs):
                label = QLabel(text)
                label.setToolTip(widget.toolTip())
                grid.addWidget(label, r, 2 * i)
                grid.addWidget(widget, r, 2 * i + 1)

        if method == "pairs":
            sets = self._combo(method, "pattern_set", [(n, n) for n in PATTERN_SETS] + [("Own patterns…", OWN)])
            sets.setToolTip(f"{self._tip('pattern_set')}; or own 3x3 patterns drawn below")
            row(0, ("Patterns", sets), ("Base", self._choices(method, "base")))
            grid.addWidget(self.grids, 1, 0, 1, 4)
            assign = self._combo(method, "assign", [(AUTO_ASSIGN, None)] + [(v, v) for v in self._flags["assign"].choices])
            seed = QSpinBox()
            seed.setObjectName("pairs_seed")
            seed.setRange(0, SEED_MAX)
            seed.setKeyboardTracking(False)
            seed.setToolTip(self._tip("seed"))
            seed.valueChanged.connect(self._edited)
            self.fields[method]["seed"] = seed
            row(2, ("Assign", assign), ("Seed", seed))
            last = 3
        elif method == "kerntrol":
            row(0, ("Threshold", self._fraction(method, "threshold", 0.99)),
                ("Variant", self._choices(method, "variant")))
            row(1, ("Base", self._choices(method, "base")))
            last = 2
        else:
            row(0, ("Max prune", self._fraction(method, "max_prune", 1.0)),
                ("Propagate", self._choices(method, "propagate")))
            last = 1
        err = QLabel()
        err.setObjectName("errorText")
        err.setWordWrap(True)
        err.hide()
        self.error_labels[method] = err
        grid.addWidget(err, last, 0, 1, 4)
        grid.setRowStretch(last + 1, 1)
        return page

    def set_expanded(self, on: bool) -> None:
        """Show the tabs, or only the one-line summary (the left dock is short of height)."""
        self.expand.blockSignals(True)
        self.expand.setChecked(on)
        self.expand.blockSignals(False)
        self.expand.setArrowType(Qt.DownArrow if on else Qt.RightArrow)
        self.tabs.setVisible(on)

    # --- values ----------------------------------------------------------------------
    def values(self, method: str) -> dict:
        """Every option of `method` as the engine names them, in its order (defaults included)."""
        shown = {name: _field_value(w) for name, w in self.fields[method].items()}
        if method == "pairs":
            own = shown["pattern_set"] == OWN
            shown["patterns"] = tuple(self._own) if own else None
            if own:
                shown["pattern_set"] = _defaults(method)["pattern_set"]
        return {name: shown[name] for name in _defaults(method)}

    def options(self) -> dict:
        """`{method: {name: value}}` of the values that differ from the engine's defaults."""
        out = {}
        for m in METHODS:
            d = _defaults(m)
            changed = {k: v for k, v in self.values(m).items() if v != d.get(k)}
            if changed:
                out[m] = changed
        return out

    def error(self, methods=None) -> str | None:
        """Why the options of `methods` (default: all three) cannot run, naming the field; None when fine."""
        for m in METHODS:
            if (methods is None or m in methods) and self._errors[m]:
                return f"{method_style.label(m)} options: {self._errors[m]}"
        return None

    def set_ticked(self, methods) -> None:
        """Grey the tabs of methods not ticked (their options are kept, unused)."""
        self._ticked = tuple(methods)
        self._paint_tabs()
        self._show_blocking_error()

    def set_weights_known(self, known: bool) -> None:
        """Whether the open network has model weights (the 'magnitude' assignment needs them)."""
        if known != self._weights_known:
            self._weights_known = known
            self._validate()

    # --- project file ----------------------------------------------------------------
    def to_json(self) -> dict:
        """Every option of the three methods; PAIRS' own patterns under "own_patterns"."""
        out = {}
        for m in METHODS:
            out[m] = {name: _field_value(w) for name, w in self.fields[m].items()}
        out["pairs"]["own_patterns"] = list(self._own)
        return out

    def from_json(self, obj) -> None:
        """A project's options; unusable values are ignored (their defaults stay)."""
        obj = obj if isinstance(obj, dict) else {}
        widgets = [w for m in METHODS for w in self.fields[m].values()]
        for w in widgets:
            w.blockSignals(True)
        try:
            for m in METHODS:
                given = obj.get(m) if isinstance(obj.get(m), dict) else {}
                defaults = _defaults(m)
                for name, w in self.fields[m].items():
                    value = given.get(name, defaults[name])
                    if not _set_field(w, value) or not self._usable(m, name, value):
                        _set_field(w, defaults[name])
            own = obj.get("pairs", {}).get("own_patterns") if isinstance(obj.get("pairs"), dict) else None
            self._own = _usable_patterns(own)
            if not self._own and self.fields["pairs"]["pattern_set"].currentData() == OWN:
                _set_field(self.fields["pairs"]["pattern_set"], _defaults("pairs")["pattern_set"])
        finally:
            for w in widgets:
                w.blockSignals(False)
        self._edited()

    @staticmethod
    def _usable(method: str, name: str, value) -> bool:
        if name == "pattern_set" and value == OWN:
            return True
        try:
            method_options(method, {name: value})
            return True
        except Exception:  # noqa: BLE001  (garbage from a file: any failure means unusable)
            return False

    # --- reacting --------------------------------------------------------------------
    def _grids_edited(self) -> None:
        self._own = list(self.grids.patterns())
        self._edited()

    def _state(self):
        return self.options(), tuple(self._errors.values())

    def _edited(self) -> None:
        self._validate()
        now = self._state()
        if now != self._last:
            self._last = now
            self.changed.emit()

    def _validate(self) -> None:
        sets = self.fields["pairs"]["pattern_set"]
        own = sets.currentData() == OWN
        if own and not self._was_own and not self._own:  # start from the set shown before
            self._own = list(PATTERN_SETS[self._prev_set])
        if not own:
            self._prev_set = sets.currentData()
        self._was_own = own
        shown = self._own if own else PATTERN_SETS[sets.currentData()]
        if tuple(shown) != self.grids.patterns() or own != self.grids.editable:
            self.grids.set_patterns(shown, editable=own)
        assign = self.fields["pairs"]["assign"].currentData()
        self.fields["pairs"]["seed"].setEnabled(assign == "random")
        self._bad_pattern = None
        for m in METHODS:
            self._errors[m] = self._check(m)
            label = self.error_labels[m]
            label.setText(self._errors[m] or "")
            label.setVisible(self._errors[m] is not None)
        self.grids.set_bad(self._bad_pattern)
        self._paint_tabs()
        self._summarize()
        self._show_blocking_error()

    def _show_blocking_error(self) -> None:
        if self.error(self._ticked) and not self.expand.isChecked():
            self.set_expanded(True)  # the error blocks the run: show it where it can be fixed

    def _summarize(self) -> None:
        parts = []
        for m, values in self.options().items():
            shown = [f"{len(v)} own pattern{'s' * (len(v) != 1)}" if k == "patterns"
                     else f"{k.replace('_', ' ')} {v}" for k, v in values.items()]
            parts.append(f"{method_style.label(m)}: {', '.join(shown)}")
        text = "; ".join(parts) if parts else "defaults"
        self.summary.setText(text)
        self.summary.setToolTip(text)

    def _check(self, method: str) -> str | None:
        values = self.values(method)
        if method == "pairs" and values["patterns"] is not None:
            for i, p in enumerate(values["patterns"]):
                try:
                    parse_patterns([p])
                except XbarError as e:
                    self._bad_pattern = i
                    return f"own pattern {i + 1}: {e}"
            if not values["patterns"]:
                return "own patterns: none given (add a pattern)"
        if method == "pairs" and values["assign"] == "magnitude" and not self._weights_known:
            return "assignment 'magnitude' needs the layers' weights: import an ONNX model with weights"
        try:
            method_options(method, values)
        except XbarError as e:
            return str(e)
        return None

    def _paint_tabs(self) -> None:
        bar = self.tabs.tabBar()
        for i, m in enumerate(METHODS):
            ticked = m in self._ticked
            colour = ERROR if self._errors[m] else method_style.color(m) if ticked else NOT_TICKED
            bar.setTabTextColor(i, colour)
            note = "" if ticked else f" (not ticked: these options apply once {method_style.label(m)} is ticked)"
            self.tabs.setTabToolTip(i, (self._errors[m] or f"Options of {method_style.label(m)}") + note)


def _field_value(w: QWidget):
    if isinstance(w, QComboBox):
        return w.currentData()
    return round(w.value(), w.decimals()) if isinstance(w, QDoubleSpinBox) else w.value()


def _set_field(w: QWidget, value) -> bool:
    """Show `value` in the field; False when the field cannot show it (left unchanged)."""
    if isinstance(w, QComboBox):
        try:
            i = next((i for i in range(w.count()) if w.itemData(i) == value and type(w.itemData(i)) is type(value)), -1)
        except Exception:  # noqa: BLE001
            i = -1
        if i >= 0:
            w.setCurrentIndex(i)
        return i >= 0
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        return False
    if isinstance(w, QSpinBox) and not isinstance(value, int):
        return False
    if not w.minimum() <= value <= w.maximum():
        return False
    w.setValue(value)
    return True


def _usable_patterns(value) -> list[str]:
    """The well-formed 9-character masks of a file's list (others dropped, order kept)."""
    if not isinstance(value, (list, tuple)):
        return []
    out = []
    for p in value:
        try:
            q = parse_patterns([p])[0] if isinstance(p, str) else None
        except XbarError:
            q = None
        if q is not None and q not in out:
            out.append(q)
    return out
