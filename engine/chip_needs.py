"""What each layer's plan asks of a chip: distinct arrays (tiles), PW positions (steps), rows.

A plan programs `tiles = groups * sum over its regions of AR*AC` distinct array
configurations (engine.plan: `parts` are the regions, or the plan itself). Compressed
plans count their repacked row tiles: a compression replaces the plan's `ar`
(engine.compress.model.attach), so the same sum holds for every method. With all of a
layer's tiles resident and run in parallel, one PW position takes one computing cycle:
`steps` = the plan's PW positions; for a region plan those of its largest region, the one
with the most PW positions (the regions and the groups run side by side, so the slowest
region sets the layer's time).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .layers import ArraySpec
from .plan import Plan


def plan_tiles(plan: Plan) -> int:
    return plan.layer.groups * sum(p.ar * p.ac for p in plan.parts)


def plan_steps(plan: Plan) -> int:
    return max(p.n_pw for p in plan.parts)


def _part_tile_rows(p: Plan) -> int:
    comp = p.compression
    if comp is not None and comp.repacked:  # kept rows cut into tiles of `tile_rows`
        return min(comp.tile_rows, comp.kept_rows)
    if p.row_split == "channel":
        return p.ict * p.pix_h * p.pix_w
    return min(p.array.rows, p.pix_h * p.pix_w * p.group.in_c)


def plan_tile_rows(plan: Plan) -> int:
    """Rows driven in the plan's fullest row tile: the most products one column adds in a read.

    The ADC check uses this rather than the array's R: a layer that drives 27 of 512 rows
    cannot overflow an ADC sized for 27 (zero cells of a shifted kernel still count: their
    rows are driven)."""
    return max(_part_tile_rows(p) for p in plan.parts)


@dataclass(frozen=True, eq=False)
class LayerNeeds:
    """Per layer (int64 arrays in layer order): tiles, steps and fullest-tile rows of one
    method's plans on one array spec."""

    method: str
    array: ArraySpec
    names: tuple[str, ...]
    tiles: np.ndarray
    steps: np.ndarray
    tile_rows: np.ndarray

    @cached_property  # asked by every figure of a report: a 100,000-layer sum once, not each time
    def arrays_needed(self) -> int:
        return sum(self.tiles.tolist())  # Python integers: 100,000 huge layers may pass int64


def layer_needs(plans, method: str | None = None) -> LayerNeeds:
    """The needs of a list of plans (one per layer, one method, one array spec)."""
    plans = list(plans)
    if not plans:
        from .errors import XbarError

        raise XbarError("chip: the network has no layer to place")
    cols = np.array([(plan_tiles(p), plan_steps(p), plan_tile_rows(p)) for p in plans], dtype=np.int64)
    cols.flags.writeable = False  # shared by every allocation of a sweep: read-only
    return LayerNeeds(method or plans[0].method, plans[0].array, tuple(p.layer.name for p in plans),
                      cols[:, 0], cols[:, 1], cols[:, 2])
