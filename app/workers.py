"""The one threading adapter: engine work on a QThreadPool, reported through Qt signals.

An engine function of the form `fn(request, progress=..., should_stop=...)` runs on a pool
thread. Its progress, result, cancellation and errors come back as signals of the
`JobRunner`, tagged with the job's id and delivered on the GUI thread (queued, because the
runner lives there). Jobs are plain Python objects: no QObject is created or deleted per
job, so no queued signal can be lost with a deleted sender, and workers never build Qt
objects (they only call the engine and emit).
"""
from __future__ import annotations

import gc
import itertools
import sys
import threading
import time
import traceback
import weakref
from typing import Any, Callable

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from engine.errors import Cancelled, XbarError

EngineFn = Callable[..., Any]
PROGRESS_INTERVAL_S = 0.04  # 25 progress updates a second are smooth enough for a bar and a label

# Every runner alive, so tests can assert that nothing is left running after them.
_RUNNERS: "weakref.WeakSet[JobRunner]" = weakref.WeakSet()
_IDS = itertools.count(1)


class Job:
    """One piece of engine work; its outcome arrives through its runner's signals."""

    def __init__(self, fn: EngineFn, request):
        self.id = next(_IDS)
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


class _Throttled:
    """A job's progress callback that signals at most every PROGRESS_INTERVAL_S (and the last
    step): mapping 100,000 layers reports 800,000 steps, and each one repainted a progress
    bar on the GUI thread (5 s of a 10 s freeze)."""

    def __init__(self, job_id: int, signal):
        self.job_id, self.signal = job_id, signal
        self.last = -1.0

    def __call__(self, done: int, total: int, text: str) -> None:
        now = time.monotonic()
        if now - self.last >= PROGRESS_INTERVAL_S or done >= total:
            self.last = now
            self.signal.emit(self.job_id, done, total, text)


class _GcPause:
    """The cyclic garbage collector is off while any job runs, and what exists when the last
    job ends is frozen out of later collections (gc.freeze).

    A collection walks its generation with the interpreter lock held, so no thread runs a
    line meanwhile, the GUI's included: a full one walks every object the app holds (about
    a million with a 100,000-layer result: 200 ms), and after a job the young generation
    holds everything the job made (100 ms). Mapping jobs set off several of each. Reference
    counting still frees what a job drops; the objects frozen are the network and results
    the app keeps, which hold no reference cycles (a test checks that mapping again and
    again leaves no cyclic garbage), so nothing is kept that a collection would free."""

    def __init__(self):
        self._lock = threading.Lock()
        self._running = 0
        self._was_enabled = True

    def __enter__(self):
        with self._lock:
            if self._running == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._running += 1

    def __exit__(self, *exc):
        with self._lock:
            self._running -= 1
            if self._running == 0:
                gc.freeze()  # O(1): the generations are linked into the permanent one
                if self._was_enabled:
                    gc.enable()


GC_PAUSE = _GcPause()


class _Task(QRunnable):
    """Runs one job on a pool thread and reports through the runner's signals."""

    def __init__(self, job: Job, runner: "JobRunner"):
        super().__init__()
        self.job, self.runner = job, runner
        self.setAutoDelete(True)

    def run(self) -> None:
        job, r = self.job, self.runner
        try:
            with GC_PAUSE:
                result = job.fn(job.request, should_stop=job._stop.is_set, progress=_Throttled(job.id, r.progress))
        except Cancelled:
            r.cancelled.emit(job.id)
        except XbarError as e:
            r.failed.emit(job.id, str(e))
        except Exception as e:  # an engine bug: say so in one line, keep the trace for bug reports
            traceback.print_exc(file=sys.stderr)
            r.failed.emit(job.id, f"internal error ({type(e).__name__}: {e}); details were printed to the console")
        else:
            r.finished.emit(job.id, result)
        finally:
            job._done.set()
            r.ended.emit(job.id)


class JobRunner(QObject):
    """Starts jobs on its own pool. Exactly one of finished/failed/cancelled per job, then ended."""

    progress = Signal(int, int, int, str)  # job id, done, total, what is being worked on
    finished = Signal(int, object)  # job id, the engine's result (it echoes its request)
    failed = Signal(int, str)  # job id, a message for the user naming the layer where known
    cancelled = Signal(int)
    ended = Signal(int)

    def __init__(self, parent=None, max_threads: int = 2):
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._jobs: dict[int, Job] = {}
        self.ended.connect(self._forget)
        _RUNNERS.add(self)

    def start(self, fn: EngineFn, request) -> Job:
        """Run `fn(request, progress=, should_stop=)` on the pool; connect to the runner first."""
        job = Job(fn, request)
        self._jobs[job.id] = job
        self.pool.start(_Task(job, self))
        return job

    def _forget(self, job_id: int) -> None:
        self._jobs.pop(job_id, None)

    def active_jobs(self) -> list[Job]:
        return [j for j in self._jobs.values() if j.running]

    def cancel_all(self) -> None:
        for job in list(self._jobs.values()):
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
