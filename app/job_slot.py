"""One kind of engine work, at most one job at a time, stale results dropped.

Starting a new request cancels the one in flight. A result is delivered only if it comes
from the newest job and echoes the newest request: anything else answers inputs the user
has since changed, and is dropped. A cancel frees the slot at once; the job's late answer
is dropped too.
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
        self._mine: set[int] = set()  # ids of this slot's jobs still running (the runner is shared)
        runner.progress.connect(self._progress)
        runner.finished.connect(self._finished)
        runner.failed.connect(self._failed)
        runner.cancelled.connect(self._cancelled)
        runner.ended.connect(self._ended)

    @property
    def busy(self) -> bool:
        return self.job is not None

    def start(self, request) -> Job:
        if self.job is not None:
            self.job.cancel()  # its late answer is dropped below
        self.request = request
        self.job = self.runner.start(self.fn, request)
        self._mine.add(self.job.id)
        self.busy_changed.emit(True)
        return self.job

    def cancel(self) -> None:
        """The user's cancel takes effect now: the slot is free at once and `cancelled` is
        emitted, even for work that cannot stop midway (a text parse); whatever the job still
        returns later is dropped."""
        if self._detach():
            self.cancelled.emit()

    def invalidate(self) -> None:
        """Inputs changed: whatever is in flight now answers an old question."""
        self.request = None
        self._detach()

    def _detach(self) -> bool:
        if self.job is None:
            return False
        self.job.cancel()  # cooperative work stops at its next check
        self.job = None
        self.busy_changed.emit(False)
        return True

    def _current(self, job_id: int) -> bool:
        return self.job is not None and job_id == self.job.id

    def _progress(self, job_id, done, total, text):
        if self._current(job_id):
            self.progress.emit(done, total, text)

    def _finished(self, job_id, result):
        if job_id not in self._mine:
            return  # another slot's job
        if self._current(job_id) and getattr(result, "request", None) == self.request:
            self.result.emit(result)
        else:
            self.dropped.emit(result)

    def _failed(self, job_id, message):
        if self._current(job_id) and self.job.request == self.request:
            self.failed.emit(message)

    def _cancelled(self, job_id):
        if self._current(job_id):
            self.cancelled.emit()

    def _ended(self, job_id):
        self._mine.discard(job_id)
        if self._current(job_id):
            self.job = None
            self.busy_changed.emit(False)
