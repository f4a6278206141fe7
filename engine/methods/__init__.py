"""The mapping methods, by name. A method is `fn(layer, array) -> Plan`.

Later methods register here with `register`; callers look them up with `get` or `METHODS`
and never import a method module directly.

A method may take options: it registers a frozen dataclass of them (`options=`, every
field with a default) and is then called `fn(layer, array, options)`; `fn(layer, array)`
still works and means the defaults. `map_layer(layer, array, "pairs", pattern_set="edge6")`
builds the options by name (`method_options`); `OPTIONS` lists the option classes.
"""
from __future__ import annotations

from dataclasses import fields
from typing import Callable

from ..errors import XbarError
from ..layers import ArraySpec, ConvLayer
from ..plan import Plan

MethodFn = Callable[[ConvLayer, ArraySpec], Plan]
METHODS: dict[str, MethodFn] = {}
DESCRIPTIONS: dict[str, str] = {}
OPTIONS: dict[str, type] = {}
_BATCH: dict[str, Callable] = {}


def register(name: str, description: str, batch: Callable | None = None, options: type | None = None):
    """Register a method; `batch(layers, array[, options]) -> list[Plan]` may map many layers in
    one pass (and, for network-level methods, see them together); `options` its option class."""
    def deco(fn: MethodFn) -> MethodFn:
        METHODS[name] = fn
        DESCRIPTIONS[name] = description
        if batch is not None:
            _BATCH[name] = batch
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


def map_many(layers, array: ArraySpec, method: str, **options) -> list[Plan]:
    """Plans for many layers with one method: one vectorized pass where the method has one,
    the whole list at once for network-level methods (vwc-sdk propagates its pruning)."""
    fn = get(method)
    batch = _BATCH.get(method)
    args = () if not options else (method_options(method, options),)
    args = tuple(a for a in args if a is not None)
    return batch(list(layers), array, *args) if batch else [fn(layer, array, *args) for layer in layers]


from . import im2col, sdk, vw_sdk, flat, xbar_opt  # noqa: E402,F401  (registers the built-in methods)
from ..compress import vwc_sdk as _vwc, pairs as _pairs, kerntrol as _kerntrol  # noqa: E402,F401

DEFAULT_METHODS = ("im2col", "sdk", "vw-sdk")
