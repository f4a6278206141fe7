"""Network totals in large type, one card per method: what a talk's slide would quote.

The strip stays a few lines high (the crossbar view below it needs the room): the cards
share the width, each number shrinks until it fits its card (a number is never cut), and
the detail lines are elided with the whole text in their tooltip.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QFont, QFontMetricsF
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from engine.batch import MapResult

from app import method_style, numbers
from app.metric_help import HELP

VALUE_SCALE = 1.8  # the number's size relative to the application font, when it fits
MIN_POINT_SIZE = 6.0


def bound_texts(bound: int, cycles: int) -> tuple[str, ...]:
    """How far a total is from the lower bound, the right way round (efficiency = bound / cycles);
    longest wording first, shorter ones for narrow cards."""
    e = numbers.percent(bound / cycles) if cycles else "–"
    return f"efficiency {e} (bound / cycles)", f"efficiency {e}", f"eff. {e}"


def speedup_texts(totals: dict[str, int], method: str) -> tuple[str, ...]:
    """Speed-ups over im2col and SDK; longest wording first, shorter ones for narrow cards."""
    cycles = totals[method]
    ups = [(numbers.ratio(totals[b] / cycles), label) for b, label in (("im2col", "im2col"), ("sdk", "SDK"))
           if b in totals and method != b and not (b == "sdk" and method == "im2col")]
    if not ups:
        return ("the baseline",)
    return (" · ".join(f"{r} vs {b}" for r, b in ups), " · ".join(f"{r} {b}" for r, b in ups),
            f"{ups[0][0]} {ups[0][1]}")


class _ElidedLabel(QLabel):
    """One line that never widens its card: the longest of its wordings that fits the width it
    gets; else the shortest in a font down to `min_scale` of its own (eight cards at 1280x720
    cut 'KERNTROL' and '1.43× im2col'), elided only past that. Every wording says the same,
    the longest is the tooltip."""

    def __init__(self, parent=None, min_scale: float = 1.0):
        super().__init__(parent)
        self.wordings: tuple[str, ...] = ("",)
        self.min_scale = min_scale
        self._base: QFont | None = None  # the font the label is meant to have (it may draw smaller)
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
        self.setMinimumWidth(1)

    def set_base_font(self, font: QFont) -> None:
        self._base = QFont(font)
        self.setFont(font)
        self._elide()
        self.updateGeometry()

    def sizeHint(self):
        hint = super().sizeHint()
        if self._base is not None:  # a line drawn smaller keeps its height: cards never jump
            hint.setHeight(max(hint.height(), int(QFontMetricsF(self._base).height() + 0.999)))
        return hint

    def minimumSizeHint(self):
        return QSize(1, self.sizeHint().height())

    @property
    def full_text(self) -> str:
        return self.wordings[0]

    def set_full_text(self, *wordings: str) -> None:
        self.wordings = wordings or ("",)
        self._elide()

    def _elide(self) -> None:
        base = self._base or self.font()
        fm, width = QFontMetricsF(base), max(self.width(), 1)
        font = base
        shown = next((t for t in self.wordings if fm.horizontalAdvance(t) <= width), None)
        if shown is None:
            shortest = self.wordings[-1]
            scale = max(self.min_scale, min(1.0, width / max(fm.horizontalAdvance(shortest), 1.0) * 0.97))
            font = QFont(base)
            font.setPointSizeF(base.pointSizeF() * scale)
            small = QFontMetricsF(font)
            shown = shortest if small.horizontalAdvance(shortest) <= width else \
                small.elidedText(shortest, Qt.ElideRight, width)
        if font != self.font():
            self.setFont(font)
        if shown != self.text():
            super().setText(shown)

    def resizeEvent(self, e):
        super().resizeEvent(e)
        self._elide()


class _FitLabel(QLabel):
    """The number: as large as VALUE_SCALE allows, smaller when the card is narrower than it.
    The strip gives every card the same size (the smallest that fits all): one size reads as
    one kind of figure."""

    def __init__(self, parent=None):
        super().__init__("–", parent)
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
        self.setMinimumWidth(1)
        self.preferred = QFont(QApplication.font())
        self.resized = None  # callback: the strip refits all its numbers

    def set_preferred_font(self, font: QFont) -> None:
        self.preferred = QFont(font)
        self.apply_size(self.fit_size())

    def setText(self, text: str) -> None:
        super().setText(text)
        self._changed()

    def fit_size(self) -> float:
        """The largest point size (up to the preferred) at which the number fits the label's width."""
        size = self.preferred.pointSizeF()
        width = self.contentsRect().width()
        need = QFontMetricsF(self.preferred).horizontalAdvance(self.text())
        if width > 1 and need > width:
            # Text width scales with the point size; a little under, for rounding and hinting.
            size = max(MIN_POINT_SIZE, size * width / need * 0.97)
        return size

    def apply_size(self, size: float) -> None:
        font = QFont(self.preferred)
        font.setPointSizeF(size)
        if font != self.font():
            self.setFont(font)

    def sizeHint(self):
        hint = super().sizeHint()
        hint.setHeight(QFontMetricsF(self.preferred).height())  # the height never jumps as the font shrinks
        return hint

    def minimumSizeHint(self):
        return QSize(1, self.sizeHint().height())

    def resizeEvent(self, e):
        super().resizeEvent(e)
        self._changed()

    def _changed(self) -> None:
        if self.resized is not None:
            self.resized()
        else:
            self.apply_size(self.fit_size())


class _Details(QWidget):
    """The card's two detail lines (speed-ups; distance to the bound), each elided on its own."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.speedup, self.bound = _ElidedLabel(min_scale=0.8), _ElidedLabel(min_scale=0.8)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        for label in (self.speedup, self.bound):
            label.setObjectName("cardDetail")
            lay.addWidget(label)
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)

    def text(self) -> str:
        """Both lines, whole (tests, tooltips)."""
        return f"{self.speedup.full_text}\n{self.bound.full_text}"


class _Card(QFrame):
    def __init__(self, method: str, parent=None):
        super().__init__(parent)
        self.method = method
        self.setObjectName("totalsCard")
        color = method_style.color(method)
        self.setStyleSheet(f"#totalsCard {{ border-top: 4px solid {color}; }}")
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.title = _ElidedLabel(min_scale=0.8)
        self.title.setObjectName("cardTitle")
        self.title.setStyleSheet(f"color: {color};")
        self.title.set_full_text(method_style.label(method))
        self.value = _FitLabel()
        self.value.setObjectName("cardValue")
        self.value.setToolTip(HELP["cycles"])
        self.detail = _Details()
        self.speedup, self.bound = self.detail.speedup, self.detail.bound
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 2, 8, 4)
        lay.setSpacing(0)
        for label in (self.title, self.value, self.detail):
            lay.addWidget(label)
        self.apply_fonts()

    def set_figures(self, cycles: int, speedup: tuple[str, ...], bound: tuple[str, ...]) -> None:
        self.value.setText(numbers.count(cycles))
        self.speedup.set_full_text(*speedup)
        self.bound.set_full_text(*bound)
        self.setToolTip(f"{method_style.label(self.method)}: {numbers.count(cycles)} cycles\n{speedup[0]}\n{bound[0]}"
                        f"\n\n{HELP['vs_im2col']}\n{HELP['vs_sdk']}\n{HELP['efficiency']}")

    def apply_fonts(self) -> None:
        """Large figures relative to the application font (which View > Larger Text scales)."""
        base = QApplication.font()
        title = QFont(base)
        title.setBold(True)
        self.title.setFont(title)
        value = QFont(base)
        value.setPointSizeF(base.pointSizeF() * VALUE_SCALE)
        value.setBold(True)
        self.value.set_preferred_font(value)
        detail = QFont(base)
        detail.setPointSizeF(base.pointSizeF() * 0.9)
        for label in (self.speedup, self.bound):
            label.set_base_font(detail)
        self.title.set_base_font(title)

    def event(self, e):
        if e.type() == QEvent.ApplicationFontChange:
            self.apply_fonts()
        return super().event(e)


class TotalsStrip(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.cards: dict[str, _Card] = {}
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Fixed)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 2, 8, 2)
        outer.setSpacing(2)
        self.caption = _ElidedLabel()
        self.caption.setObjectName("cardCaption")
        outer.addWidget(self.caption)
        self._lay = QHBoxLayout()
        self._lay.setSpacing(8)
        outer.addLayout(self._lay)

    def show_result(self, result: MapResult | None, methods: tuple[str, ...], network: str = "") -> None:
        """One card per method of `methods` that `result` maps, in the registry's order;
        `network` names the network in the caption."""
        shown = method_style.ordered(m for m in methods if result is not None and m in result.request.methods)
        for m in list(self.cards):
            if m not in shown:
                self.cards.pop(m).deleteLater()
        for i, m in enumerate(shown):  # (re)inserted in the registry's order
            if m not in self.cards:
                self.cards[m] = _Card(m, self)
                self.cards[m].value.resized = self._fit_values
            self._lay.insertWidget(i, self.cards[m], 1)
        self.cards = {m: self.cards[m] for m in shown}
        if result is None:
            self.caption.set_full_text("Total computing cycles: run the mapping (F5) to see them")
            return
        totals = result.totals()
        net = result.request
        where = f"{len(net.layers)} layers on a {net.array.rows:,} × {net.array.cols:,} array"
        self.caption.set_full_text(f"Total computing cycles · {network + ': ' if network else ''}{where}",
                                   f"Total cycles · {where}")
        for m in shown:
            self.cards[m].set_figures(totals[m], speedup_texts(totals, m),
                                      bound_texts(result.lower_bound_total(m), totals[m]))
        self._fit_values()

    def _fit_values(self) -> None:
        size = min((c.value.fit_size() for c in self.cards.values()), default=0.0)
        for card in self.cards.values():
            card.value.apply_size(size)

    def set_stale(self, stale: bool) -> None:
        for card in self.cards.values():
            card.setProperty("stale", stale)
            card.style().unpolish(card)
            card.style().polish(card)
            for label in (card.value, card.speedup, card.bound):
                label.style().unpolish(label)
                label.style().polish(label)
