"""The one threading adapter: engine work on a QThreadPool, reported through Qt signals.

An engine function of the form `fn(request, progress=..., should_stop=...)` runs on a pool
thread. Its progress, result, cancellation and errors come back as signals of a `Job`,
delivered on the GUI thread (queued, because the Job lives there). Workers never create Qt
objects: the pool thread only calls the engine and emits.
"""
from __future__ import annotations

import sys
import threading
import traceback
import weakref
from typing import Any, Callable

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from engine.errors import Cancelled, XbarError

EngineFn = Callable[..., Any]

# Every runner alive, so tests can assert that nothing is left running after them.
_RUNNERS: "weakref.WeakSet[JobRunner]" = weakref.WeakSet()


class Job(QObject):
    """One piece of engine work. Exactly one of finished/failed/cancelled, then ended.

    Every signal carries the job first. Receivers should be methods of QObjects living on
    the GUI thread (not lambdas): a lambda's queued calls belong to the job itself and are
    silently dropped if the job is deleted first, which the runner does once it has ended.
    """

    progress = Signal(object, int, int, str)  # job, done, total, what is being worked on
    finished = Signal(object, object)  # job, the engine's result (it echoes its request)
    failed = Signal(object, str)  # job, a message for the user naming the layer where known
    cancelled = Signal(object)
    ended = Signal(object)

    def __init__(self, fn: EngineFn, request, parent=None):
        super().__init__(parent)
        self.fn = fn
        self.request = request
        self._stop = threading.Event()
        self._done = threading.Event()

    def cancel(self) -> None:
        """Ask the engine to stop at its next check (between layers / methods)."""
        self._stop.set()

    @property
    def cancel_requested(self) -> bool:
        return self._stop.is_set()

    @property
    def running(self) -> bool:
        return not self._done.is_set()

    def wait(self, timeout_s: float | None = None) -> bool:
        return self._done.wait(timeout_s)

    def _run(self) -> None:  # on the pool thread
        try:
            result = self.fn(self.request, progress=self._progress, should_stop=self._stop.is_set)
        except Cancelled:
            self.cancelled.emit(self)
        except XbarError as e:
            self.failed.emit(self, str(e))
        except Exception as e:  # an engine bug: say so in one line, keep the trace for bug reports
            traceback.print_exc(file=sys.stderr)
            self.failed.emit(self, f"internal error ({type(e).__name__}: {e}); details were printed to the console")
        else:
            self.finished.emit(self, result)
        finally:
            self._done.set()
            self.ended.emit(self)

    def _progress(self, done: int, total: int, text: str) -> None:
        self.progress.emit(self, done, total, text)


class _Task(QRunnable):
    def __init__(self, job: Job):
        super().__init__()
        self.job = job
        self.setAutoDelete(True)

    def run(self) -> None:
        self.job._run()


class JobRunner(QObject):
    """Starts jobs on its own pool; cancel_all + wait_all on close."""

    def __init__(self, parent=None, max_threads: int = 2):
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._jobs: set[Job] = set()
        _RUNNERS.add(self)

    def start(self, fn: EngineFn, request, setup: Callable[[Job], None] | None = None) -> Job:
        """Run `fn(request, progress=, should_stop=)` on the pool.

        Connect to the job's signals inside `setup`: it runs before the thread starts, so no
        signal (not even an instant result) can be emitted before its receivers exist.
        """
        job = Job(fn, request, self)
        self._jobs.add(job)
        job.ended.connect(self._forget)
        if setup is not None:
            setup(job)
        self.pool.start(_Task(job))
        return job

    def _forget(self, job: Job) -> None:
        self._jobs.discard(job)
        job.deleteLater()

    def active_jobs(self) -> list[Job]:
        return [j for j in self._jobs if j.running]

    def cancel_all(self) -> None:
        for job in list(self._jobs):
            job.cancel()

    def wait_all(self, timeout_ms: int = 5000) -> bool:
        """Block until every job's thread is done (on close: never leave threads behind)."""
        return self.pool.waitForDone(timeout_ms)

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        self.cancel_all()
        return self.wait_all(timeout_ms)


def running_job_count() -> int:
    """Jobs still running in any live runner (tests assert this is 0 after each test).

    A runner whose C++ side is gone has had its pool destroyed, which waits for its threads.
    """
    live = [r for r in list(_RUNNERS) if shiboken6.isValid(r) and shiboken6.isValid(r.pool)]
    return sum(len(r.active_jobs()) + r.pool.activeThreadCount() for r in live)
