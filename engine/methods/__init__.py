"""The mapping methods, by name. A method is `fn(layer, array) -> Plan`.

Later methods register here with `register`; callers look them up with `get` or `METHODS`
and never import a method module directly.

A method may take options: it registers a frozen dataclass of them (`options=`, every
field with a default) and is then called `fn(layer, array, options)`; `fn(layer, array)`
still works and means the defaults. `map_layer(layer, array, "pairs", pattern_set="edge6")`
builds the options by name (`method_options`); `OPTIONS` lists the option classes.
"""
from __future__ import annotations

import copy
import inspect
from dataclasses import fields
from typing import Callable

from ..errors import XbarError, check_cancel
from ..layers import MAX_NAME, ArraySpec, ConvLayer
from ..plan import Plan, Region

MethodFn = Callable[[ConvLayer, ArraySpec], Plan]
METHODS: dict[str, MethodFn] = {}
DESCRIPTIONS: dict[str, str] = {}
OPTIONS: dict[str, type] = {}
_BATCH: dict[str, Callable] = {}
_PER_LAYER_BATCH: set[str] = set()  # batch passes that map each layer on its own (no network view)
_CANCELLABLE: set[str] = set()  # network-level batch passes that take should_stop= and progress=


def register(name: str, description: str, batch: Callable | None = None, options: type | None = None,
             batch_per_layer: bool = False):
    """Register a method; `batch(layers, array[, options]) -> list[Plan]` may map many layers in
    one pass (and, for network-level methods, see them together); `options` its option class.
    `batch_per_layer`: the batch pass maps every layer on its own (only faster), so layers of
    one shape may share a plan; a batch without it is taken to see the network as a whole."""
    def deco(fn: MethodFn) -> MethodFn:
        METHODS[name] = fn
        DESCRIPTIONS[name] = description
        if batch is not None:
            _BATCH[name] = batch
            if batch_per_layer:
                _PER_LAYER_BATCH.add(name)
            elif "should_stop" in inspect.signature(batch).parameters:
                _CANCELLABLE.add(name)
        if options is not None:
            OPTIONS[name] = options
        return fn
    return deco


def option_names(method: str) -> tuple[str, ...]:
    cls = OPTIONS.get(method)
    return tuple(f.name for f in fields(cls)) if cls else ()


def method_options(method: str, values: dict | None = None, strict: bool = True):
    """The options object of `method` from option values by name (None: no options given).

    strict=False ignores the names the method does not take (a CLI passes all its option
    flags to every method)."""
    get(method)
    values = dict(values or {})
    names = option_names(method)
    unknown = sorted(set(values) - set(names))
    if unknown and strict:
        takes = f"takes {', '.join(names)}" if names else "takes no options"
        raise XbarError(f"method {method} {takes}; got {', '.join(unknown)}")
    mine = {k: v for k, v in values.items() if k in names}
    return OPTIONS[method](**mine) if mine else None


def get(name: str) -> MethodFn:
    try:
        return METHODS[name]
    except KeyError:
        raise XbarError(f"unknown method '{name}'; known: {', '.join(METHODS)}") from None


def parse_methods(text: str) -> list[str]:
    names = [n.strip() for n in str(text).split(",") if n.strip()]
    if not names:
        raise XbarError("no method given")
    for n in names:
        get(n)
    return names


def map_layer(layer: ConvLayer, array: ArraySpec, method: str, **options) -> Plan:
    """The method's plan for one layer; `options` by name (see `method_options`)."""
    opts = method_options(method, options) if options else None
    return get(method)(layer, array) if opts is None else get(method)(layer, array, opts)


def has_batch(method: str) -> bool:
    """Whether the method maps a whole layer list in one pass (see `map_many`)."""
    return method in _BATCH


def shape_key(layer: ConvLayer) -> tuple:
    """Everything of a layer a plan depends on: all but its name."""
    return (layer.in_h, layer.in_w, layer.in_c, layer.out_c, layer.k_h, layer.k_w, layer.stride_h,
            layer.stride_w, layer.pad_h, layer.pad_w, layer.groups, layer.kind)


def plan_for(plan: Plan, layer: ConvLayer) -> Plan:
    """`plan`, made for a layer of the same shape (`shape_key`), as the plan of `layer`.

    A shallow copy, so the figures already computed (cycles, ...) come along, and its
    conversions are the original's, counted once when first asked for: repeated layers of
    a long list cost one mapping and one count, not one each."""
    if plan.layer is layer:
        return plan
    _ = plan.cycles, plan.n_pw, plan.lower_bound  # cheap: computed once, copied to every twin
    new = copy.copy(plan)
    object.__setattr__(new, "layer", layer)
    object.__setattr__(new, "_twin", plan)  # conversions counted once, when first asked (Plan.conversions)
    if plan.regions:  # region layers are named after their layer (plan.region_layer)
        object.__setattr__(new, "regions", tuple(
            Region(r.oy, r.ox, plan_for(r.plan, _renamed(r.plan.layer, f"{layer.name}@{r.oy},{r.ox}")))
            for r in plan.regions))
    comp = plan.compression
    if comp is not None and comp.base is not None:
        comp = copy.copy(comp)
        object.__setattr__(comp, "base", plan_for(comp.base, layer))
        object.__setattr__(new, "compression", comp)
    return new


def _renamed(layer: ConvLayer, name: str) -> ConvLayer:
    if len(name) > MAX_NAME:  # let validation say why, as region_layer would
        return ConvLayer(**{**layer.to_dict(), "name": name})
    new = copy.copy(layer)  # a valid layer's name plus "@oy,ox" is valid: skip re-validating
    object.__setattr__(new, "name", name)
    return new


def shares_plans(method: str, options=None) -> bool:
    """Whether layers of one shape get one plan: not for network-level passes (vwc-sdk's
    pruning looks at the neighbours), nor when weights are given (they differ per layer)."""
    if method in _BATCH and method not in _PER_LAYER_BATCH:
        return False
    return getattr(options, "weights", None) is None


_CHUNK_LAYERS = 256  # layers per slice of a per-layer batch pass: cancel and progress between slices


def map_many(layers, array: ArraySpec, method: str, *, should_stop=None, progress=None, **options) -> list[Plan]:
    """Plans for many layers with one method: one vectorized pass where the method has one,
    the whole list at once for network-level methods (vwc-sdk propagates its pruning).
    Layers of one shape are mapped once (see `shares_plans`).

    `should_stop()` is checked and `progress(done, total, text)` called (done/total in
    layers) between slices of at most `_CHUNK_LAYERS` layers of a vectorized pass, before
    every layer of a method without one, and inside network-level passes that take them
    (vwc-sdk), so a cancel takes effect within one slice; `Cancelled` is raised."""
    fn = get(method)
    batch = _BATCH.get(method)
    args = () if not options else (method_options(method, options),)
    args = tuple(a for a in args if a is not None)
    layers = list(layers)
    n = len(layers)

    def one(layer):  # a method without a batch pass: cancellable before every layer
        check_cancel(should_stop)
        return fn(layer, array, *args)

    def run(part):
        return batch(part, array, *args) if batch else [one(layer) for layer in part]

    if not shares_plans(method, args[0] if args else None):
        if batch is not None and method not in _PER_LAYER_BATCH:  # sees the network as a whole
            kw = {"should_stop": should_stop, "progress": progress} if method in _CANCELLABLE else {}
            return batch(layers, array, *args, **kw)
        return _sliced(layers, run, n, method, should_stop, progress)
    first: dict = {}  # shape -> index of its first layer
    index = [first.setdefault(shape_key(layer), i) for i, layer in enumerate(layers)]
    unique = [layers[i] for i in first.values()]
    plans = _sliced(unique, run, n, method, should_stop, progress)
    by_first = dict(zip(first.values(), plans))
    return [plan_for(by_first[j], layer) for j, layer in zip(index, layers)]


def _sliced(layers: list, run, total: int, method: str, should_stop, progress) -> list:
    """run(part) over slices of `layers`, checking `should_stop` and reporting progress between them
    (`total`: the layers the caller asked for; repeated shapes are done with their first)."""
    if should_stop is None and progress is None:
        return run(layers)
    out: list = []
    n = len(layers)
    for s in range(0, max(n, 1), _CHUNK_LAYERS):
        if progress:
            progress(total * s // n if n else 0, total, f"layers {s + 1}-{min(n, s + _CHUNK_LAYERS)} of {n} ({method})")
        check_cancel(should_stop)
        out += run(layers[s:s + _CHUNK_LAYERS])
    check_cancel(should_stop)
    return out


from . import im2col, sdk, vw_sdk, flat, xbar_opt  # noqa: E402,F401  (registers the built-in methods)
from ..compress import vwc_sdk as _vwc, pairs as _pairs, kerntrol as _kerntrol  # noqa: E402,F401

DEFAULT_METHODS = ("im2col", "sdk", "vw-sdk")
