"""im2col: one window per cycle, the unrolled window cut into row tiles anywhere (flat)."""
from ..layers import ArraySpec, ConvLayer, ceil_div
from ..plan import Plan
from . import register


def im2col_tiles(layer: ConvLayer, array: ArraySpec) -> tuple[int, int]:
    g = layer.per_group()
    return ceil_div(g.k_h * g.k_w * g.in_c, array.rows), ceil_div(g.out_c, array.logical_cols)


@register("im2col", "one window per cycle; the unrolled window is cut into row tiles anywhere")
def im2col(layer: ConvLayer, array: ArraySpec) -> Plan:
    ar, ac = im2col_tiles(layer, array)
    g = layer.per_group()
    return Plan("im2col", layer, array, 1, 1, g.in_c, g.out_c, ar, ac, "flat", "flat")
