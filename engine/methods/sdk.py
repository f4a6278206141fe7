"""SDK: a square parallel window of shifted, duplicated kernels inside im2col's tiles."""
from ..layers import ArraySpec, ConvLayer, ceil_div
from ..plan import Plan
from . import register
from .im2col import im2col_tiles


@register("sdk", "shifted and duplicated kernels over a square parallel window, all channels")
def sdk(layer: ConvLayer, array: ArraySpec) -> Plan:
    g = layer.per_group()
    ar0, ac0 = im2col_tiles(layer, array)
    oh, ow = g.out_h, g.out_w
    best_n, best_cycles = 1, None
    for n in range(1, max(oh, ow) + 1):
        ph = g.k_h + (n - 1) * g.stride_h
        pw = g.k_w + (n - 1) * g.stride_w
        if ph * pw * g.in_c > array.rows * ar0 or n * n * g.out_c > array.logical_cols * ac0:
            break
        cycles = ceil_div(oh, n) * ceil_div(ow, n)
        if best_cycles is None or cycles < best_cycles:
            best_n, best_cycles = n, cycles
    return Plan("sdk", layer, array, best_n, best_n, g.in_c, g.out_c, ar0, ac0, "flat", "flat")
