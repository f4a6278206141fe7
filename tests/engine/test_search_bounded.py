"""Bounded searches (issue 13 item 3): the PW searches that skip most (nh, nw) candidates
return exactly the plan the exhaustive searches over the whole OH x OW grid return, and
repeated layers share one mapping without changing any figure."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from engine import ArraySpec, ConvLayer
from engine.layers import ceil_div
from engine.methods import METHODS, map_layer, map_many
from engine.methods.flat import FlatGrid, ceil_classes, flat_plan
from engine.methods.vw_sdk import _key, _plan, candidate_grid, geometry, search_many
from engine.methods.xbar_opt import MAX_BULK_CANDIDATES, _leftovers, edge_aware

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def layers(draw, max_ofm: int = 60):
    k_h, k_w = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    s_h, s_w = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    p_h, p_w = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    oh, ow = draw(st.integers(1, max_ofm)), draw(st.integers(1, max_ofm))
    in_h = max(1, (oh - 1) * s_h + k_h - 2 * p_h)
    in_w = max(1, (ow - 1) * s_w + k_w - 2 * p_w)
    p_h = max(p_h, ceil_div(k_h - in_h, 2)) if k_h > in_h else p_h
    p_w = max(p_w, ceil_div(k_w - in_w, 2)) if k_w > in_w else p_w
    groups = draw(st.sampled_from([1, 1, 1, 2, 4]))
    ic = groups * draw(st.sampled_from([1, 2, 3, 7, 16, 64, 100, 256]))
    oc = groups * draw(st.sampled_from([1, 3, 8, 32, 64, 256]))
    return ConvLayer("x", in_h, in_w, ic, oc, k_h, k_w, s_h, s_w, p_h, p_w, groups)


@st.composite
def arrays(draw):
    cell = draw(st.sampled_from([1, 1, 2, 4]))
    weight = draw(st.sampled_from([cell, 4, 8]))
    rows = draw(st.sampled_from([8, 16, 64, 100, 128, 512, 1024, 4096]))
    cols = draw(st.sampled_from([8, 16, 64, 100, 512, 1024]))
    return ArraySpec(rows, cols, cell, max(cell, weight))


def exhaustive_vw_sdk(layer: ConvLayer, array: ArraySpec):
    """VW-SDK by evaluating every candidate of the OH x OW grid (candidate_grid)."""
    g = layer.per_group()
    nh, nw = np.meshgrid(np.arange(1, g.out_h + 1), np.arange(1, g.out_w + 1), indexing="ij")
    c = candidate_grid(layer, array, nh, nw)
    best = None
    for i in np.flatnonzero(c["valid"].ravel()):
        v = {k: int(c[k].ravel()[i]) for k in ("nh", "nw", "ph", "pw", "ict", "oct", "ar", "ac", "cycles")}
        cand = (_key(v["cycles"], v["nh"] * v["nw"], v["ar"], v["ac"], v["ph"] * v["pw"], v["nh"]),
                v["nh"], v["nw"], v["ict"], v["oct"], v["ar"], v["ac"])
        if best is None or cand[0] < best[0]:
            best = cand
    return _plan(layer, array, best)


def exhaustive_edge_aware(layer: ConvLayer, array: ArraySpec):
    """xbar-opt's edge-aware search as first written: the whole bulk grid at once,
    each region by the exhaustive flat search."""
    grid = FlatGrid(layer, array)
    g = grid.g
    oh, ow = g.out_h, g.out_w
    memo: dict = {}

    def best(h, w):
        if (h, w) not in memo:
            memo[(h, w)] = grid.best_exhaustive(h, w)
        return memo[(h, w)]

    cyc, nh, nw, ar, ac = best(oh, ow)
    best_total, best_regions = cyc, [(0, 0, oh, ow, nh, nw, ar, ac)]
    if oh * ow > MAX_BULK_CANDIDATES or oh * ow == 1:
        return best_total, best_regions
    nh_v = np.arange(1, oh + 1, dtype=np.float64)[:, None]
    nw_v = np.arange(1, ow + 1, dtype=np.float64)[None, :]
    t_ar, t_ac = grid.tiles(nh_v, nw_v)
    hb, wb = np.floor(oh / nh_v) * nh_v, np.floor(ow / nw_v) * nw_v
    bulk = (hb / nh_v) * (wb / nw_v) * t_ar * t_ac
    per_out = ceil_div(g.k_h * g.k_w * g.in_c, array.rows) * g.out_c * array.cells_per_weight
    flat_opt = (bulk + np.ceil((oh * ow - hb * wb) * per_out / array.cols)).ravel()
    for idx in np.argsort(flat_opt, kind="stable"):
        if flat_opt[idx] >= best_total:
            break
        i, j = divmod(int(idx), ow)
        b_nh, b_nw = i + 1, j + 1
        b_hb, b_wb = oh // b_nh * b_nh, ow // b_nw * b_nw
        bulk_region = (0, 0, b_hb, b_wb, b_nh, b_nw, int(t_ar[i, j]), int(t_ac[i, j]))
        for cut in _leftovers(oh, ow, b_hb, b_wb):
            regions = [bulk_region] + [(oy, ox, h, w) + best(h, w)[1:] for oy, ox, h, w in cut]
            total = int(bulk[i, j]) + sum(best(h, w)[0] for _, _, h, w in cut)
            if total < best_total:
                best_total, best_regions = total, regions
    return best_total, best_regions


def brute_classes(n: int):
    lo, hi, last = [], [], None
    for k in range(1, n + 1):
        q = ceil_div(n, k)
        if q == last:
            hi[-1] = k
        else:
            lo.append(k), hi.append(k)
        last = q
    return lo, hi


@pytest.mark.parametrize("n", [*range(1, 200), 255, 256, 257, 1000, 4095, 4096, 8191, 8192, 10007])
def test_ceil_classes_are_the_runs_of_equal_quotients(n):
    lo, hi = ceil_classes(n)
    assert (lo.tolist(), hi.tolist()) == brute_classes(n)


@SETTINGS
@given(layers(), arrays())
def test_vw_sdk_equals_the_exhaustive_search(layer, array):
    plan = map_layer(layer, array, "vw-sdk")
    assert plan == exhaustive_vw_sdk(layer, array)
    assert plan.cycles == exhaustive_vw_sdk(layer, array).cycles


@SETTINGS
@given(layers(max_ofm=150), arrays())
def test_vw_sdk_equals_the_exhaustive_search_on_larger_ofms(layer, array):
    assert map_layer(layer, array, "vw-sdk") == exhaustive_vw_sdk(layer, array)


@SETTINGS
@given(st.lists(st.tuples(layers(max_ofm=40)), min_size=1, max_size=12), arrays())
def test_vw_sdk_batch_equals_one_by_one(items, array):
    ls = [ConvLayer(f"l{i}", *(getattr(t[0], f) for f in ("in_h", "in_w", "in_c", "out_c", "k_h", "k_w",
                                                         "stride_h", "stride_w", "pad_h", "pad_w", "groups")))
          for i, t in enumerate(items + items[:3])]  # some repeated shapes
    many = search_many([geometry(x) for x in ls], array.rows, array.logical_cols)
    one = [search_many([geometry(x)], array.rows, array.logical_cols)[0] for x in ls]
    assert many == one
    assert map_many(ls, array, "vw-sdk") == [exhaustive_vw_sdk(x, array) for x in ls]


@SETTINGS
@given(layers(max_ofm=90), arrays(), st.data())
def test_vw_flat_equals_the_exhaustive_search(layer, array, data):
    grid = FlatGrid(layer, array)
    oh, ow = grid.g.out_h, grid.g.out_w
    assert grid.best(oh, ow) == grid.best_exhaustive(oh, ow)
    h, w = data.draw(st.integers(1, oh)), data.draw(st.integers(1, ow))  # a region of an edge-aware plan
    assert grid.best(h, w) == grid.best_exhaustive(h, w)
    _, nh, nw, ar, ac = grid.best_exhaustive(oh, ow)
    assert map_layer(layer, array, "vw-flat") == flat_plan("vw-flat", layer, array, nh, nw, ar, ac)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layers(max_ofm=40), arrays())
def test_xbar_opt_equals_the_exhaustive_search(layer, array):
    assert edge_aware(layer, array) == exhaustive_edge_aware(layer, array)


@pytest.mark.parametrize("oh, ow", [(1, 1), (1, 97), (97, 1), (2, 3), (64, 64), (63, 65)])
def test_xbar_opt_equals_the_exhaustive_search_on_thin_ofms(oh, ow):
    layer = ConvLayer("x", oh + 2, ow + 2, 16, 32, 3, 3)
    for array in (ArraySpec(64, 64), ArraySpec(512, 512, 1, 4), ArraySpec(4096, 100)):
        assert edge_aware(layer, array) == exhaustive_edge_aware(layer, array)


def test_published_figures_unchanged():
    from engine.presets import load_preset

    a = ArraySpec(512, 512)
    for name, want in (("vgg13-paper", (243736, 114697, 77102)), ("resnet18-paper", (20041, 7240, 4294))):
        net = load_preset(name)
        got = tuple(sum(p.cycles for p in map_many(net.layers, a, m)) for m in ("im2col", "sdk", "vw-sdk"))
        assert got == want


@pytest.mark.parametrize("method", sorted(METHODS))
def test_repeated_layers_share_a_plan_with_the_same_figures(method):
    shapes = [ConvLayer("a", 14, 14, 64, 64, 3, 3, pad_h=1, pad_w=1), ConvLayer("b", 9, 13, 3, 8, 3, 3),
              ConvLayer("c", 20, 20, 16, 16, 3, 3, groups=4)]
    ls = [ConvLayer(f"{s.name}{i}", s.in_h, s.in_w, s.in_c, s.out_c, s.k_h, s.k_w, groups=s.groups,
                    pad_h=s.pad_h, pad_w=s.pad_w) for i in range(4) for s in shapes]
    array = ArraySpec(128, 128, 1, 2)
    plans = map_many(ls, array, method)
    for layer, plan in zip(ls, plans):
        assert plan.layer is layer
        for r in plan.regions:
            assert r.plan.layer.name == f"{layer.name}@{r.oy},{r.ox}"
        if plan.compression is not None:
            assert plan.compression.base.layer is layer
        alone = map_layer(layer, array, method)
        if method != "vwc-sdk":  # vwc-sdk sees the chain in a list; mapped alone it does not
            assert plan == alone
            assert plan.to_dict() == alone.to_dict()


def test_map_network_shares_plans_of_repeated_layers():
    from engine.batch import MapRequest, map_network

    ls = tuple(ConvLayer(f"l{i}", 14, 14, 32, 32, 3, 3) for i in range(50))
    array = ArraySpec(256, 256)
    res = map_network(MapRequest(ls, array, ("im2col", "sdk", "vw-sdk", "vw-flat", "xbar-opt", "kerntrol")))
    for layer, row in zip(ls, res.plans):
        for m, plan in row.items():
            assert plan.layer is layer and plan == map_layer(layer, array, m)


def test_weights_by_layer_name_are_not_shared():
    from engine.compress.pairs import PairsOptions  # noqa: F401  (the option class exists)
    from engine.methods import shares_plans, method_options

    rng = np.random.default_rng(0)
    w = {"a": rng.normal(size=(8, 4, 3, 3)), "b": rng.normal(size=(8, 4, 3, 3))}
    assert not shares_plans("pairs", method_options("pairs", {"weights": w}))
    assert shares_plans("pairs", method_options("pairs", {}))
    assert not shares_plans("vwc-sdk")


def test_the_huge_layer_at_the_guards_maps_with_every_method():
    # 8192x8192 OFM, 4096 -> 4096 channels: the searches must not build OH x OW grids
    layer = ConvLayer("huge", 8192, 8192, 4096, 4096, 1, 1)
    array = ArraySpec(512, 512)
    for m in METHODS:
        plan = map_layer(layer, array, m)
        assert plan.cycles == 8192 * 8192 * 8 * 8


def test_shared_plans_count_conversions_once_and_alike():
    ls = [ConvLayer(f"l{i}", 28, 28, 32, 64, 3, 3, pad_h=1, pad_w=1) for i in range(5)]
    array = ArraySpec(256, 256, 1, 4)
    for m in ("vw-sdk", "xbar-opt", "pairs"):
        plans = map_many(ls, array, m)
        assert len({id(p) for p in plans}) == len(ls)  # one plan object per layer
        assert [p.conversions() for p in plans] == [map_layer(x, array, m).conversions() for x in ls]


@pytest.mark.parametrize("oh, ow", [(1, 600), (600, 1), (3, 400), (257, 5)])
@pytest.mark.parametrize("array", [ArraySpec(64, 64), ArraySpec(4096, 4096), ArraySpec(1024, 256, 2, 8)])
def test_vw_sdk_and_vw_flat_equal_the_exhaustive_searches_on_thin_ofms(oh, ow, array):
    layer = ConvLayer("x", oh + 2, ow, 3, 16, 3, 1, pad_w=0)
    assert map_layer(layer, array, "vw-sdk") == exhaustive_vw_sdk(layer, array)
    grid = FlatGrid(layer, array)
    assert grid.best(oh, ow) == grid.best_exhaustive(oh, ow)
