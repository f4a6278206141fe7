"""The mapping methods, by name. A method is `fn(layer, array) -> Plan`.

Later methods register here with `register`; callers look them up with `get` or `METHODS`
and never import a method module directly.
"""
from __future__ import annotations

from typing import Callable

from ..errors import XbarError
from ..layers import ArraySpec, ConvLayer
from ..plan import Plan

MethodFn = Callable[[ConvLayer, ArraySpec], Plan]
METHODS: dict[str, MethodFn] = {}
DESCRIPTIONS: dict[str, str] = {}
_BATCH: dict[str, Callable] = {}


def register(name: str, description: str, batch: Callable | None = None):
    """Register a method; `batch(layers, array) -> list[Plan]` may map many layers in one pass."""
    def deco(fn: MethodFn) -> MethodFn:
        METHODS[name] = fn
        DESCRIPTIONS[name] = description
        if batch is not None:
            _BATCH[name] = batch
        return fn
    return deco


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


def map_layer(layer: ConvLayer, array: ArraySpec, method: str) -> Plan:
    return get(method)(layer, array)


def map_many(layers, array: ArraySpec, method: str) -> list[Plan]:
    """Plans for many layers with one method: one vectorized pass where the method has one."""
    fn = get(method)
    batch = _BATCH.get(method)
    return batch(list(layers), array) if batch else [fn(layer, array) for layer in layers]


from . import im2col, sdk, vw_sdk, flat, xbar_opt  # noqa: E402,F401  (registers the built-in methods)

DEFAULT_METHODS = ("im2col", "sdk", "vw-sdk")
