"""Map a whole network with several methods, and sweep array sizes; cooperative cancel.

Long work takes `progress(done, total, text)` and `should_stop()` callables; it raises
`Cancelled` when `should_stop()` turns true. A result echoes the request it answers so
a GUI can drop results that arrive for inputs the user has since changed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .errors import XbarError, check_cancel
from .layers import ArraySpec, ConvLayer
from .methods import has_batch, map_layer, map_many, method_options, plan_for, shape_key, shares_plans
from .plan import Plan, lower_bound

Progress = Callable[[int, int, str], None]
ShouldStop = Callable[[], bool]


@dataclass(frozen=True)
class MapRequest:
    layers: tuple[ConvLayer, ...]
    array: ArraySpec
    methods: tuple[str, ...]
    # {method: {option: value}} for methods that take options (engine.methods.OPTIONS)
    options: dict = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class MapResult:
    request: MapRequest
    plans: tuple[dict, ...]  # per layer: {method: Plan}
    _figures: dict = field(default_factory=dict, init=False, compare=False, repr=False)

    def figures(self, method: str):
        """`method`'s per-layer figures as numpy columns (engine.result_figures), made once."""
        f = self._figures.get(method)
        if f is None:
            from .result_figures import method_figures
            f = self._figures[method] = method_figures([p[method] for p in self.plans])
        return f

    def chip_needs(self, method: str):
        """`method`'s per-layer chip needs (engine.chip_needs.LayerNeeds: tiles, steps, rows),
        made once: a chip view allocates from them at every spec change."""
        key = ("chip", method)
        n = self._figures.get(key)
        if n is None:
            from .chip_needs import layer_needs
            n = self._figures[key] = layer_needs([p[method] for p in self.plans], method)
        return n

    def totals(self) -> dict[str, int]:
        return {m: int(self._figures[m].cycles.sum()) if m in self._figures else sum(p[m].cycles for p in self.plans)
                for m in self.request.methods}

    def lower_bound_total(self, method: str | None = None) -> int:
        """Sum of the layers' lower bounds: of `method`'s plans (a compressed plan's bound is
        that of the pruned layer it computes), or, without a method, of the layers as given."""
        if method in self._figures:
            return int(self._figures[method].lower_bound.sum())
        if method is not None:
            return sum(p[method].lower_bound for p in self.plans)
        return sum(lower_bound(layer, self.request.array) for layer in self.request.layers)


def map_one(layer: ConvLayer, array: ArraySpec, method: str, **options) -> Plan:
    """`map_layer` with the layer and method named in any error."""
    try:
        return map_layer(layer, array, method, **options)
    except XbarError as e:
        raise XbarError(f"layer '{layer.name}', method {method}: {e}") from e


def map_network(request: MapRequest, progress: Progress | None = None,
                should_stop: ShouldStop | None = None) -> MapResult:
    """Every layer with every method. Methods with a whole-network pass (`has_batch`: one
    vectorized search, or network-level pruning such as vwc-sdk's) map the list at once,
    so the figures equal the CLI's; the others layer by layer. Either way `should_stop` is
    checked between layers or slices of layers (engine.methods.map_many), so a cancel takes
    effect well within half a second."""
    total = len(request.layers) * len(request.methods)
    per_method, done = {}, 0
    for method in request.methods:
        opts = request.options.get(method, {})
        check_cancel(should_stop)
        if has_batch(method):
            if progress:
                progress(done, total, f"all layers ({method})")
            step = None if progress is None else (lambda d, n, text, base=done: progress(base + d, total, text))
            try:
                per_method[method] = map_many(request.layers, request.array, method, should_stop=should_stop,
                                              progress=step, **opts)
            except XbarError as e:
                raise XbarError(f"method {method}: {e}") from e
            done += len(request.layers)
            continue
        plans = []
        # Layers of one shape are mapped once (a long list repeats a few shapes).
        memo = {} if _shares(method, opts) else None
        for layer in request.layers:
            check_cancel(should_stop)
            if progress:
                progress(done, total, f"{layer.name} ({method})")
            seen = memo.get(shape_key(layer)) if memo is not None else None
            if seen is not None:
                plans.append(plan_for(seen, layer))
            else:
                plans.append(map_one(layer, request.array, method, **opts))
                if memo is not None:
                    memo[shape_key(layer)] = plans[-1]
            done += 1
        per_method[method] = plans
    if progress:
        progress(total, total, "done")
    rows = tuple({m: per_method[m][i] for m in request.methods} for i in range(len(request.layers)))
    return MapResult(request, rows)


def _shares(method: str, opts: dict) -> bool:
    try:
        return shares_plans(method, method_options(method, opts))
    except XbarError:  # bad options: map_one reports them, with the layer's name
        return False


@dataclass(frozen=True)
class SweepRequest:
    layers: tuple[ConvLayer, ...]
    arrays: tuple[ArraySpec, ...]
    methods: tuple[str, ...]
    options: dict = field(default_factory=dict, hash=False)  # as MapRequest.options


@dataclass(frozen=True)
class SweepResult:
    request: SweepRequest
    totals: dict  # method -> tuple of total cycles, one per array
    lower_bounds: tuple[int, ...]


def sweep(request: SweepRequest, progress: Progress | None = None,
          should_stop: ShouldStop | None = None) -> SweepResult:
    from .plan import lower_bound

    totals = {m: [] for m in request.methods}
    bounds = []
    n = len(request.arrays) * len(request.methods)
    done = 0
    for array in request.arrays:
        for method in request.methods:
            check_cancel(should_stop)
            if progress:
                progress(done, n, f"{array.label()} ({method})")
            try:
                opts = request.options.get(method, {})
                plans = map_many(request.layers, array, method, should_stop=should_stop, **opts)
                cycles = sum(p.cycles for p in plans)
            except XbarError as e:
                raise XbarError(f"array {array.label()}, method {method}: {e}") from e
            totals[method].append(cycles)
            done += 1
        bounds.append(sum(lower_bound(layer, array) for layer in request.layers))
    if progress:
        progress(n, n, "done")
    return SweepResult(request, {m: tuple(v) for m, v in totals.items()}, tuple(bounds))


def square_arrays(sizes, cell_bits: int = 1, weight_bits: int = 1) -> tuple[ArraySpec, ...]:
    return tuple(ArraySpec(s, s, cell_bits, weight_bits) for s in sizes)
