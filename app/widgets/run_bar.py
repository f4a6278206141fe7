"""Run / Cancel, the progress of the running job, and why Run is disabled when it is."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QCheckBox, QHBoxLayout, QLabel, QPushButton,
                               QSizePolicy, QWidget)

from app.widgets.job_progress_bar import JobProgressBar


class RunBar(QWidget):
    run_clicked = Signal()
    cancel_clicked = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.run_button = QPushButton("▶  Run")
        self.run_button.setObjectName("runButton")
        self.run_button.setToolTip("Map every layer with every chosen method (F5)")
        self.run_button.clicked.connect(self.run_clicked)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the running job (Esc)")
        self.cancel_button.clicked.connect(self.cancel_clicked)
        self.cancel_button.setEnabled(False)
        self.auto_run = QCheckBox("Re-run on edit")
        self.auto_run.setChecked(True)
        self.auto_run.setToolTip("Map again shortly after each edit, when the network is small enough "
                                 "to map in well under a second")
        self.progress = JobProgressBar("idle")
        self.progress.setMinimumWidth(self.fontMetrics().averageCharWidth() * 36)
        self.reason = QLabel()
        self.reason.setObjectName("errorText")
        self.reason.setWordWrap(False)
        # A long engine message must not widen the window: clip it, the tooltip has it all.
        self.reason.setMinimumWidth(1)
        self.reason.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)

        lay = QHBoxLayout(self)
        lay.setContentsMargins(6, 2, 6, 2)
        lay.addWidget(self.run_button)
        lay.addWidget(self.cancel_button)
        lay.addWidget(self.progress)
        lay.addWidget(self.auto_run)
        lay.addWidget(self.reason, 1)
        self._blocked: str | None = None
        self._busy = False

    def set_blocked(self, reason: str | None) -> None:
        """None: inputs are valid. Otherwise Run stays disabled and the reason is shown."""
        self._blocked = reason
        self.reason.setText(f"Cannot run: {reason}" if reason else "")
        self.reason.setToolTip(reason or "")
        self._update()

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        if not busy and self.progress.maximum() != 1:  # the job ended without a final word
            self.progress.show_idle("")
        self._update()

    def set_progress(self, done: int, total: int, text: str) -> None:
        self.progress.show_progress(done, total, text)

    def set_idle_text(self, text: str) -> None:
        self.progress.show_idle(text)

    def _update(self) -> None:
        self.run_button.setEnabled(self._blocked is None and not self._busy)
        self.run_button.setToolTip(f"Cannot run: {self._blocked}" if self._blocked else
                                   "Map every layer with every chosen method (F5)")
        self.cancel_button.setEnabled(self._busy)
