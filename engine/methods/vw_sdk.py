"""VW-SDK: exhaustive search of a variable rectangular parallel window with channel tiling.

Mapping model section 2. The search is vectorized over all `nh x nw` candidates; the
tests keep a plain scalar version as an oracle.
"""
from __future__ import annotations

import numpy as np

from ..layers import ArraySpec, ConvLayer
from ..plan import Plan
from . import register
from .im2col import im2col

# Candidates evaluated per numpy pass: bounds memory on huge OFMs.
_CHUNK = 1 << 21


def candidate_grid(layer: ConvLayer, array: ArraySpec, nh: np.ndarray, nw: np.ndarray) -> dict:
    """VW-SDK figures for every (nh, nw) pair of two broadcastable int64 arrays.

    Invalid candidates (ICt < 1 or OCt < 1) get `valid == False` and cycles -1.
    Shared by the search and by the design-space view.
    """
    g = layer.per_group()
    ph = g.k_h + (nh - 1) * g.stride_h
    pw = g.k_w + (nw - 1) * g.stride_w
    ict = np.minimum(g.in_c, array.rows // (ph * pw))
    oct_ = np.minimum(g.out_c, array.logical_cols // (nh * nw))
    valid = (ict >= 1) & (oct_ >= 1)
    ict1, oct1 = np.maximum(ict, 1), np.maximum(oct_, 1)
    ar = -(-g.in_c // ict1)
    ac = -(-g.out_c // oct1)
    n_pw = (-(-g.out_h // nh)) * (-(-g.out_w // nw))
    cycles = np.where(valid, n_pw * ar * ac, -1)
    return {"nh": nh, "nw": nw, "ph": ph, "pw": pw, "ict": ict, "oct": oct_, "ar": ar,
            "ac": ac, "cycles": cycles, "valid": valid}


def _key(cycles: int, copies: int, ar: int, ac: int, pix: int, nh: int) -> tuple:
    # Fewest cycles, then higher weight utilization (copies / (AR*AC)), then smaller nh, then
    # smaller Ph*Pw. The model doc puts "smaller Ph*Pw" before "smaller nh"; that order picks
    # 2x4 windows for VGG13 layer 1 where the paper (and the doc's section 8) report 1x8
    # windows / 3x10 pixels. The published figure wins (see README, "Mapping model").
    return (cycles, -copies / (ar * ac), nh, pix)


def search(layer: ConvLayer, array: ArraySpec) -> tuple | None:
    """Best channel-split candidate as (key, nh, nw, ict, oct, ar, ac), or None if none fits."""
    g = layer.per_group()
    oh, ow = g.out_h, g.out_w
    nw = np.arange(1, ow + 1, dtype=np.int64)[None, :]
    rows_per_chunk = max(1, _CHUNK // ow)
    best = None
    for start in range(1, oh + 1, rows_per_chunk):
        nh = np.arange(start, min(oh, start + rows_per_chunk - 1) + 1, dtype=np.int64)[:, None]
        c = candidate_grid(layer, array, nh, nw)
        cyc = np.where(c["valid"], c["cycles"], np.iinfo(np.int64).max)
        cmin = cyc.min()
        if cmin == np.iinfo(np.int64).max:
            continue
        ii, jj = np.nonzero(cyc == cmin)
        nhs, nws = nh[ii, 0], nw[0, jj]
        ar, ac = c["ar"][ii, jj], c["ac"][ii, jj]
        util = (nhs * nws) / (ar * ac)
        pix = c["ph"][ii, 0] * c["pw"][0, jj]
        k = np.lexsort((pix, nhs, -util))[0]
        key = _key(int(cmin), int(nhs[k] * nws[k]), int(ar[k]), int(ac[k]), int(pix[k]), int(nhs[k]))
        if best is None or key < best[0]:
            best = (key, int(nhs[k]), int(nws[k]), int(c["ict"][ii[k], jj[k]]),
                    int(c["oct"][ii[k], jj[k]]), int(ar[k]), int(ac[k]))
    return best


@register("vw-sdk", "variable rectangular parallel window with channel tiling (exhaustive search)")
def vw_sdk(layer: ConvLayer, array: ArraySpec) -> Plan:
    fallback = im2col(layer, array)
    best = search(layer, array)
    if best is None:
        return Plan("vw-sdk", layer, array, 1, 1, fallback.ict, fallback.oct, fallback.ar,
                    fallback.ac, "flat", "flat")
    g = layer.per_group()
    fb_key = _key(fallback.cycles_per_group, 1, fallback.ar, fallback.ac, g.k_h * g.k_w, 1)
    if fb_key < best[0]:  # the published method falls back to im2col where channel tiling loses
        return Plan("vw-sdk", layer, array, 1, 1, fallback.ict, fallback.oct, fallback.ar,
                    fallback.ac, "flat", "flat")
    _, nh, nw, ict, oct_, ar, ac = best
    return Plan("vw-sdk", layer, array, nh, nw, ict, oct_, ar, ac, "channel", "channel")
