"""A layer's design space, for the heatmap: every (nh, nw) parallel-window candidate.

VW-SDK's grid (`candidate_grid`) for the uncompressed methods; for a compression-aware
method (pairs, kerntrol, vwc-sdk) its compressed grid (`compressed_grid`) with the base
layout's figures beside it, so the view can show cycles before and after compression.
Pure functions; `compute` runs in the worker.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from engine import ArraySpec, ConvLayer, Plan
from engine.compress.candidates import candidate_plan
from engine.compress.grid import compressed_grid
from engine.errors import Cancelled, XbarError
from engine.methods import OPTIONS, map_layer, method_options, option_names
from engine.methods.vw_sdk import candidate_grid

from app import method_style

MAX_CANDIDATES = 1 << 22  # ~4M cells: a few hundred MB of grids at most
COMPRESSED = ("pairs", "kerntrol", "vwc-sdk")
READINGS = ("compressed", "uncompressed", "rows saved")


class _Same:
    """An unhashable option value (weights), compared by identity so a request stays hashable."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __eq__(self, other):
        return isinstance(other, _Same) and other.value is self.value

    def __hash__(self):
        return id(self.value)

    def __repr__(self):
        return f"<{type(self.value).__name__} at {id(self.value):#x}>"


def _frozen(value):
    try:
        hash(value)
    except TypeError:
        return _Same(value)
    return value


def _values(options: tuple) -> dict:
    return {k: v.value if isinstance(v, _Same) else v for k, v in options}


@dataclass(frozen=True)
class DesignSpaceRequest:
    layer: ConvLayer
    array: ArraySpec
    method: str = "vw-sdk"
    options: tuple = ()  # sorted (name, value) pairs; see `make`

    @classmethod
    def make(cls, layer: ConvLayer, array: ArraySpec, method: str = "vw-sdk",
             options: dict | None = None) -> "DesignSpaceRequest":
        """The request for `method` with option values by name (as `map_layer` takes them).

        Methods without compression share VW-SDK's space. Options the method does not take
        are left out; unhashable values (weights) compare by identity."""
        if method not in COMPRESSED:
            return cls(layer, array)
        names = option_names(method)
        items = tuple(sorted((k, _frozen(v)) for k, v in (options or {}).items() if k in names))
        return cls(layer, array, method, items)

    def option_values(self) -> dict:
        return _values(self.options)

    @property
    def compressed(self) -> bool:
        return self.method in COMPRESSED


def method_title(method: str, options: dict | None = None) -> str:
    """'PAIRS (corner4, on SDK)': the method and the options that shape its design space."""
    if method not in COMPRESSED:
        return method_style.label("vw-sdk")
    o = method_options(method, {k: v for k, v in (options or {}).items() if k in option_names(method)})
    o = o or OPTIONS[method]()
    if method == "pairs":
        pats = "custom patterns" if o.patterns else o.pattern_set
        detail = f"{pats}, on {method_style.label(o.base)}"
    elif method == "kerntrol":
        detail = f"threshold {o.threshold:g}, {o.variant}, on {method_style.label(o.base)}"
    else:
        detail = f"max prune {o.max_prune:.0%}, on VW-SDK"
    return f"{method_style.label(method)} ({detail})"


def title_for(method: str, options: dict | None = None) -> str:
    """The design-space dock's title for the selected method: 'Design space (VW-SDK)',
    'Design space: PAIRS (corner4, on SDK)'."""
    if method not in COMPRESSED:
        return "Design space (VW-SDK)"
    return f"Design space: {method_title(method, options)}"


def base_method(request: DesignSpaceRequest) -> str:
    """The uncompressed layout the compressed method starts from."""
    if request.method == "vwc-sdk" or not request.compressed:
        return "vw-sdk"
    o = method_options(request.method, request.option_values())
    return o.base if o is not None else "sdk"


@dataclass(frozen=True, eq=False)
class DesignSpace:
    request: DesignSpaceRequest
    grid: dict  # arrays of shape (OH, OW), index [nh-1, nw-1]; per group (see `cycles`)
    optimum: Plan  # the plan the method makes (VW-SDK's may be its im2col fallback, 1x1)

    @property
    def shape(self) -> tuple[int, int]:
        return self.grid["cycles"].shape

    @property
    def compressed(self) -> bool:
        return self.request.compressed

    def cycles(self, reading: str = "compressed") -> np.ndarray:
        """Whole-layer cycles (all groups); -1 where the candidate does not fit.
        `uncompressed`: the base layout's cycles at the same PW (compressed spaces)."""
        key = "cycles_before" if reading == "uncompressed" and self.compressed else "cycles"
        c = self.grid[key]
        return np.where(c >= 0, c * self.request.layer.groups, -1)

    def rows_saved(self) -> np.ndarray:
        """Fraction of the base layout's rows that compression skips; -1 where invalid."""
        if not self.compressed:
            return np.where(self.grid["valid"], 0.0, -1.0)
        g = self.grid
        before = np.maximum(g["rows_before"], 1)
        return np.where(g["valid"], 1.0 - g["rows_after"] / before, -1.0)

    def candidate(self, nh: int, nw: int) -> dict | None:
        oh, ow = self.shape
        if not (1 <= nh <= oh and 1 <= nw <= ow) or not self.grid["valid"][nh - 1, nw - 1]:
            return None
        g = {k: int(v[nh - 1, nw - 1]) for k, v in self.grid.items() if k != "valid"}
        for k in ("cycles", "cycles_before"):
            if k in g:
                g[k] *= self.request.layer.groups
        return g

    def best(self) -> tuple[int, int, int] | None:
        """(nh, nw, cycles) of the candidate with the fewest cycles (smaller nh, then nw, on ties)."""
        c = self.cycles()
        valid = c > 0
        if not valid.any():
            return None
        i = int(np.argmin(np.where(valid, c, np.iinfo(np.int64).max)))
        nh, nw = divmod(i, c.shape[1])
        return nh + 1, nw + 1, int(c.flat[i])

    def better_than_optimum(self) -> tuple[int, int, int] | None:
        """The best compressed candidate when it beats the method's own plan: the PW a
        compression-aware search would pick (None for VW-SDK spaces or when no gain)."""
        b = self.best() if self.compressed else None
        return b if b is not None and b[2] < self.optimum.cycles else None


def _base_figures(layer: ConvLayer, array: ArraySpec, base: str, nh, nw, rows_before, should_stop=None) -> tuple:
    """(AR, cycles) per group of the uncompressed layout at every candidate."""
    if base == "sdk":  # flat row and column tiles
        g = layer.per_group()
        ar = -(-rows_before // array.rows)
        ac = -(-(nh * nw * g.out_c) // array.logical_cols)
        return ar, (-(-g.out_h // nh)) * (-(-g.out_w // nw)) * ar * ac
    c = candidate_grid(layer, array, nh, nw, should_stop)
    return c["ar"], c["cycles"]


def compute(request: DesignSpaceRequest, progress=None, should_stop=None) -> DesignSpace:
    layer, array = request.layer, request.array
    oh, ow = layer.out_h, layer.out_w
    if oh * ow > MAX_CANDIDATES:
        raise XbarError(f"layer '{layer.name}': its design space has {oh * ow:,} candidates, "
                        f"too many to draw (the limit is {MAX_CANDIDATES:,})")

    def check():
        if should_stop is not None and should_stop():
            raise Cancelled()

    nh = np.arange(1, oh + 1, dtype=np.int64)[:, None]
    nw = np.arange(1, ow + 1, dtype=np.int64)[None, :]
    if not request.compressed:
        grid = {k: np.broadcast_to(v, (oh, ow)) for k, v in candidate_grid(layer, array, nh, nw, should_stop).items()}
        check()
        return DesignSpace(request, grid, map_layer(layer, array, "vw-sdk"))
    options = request.option_values()
    grid = {k: np.broadcast_to(v, (oh, ow)) for k, v in
            compressed_grid(layer, array, request.method, nh, nw, should_stop, **options).items()}
    check()
    ar0, cycles0 = _base_figures(layer, array, base_method(request), nh, nw, grid["rows_before"], should_stop)
    grid["ar_before"] = np.broadcast_to(np.where(grid["valid"], ar0, 0), (oh, ow))
    grid["cycles_before"] = np.broadcast_to(np.where(grid["valid"], cycles0, -1), (oh, ow))
    check()
    return DesignSpace(request, grid, map_layer(layer, array, request.method, **options))


def what_if_plan(space: DesignSpace, nh: int, nw: int) -> Plan | None:
    """The plan the candidate (nh, nw) stands for, marked as not the optimum: VW-SDK's
    channel tiles, or the compressed method applied at that PW (`candidate_plan`)."""
    c = space.candidate(nh, nw)
    if c is None:
        return None
    r = space.request
    if r.compressed:
        try:
            plan = candidate_plan(r.layer, r.array, r.method, nh, nw, **r.option_values())
        except XbarError:
            return None
        return plan if plan.what_if else replace(plan, what_if=True)
    return Plan("vw-sdk", r.layer, r.array, nh, nw, c["ict"], c["oct"], c["ar"], c["ac"],
                "channel", "channel", what_if=True)


def candidate_at(x: float, y: float, shape: tuple[int, int]) -> tuple[int, int] | None:
    """Heatmap coordinates -> (nh, nw). Cells are centred on integers: x is nw, y is nh."""
    nh, nw = int(round(y)), int(round(x))
    oh, ow = shape
    return (nh, nw) if 1 <= nh <= oh and 1 <= nw <= ow else None


def focus_box(space: DesignSpace, factor: float, minimum: int = 8) -> tuple[int, int]:
    """(nh, nw) extent of the candidates within `factor` of the best: where the choice is made.
    Compressed spaces also keep the method's own plan in view."""
    cycles = space.cycles()
    valid = cycles > 0
    if not valid.any():
        return space.shape
    near = valid & (cycles <= factor * cycles[valid].min())
    rows, cols = np.nonzero(near)
    oh, ow = space.shape
    nh_max, nw_max = int(rows.max()) + 2, int(cols.max()) + 2
    if space.compressed:
        nh_max, nw_max = max(nh_max, space.optimum.nh + 1), max(nw_max, space.optimum.nw + 1)
    return min(oh, max(minimum, nh_max)), min(ow, max(minimum, nw_max))
