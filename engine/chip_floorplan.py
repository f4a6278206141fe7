"""Which array of the chip holds what: the floorplan of a `ChipReport` (for a chip view).

Arrays are filled in layer order; a layer's replicas one after the other; inside a replica
its tiles in the plan's order: group, region, then column tile b and row tile a as the
weight-stationary schedule visits them (`for b: for a`). Chip tile = array index //
arrays_per_tile. When the network does not fit, each round of the time-multiplexed
schedule has a floorplan of its own (engine.chip_alloc.pack_rounds).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .chip_alloc import ChipReport, pack_rounds
from .errors import XbarError
from .plan import Plan


@dataclass(frozen=True, eq=False)
class Floorplan:
    """Per array of the chip (int64 arrays of length A; -1 where the array is empty): the
    layer it holds, which replica of it, and which of the layer's tiles (0 .. tiles-1;
    `tile_position` names it)."""

    layer: np.ndarray
    replica: np.ndarray
    tile: np.ndarray
    arrays_per_tile: int

    @property
    def chip_tile(self) -> np.ndarray:
        return np.arange(self.layer.size) // self.arrays_per_tile


def floorplan(report: ChipReport, round_index: int = 0) -> Floorplan:
    """The arrays of `report`'s chip; `round_index` picks the round when it does not fit."""
    a = report.spec.arrays
    if report.fits:
        blocks = [(i, 0, int(t), int(r)) for i, (t, r) in enumerate(zip(report.needs.tiles, report.replicas))]
    else:
        rounds = pack_rounds(report.needs.tiles, a)
        if not 0 <= round_index < len(rounds):
            raise XbarError(f"chip: round {round_index}: the schedule has rounds 0 to {len(rounds) - 1}")
        blocks = [(i, first, n, 1) for i, first, n in rounds[round_index]]
    layer, replica, tile = (np.full(a, -1, dtype=np.int64) for _ in range(3))
    at = 0
    for i, first, n, reps in blocks:
        span = n * reps
        j = np.arange(span)
        layer[at:at + span] = i
        replica[at:at + span] = j // n
        tile[at:at + span] = first + j % n
        at += span
    return Floorplan(layer, replica, tile, report.spec.arrays_per_tile)


@dataclass(frozen=True)
class TilePosition:
    group: int
    region: int  # index into plan.regions (0 for a plan without regions)
    a: int  # row tile
    b: int  # column tile


def tile_position(plan: Plan, k: int) -> TilePosition:
    """Tile `k` (0 .. plan's tiles - 1, the floorplan's order) of `plan`."""
    per_group = sum(p.ar * p.ac for p in plan.parts)
    if not 0 <= k < per_group * plan.layer.groups:
        raise XbarError(f"chip: tile {k}: layer '{plan.layer.name}' has tiles 0 to {per_group * plan.layer.groups - 1}")
    group, k = divmod(k, per_group)
    for region, p in enumerate(plan.parts):
        if k < p.ar * p.ac:
            b, a = divmod(k, p.ar)
            return TilePosition(group, region, a, b)
        k -= p.ar * p.ac
    raise AssertionError("unreachable: k < per_group")
