"""A mapping plan: the parallel window, the tiling and the figures that follow from them.

Formulas: mapping model sections 1-4. A plan describes one group; grouped layers
repeat it `groups` times (section 2, grouped convolution).

A plan may be made of several regions (edge-aware tiling): each region covers a
rectangle of the OFM and is itself a plan for that rectangle, mapped as a layer of its
own (`region_layer`). The top-level figures then sum over the regions; `nh`, `nw`,
`ict`, ... describe the first (bulk) region.

A plan may carry a `compression` (engine.compress): the rows of its PW that stay, the
weights each kernel copy keeps and how the kept rows are repacked; `ar` then counts the
repacked row tiles and the utilizations count the cells the compressed layer really uses.
"""
from __future__ import annotations

import copy
from functools import cached_property
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from .layers import MAX_NAME, MAX_SPATIAL, ArraySpec, ConvLayer, ceil_div

if TYPE_CHECKING:
    from .compress.model import Compression


def lower_bound(layer: ConvLayer, array: ArraySpec) -> int:
    """Section 4: no mapping of this model needs fewer cycles than this."""
    g = layer.per_group()
    per_output = ceil_div(layer.k_h * layer.k_w * g.in_c, array.rows)
    return ceil_div(layer.out_h * layer.out_w * layer.out_c * array.cells_per_weight * per_output, array.cols)


def region_layer(layer: ConvLayer, oy: int, ox: int, h: int, w: int) -> ConvLayer:
    """The OFM rectangle (oy, ox, h, w) of `layer` as a layer of its own.

    Its IFM is the window of the *padded* IFM that those outputs read, so it has no
    padding of its own; its OFM is exactly h x w.
    """
    if not (0 <= oy and 0 <= ox and h >= 1 and w >= 1 and oy + h <= layer.out_h and ox + w <= layer.out_w):
        raise ValueError(f"region ({oy}, {ox}, {h}x{w}) outside the {layer.out_h}x{layer.out_w} OFM")
    name = f"{layer.name}@{oy},{ox}"
    changes = dict(name=name, in_h=(h - 1) * layer.stride_h + layer.k_h, in_w=(w - 1) * layer.stride_w + layer.k_w,
                   pad_h=0, pad_w=0)
    if len(name) > MAX_NAME or max(changes["in_h"], changes["in_w"]) > MAX_SPATIAL:  # let validation say why
        return replace(layer, **changes)
    # A window of a valid layer's padded IFM is a valid layer (its kernel fits, its work is less,
    # "@", digits and "," are fine in a name): no second validation, which long lists feel.
    new = copy.copy(layer)
    for k, v in changes.items():
        object.__setattr__(new, k, v)
    return new


@dataclass(frozen=True)
class Region:
    """One rectangle of the OFM, mapped by its own plan (whose layer is `region_layer`)."""

    oy: int
    ox: int
    plan: "Plan"

    @property
    def h(self) -> int:
        return self.plan.layer.out_h

    @property
    def w(self) -> int:
        return self.plan.layer.out_w


@dataclass(frozen=True)
class Plan:
    """How one layer is laid out on the array and how many cycles it costs.

    `nh x nw` windows per PW spanning `pix_h x pix_w` IFM pixels; `ict`/`oct` are the
    channels per row/column tile for `channel` splits (for `flat` splits the tiles are cut
    at any row/column and `ict`/`oct` are the layer's whole channel counts).
    """

    method: str
    layer: ConvLayer
    array: ArraySpec
    nh: int
    nw: int
    ict: int
    oct: int
    ar: int
    ac: int
    row_split: str
    col_split: str
    what_if: bool = False  # a candidate the user picked, not the method's optimum
    regions: tuple[Region, ...] = ()  # edge-aware plans: the regions, in schedule order
    compression: Compression | None = None  # compression-aware methods (engine.compress)

    @property
    def parts(self) -> tuple["Plan", ...]:
        """The single-region plans this plan runs, in order (itself when it has no regions)."""
        return tuple(r.plan for r in self.regions) if self.regions else (self,)

    @property
    def group(self) -> ConvLayer:
        return self.layer.per_group()

    @property
    def pix_h(self) -> int:
        return self.layer.k_h + (self.nh - 1) * self.layer.stride_h

    @property
    def pix_w(self) -> int:
        return self.layer.k_w + (self.nw - 1) * self.layer.stride_w

    @property
    def n_pw_h(self) -> int:
        return ceil_div(self.layer.out_h, self.nh)

    @property
    def n_pw_w(self) -> int:
        return ceil_div(self.layer.out_w, self.nw)

    @cached_property  # a frozen plan: computed once, read often (tables, charts)
    def n_pw(self) -> int:
        if self.regions:
            return sum(p.n_pw for p in self.parts)
        return self.n_pw_h * self.n_pw_w

    @property
    def copies(self) -> int:
        return self.nh * self.nw

    @cached_property  # a frozen plan: computed once, read often (tables, charts)
    def cycles_per_group(self) -> int:
        if self.regions:
            return sum(p.cycles_per_group for p in self.parts)
        return self.n_pw * self.ar * self.ac

    @cached_property  # a frozen plan: computed once, read often (tables, charts)
    def cycles(self) -> int:
        return self.cycles_per_group * self.layer.groups

    @property
    def _cells_used(self) -> int:
        cells = self.array.rows * self.array.cols
        return cells * sum(p.ar * p.ac for p in self.parts)

    @property
    def weight_utilization(self) -> float:
        g, cpw = self.group, self.array.cells_per_weight
        if self.compression is not None:
            return self.compression.weight_cells(self) * cpw / self._cells_used
        copies = sum(p.copies for p in self.parts)
        return copies * g.k_h * g.k_w * g.in_c * g.out_c * cpw / self._cells_used

    @property
    def block_occupancy(self) -> float:
        g, cpw = self.group, self.array.cells_per_weight
        if self.compression is not None:
            return self.compression.block_cells(self) * cpw / self._cells_used
        block = sum(p.pix_h * p.pix_w * p.copies for p in self.parts)
        return block * g.in_c * g.out_c * cpw / self._cells_used

    @property
    def mac_utilization(self) -> float:
        g, a = self.group, self.array
        useful = g.out_h * g.out_w * g.k_h * g.k_w * g.in_c * g.out_c * a.cells_per_weight
        if self.compression is not None:  # the products of the weights the compressed layer keeps
            useful = self.compression.useful_macs(self) * a.cells_per_weight
        return useful / (a.rows * a.cols * self.cycles_per_group)

    @cached_property  # a frozen plan: computed once, read often (tables, charts)
    def lower_bound(self) -> int:
        if self.compression is not None:  # the bound of the compressed layer (fewer products)
            return self.compression.lower_bound(self)
        return lower_bound(self.layer, self.array)

    @property
    def efficiency(self) -> float:
        return self.lower_bound / self.cycles

    @property
    def rows_used(self) -> int:
        """Rows of the unrolled input vector (all row tiles together)."""
        if self.compression is not None:
            return self.compression.rows_present
        return self.pix_h * self.pix_w * self.group.in_c

    @cached_property
    def _counts(self):
        twin = self.__dict__.get("_twin")  # the plan of a same-shape layer (methods.plan_for): same counts
        if twin is not None:
            return twin.conversions()
        from .energy import conversions

        return conversions(self)

    def conversions(self):
        """ADC/DAC conversions and MACs of the whole schedule (engine.energy), counted once per
        plan (like the other cached figures): a results table asks again on every energy change."""
        return self._counts

    def to_dict(self, energy=None) -> dict:
        """The figures the CLI's JSON reports for one method; `energy` an EnergyModel."""
        from .energy import EnergyModel

        conv = self.conversions()
        return {
            "cycles": self.cycles,
            "windows": [self.nh, self.nw],
            "pw": [self.pix_h, self.pix_w],
            "ict": self.ict,
            "oct": self.oct,
            "ar_cycles": self.ar,
            "ac_cycles": self.ac,
            "n_pw": self.n_pw,
            "row_split": self.row_split,
            "weight_utilization": self.weight_utilization,
            "block_occupancy": self.block_occupancy,
            "mac_utilization": self.mac_utilization,
            "lower_bound": self.lower_bound,
            "efficiency": self.efficiency,
            "adc_conversions": conv.adc,
            "dac_conversions": conv.dac,
            "macs": conv.macs,
            "energy_pj": conv.energy_pj(energy or EnergyModel()),
            **({"regions": [{"origin": [r.oy, r.ox], "size": [r.h, r.w], "windows": [r.plan.nh, r.plan.nw],
                             "ar_cycles": r.plan.ar, "ac_cycles": r.plan.ac, "cycles": r.plan.cycles}
                            for r in self.regions]} if self.regions else {}),
            **(self.compression.to_dict(self) if self.compression is not None else {}),
        }
