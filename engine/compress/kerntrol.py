"""KERNTROL: kernel shape control by PW row utilization, on an SDK or VW-SDK layout.

Row utilization of PW pixel (y, x) = windows covering it / windows in the PW (`nh*nw`).
Rows at or under the threshold are omitted for every channel, so each kernel copy keeps
its footprint minus the omitted pixels: its own shape. The masks follow from the PW
alone; no weights are needed.

- mask variant (KERNTROL-M): omitted weights are lost (reported per copy);
- compensatory variant (KERNTROL-C): every kept row is filled in every copy's columns:
  cells outside the copy's footprint hold extra weights that training would learn (cell
  code EXTRA). A copy's extended kernel then spans every kept PW pixel.

Kept rows are repacked, `AR = ceil(kept / R)`. A threshold that omits no row, or every
row, leaves the base layout unchanged (with a note).
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..errors import XbarError
from ..layers import ArraySpec, ConvLayer
from ..methods import map_many, register
from ..plan import Plan
from .build import base_plan, check_base, compressed, unchanged
from .model import base_key, copy_windows, footprints, shared_plan

VARIANTS = ("mask", "compensatory")


def coverage(plan: Plan) -> np.ndarray:
    """(Ph, Pw) int: how many of the PW's windows cover each PW pixel."""
    return footprints(plan).sum(axis=0)


def row_utilization(plan: Plan) -> np.ndarray:
    """(Ph, Pw) float: row utilization of each PW pixel (windows covering it / nh*nw)."""
    return coverage(plan) / plan.copies


def omitted_pixels(plan: Plan, threshold) -> np.ndarray:
    """(Ph, Pw) bool: PW pixels whose row utilization is at or under `threshold`, compared
    exactly (the threshold taken as the decimal written, so 0.25 means 1/4)."""
    t = Fraction(str(threshold))
    return coverage(plan) * t.denominator <= t.numerator * plan.copies


@dataclass(frozen=True)
class KerntrolOptions:
    """threshold: rows at or under this utilization are omitted (0 <= t < 1); variant:
    mask | compensatory; base: sdk | vw-sdk."""

    threshold: float = 0.25
    variant: str = "mask"
    base: str = "sdk"

    def __post_init__(self):
        t = self.threshold
        if isinstance(t, bool) or not isinstance(t, (int, float)) or not 0 <= t < 1:
            raise XbarError(f"threshold must be a number from 0 up to (not including) 1, got {t!r}")
        if self.variant not in VARIANTS:
            raise XbarError(f"unknown KERNTROL variant '{self.variant}'; known: {', '.join(VARIANTS)}")
        check_base(self.base)


def kerntrol_plan(base: Plan, options: KerntrolOptions | None = None) -> Plan:
    """KERNTROL on any single-region plan `base` (its PW and column tiles are kept)."""
    o = options or KerntrolOptions()
    # The masks follow from the options, the PW and the channels alone: shared.
    key = ("kerntrol", o, base_key(base)) if not base.regions and base.compression is None else None
    return shared_plan(key, base, base.layer, base, lambda: _kerntrol_plan(base, o))


def _kerntrol_plan(base: Plan, o: KerntrolOptions) -> Plan:
    params = (("base", base.method), ("threshold", o.threshold), ("variant", o.variant))
    omit = omitted_pixels(base, o.threshold)
    if not omit.any():
        return unchanged(base, "kerntrol", f"no PW row has utilization at or under {o.threshold}", params=params)
    if omit.all():
        return unchanged(base, "kerntrol", f"every PW row has utilization at or under {o.threshold}: "
                         "nothing omitted", params=params)
    keep = ~omit
    extra = None
    if o.variant == "compensatory":
        extra = (keep[None] & ~footprints(base))[:, None]  # (copies, 1, Ph, Pw)
    return compressed(base, "kerntrol", np.broadcast_to(keep, (base.group.in_c,) + keep.shape),
                      copy_windows(keep[None], base), extra=extra, params=params,
                      rule="row utilization (windows covering the pixel / windows in the PW)")


@register("kerntrol", "kernel shape control: PW rows at or under a utilization threshold omitted "
          "for every channel, kept rows repacked (mask or compensatory variant)", options=KerntrolOptions,
          batch=lambda layers, array, options=None: kerntrol_many(layers, array, options), batch_per_layer=True)
def kerntrol(layer: ConvLayer, array: ArraySpec, options: KerntrolOptions | None = None) -> Plan:
    o = options or KerntrolOptions()
    return kerntrol_plan(base_plan(layer, array, o.base), o)


def kerntrol_many(layers, array: ArraySpec, options: KerntrolOptions | None = None) -> list[Plan]:
    """`kerntrol` of every layer, the base plans mapped in one pass (engine.methods.map_many)."""
    o = options or KerntrolOptions()
    return [kerntrol_plan(b, o) for b in map_many(layers, array, o.base)]
