"""Layer weights, read on first use, and their quantization to the array's weight bits.

A `WeightStore` maps layer names to weight tensors `(OC, IC/g, Kh, Kw)` (a linear layer's
are `(out, in, 1, 1)`), float32, read-only. Imports give it loaders instead of arrays, so
opening a big model reads no weight; the few arrays last used are kept (a memory-mapped
float32 tensor costs only page cache, a converted one its size).

`quantize` turns float weights into the signed integers an array of `weight_bits` holds
(symmetric, one scale per layer) so that engine.simulate can run the functional proof
on a model's real weights.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np

from .errors import XbarError
from .layers import ArraySpec, ConvLayer
from .plan import Plan
from .simulate import direct_conv, simulate, weight_range

Shape4 = tuple[int, int, int, int]


@dataclass(frozen=True)
class LazyWeight:
    """A layer's weight shape, known at import, and how to read the tensor."""

    shape: Shape4
    load: Callable[[], np.ndarray]


class WeightStore:
    """Layer name -> weight tensor, loaded on first access. Safe to share between threads.

    `get` raises XbarError (a FormatError from a file) when the data cannot be read, e.g.
    the model file changed since the import.
    """

    def __init__(self, entries: Mapping[str, LazyWeight], keep: int = 8):
        self._entries = dict(entries)
        self._keep = keep
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray]) -> "WeightStore":
        """A store of arrays already in memory (4-D, as layers take them)."""
        entries = {}
        for name, a in arrays.items():
            a = np.asarray(a, dtype=np.float32)
            if a.ndim != 4:
                raise XbarError(f"layer '{name}': weights must be 4-D (OC, IC/g, Kh, Kw), got shape {a.shape}")
            a.flags.writeable = False
            entries[name] = LazyWeight(a.shape, lambda a=a: a)
        return cls(entries)

    def __contains__(self, name) -> bool:
        return name in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def names(self) -> tuple[str, ...]:
        return tuple(self._entries)

    def shape(self, name: str) -> Shape4 | None:
        entry = self._entries.get(name)
        return entry.shape if entry is not None else None

    def get(self, name: str) -> np.ndarray | None:
        """The layer's weights (float32, read-only), or None if the store has none for it."""
        entry = self._entries.get(name)
        if entry is None:
            return None
        with self._lock:
            if name in self._cache:
                self._cache.move_to_end(name)
                return self._cache[name]
        # Read outside the lock: a slow read must not block another thread's cached access.
        w = np.asarray(entry.load(), dtype=np.float32)
        if w.shape != tuple(entry.shape):
            raise XbarError(f"layer '{name}': weights have shape {w.shape}, expected {tuple(entry.shape)}")
        if w.flags.writeable:
            w.flags.writeable = False
        with self._lock:
            self._cache[name] = w
            while len(self._cache) > self._keep:
                self._cache.popitem(last=False)
        return w

    def nbytes(self) -> int:
        """Bytes all weights take as float32 (none of them read)."""
        return sum(4 * int(np.prod(e.shape, dtype=np.int64)) for e in self._entries.values())


@dataclass(frozen=True)
class QuantizedWeights:
    """Signed integers of `bits` bits; the real weight is about `values * scale`."""

    values: np.ndarray
    scale: float
    bits: int
    max_abs: float  # largest |w| before quantization

    def dequantized(self) -> np.ndarray:
        return self.values.astype(np.float32) * np.float32(self.scale)

    def describe(self) -> str:
        return (f"{self.bits}-bit integers, scale {self.scale:.6g} per step "
                f"(max |w| {self.max_abs:.6g})")


_CHUNK = 1 << 20  # weights converted per step: bounds the temporary float64 copies (8 MB)


def quantize(w: np.ndarray, weight_bits: int, name: str = "weights") -> QuantizedWeights:
    """Symmetric per-layer quantization: the largest |w| maps to the largest integer.

    `scale = max|w| / (2**(bits-1) - 1)`, `q = round(w / scale)` clipped to the two's
    complement range. One bit holds only {-1, 0}: there the scale is `max|w|` and only
    weights at or below `-max|w|/2` survive (as -1); use two or more bits for real models.
    """
    w = np.asarray(w)
    lo, hi = weight_range(weight_bits)
    flat = w.reshape(-1)
    max_abs = 0.0
    for s in range(0, flat.size, _CHUNK):
        part = flat[s:s + _CHUNK].astype(np.float64)
        if not np.isfinite(part).all():
            raise XbarError(f"{name}: the weights contain NaN or infinity; they cannot be quantized")
        max_abs = max(max_abs, float(np.abs(part).max(initial=0.0)))
    steps = hi if hi > 0 else -lo
    scale = max_abs / steps if max_abs > 0 else 1.0
    dtype = np.min_scalar_type(lo)  # the smallest signed type; it holds hi = -lo - 1 too
    values = np.empty(flat.shape, dtype=dtype)
    for s in range(0, flat.size, _CHUNK):
        part = flat[s:s + _CHUNK].astype(np.float64)
        values[s:s + _CHUNK] = np.clip(np.rint(part / scale), lo, hi)
    return QuantizedWeights(values.reshape(w.shape), scale, weight_bits, max_abs)


def verify_weights(layer: ConvLayer, array: ArraySpec, plan: Plan, w: np.ndarray, rng=None,
                   should_stop=None, x_bits: int = 4) -> bool:
    """Functional proof with given integer weights (e.g. `quantize(...).values`) and a random
    IFM of unsigned `x_bits`-bit pixels: simulate == direct convolution."""
    rng = np.random.default_rng(0) if rng is None else rng
    x = rng.integers(0, 1 << x_bits, size=(layer.in_c, layer.in_h, layer.in_w), dtype=np.int16)
    return bool(np.array_equal(simulate(layer, array, plan, x, w, should_stop), _reference(layer, plan, x, w)))


def _reference(layer: ConvLayer, plan: Plan, x: np.ndarray, w: np.ndarray) -> np.ndarray:
    # A compressed plan computes its pruned layer; engine.simulate.expected_output knows that
    # reference where the engine has compression methods, direct_conv is the rest.
    from . import simulate as sim

    expected = getattr(sim, "expected_output", None)
    return expected(layer, plan, x, w) if expected is not None else direct_conv(layer, x, w)


__all__ = ["LazyWeight", "QuantizedWeights", "WeightStore", "quantize", "verify_weights"]
