"""Imports in the worker: progress in the status bar, cancel, an input size asked when needed.

A file that cannot be read changes nothing; the error names the file and line.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from engine.errors import XbarError

from app import dialogs
from app.import_job import NEEDS_INPUT_SIZE, PROJECT, ImportRequest, import_network
from app.job_slot import JobSlot
from app.workers import JobRunner


class ImportController(QObject):
    imported = Signal(object, str, object)  # Network, what to call it in messages, input size (H, W) or None
    project_read = Signal(object, str)  # Project, its path (a project whose network is in another file)
    finished = Signal(bool)  # True: a network was read (the project may still refuse to switch)
    status = Signal(str)

    def __init__(self, runner: JobRunner, window, parent=None):
        super().__init__(parent)
        self.window = window
        self.slot = JobSlot(runner, import_network, self)
        self.slot.result.connect(self._done)
        self.slot.failed.connect(self._failed)
        self.slot.cancelled.connect(lambda: self._end(False, "Import cancelled"))
        self.slot.progress.connect(lambda d, t, s: self.status.emit(f"Importing: {s} ({d}/{t})"))

    def start(self, path: str, fmt: str | None = None, input_size=None, outside_ok: bool = False) -> None:
        self.status.emit(f"Importing {Path(path).name}…")
        self.slot.start(ImportRequest(str(path), fmt, input_size, outside_ok))

    def cancel(self) -> None:
        self.slot.cancel()

    def _done(self, result) -> None:
        if result.project is not None:
            self.project_read.emit(result.project, result.request.path)
        else:
            self.imported.emit(result.network, Path(result.request.path).name, result.request.input_size)
        self.finished.emit(True)

    def _failed(self, message: str) -> None:
        request = self.slot.request
        if NEEDS_INPUT_SIZE in message and request is not None and request.input_size is None:
            text = dialogs.ask_input_size(self.window, Path(request.path).name)
            if not text:  # the user declined: nothing changes, nothing to report
                self._end(False, "Import cancelled")
                return
            from engine.onnx import parse_input_size
            try:
                self.start(request.path, request.fmt, parse_input_size(text), request.outside_ok)
                return
            except XbarError as e:
                message = str(e)
        title = "Cannot open project" if request is not None and request.fmt == PROJECT else "Cannot import"
        dialogs.error(self.window, title, message)
        self._end(False, f"Import failed: {message}")

    def _end(self, ok: bool, text: str) -> None:
        self.status.emit(text)
        self.finished.emit(ok)
