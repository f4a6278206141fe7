"""Playback controls: transport buttons, cycle slider and box, speed, loop order, status line."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtWidgets import (QComboBox, QDoubleSpinBox, QHBoxLayout, QLabel, QSizePolicy, QSlider,
                               QStyle, QToolButton, QVBoxLayout, QWidget)

from .playback import Playback, max_speed

SLIDER_STEPS = 100_000  # a slider past this many cycles moves in proportional steps
ORDERS = (("weight", "Weight-stationary"), ("input", "Input-stationary"))


OWN_LINE_WIDTH = 1100  # px: narrower, the status line (about 650 px) no longer fits beside the boxes


class PlaybackControls(QWidget):
    order_chosen = Signal(str)

    def __init__(self, playback: Playback, parent=None):
        super().__init__(parent)
        self.playback = playback
        style = self.style()
        self.buttons: dict[str, QToolButton] = {}
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        for name, icon, tip, slot in (
            ("start", QStyle.SP_MediaSkipBackward, "First cycle (Home)", playback.to_start),
            ("back", QStyle.SP_MediaSeekBackward, "One cycle back (Left)", lambda: playback.step(-1)),
            ("play", QStyle.SP_MediaPlay, "Play / pause (Space)", playback.toggle),
            ("forward", QStyle.SP_MediaSeekForward, "One cycle forward (Right)", lambda: playback.step(1)),
            ("end", QStyle.SP_MediaSkipForward, "Last cycle (End)", playback.to_end),
        ):
            b = QToolButton()
            b.setIcon(style.standardIcon(icon))
            b.setToolTip(tip)
            b.setAutoRaise(True)
            b.clicked.connect(slot)
            self.buttons[name] = b
            row.addWidget(b)
        skip = QToolButton()
        skip.setText("Next tile")
        skip.setToolTip("Skip to the next array configuration (Page Down)")
        skip.clicked.connect(playback.skip_tile)
        self.buttons["skip"] = skip
        row.addWidget(skip)

        self.slider = QSlider(Qt.Horizontal)
        self.slider.setToolTip("Cycle (0-based)")
        self.slider.valueChanged.connect(self._slider_moved)
        row.addWidget(self.slider, 1)
        self.cycle_box = QDoubleSpinBox()
        self.cycle_box.setDecimals(0)  # a double holds every cycle count exactly (int32 does not)
        self.cycle_box.setGroupSeparatorShown(True)
        self.cycle_box.setToolTip("Cycle (0-based)")
        self.cycle_box.setKeyboardTracking(False)
        self.cycle_box.valueChanged.connect(lambda v: playback.set_cycle(int(v)))
        self.speed_box = QDoubleSpinBox()
        self.speed_box.setDecimals(0)
        self.speed_box.setRange(1, max_speed())
        self.speed_box.setValue(playback.speed)
        self.speed_box.setSuffix(" /s")
        self.speed_box.setToolTip("Playback speed in cycles per second, up to one cycle per screen refresh")
        self.speed_box.valueChanged.connect(playback.set_speed)
        second = QHBoxLayout()
        second.setContentsMargins(0, 0, 0, 0)
        second.addWidget(self.cycle_box)
        second.addWidget(self.speed_box)
        self.order = QComboBox()
        for key, text in ORDERS:
            self.order.addItem(text, key)
        self.order.setToolTip("Loop order: weight-stationary reprograms the array only when the tile changes")
        self.order.activated.connect(lambda i: self.order_chosen.emit(self.order.itemData(i)))
        self.slider.setMinimumWidth(40)
        second.addWidget(self.order)

        self._presenting = False
        self._second = second
        self.status = QLabel("No plan")
        self.status.setObjectName("playbackStatus")
        self.status.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)  # new text: no re-layout
        self.status.setTextInteractionFlags(Qt.TextSelectableByMouse)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 2, 4, 2)
        lay.addLayout(row)
        second.addWidget(self.status, 1)
        lay.addLayout(second)
        self._lay = lay
        self.refresh_fonts()

        playback.cycle_changed.connect(self._show_cycle)
        playback.total_changed.connect(self._show_total)
        playback.playing_changed.connect(self._show_playing)
        self._show_total(playback.total)

    # --- text size ------------------------------------------------------------------------------
    def refresh_fonts(self) -> None:
        """Icons as tall as the text: the style's 16 px icons look lost beside 18 pt text."""
        side = max(16, round(self.fontMetrics().height() * 1.1))
        for b in self.buttons.values():
            b.setIconSize(QSize(side, side))

    def changeEvent(self, ev) -> None:
        super().changeEvent(ev)
        if ev.type() == QEvent.FontChange:
            self.refresh_fonts()

    def set_status_own_line(self, own: bool) -> None:
        """Presentation mode: the status line gets a row of its own (large text would cut it);
        so does a narrow view (below OWN_LINE_WIDTH, e.g. at 1280x720)."""
        self._presenting = own
        self._place_status(own or self.width() < OWN_LINE_WIDTH)

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        self._place_status(self._presenting or self.width() < OWN_LINE_WIDTH)

    def _place_status(self, own: bool) -> None:
        if own == (self._second.indexOf(self.status) < 0):
            return
        # One line either way: a wrapping label asks for its height at a narrow width and leaves a
        # blank band; on its own row the whole view's width holds the line at presentation size.
        self.status.setWordWrap(False)
        self.status.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
        if own:
            self._second.removeWidget(self.status)
            self._second.addStretch(1)  # the boxes keep their size
            self._lay.addWidget(self.status)
        else:
            self._lay.removeWidget(self.status)
            self._second.takeAt(self._second.count() - 1)  # the stretch
            self._second.addWidget(self.status, 1)

    # --- from the controller -------------------------------------------------------------------
    def _show_total(self, total: int) -> None:
        last = max(0, total - 1)
        self.slider.blockSignals(True)
        self.slider.setRange(0, min(last, SLIDER_STEPS))
        self.slider.blockSignals(False)
        self.cycle_box.blockSignals(True)
        self.cycle_box.setRange(0, last)
        self.cycle_box.blockSignals(False)
        for w in (*self.buttons.values(), self.slider, self.cycle_box):
            w.setEnabled(total > 0)

    def _show_cycle(self, t: int) -> None:
        last = max(1, self.playback.total - 1)
        self.slider.blockSignals(True)
        self.slider.setValue(t if last <= SLIDER_STEPS else round(t * SLIDER_STEPS / last))
        self.slider.blockSignals(False)
        self.cycle_box.blockSignals(True)
        self.cycle_box.setValue(t)
        self.cycle_box.blockSignals(False)

    def _show_playing(self, playing: bool) -> None:
        icon = QStyle.SP_MediaPause if playing else QStyle.SP_MediaPlay
        self.buttons["play"].setIcon(self.style().standardIcon(icon))

    def _slider_moved(self, value: int) -> None:
        last = max(1, self.playback.total - 1)
        self.playback.set_cycle(value if last <= SLIDER_STEPS else round(value * last / SLIDER_STEPS))

    def set_order(self, order: str) -> None:
        i = self.order.findData(order)
        if i >= 0:
            self.order.setCurrentIndex(i)

    def set_status(self, text: str) -> None:
        self.status.setText(text)
