"""VW-SDK's design space for one layer: every (nh, nw) candidate, for the heatmap.

Pure functions over the engine's `candidate_grid`; `compute` runs in the worker.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine import ArraySpec, ConvLayer, Plan
from engine.errors import Cancelled, XbarError
from engine.methods import get
from engine.methods.vw_sdk import candidate_grid

MAX_CANDIDATES = 1 << 22  # ~4M cells: a few hundred MB of grids at most


@dataclass(frozen=True)
class DesignSpaceRequest:
    layer: ConvLayer
    array: ArraySpec


@dataclass(frozen=True, eq=False)
class DesignSpace:
    request: DesignSpaceRequest
    grid: dict  # candidate_grid arrays, shape (OH, OW); index [nh-1, nw-1]
    optimum: Plan  # the VW-SDK plan (may be its im2col fallback, nh = nw = 1)

    @property
    def shape(self) -> tuple[int, int]:
        return self.grid["cycles"].shape

    def cycles(self) -> np.ndarray:
        """Whole-layer cycles (all groups); -1 where the candidate does not fit."""
        c = self.grid["cycles"]
        return np.where(c >= 0, c * self.request.layer.groups, -1)

    def candidate(self, nh: int, nw: int) -> dict | None:
        oh, ow = self.shape
        if not (1 <= nh <= oh and 1 <= nw <= ow) or not self.grid["valid"][nh - 1, nw - 1]:
            return None
        g = {k: int(v[nh - 1, nw - 1]) for k, v in self.grid.items() if k != "valid"}
        g["cycles"] *= self.request.layer.groups
        return g


def compute(request: DesignSpaceRequest, progress=None, should_stop=None) -> DesignSpace:
    layer, array = request.layer, request.array
    oh, ow = layer.out_h, layer.out_w
    if oh * ow > MAX_CANDIDATES:
        raise XbarError(f"layer '{layer.name}': its design space has {oh * ow:,} candidates, "
                        f"too many to draw (the limit is {MAX_CANDIDATES:,})")
    nh = np.arange(1, oh + 1, dtype=np.int64)[:, None]
    nw = np.arange(1, ow + 1, dtype=np.int64)[None, :]
    grid = {k: np.broadcast_to(v, (oh, ow)) for k, v in candidate_grid(layer, array, nh, nw).items()}
    if should_stop is not None and should_stop():
        raise Cancelled()
    return DesignSpace(request, grid, get("vw-sdk")(layer, array))


def what_if_plan(space: DesignSpace, nh: int, nw: int) -> Plan | None:
    """The plan the candidate (nh, nw) stands for, marked as not the optimum."""
    c = space.candidate(nh, nw)
    if c is None:
        return None
    r = space.request
    return Plan("vw-sdk", r.layer, r.array, nh, nw, c["ict"], c["oct"], c["ar"], c["ac"],
                "channel", "channel", what_if=True)


def candidate_at(x: float, y: float, shape: tuple[int, int]) -> tuple[int, int] | None:
    """Heatmap coordinates -> (nh, nw). Cells are centred on integers: x is nw, y is nh."""
    nh, nw = int(round(y)), int(round(x))
    oh, ow = shape
    return (nh, nw) if 1 <= nh <= oh and 1 <= nw <= ow else None


def focus_box(space: DesignSpace, factor: float, minimum: int = 8) -> tuple[int, int]:
    """(nh, nw) extent of the candidates within `factor` of the best: where the choice is made."""
    cycles = space.cycles()
    valid = cycles > 0
    if not valid.any():
        return space.shape
    near = valid & (cycles <= factor * cycles[valid].min())
    rows, cols = np.nonzero(near)
    oh, ow = space.shape
    return min(oh, max(minimum, int(rows.max()) + 2)), min(ow, max(minimum, int(cols.max()) + 2))
