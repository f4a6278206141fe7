"""A mapping plan: the parallel window, the tiling and the figures that follow from them.

Formulas: mapping model sections 1-4. A plan describes one group; grouped layers
repeat it `groups` times (section 2, grouped convolution).
"""
from __future__ import annotations

from dataclasses import dataclass

from .layers import ArraySpec, ConvLayer, ceil_div

SPLITS = ("flat", "channel")


def lower_bound(layer: ConvLayer, array: ArraySpec) -> int:
    """Section 4: no mapping of this model needs fewer cycles than this."""
    g = layer.per_group()
    per_output = ceil_div(layer.k_h * layer.k_w * g.in_c, array.rows)
    return ceil_div(layer.out_h * layer.out_w * layer.out_c * array.cells_per_weight * per_output, array.cols)


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

    @property
    def n_pw(self) -> int:
        return self.n_pw_h * self.n_pw_w

    @property
    def copies(self) -> int:
        return self.nh * self.nw

    @property
    def cycles_per_group(self) -> int:
        return self.n_pw * self.ar * self.ac

    @property
    def cycles(self) -> int:
        return self.cycles_per_group * self.layer.groups

    @property
    def _cells_used(self) -> int:
        return self.array.rows * self.array.cols * self.ar * self.ac

    @property
    def weight_utilization(self) -> float:
        g, cpw = self.group, self.array.cells_per_weight
        return self.copies * g.k_h * g.k_w * g.in_c * g.out_c * cpw / self._cells_used

    @property
    def block_occupancy(self) -> float:
        g, cpw = self.group, self.array.cells_per_weight
        return self.pix_h * self.pix_w * g.in_c * self.copies * g.out_c * cpw / self._cells_used

    @property
    def mac_utilization(self) -> float:
        g, a = self.group, self.array
        useful = g.out_h * g.out_w * g.k_h * g.k_w * g.in_c * g.out_c * a.cells_per_weight
        return useful / (a.rows * a.cols * self.cycles_per_group)

    @property
    def lower_bound(self) -> int:
        return lower_bound(self.layer, self.array)

    @property
    def efficiency(self) -> float:
        return self.lower_bound / self.cycles

    @property
    def rows_used(self) -> int:
        """Rows of the unrolled input vector (all row tiles together)."""
        return self.pix_h * self.pix_w * self.group.in_c

    def to_dict(self) -> dict:
        """The figures the CLI's JSON reports for one method (issue 2, section 8)."""
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
        }
