"""A progress bar that shows what a background job is working on: 'conv3 (vw-sdk)  12/30'."""
from __future__ import annotations

from PySide6.QtWidgets import QProgressBar


class JobProgressBar(QProgressBar):
    def __init__(self, idle_text: str = "", parent=None):
        super().__init__(parent)
        self.setTextVisible(True)
        self.show_idle(idle_text)

    def show_progress(self, done: int, total: int, text: str) -> None:
        self.setRange(0, max(total, 1))
        self.setValue(done)
        self.setFormat(f"{text}  {done}/{total}")

    def show_idle(self, text: str = "") -> None:
        self.setRange(0, 1)
        self.setValue(0)
        self.setFormat(text)
