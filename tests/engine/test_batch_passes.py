"""Whole-network passes (issue 13 item 3) equal the one-layer searches they replace, exactly,
ties included: vw-flat and xbar-opt in vectorized passes, VW-SDK by runs of both window
counts, and compressed plans built once per mask geometry and shared (read-only masks)."""
from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st

from engine import ArraySpec, ConvLayer
from engine.compress import kerntrol as K, model, pairs as P, vwc_sdk as W
from engine.compress.kerntrol import KerntrolOptions
from engine.compress.pairs import PairsOptions
from engine.methods import get, map_many
from engine.methods import flat
from engine.methods.flat import FlatGrid, _item, best_many, min_cycles_many
from engine.methods.vw_sdk import _fit_limit, _search_corners, _search_group, geometry
from engine.methods.xbar_opt import edge_aware, edge_aware_many

from .test_search_bounded import arrays, layers

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _named(ls):
    return [ConvLayer(f"l{i}", *(getattr(x, f) for f in ("in_h", "in_w", "in_c", "out_c", "k_h", "k_w", "stride_h",
                                                        "stride_w", "pad_h", "pad_w", "groups")))
            for i, x in enumerate(ls)]


@SETTINGS
@given(st.lists(layers(max_ofm=70), min_size=1, max_size=10), arrays(), st.data(), st.sampled_from([1 << 20, 1, 50]))
def test_best_many_equals_the_flat_search_per_rectangle(ls, array, data, corners):
    items, want = [], []
    for x in ls:
        grid = FlatGrid(x, array)
        h, w = data.draw(st.integers(1, grid.g.out_h)), data.draw(st.integers(1, grid.g.out_w))
        items.append(_item(grid.g, h, w))
        want.append(grid.best(h, w))
    saved, flat._CORNERS = flat._CORNERS, corners  # slices of any size give the same answers
    try:
        got = list(zip(*(v.tolist() for v in best_many(np.array(items), array.rows, array.logical_cols))))
        mins = min_cycles_many(np.array(items), array.rows, array.logical_cols).tolist()
    finally:
        flat._CORNERS = saved
    assert got == want
    assert mins == [b[0] for b in want]


@SETTINGS
@given(st.lists(layers(max_ofm=40), min_size=1, max_size=12), arrays())
def test_edge_aware_many_equals_edge_aware(ls, array):
    assert edge_aware_many(ls, array) == [edge_aware(x, array)[1] for x in ls]


@SETTINGS
@given(st.lists(layers(max_ofm=40), min_size=1, max_size=12), arrays())
def test_vw_flat_and_xbar_opt_passes_equal_layer_by_layer(ls, array):
    ls = _named(ls)
    for m in ("vw-flat", "xbar-opt"):
        assert map_many(ls, array, m) == [get(m)(x, array) for x in ls]


@SETTINGS
@given(st.lists(layers(max_ofm=150), min_size=1, max_size=12), arrays())
def test_vw_sdk_by_runs_equals_row_by_row(ls, array):
    rows, cl = array.rows, array.logical_cols
    G = np.unique(np.array([geometry(x) for x in ls], dtype=np.int64), axis=0)
    nh_lim = np.minimum(np.minimum(G[:, 6], _fit_limit(G[:, 0], G[:, 2], rows // G[:, 1])), cl)
    assert _search_corners(G, nh_lim, rows, cl) == _search_group(G, nh_lim, rows, cl)


def _fresh(fn, *args):
    """fn(*args) with no shared compression to start from: built and checked from scratch."""
    saved = model._SHARED
    model._SHARED = {}
    try:
        return fn(*args)
    finally:
        model._SHARED = saved


@SETTINGS
@given(st.lists(layers(max_ofm=30), min_size=1, max_size=8), arrays(), st.sampled_from(["sdk", "vw-sdk"]))
def test_shared_compressions_equal_fresh_ones(ls, array, base):
    ls = _named(ls + ls[:2])
    for o in (PairsOptions(base=base), PairsOptions(base=base, pattern_set="edge6", assign="round-robin")):
        for x, p in zip(ls, map_many(ls, array, "pairs", **{"base": o.base, "pattern_set": o.pattern_set,
                                                               "assign": o.assign})):
            fresh = _fresh(P.pairs_plan, get(base)(x, array), o, None)
            assert p == fresh and p.to_dict() == fresh.to_dict() and p.compression.base == fresh.compression.base
    for o in (KerntrolOptions(base=base), KerntrolOptions(base=base, variant="compensatory", threshold=0.5)):
        for x in ls:
            p = K.kerntrol_plan(get(base)(x, array), o)
            fresh = _fresh(K.kerntrol_plan, get(base)(x, array), o)
            assert p == fresh and p.to_dict() == fresh.to_dict()
    for x, p in zip(ls, map_many(ls, array, "vwc-sdk", max_prune=0.5)):
        fresh = _fresh(W.vwc_layer, x, array, W.VwcOptions(max_prune=0.5))
        assert p == fresh and p.to_dict() == fresh.to_dict() and p.compression.base == fresh.compression.base


def test_shared_masks_are_read_only_and_shared():
    a = ArraySpec(512, 512)
    ls = [ConvLayer(f"l{i}", 8 + i, 8 + i, 64, 32, 3, 3, pad_h=1, pad_w=1) for i in range(4)]
    plans = map_many(ls, a, "kerntrol")
    masks = {id(p.compression.row_keep) for p in plans if p.nh == plans[0].nh and p.nw == plans[0].nw}
    assert len(masks) == 1
    assert not plans[0].compression.row_keep.flags.writeable
    assert [p.layer.name for p in plans] == ["l0", "l1", "l2", "l3"]
    assert [p.compression.base.layer.name for p in plans] == ["l0", "l1", "l2", "l3"]
