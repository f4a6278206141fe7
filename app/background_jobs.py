"""The two secondary background jobs: the array-size sweep and the design-space grid."""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from engine import ArraySpec, ConvLayer
from engine.batch import SweepRequest, square_arrays, sweep
from engine.errors import XbarError

from app import design_space, method_style
from app.job_slot import JobSlot
from app.workers import JobRunner

SWEEP_SIZES = (64, 128, 256, 512, 1024, 2048, 4096)


def sweep_arrays(cell_bits: int, weight_bits: int, sizes=SWEEP_SIZES) -> tuple[ArraySpec, ...]:
    """Square arrays wide enough to hold one weight (narrow arrays cannot hold wide weights)."""
    cpw = -(-weight_bits // cell_bits)
    return square_arrays([s for s in sizes if s >= cpw], cell_bits, weight_bits)


def sweep_key(layers, array: ArraySpec | None, methods, options: dict | None) -> tuple:
    """What a sweep's curves depend on (not the array's size: the sweep varies it). Weights
    count by identity: a model re-imported with other weights is other inputs."""
    methods = method_style.ordered(methods)
    opts = tuple((m, tuple(sorted((k, id(v) if k == "weights" else v) for k, v in (options or {}).get(m, {}).items())))
                 for m in methods)
    bits = (array.cell_bits, array.weight_bits) if array is not None else None
    return tuple(layers or ()), bits, methods, opts


class SweepController(QObject):
    status = Signal(str)

    def __init__(self, runner: JobRunner, parent=None):
        super().__init__(parent)
        self.network = ""  # the name of the network of the sweep shown
        self.shown_key: tuple | None = None  # sweep_key of the sweep shown
        self._started: tuple[str, tuple] | None = None
        self.slot = JobSlot(runner, sweep, self)
        self.slot.result.connect(self._keep)
        self.slot.failed.connect(lambda m: self.status.emit(f"Sweep failed: {m}"))
        self.slot.cancelled.connect(lambda: self.status.emit("Sweep cancelled"))
        self.slot.result.connect(lambda r: self.status.emit(f"Sweep done: {len(r.request.arrays)} array sizes"))

    def start(self, layers: tuple[ConvLayer, ...] | None, array: ArraySpec | None,
              methods: tuple[str, ...], sizes=SWEEP_SIZES, options: dict | None = None, network: str = "") -> bool:
        """Sweep the array sizes; `options` as MapRequest.options (the methods' option values);
        `network` names the network for the chart."""
        if not layers or array is None or not methods:
            self.status.emit("Cannot sweep: fix the network and array first")
            return False
        try:
            arrays = sweep_arrays(array.cell_bits, array.weight_bits, sizes)
        except XbarError as e:
            self.status.emit(f"Cannot sweep: {e}")
            return False
        methods = method_style.ordered(methods)
        self._started = (network, sweep_key(layers, array, methods, options))
        self.slot.start(SweepRequest(layers, arrays, methods, options or {}))
        self.status.emit(f"Sweeping {len(arrays)} array sizes…")
        return True

    def _keep(self, _result) -> None:
        if self._started is not None:
            self.network, self.shown_key = self._started

    def answers(self, layers, array: ArraySpec | None, methods, options: dict | None) -> bool:
        """The sweep shown was made from these inputs (else its chart is out of date)."""
        return self.shown_key is not None and self.shown_key == sweep_key(layers, array, methods, options)

    def cancel(self) -> None:
        self.slot.cancel()

    def invalidate(self) -> None:
        self.slot.invalidate()


class DesignSpaceController(QObject):
    """Recomputes the heatmap when the selected layer, the array or the method changes."""

    message = Signal(str)

    def __init__(self, runner: JobRunner, parent=None):
        super().__init__(parent)
        self.slot = JobSlot(runner, design_space.compute, self)
        self.slot.failed.connect(self.message)
        self.space: design_space.DesignSpace | None = None
        self.slot.result.connect(self._keep)

    def _keep(self, space) -> None:
        self.space = space

    def show(self, layer: ConvLayer | None, array: ArraySpec | None, method: str = "vw-sdk",
             options: dict | None = None) -> bool:
        """The design space of `layer` for `method`: a compression-aware method's (pairs,
        kerntrol, vwc-sdk; `options` by name as map_layer takes them, weights included),
        else VW-SDK's. True while the space shown does not answer it (being computed)."""
        if layer is None or array is None:
            self.slot.invalidate()
            self.space = None
            self.message.emit("Select a valid layer to see its design space.")
            return False
        request = design_space.DesignSpaceRequest.make(layer, array, method, options)
        if self.space is not None and self.space.request == request:
            return False
        if not (self.slot.request == request and self.slot.busy):
            self.slot.start(request)
        return True
