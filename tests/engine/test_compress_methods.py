"""PAIRS and KERNTROL (issue 7): the done-when figures, masks against scalar definitions, options."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from engine import ArraySpec, ConvLayer, Plan, map_layer
from engine.compress import (KerntrolOptions, PairsOptions, candidate_plan, kerntrol_plan, pairs_plan,
                             parse_patterns, row_utilization)
from engine.errors import XbarError
from engine.layout import EXTRA, PRUNED, tile_layout
from engine.methods import OPTIONS, map_many, method_options

from .test_beyond_vwsdk import small_arrays, small_layers


def square_base(p_windows, ic=4, stride=1):
    layer = ConvLayer("l", 24, 24, ic, 4, 3, 3, stride, stride)
    return Plan("sdk", layer, ArraySpec(4096, 4096), p_windows, p_windows, ic, 4, 1, 1, "flat", "flat")


def scalar_pattern_rows(plan, pattern):
    """Rows (y, x) of a PW that some copy's pattern covers, by plain loops."""
    L, keep = plan.layer, set()
    for wy in range(plan.nh):
        for wx in range(plan.nw):
            for ky in range(3):
                for kx in range(3):
                    if pattern[ky * 3 + kx] == "1":
                        keep.add((wy * L.stride_h + ky, wx * L.stride_w + kx))
    return keep


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("pattern_set,skipped", [("corner4", lambda p: 2 * p - 1), ("edge6", lambda p: p),
                                                 ("corner8", lambda p: 1)])
def test_skipped_rows_per_channel_on_square_pws(n, pattern_set, skipped):
    base = square_base(n)
    side = base.pix_h
    plan = pairs_plan(base, PairsOptions(pattern_set=pattern_set, assign="round-robin"))  # every pattern used
    per_channel = (~plan.compression.row_keep).sum(axis=(1, 2))
    assert len(set(plan.compression.pattern_of.tolist())) == 4
    assert (per_channel == skipped(side)).all()
    assert plan.compression.rows_skipped == 4 * skipped(side)


def test_done_when_sdk_3x3_pw_drops_to_one_row_tile():
    layer, array = ConvLayer("l", 16, 16, 32, 32, 3, 3), ArraySpec(128, 128)
    sdk = map_layer(layer, array, "sdk")
    plan = map_layer(layer, array, "pairs", pattern_set="corner4")
    assert (sdk.pix_h, sdk.pix_w, sdk.ar, sdk.cycles) == (3, 3, 3, 588)
    assert (plan.pix_h, plan.pix_w, plan.ar, plan.cycles) == (3, 3, 1, 196)
    d = plan.to_dict()
    assert (d["rows_skipped"], d["compression_rate"]) == (32 * 5, 288 / 128)
    c = d["compression"]
    assert (c["cycles_before"], c["cycles_after"], c["ar_before"], c["ar_after"]) == (588, 196, 3, 1)
    assert (c["rows_before"], c["rows_after"], c["base_method"]) == (288, 128, "sdk")
    assert "channels_removed" not in d and c["rule"].startswith("first")


def test_done_when_kerntrol_4x4_pw():
    base = square_base(2)
    assert (base.pix_h, base.pix_w) == (4, 4)
    util = row_utilization(base)
    assert util[0, 0] == 0.25 and util[1, 1] == 1.0 and util[0, 1] == 0.5
    plan = kerntrol_plan(base, KerntrolOptions(threshold=0.25))
    omitted = ~plan.compression.row_keep
    corners = np.zeros((4, 4), bool)
    corners[[0, 0, 3, 3], [0, 3, 0, 3]] = True
    assert all((omitted[c] == corners).all() for c in range(4))
    shapes = plan.compression.kernel_sizes(plan)
    assert (shapes == 8).all()  # every copy keeps an 8-entry shape (its own missing corner)
    info = plan.to_dict()["compression"]
    assert info["kernel_elements_lost_per_copy"] == [1, 1, 1, 1]
    assert plan.compression.kept_rows == 4 * 12 and plan.to_dict()["compression_rate"] == 16 / 12
    # each copy lost the corner of the PW that it alone covered
    masks = plan.compression.weight_keep[:, 0]
    assert [tuple(np.argwhere(~m)[0]) for m in masks] == [(0, 0), (0, 2), (2, 0), (2, 2)]


def test_kerntrol_compensatory_fills_every_kept_row():
    base = square_base(2)
    plan = kerntrol_plan(base, KerntrolOptions(threshold=0.25, variant="compensatory"))
    assert plan.to_dict()["compression"]["extra_weights_per_copy"] == [4, 4, 4, 4]
    lay = tile_layout(plan)
    assert (lay.copy == EXTRA).sum() == 4 * 4 * 4 * 4  # copies x channels x extra pixels x output channels
    used_rows = lay.rows.used
    # every kept row holds a weight (kernel or compensatory) in every used column: 100% of the block
    assert lay.weight[used_rows][:, lay.cols.used].all()
    assert plan.weight_utilization == pytest.approx(plan.block_occupancy)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 6), st.integers(1, 6), st.integers(1, 2), st.integers(1, 2),
       st.lists(st.sampled_from(["110110000", "000011011", "111111110", "010111010", "100000001"]),
                min_size=1, max_size=3), st.integers(1, 5))
def test_pairs_rows_follow_the_definition(nh, nw, sh, sw, pats, ic):
    layer = ConvLayer("l", 40, 40, ic, 3, 3, 3, sh, sw)
    base = Plan("sdk", layer, ArraySpec(4096, 4096), nh, nw, ic, 3, 1, 1, "flat", "flat")
    plan = pairs_plan(base, PairsOptions(patterns=",".join(pats), assign="round-robin"))
    comp = plan.compression
    uniq = list(dict.fromkeys(pats))
    for c in range(ic):
        pattern = uniq[c % len(uniq)]
        want = scalar_pattern_rows(base, pattern)
        got = {tuple(v) for v in np.argwhere(comp.row_keep[c])}
        assert got == want
        assert "".join("1" if v else "0" for v in comp.weight_keep[0, c].ravel()) == pattern
    assert plan.ar == -(-comp.kept_rows // base.array.rows)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 6), st.integers(1, 6), st.integers(1, 3), st.integers(1, 3), st.integers(1, 4),
       st.integers(1, 4), st.sampled_from([0, 0.1, 0.25, 0.3, 0.5, 0.75]))
def test_kerntrol_masks_follow_the_definition(nh, nw, sh, sw, kh, kw, t):
    layer = ConvLayer("l", 40, 40, 2, 3, kh, kw, sh, sw)
    base = Plan("sdk", layer, ArraySpec(4096, 4096), nh, nw, 2, 3, 1, 1, "flat", "flat")
    plan = kerntrol_plan(base, KerntrolOptions(threshold=t, variant="compensatory"))
    comp = plan.compression
    ph, pw = base.pix_h, base.pix_w
    cover = np.zeros((ph, pw), int)
    for wy in range(nh):
        for wx in range(nw):
            cover[wy * sh:wy * sh + kh, wx * sw:wx * sw + kw] += 1
    omit = cover <= t * nh * nw + 1e-12
    if omit.all() or not omit.any():
        assert comp.row_keep.all() and comp.note
        return
    assert (comp.row_keep == ~omit[None]).all()
    for k in range(nh * nw):
        wy, wx = divmod(k, nw)
        window = ~omit[wy * sh:wy * sh + kh, wx * sw:wx * sw + kw]
        assert (comp.weight_keep[k, 0] == window).all()
        fp = np.zeros((ph, pw), bool)
        fp[wy * sh:wy * sh + kh, wx * sw:wx * sw + kw] = True
        assert (comp.extra[k, 0] == (~omit & ~fp)).all()


def test_repacked_cells_against_scalar_enumeration():
    layer, array = ConvLayer("l", 12, 12, 7, 5, 3, 3, 1, 1, 1, 1), ArraySpec(40, 64, 1, 2)
    plan = map_layer(layer, array, "pairs", assign="round-robin", pattern_set="edge6", base="vw-sdk")
    comp = plan.compression
    kept = [(c, y, x) for c in range(7) for y in range(plan.pix_h) for x in range(plan.pix_w) if comp.row_keep[c, y, x]]
    assert plan.ar == -(-len(kept) // array.rows) > 1
    for a in range(plan.ar):
        for b in range(plan.ac):
            lay = tile_layout(plan, a, b)
            for r in range(array.rows):
                i = a * array.rows + r
                if i >= len(kept):
                    assert lay.rows.c[r] == -1 and (lay.copy[r] == -1).all()
                    continue
                c, y, x = kept[i]
                assert (lay.rows.c[r], lay.rows.y[r], lay.rows.x[r]) == (c, y, x)
                for col in range(0, array.cols, 5):
                    k = lay.cols.copy[col]
                    if k < 0:
                        continue
                    ky, kx = y - k // plan.nw, x - k % plan.nw
                    if not (0 <= ky < 3 and 0 <= kx < 3):
                        assert lay.copy[r, col] == -2
                    elif comp.patterns[comp.pattern_of[c]][ky * 3 + kx] == "1":
                        assert (lay.copy[r, col], lay.ky[r, col], lay.kx[r, col]) == (k, ky, kx)
                    else:
                        assert lay.copy[r, col] == PRUNED and lay.ky[r, col] == -1


def test_pattern_parsing_and_sets():
    assert parse_patterns("000011011, 110110000") == ("000011011", "110110000")
    assert parse_patterns(["110110000", "110110000"]) == ("110110000",)
    for bad, msg in (("00001101", "9 characters"), ("000011012", "9 characters"), ("000000000", "keeps no weight"),
                     ("", "no pattern")):
        with pytest.raises(XbarError, match=msg):
            parse_patterns(bad)
    with pytest.raises(XbarError, match="unknown pattern set 'corner5'"):
        PairsOptions(pattern_set="corner5")
    user = map_layer(ConvLayer("l", 8, 8, 3, 3, 3, 3), ArraySpec(64, 64), "pairs", patterns="000011011")
    assert user.compression.patterns == ("000011011",) and (user.compression.weight_keep[0, :, 0, 0] == 0).all()


def test_assignment_rules():
    layer, array = ConvLayer("l", 8, 8, 9, 4, 3, 3), ArraySpec(64, 64)
    po = lambda **k: map_layer(layer, array, "pairs", **k).compression.pattern_of.tolist()  # noqa: E731
    assert po() == [0] * 9
    assert po(assign="round-robin") == [0, 1, 2, 3, 0, 1, 2, 3, 0]
    r1, r2 = po(assign="random", seed=1), po(assign="random", seed=2)
    assert r1 == po(assign="random", seed=1) and r1 != r2 and set(r1) <= {0, 1, 2, 3}
    w = np.random.default_rng(0).normal(size=(4, 9, 3, 3))
    got = map_layer(layer, array, "pairs", weights=w)
    masks = [[c == "1" for c in p] for p in got.compression.patterns]
    for c, p in enumerate(got.compression.pattern_of):
        scores = [sum(abs(w[o, c].ravel()[i]) for o in range(4) for i in range(9) if m[i]) for m in masks]
        assert p == int(np.argmax(scores))
    assert got.compression.rule.startswith("magnitude")
    with pytest.raises(XbarError, match="needs the layer's weights"):
        map_layer(layer, array, "pairs", assign="magnitude")
    with pytest.raises(XbarError, match="weights of shape"):
        map_layer(layer, array, "pairs", weights=np.zeros((4, 9, 3, 2)))


def test_fallbacks_keep_the_base_layout():
    layer, array = ConvLayer("l", 9, 9, 20, 6, 5, 5), ArraySpec(64, 64)
    for base in ("sdk", "vw-sdk"):
        b = map_layer(layer, array, base)
        p = map_layer(layer, array, "pairs", base=base)
        assert (p.cycles, p.ar, p.ac, p.row_split, p.ict) == (b.cycles, b.ar, b.ac, b.row_split, b.ict)
        assert "not 3x3" in p.compression.note and p.compression.rows_skipped == 0
        for a in range(b.ar):
            assert (tile_layout(p, a).copy == tile_layout(b, a).copy).all()
    one = map_layer(ConvLayer("o", 16, 16, 32, 32, 3, 3), ArraySpec(128, 128), "kerntrol")  # SDK: one window
    assert "no PW row" in one.compression.note and one.cycles == map_layer(one.layer, one.array, "sdk").cycles
    every = map_layer(ConvLayer("e", 8, 8, 3, 3, 3, 3), ArraySpec(512, 512), "kerntrol")  # SDK: a 6x6 PW
    assert "every PW row" in every.compression.note and every.compression.rows_skipped == 0


def test_options_registry():
    layer, array = ConvLayer("l", 8, 8, 3, 3, 3, 3), ArraySpec(64, 64)
    assert set(OPTIONS) == {"pairs", "kerntrol", "vwc-sdk"}
    assert method_options("pairs") is None and method_options("kerntrol", {"threshold": 0.5}).threshold == 0.5
    with pytest.raises(XbarError, match="takes no options"):
        map_layer(layer, array, "vw-sdk", threshold=0.3)
    with pytest.raises(XbarError, match="method kerntrol takes threshold, variant, base; got tresh"):
        map_layer(layer, array, "kerntrol", tresh=0.3)
    for bad in ({"threshold": 1.0}, {"threshold": -0.1}, {"variant": "x"}, {"base": "im2col"}):
        with pytest.raises(XbarError):
            map_layer(layer, array, "kerntrol", **bad)
    assert method_options("pairs", {"threshold": 0.3, "seed": 4}, strict=False).seed == 4
    plans = map_many([layer, layer], array, "kerntrol", threshold=0.5)
    assert [p.compression.params for p in plans] == [map_layer(layer, array, "kerntrol", threshold=0.5)
                                                     .compression.params] * 2


def test_candidate_plans():
    layer, array = ConvLayer("l", 16, 16, 32, 32, 3, 3), ArraySpec(128, 128)
    assert candidate_plan(layer, array, "pairs", 1, 1).cycles == 196
    p = candidate_plan(layer, array, "kerntrol", 2, 2, base="vw-sdk")
    assert p.what_if and (p.nh, p.nw) == (2, 2) and p.compression.base.row_split == "channel"
    v = candidate_plan(layer, array, "vwc-sdk", 1, 1)
    assert v.compression.channels_removed.tolist() == [28, 29, 30, 31] and v.ar == 2
    with pytest.raises(XbarError, match="outside"):
        candidate_plan(layer, array, "pairs", 15, 1)


@settings(max_examples=60, deadline=None)
@given(small_layers, small_arrays, st.sampled_from(["pairs", "kerntrol"]), st.sampled_from(["sdk", "vw-sdk"]),
       st.sampled_from([0.2, 0.25, 0.5]))
def test_compression_never_costs_cycles(layer, array, method, base, t):
    opts = {"base": base} if method == "pairs" else {"base": base, "threshold": t}
    p, b = map_layer(layer, array, method, **opts), map_layer(layer, array, base)
    assert p.cycles <= b.cycles and p.ar <= b.ar and p.ac == b.ac
    assert p.compression.kept_rows + p.compression.rows_skipped == b.rows_used
    assert p.lower_bound <= p.cycles and 0 < p.weight_utilization <= p.block_occupancy <= 1 + 1e-12


@settings(max_examples=80, deadline=None)
@given(small_layers, small_arrays, st.sampled_from(range(5)), st.data())
def test_compressed_grid_matches_candidate_plans(layer, array, which, data):
    from engine.compress.grid import compressed_grid

    method, opts = [("pairs", {}), ("pairs", {"base": "vw-sdk", "assign": "round-robin", "pattern_set": "edge6"}),
                    ("kerntrol", {"threshold": 0.25}), ("kerntrol", {"threshold": 0.5, "base": "vw-sdk"}),
                    ("vwc-sdk", {"max_prune": 0.5})][which]
    g = layer.per_group()
    nh = np.arange(1, g.out_h + 1)[:, None]
    nw = np.arange(1, g.out_w + 1)[None, :]
    grid = compressed_grid(layer, array, method, nh, nw, **opts)
    assert grid["cycles"].shape == (g.out_h, g.out_w)
    for _ in range(6):
        i, j = data.draw(st.integers(0, g.out_h - 1)), data.draw(st.integers(0, g.out_w - 1))
        if not grid["valid"][i, j]:
            with pytest.raises(XbarError):
                candidate_plan(layer, array, method, i + 1, j + 1, **opts)
            continue
        p = candidate_plan(layer, array, method, i + 1, j + 1, **opts)
        got = tuple(int(grid[k][i, j]) for k in ("cycles", "ar", "ac", "ict", "rows_after"))
        assert got == (p.cycles_per_group, p.ar, p.ac, p.ict, p.compression.kept_rows)
