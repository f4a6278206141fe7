"""Plain scalar versions of the mapping methods, written straight from the model doc.

They share no code with engine/methods and serve as oracles for the vectorized search.
"""
import math


def scalar_im2col(layer, array):
    ic, oc = layer.in_c // layer.groups, layer.out_c // layer.groups
    cl = array.cols // math.ceil(array.weight_bits / array.cell_bits)
    ar = math.ceil(layer.k_h * layer.k_w * ic / array.rows)
    ac = math.ceil(oc / cl)
    return layer.out_h * layer.out_w * ar * ac * layer.groups


def scalar_vw_sdk(layer, array):
    """(cycles, nh, nw) by a double loop over every candidate, tie-breaks as the engine."""
    ic, oc = layer.in_c // layer.groups, layer.out_c // layer.groups
    cl = array.cols // math.ceil(array.weight_bits / array.cell_bits)
    oh, ow = layer.out_h, layer.out_w
    best = None
    for nh in range(1, oh + 1):
        for nw in range(1, ow + 1):
            ph = layer.k_h + (nh - 1) * layer.stride_h
            pw = layer.k_w + (nw - 1) * layer.stride_w
            ict = min(ic, array.rows // (ph * pw))
            oct_ = min(oc, cl // (nh * nw))
            if ict < 1 or oct_ < 1:
                continue
            ar, ac = math.ceil(ic / ict), math.ceil(oc / oct_)
            cycles = math.ceil(oh / nh) * math.ceil(ow / nw) * ar * ac
            key = (cycles, -(nh * nw) / (ar * ac), nh, ph * pw)
            if best is None or key < best[0]:
                best = (key, nh, nw)
    im2col_cycles = scalar_im2col(layer, array) // layer.groups
    ar0 = math.ceil(layer.k_h * layer.k_w * ic / array.rows)
    ac0 = math.ceil(oc / cl)
    im2col_key = (im2col_cycles, -1 / (ar0 * ac0), 1, layer.k_h * layer.k_w)
    if best is None or im2col_key < best[0]:
        return im2col_cycles * layer.groups, 1, 1
    return best[0][0] * layer.groups, best[1], best[2]


def scalar_vw_flat(layer, array):
    """(cycles, nh, nw) of the flat-split search by a plain double loop."""
    ic, oc = layer.in_c // layer.groups, layer.out_c // layer.groups
    cl = array.cols // math.ceil(array.weight_bits / array.cell_bits)
    best = None
    for nh in range(1, layer.out_h + 1):
        for nw in range(1, layer.out_w + 1):
            ph = layer.k_h + (nh - 1) * layer.stride_h
            pw = layer.k_w + (nw - 1) * layer.stride_w
            ar, ac = math.ceil(ph * pw * ic / array.rows), math.ceil(nh * nw * oc / cl)
            cycles = math.ceil(layer.out_h / nh) * math.ceil(layer.out_w / nw) * ar * ac
            key = (cycles, -(nh * nw) / (ar * ac), nh, ph * pw)
            if best is None or key < best[0]:
                best = (key, nh, nw)
    return best[0][0] * layer.groups, best[1], best[2]
