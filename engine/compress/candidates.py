"""What-if plans of the compressed methods for a PW the user picks (design-space view)."""
from __future__ import annotations

import numpy as np

from ..errors import XbarError
from ..layers import ArraySpec, ConvLayer, ceil_div
from ..plan import Plan
from .build import check_base, layer_weights


def base_candidate(layer: ConvLayer, array: ArraySpec, base: str, nh: int, nw: int) -> Plan:
    """The uncompressed layout at PW (nh, nw): VW-SDK's channel tiles for base 'vw-sdk',
    flat tiles (SDK's splits) for 'sdk'."""
    from ..methods.vw_sdk import candidate_grid

    check_base(base)
    g = layer.per_group()
    if not (1 <= nh <= g.out_h and 1 <= nw <= g.out_w):
        raise XbarError(f"PW of {nh}x{nw} windows outside the {g.out_h}x{g.out_w} OFM")
    if base == "sdk":
        pp = (g.k_h + (nh - 1) * g.stride_h) * (g.k_w + (nw - 1) * g.stride_w)
        ar, ac = ceil_div(pp * g.in_c, array.rows), ceil_div(nh * nw * g.out_c, array.logical_cols)
        return Plan("sdk", layer, array, nh, nw, g.in_c, g.out_c, ar, ac, "flat", "flat", what_if=True)
    c = candidate_grid(layer, array, np.int64(nh), np.int64(nw))
    if not bool(c["valid"]):
        raise XbarError(f"a PW of {nh}x{nw} windows does not fit one {array.label()} array with channel tiles")
    return Plan("vw-sdk", layer, array, nh, nw, int(c["ict"]), int(c["oct"]), int(c["ar"]), int(c["ac"]),
                "channel", "channel", what_if=True)


def candidate_plan(layer: ConvLayer, array: ArraySpec, method: str, nh: int, nw: int, **options) -> Plan:
    """`method` (pairs, kerntrol, vwc-sdk) applied at PW (nh, nw) instead of its base's best PW."""
    from ..methods import OPTIONS, method_options
    from .kerntrol import kerntrol_plan
    from .pairs import pairs_plan
    from .vwc_sdk import vwc_layer

    if method not in ("pairs", "kerntrol", "vwc-sdk"):
        raise XbarError(f"'{method}' is not a compression-aware method")
    o = method_options(method, options) or OPTIONS[method]()
    if method == "pairs":
        return pairs_plan(base_candidate(layer, array, o.base, nh, nw), o, layer_weights(o.weights, layer))
    if method == "kerntrol":
        return kerntrol_plan(base_candidate(layer, array, o.base, nh, nw), o)
    return vwc_layer(layer, array, o, layer_weights(o.weights, layer),
                     search=lambda lay, arr: base_candidate(lay, arr, "vw-sdk", nh, nw))
