"""Compressed plans (engine.compress) in the crossbar view: which array to draw and the words
that go with it. Pure functions, no Qt.

A compressed plan can be shown two ways:

- "repacked": what the compressed array holds (the plan itself, the default);
- "dense": the uncompressed layout with the compression in place (`dense_plan`): every
  row the compression skips or omits stays where it was and is drawn hatched, columns of
  removed output channels too; playback runs the uncompressed schedule.
"""
from __future__ import annotations

from engine.compress.views import dense_plan, row_fate, row_slots
from engine.plan import Plan

from app import method_style

VIEWS = {"repacked": "Repacked array", "dense": "Skipped rows in place"}


def is_compressed(plan: Plan | None) -> bool:
    return plan is not None and getattr(plan, "compression", None) is not None


def shown_plan(plan: Plan | None, view: str) -> Plan | None:
    """The plan the grid draws for `view` ("repacked" or "dense")."""
    if view not in VIEWS:
        raise ValueError(f"unknown compressed view {view!r}; known: {', '.join(VIEWS)}")
    if view == "dense" and is_compressed(plan):
        return dense_plan(plan)
    return plan


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def summary(plan: Plan, view: str) -> str:
    """What the compression saves, e.g. 'PAIRS · skipped rows in place: 160 of 288 rows
    skipped · repacked: 3 → 1 row tiles, 768 → 256 cycles'."""
    comp = plan.compression
    dense = dense_plan(plan)
    dc = dense.compression
    where = "skipped rows in place" if view == "dense" else "repacked array"
    head = f"{method_style.label(plan.method)} · {where}"
    removed_oc = comp.out_channels_removed(plan).size
    if dc.rows_skipped == 0 and removed_oc == 0:
        return f"{head}: nothing skipped" + (f" ({comp.note})" if comp.note else "")
    parts = [f"{dc.rows_skipped:,} of {dc.dense_rows:,} rows skipped"]
    if comp.kind == "vwc-sdk" and comp.channels_removed.size:
        parts[0] += f" ({_plural(int(comp.channels_removed.size), 'input channel')} removed)"
    if removed_oc:
        parts.append(f"{_plural(int(removed_oc), 'output channel')} removed")
    change = f"{dense.ar:,} → {plan.ar:,} row tiles, {dense.cycles:,} → {plan.cycles:,} cycles"
    saves = f"repacked: {change}" if view == "dense" else f"{change} (uncompressed → repacked)"
    return f"{head}: " + " · ".join(parts + [saves])


class Fates:
    """Where the rows of the dense view go in the repacked array, per dense row tile."""

    def __init__(self, plan: Plan):
        self.plan = plan  # the repacked (compressed) plan
        self.dense = dense_plan(plan)
        self.same_pw = (self.dense.pix_h, self.dense.pix_w) == (plan.pix_h, plan.pix_w)
        self._fates: dict = {}

    def of_tile(self, a: int):
        if a not in self._fates:
            self._fates[a] = row_fate(self.plan, a)
        return self._fates[a]

    def text(self, a: int, r: int) -> str:
        """'skipped by the compression' or 'kept: row 4 of row tile 1 / 1 in the repacked array'."""
        fate = self.of_tile(a)
        if not fate.kept[r]:
            return "skipped by the compression"
        p = self.plan
        if fate.tile[r] >= 0:
            return f"kept: row {int(fate.row[r])} of row tile {int(fate.tile[r]) + 1} / {p.ar} in the repacked array"
        # VWC-SDK searched another parallel window: the channel is kept, its rows re-laid out.
        c = int(self.dense.compression.row_vectors(self.dense, a).c[r])
        first = row_slots(p)[c]
        first = first[first >= 0]
        tile = int(first.min()) // p.compression.tile_rows + 1 if first.size else 0
        return (f"kept: channel {c} is in row tile {tile} / {p.ar} of the repacked array "
                f"(another parallel window: {p.pix_h}×{p.pix_w} pixels)")

