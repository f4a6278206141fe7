"""The threading adapter: signals, cancel, errors, stale results; the PySide6 6.12 emit bug."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QObject

from app import workers
from app.job_slot import JobSlot
from app.workers import running_job_count
from engine.errors import Cancelled, XbarError


class Recorder(QObject):
    """Receives the runner's signals on the GUI thread, as the app's own receivers do."""

    def __init__(self, runner):
        super().__init__()
        self.seen, self.ends, self.messages, self.cancels = [], [], [], []
        runner.progress.connect(self.progress)
        runner.ended.connect(self.ends.append)
        runner.failed.connect(self.failed)
        runner.cancelled.connect(self.cancels.append)

    def progress(self, job_id, done, total, text):
        self.seen.append(done)

    def failed(self, job_id, message):
        self.messages.append(message)


class Echo:
    """A result that echoes its request, like the engine's."""

    def __init__(self, request):
        self.request = request


def chatty(request, progress, should_stop):
    for i in range(request):
        progress(i, request, f"step {i}")
    return Echo(request)


def until_stopped(request, progress, should_stop):
    """Cooperative like the engine: check between small steps, forever until told to stop."""
    n = 0
    while True:
        if should_stop():
            raise Cancelled()
        n = (n + 1) % 1000
        sum(range(2000))


def test_hundreds_of_signal_emits_do_not_crash(qtbot, runner, monkeypatch):
    # PySide6 6.12.0 aborted Python ("Fatal Python error: bool_dealloc") after a few hundred
    # emits. 2,000 progress signals plus 600 bool-carrying busy signals must go through.
    monkeypatch.setattr(workers, "PROGRESS_INTERVAL_S", 0.0)  # every step signalled
    rec = Recorder(runner)
    runner.start(chatty, 2000)
    qtbot.waitUntil(lambda: bool(rec.ends), timeout=10000)
    assert len(rec.seen) == 2000 and rec.seen[-1] == 1999

    slot = JobSlot(runner, chatty)
    busy = []
    slot.busy_changed.connect(busy.append)
    results = []
    slot.result.connect(results.append)
    for i in range(300):
        with qtbot.waitSignal(slot.result, timeout=5000):
            slot.start(i + 1)
    qtbot.waitUntil(lambda: not slot.busy, timeout=2000)
    assert busy.count(True) == 300 and busy[-1] is False
    assert [r.request for r in results] == list(range(1, 301))


def test_progress_is_signalled_a_few_times_a_second_and_at_the_end(qtbot, runner, monkeypatch):
    """800,000 steps of a big mapping must not become 800,000 repaints on the GUI thread."""
    monkeypatch.setattr(workers, "PROGRESS_INTERVAL_S", 3600.0)  # nothing in between, for sure

    def counted(request, progress, should_stop):
        for i in range(request):
            progress(i + 1, request, f"layer {i + 1}")
        return Echo(request)

    rec = Recorder(runner)
    runner.start(counted, 5000)
    qtbot.waitUntil(lambda: bool(rec.ends), timeout=10000)
    assert rec.seen == [1, 5000]  # the first step, then the last one


def test_cancel_stops_within_a_fraction_of_a_second(qtbot, runner):
    job = runner.start(until_stopped, None)
    qtbot.waitUntil(lambda: job.running, timeout=1000)
    with qtbot.waitSignal(runner.cancelled, timeout=300) as blocker:
        job.cancel()
    assert blocker.args == [job.id]
    qtbot.waitUntil(lambda: running_job_count() == 0, timeout=1000)


def test_engine_errors_arrive_as_messages_not_tracebacks(qtbot, runner, capsys):
    def bad_layer(request, progress, should_stop):
        raise XbarError("layer 'conv3': k_h: kernel height 9 is larger than the padded input height 7")

    def engine_bug(request, progress, should_stop):
        raise ZeroDivisionError("division by zero")

    rec = Recorder(runner)
    messages = rec.messages
    runner.start(bad_layer, None)
    qtbot.waitUntil(lambda: len(messages) == 1, timeout=2000)
    assert messages[0].startswith("layer 'conv3'")

    runner.start(engine_bug, None)
    qtbot.waitUntil(lambda: len(messages) == 2, timeout=2000)
    assert "internal error (ZeroDivisionError" in messages[1]
    assert "Traceback" in capsys.readouterr().err  # kept for bug reports, not shown to the user


def test_results_for_stale_requests_are_dropped(qtbot, runner):
    slot = JobSlot(runner, chatty)
    delivered, dropped = [], []
    slot.result.connect(lambda r: delivered.append(r.request))
    slot.dropped.connect(lambda r: dropped.append(r.request))
    slot.start(50)
    with qtbot.waitSignal(slot.result, timeout=5000):
        slot.start(60)  # the user changed the inputs before the first answer came back
    qtbot.waitUntil(lambda: not slot.busy, timeout=2000)
    assert delivered == [60]

    # A result whose request no longer matches (inputs invalidated) is dropped too.
    slot.start(70)
    slot.invalidate()
    qtbot.waitUntil(lambda: not slot.busy, timeout=2000)
    assert delivered == [60]


def test_shutdown_waits_for_every_thread(qtbot, runner):
    jobs = [runner.start(until_stopped, None) for _ in range(2)]
    qtbot.waitUntil(lambda: all(j.running for j in jobs), timeout=1000)
    assert runner.shutdown(timeout_ms=2000)
    assert runner.pool.activeThreadCount() == 0
