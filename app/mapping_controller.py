"""Turns the current inputs into MapRequests, runs them in the worker, re-runs small jobs on edit."""
from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from engine import ArraySpec, ConvLayer
from engine.batch import MapRequest, MapResult, map_network
from engine.methods import METHODS

from app.job_slot import JobSlot
from app.workers import JobRunner

AUTO_RUN_DELAY_MS = 300
# VW-SDK searches OH*OW candidates per layer; about 2M of them map in a fraction of a second.
AUTO_RUN_MAX_CANDIDATES = 2_000_000
BASELINES = ("im2col", "sdk")  # always mapped: the speed-up columns need them


def request_methods(chosen: tuple[str, ...]) -> tuple[str, ...]:
    wanted = set(chosen) | {m for m in BASELINES if m in METHODS}
    return tuple(m for m in METHODS if m in wanted)


def same_request(a: MapRequest | None, b: MapRequest | None) -> bool:
    """Equal requests whose option values are the same objects: networks compare without their
    weights, so a model re-imported with other weights must still count as a new request."""
    if a is None or b is None or a != b:
        return False
    return all(v is b.options[m].get(k) for m, o in a.options.items() for k, v in o.items() if k == "weights")


def job_size(layers: tuple[ConvLayer, ...], methods: tuple[str, ...]) -> int:
    """A rough cost: candidates VW-SDK searches (other methods are closed-form)."""
    search = sum(layer.out_h * layer.out_w for layer in layers) if "vw-sdk" in methods else 0
    return search + len(layers) * len(methods)


def map_and_count(request: MapRequest, progress=None, should_stop=None) -> MapResult:
    """map_network, plus every method's figure columns (conversions, bounds, utilization)
    and chip needs made on the worker: the results table and the charts sum them on the GUI thread, which
    takes seconds for 100,000 layers when it walks the plans there."""
    from engine.errors import check_cancel

    result = map_network(request, progress, should_stop)
    for m in request.methods:
        check_cancel(should_stop)
        result.figures(m)
        check_cancel(should_stop)
        result.chip_needs(m)  # the Chip view's too: it walks 100,000 plans otherwise
    return result


class MappingController(QObject):
    result_ready = Signal(object)  # MapResult for the current inputs
    stale_changed = Signal(bool)  # the shown result no longer matches the inputs
    blocked_changed = Signal(object)  # why Run is disabled (str), or None
    status = Signal(str)

    def __init__(self, runner: JobRunner, parent=None):
        super().__init__(parent)
        self.slot = JobSlot(runner, map_and_count, self)
        self.slot.result.connect(self._on_result)
        self.slot.failed.connect(lambda m: self.status.emit(f"Mapping failed: {m}"))
        self.slot.cancelled.connect(lambda: self.status.emit("Mapping cancelled"))
        # A result for inputs edited since is dropped silently: a status line about it could hide an
        # error shown at the same moment, and the table already says when results are out of date.
        self.auto_run = True
        self.result: MapResult | None = None
        self.layers: tuple[ConvLayer, ...] | None = None
        self.array: ArraySpec | None = None
        self.methods: tuple[str, ...] = ()
        self.options: dict = {}  # {method: {option: value}} (engine.methods.OPTIONS), defaults left out
        self.blocked: str | None = "no network yet"
        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(AUTO_RUN_DELAY_MS)
        self.debounce.timeout.connect(self.run)

    def set_inputs(self, layers, layers_problem, array, array_problem, methods,
                   options: dict | None = None, options_problem: str | None = None) -> None:
        """Called on every edit. Invalid inputs block Run with the engine's reason."""
        self.layers, self.array, self.methods = layers, array, tuple(methods)
        self.options = dict(options or {})
        reason = layers_problem or array_problem or options_problem \
            or (None if methods else "choose at least one method")
        if reason != self.blocked:
            self.blocked = reason
            self.blocked_changed.emit(reason)
        request = self.request()
        self.slot.invalidate()
        self.debounce.stop()
        current = self.result is not None and same_request(request, self.result.request)
        if self.result is not None:
            self.stale_changed.emit(not current)
        if request is not None and self.auto_run and not current \
                and job_size(request.layers, request.methods) <= AUTO_RUN_MAX_CANDIDATES:
            self.debounce.start()

    def request(self) -> MapRequest | None:
        if self.blocked is not None or not self.layers or self.array is None:
            return None
        methods = request_methods(self.methods)
        options = {m: dict(o) for m, o in self.options.items() if m in methods and o}
        return MapRequest(self.layers, self.array, methods, options)

    def is_current(self) -> bool:
        """The shown result answers the current inputs."""
        return self.result is not None and same_request(self.request(), self.result.request)

    def run(self) -> bool:
        self.debounce.stop()
        request = self.request()
        if request is None:
            self.status.emit(f"Cannot run: {self.blocked}")
            return False
        self.slot.start(request)
        self.status.emit(f"Mapping {len(request.layers)} layers with {', '.join(self.methods)}…")
        return True

    def cancel(self) -> None:
        self.debounce.stop()
        self.slot.cancel()

    def _on_result(self, result: MapResult) -> None:
        self.result = result
        self.stale_changed.emit(False)
        totals = result.totals()
        best = min(self.methods, key=lambda m: totals.get(m, float("inf"))) if self.methods else None
        self.status.emit(f"Mapped {len(result.plans)} layers; fewest cycles: {best} ({totals[best]:,})"
                         if best in totals else "Mapped")
        self.result_ready.emit(result)
