"""Network totals in large type, one card per method: what a talk's slide would quote."""
from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from engine.batch import MapResult

from app import method_style, numbers
from app.metric_help import HELP


class _Card(QFrame):
    def __init__(self, method: str, parent=None):
        super().__init__(parent)
        self.method = method
        self.setObjectName("totalsCard")
        color = method_style.color(method)
        self.setStyleSheet(f"#totalsCard {{ border-top: 5px solid {color}; }}")
        self.title = QLabel(method_style.label(method))
        self.title.setObjectName("cardTitle")
        self.title.setStyleSheet(f"color: {color};")
        self.value = QLabel("–")
        self.value.setObjectName("cardValue")
        self.value.setToolTip(HELP["cycles"])
        self.detail = QLabel("")
        self.detail.setObjectName("cardDetail")
        self.detail.setWordWrap(True)  # a narrow window wraps the details instead of widening
        self.detail.setToolTip(HELP["vs_im2col"] + "\n" + HELP["vs_sdk"] + "\n" + HELP["efficiency"])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 6, 12, 8)
        lay.setSpacing(0)
        lay.addWidget(self.title)
        lay.addWidget(self.value)
        lay.addWidget(self.detail)
        self.apply_fonts()

    def apply_fonts(self) -> None:
        """Large figures relative to the application font (which View > Larger Text scales)."""
        base = QApplication.font().pointSizeF()
        for label, scale in ((self.title, 1.15), (self.value, 2.1)):
            font = QFont(QApplication.font())
            font.setPointSizeF(base * scale)
            font.setBold(True)
            label.setFont(font)

    def event(self, e):
        if e.type() == QEvent.ApplicationFontChange:
            self.apply_fonts()
        return super().event(e)


class TotalsStrip(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.cards: dict[str, _Card] = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 6, 8, 6)
        outer.setSpacing(4)
        self.caption = QLabel("Total computing cycles")
        self.caption.setObjectName("cardCaption")
        outer.addWidget(self.caption)
        self._lay = QHBoxLayout()
        self._lay.setSpacing(10)
        self._lay.addStretch(1)
        outer.addLayout(self._lay)

    def show_result(self, result: MapResult | None, methods: tuple[str, ...]) -> None:
        shown = [m for m in methods if result is not None and m in result.request.methods]
        for m in list(self.cards):
            if m not in shown:
                self.cards.pop(m).deleteLater()
        for m in shown:
            if m not in self.cards:
                self.cards[m] = _Card(m, self)
            self._lay.insertWidget(self._lay.count() - 1, self.cards[m])
        if result is None:
            self.caption.setText("Total computing cycles: run the mapping (F5) to see them")
            return
        totals = result.totals()
        net = result.request
        self.caption.setText(f"Total computing cycles · {len(net.layers)} layers on a "
                             f"{net.array.rows:,} × {net.array.cols:,} array")
        for m in shown:
            card, cycles = self.cards[m], totals[m]
            card.value.setText(numbers.count(cycles))
            speedups = []
            if "im2col" in totals and m != "im2col":
                speedups.append(f"{numbers.ratio(totals['im2col'] / cycles)} vs im2col")
            if "sdk" in totals and m not in ("sdk", "im2col"):
                speedups.append(f"{numbers.ratio(totals['sdk'] / cycles)} vs SDK")
            lines = speedups + [f"{numbers.percent(result.lower_bound_total(m) / cycles)} of the lower bound"]
            card.detail.setText("\n".join(lines))

    def set_stale(self, stale: bool) -> None:
        for card in self.cards.values():
            card.setProperty("stale", stale)
            card.style().unpolish(card)
            card.style().polish(card)
            for label in (card.value, card.detail):
                label.style().unpolish(label)
                label.style().polish(label)
