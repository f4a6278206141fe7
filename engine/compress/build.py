"""What the three compressed methods share: their base plan, weights, and plan assembly."""
from __future__ import annotations

from dataclasses import replace
from typing import Mapping

import numpy as np

from ..errors import XbarError
from ..layers import ArraySpec, ConvLayer
from ..plan import Plan
from .model import Compression, attach

BASES = ("sdk", "vw-sdk")  # layouts PAIRS and KERNTROL compress


def check_base(base: str) -> None:
    if base not in BASES:
        raise XbarError(f"base layout must be one of {', '.join(BASES)}, got '{base}'")


def base_plan(layer: ConvLayer, array: ArraySpec, base: str) -> Plan:
    from ..methods import get

    check_base(base)
    return get(base)(layer, array)


def layer_weights(weights, layer: ConvLayer):
    """The layer's weights (OC, IC/g, Kh, Kw) from an array, a `Network` (weights_for), a
    mapping or a callable by layer name; None when unknown. A lookup whose weights no longer
    fit the layer (edited since the import) gives None; a wrong array is an error."""
    if weights is None:
        return None
    want = (layer.out_c, layer.group_in_c, layer.k_h, layer.k_w)
    if hasattr(weights, "shape"):
        w = np.asarray(weights)
        if w.shape != want:
            raise XbarError(f"layer '{layer.name}': weights of shape {w.shape}, expected {want}")
        return w
    if hasattr(weights, "weights_for"):
        w = weights.weights_for(layer.name)
    elif isinstance(weights, Mapping):
        w = weights.get(layer.name)
    elif callable(weights):
        w = weights(layer.name)
    else:
        raise XbarError(f"weights: expected an array, a mapping or a callable, got {type(weights).__name__}")
    if w is None or np.shape(w) != want:
        return None
    return np.asarray(w)


def tiles_of(plan: Plan) -> int:
    """Rows per row tile of an uncompressed plan: R for flat splits, ICt whole channels else."""
    return plan.array.rows if plan.row_split == "flat" else plan.ict * plan.pix_h * plan.pix_w


def compressed(base: Plan, kind: str, row_keep, weight_keep, *, extra=None, **info) -> Plan:
    """`base` with rows skipped and kept rows repacked flat (AR = ceil(kept / R)); with no
    row skipped the base layout stays exactly as it is."""
    row_keep = np.asarray(row_keep, dtype=bool)
    skipped = not row_keep.all()
    tile_rows = base.array.rows if skipped else tiles_of(base)
    comp = Compression(kind, base, row_keep, weight_keep, tile_rows, extra=extra, **info)
    split = "flat" if skipped else base.row_split
    plan = replace(base, method=kind, row_split=split, ict=base.group.in_c if skipped else base.ict)
    return attach(plan, comp)


def unchanged(base: Plan, kind: str, note: str, **info) -> Plan:
    """The base plan under the method's name, carrying an identity compression and why."""
    g, L = base.group, base.layer
    return compressed(base, kind, np.ones((g.in_c, base.pix_h, base.pix_w), dtype=bool),
                      np.ones((1, 1, L.k_h, L.k_w), dtype=bool), note=note, **info)
