"""One kind of engine work, at most one job at a time, stale results dropped.

Starting a new request cancels the one in flight. A result is delivered only if it comes
from the newest job and echoes the newest request: anything else answers inputs the user
has since changed, and is dropped.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.workers import EngineFn, Job, JobRunner


class JobSlot(QObject):
    result = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    progress = Signal(int, int, str)
    busy_changed = Signal(bool)
    dropped = Signal(object)  # a stale result, for the status bar and for tests

    def __init__(self, runner: JobRunner, fn: EngineFn, parent=None):
        super().__init__(parent)
        self.runner = runner
        self.fn = fn
        self.job: Job | None = None
        self.request = None  # the newest request: results must echo it

    @property
    def busy(self) -> bool:
        return self.job is not None

    def start(self, request) -> Job:
        if self.job is not None:
            self.job.cancel()  # its late answer is dropped below
        self.request = request
        self.job = self.runner.start(self.fn, request, self._connect)
        self.busy_changed.emit(True)
        return self.job

    def _connect(self, job: Job) -> None:
        self.job = job  # before the thread starts: an instant answer is still recognised
        # Bound methods, not lambdas: see Job's docstring.
        job.progress.connect(self._progress)
        job.finished.connect(self._finished)
        job.failed.connect(self._failed)
        job.cancelled.connect(self._cancelled)
        job.ended.connect(self._ended)

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def invalidate(self) -> None:
        """Inputs changed: whatever is in flight now answers an old question."""
        self.request = None
        self.cancel()

    def _current(self, job: Job) -> bool:
        return job is self.job

    def _progress(self, job, done, total, text):
        if self._current(job):
            self.progress.emit(done, total, text)

    def _finished(self, job, result):
        if self._current(job) and getattr(result, "request", None) == self.request:
            self.result.emit(result)
        else:
            self.dropped.emit(result)

    def _failed(self, job, message):
        if self._current(job) and job.request == self.request:
            self.failed.emit(message)

    def _cancelled(self, job):
        if self._current(job):
            self.cancelled.emit()

    def _ended(self, job):
        if self._current(job):
            self.job = None
            self.busy_changed.emit(False)
