"""File > Open Recent: the last projects opened or saved (kept in QSettings)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QMenu

from app import settings


class RecentFilesMenu(QMenu):
    file_chosen = Signal(str)

    def __init__(self, parent=None):
        super().__init__("Open &Recent", parent)
        self.set_files(settings.recent_files())

    def set_files(self, files: list[str]) -> None:
        self.clear()
        for i, path in enumerate(files):
            action = self.addAction(f"&{i + 1}  {Path(path).name}")
            action.setToolTip(path)
            action.setStatusTip(path)
            action.triggered.connect(lambda _=False, p=path: self.file_chosen.emit(p))
        if files:
            self.addSeparator()
            self.addAction("Clear list", self._clear)
        else:
            self.addAction("(no recent projects)").setEnabled(False)

    def _clear(self) -> None:
        settings.clear_recent_files()
        self.set_files([])
