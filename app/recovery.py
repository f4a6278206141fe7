"""Autosave to a recovery file, offered back on the next start after a crash.

Written (atomically, by the engine's save_project) shortly after each edit; removed when
the user saves, discards, or quits normally. A recovery file found at start-up therefore
means the last session did not end normally.
"""
from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QObject, QTimer

from engine.errors import XbarError
from engine.formats.project import Project, load_project, save_project
from engine.formats.textio import remove_stale_temps

from app.settings import data_dir

AUTOSAVE_DELAY_MS = 1500


class RecoveryStore(QObject):
    def __init__(self, snapshot, parent=None, path: Path | None = None):
        """`snapshot()` returns the Project to save, or None when there is nothing to keep."""
        super().__init__(parent)
        self.snapshot = snapshot
        self.path = path or data_dir() / "recovery.xbarscope.json"
        self.last_error: str | None = None
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(AUTOSAVE_DELAY_MS)
        self.timer.timeout.connect(self.save_now)
        remove_stale_temps(self.path)  # left by a session killed mid-autosave

    def schedule(self) -> None:
        self.timer.start()

    def save_now(self) -> bool:
        self.timer.stop()
        project = self.snapshot()
        if project is None:
            return False
        try:
            save_project(project, self.path)
            self.last_error = None
            return True
        except (XbarError, OSError) as e:  # a full disk must not take the session down
            self.last_error = str(e)
            return False

    def exists(self) -> bool:
        return self.path.is_file()

    def load(self) -> Project:
        return load_project(self.path)

    def set_aside(self) -> Path | None:
        """Keep a recovery file that cannot be loaded under a time-stamped name (never deleted:
        it may be the only copy of someone's work), so that autosave does not overwrite it."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{self.path.name.removesuffix('.json')}.unreadable-{stamp}.json")
        k = 1
        while target.exists():
            k += 1
            target = target.with_name(f"{self.path.name.removesuffix('.json')}.unreadable-{stamp}-{k}.json")
        try:
            self.path.rename(target)
        except OSError:
            return None
        return target

    def clear(self) -> None:
        self.timer.stop()
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass
