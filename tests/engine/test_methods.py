"""Published figures (model doc section 8) and the vectorized search against the oracle."""
import pytest
from hypothesis import given, settings, strategies as st

from engine import ArraySpec, ConvLayer, DEFAULT_METHODS, METHODS, map_layer
from engine.errors import XbarError
from engine.methods import get, parse_methods

from .oracle import scalar_im2col, scalar_vw_sdk

A512 = ArraySpec(512, 512)

VGG13 = [  # IFM, IC, OC, im2col, SDK, VW-SDK
    (224, 3, 64, 49284, 12321, 6216), (224, 64, 64, 98568, 24642, 24642),
    (112, 64, 128, 24200, 6050, 6050), (112, 128, 128, 36300, 36300, 12100),
    (56, 128, 256, 8748, 8748, 5832), (56, 256, 256, 14580, 14580, 10206),
    (28, 256, 512, 3380, 3380, 3380), (28, 512, 512, 6084, 6084, 6084),
    (14, 512, 512, 1296, 1296, 1296), (14, 512, 512, 1296, 1296, 1296),
]
RESNET18 = [  # IFM, K, IC, OC, im2col, SDK, VW-SDK
    (112, 7, 3, 64, 11236, 2809, 1431), (56, 3, 64, 64, 5832, 1458, 1458),
    (28, 3, 128, 128, 2028, 2028, 676), (14, 3, 256, 256, 720, 720, 504),
    (7, 3, 512, 512, 225, 225, 225),
]


@pytest.mark.parametrize("row", VGG13)
def test_vgg13_paper_layers(row):
    h, ic, oc, *expected = row
    layer = ConvLayer("l", h, h, ic, oc, 3, 3)
    assert [map_layer(layer, A512, m).cycles for m in DEFAULT_METHODS] == expected


@pytest.mark.parametrize("row", RESNET18)
def test_resnet18_paper_layers(row):
    h, k, ic, oc, *expected = row
    layer = ConvLayer("l", h, h, ic, oc, k, k)
    assert [map_layer(layer, A512, m).cycles for m in DEFAULT_METHODS] == expected


def test_paper_totals_and_speedups():
    vgg = [ConvLayer(f"v{i}", h, h, ic, oc, 3, 3) for i, (h, ic, oc, *_r) in enumerate(VGG13)]
    res = [ConvLayer(f"r{i}", h, h, ic, oc, k, k) for i, (h, k, ic, oc, *_r) in enumerate(RESNET18)]
    tv = {m: sum(map_layer(x, A512, m).cycles for x in vgg) for m in DEFAULT_METHODS}
    tr = {m: sum(map_layer(x, A512, m).cycles for x in res) for m in DEFAULT_METHODS}
    assert tv == {"im2col": 243736, "sdk": 114697, "vw-sdk": 77102}
    assert tr == {"im2col": 20041, "sdk": 7240, "vw-sdk": 4294}
    assert round(tv["im2col"] / tv["vw-sdk"], 2) == 3.16 and round(tv["sdk"] / tv["vw-sdk"], 2) == 1.49
    assert round(tr["im2col"] / tr["vw-sdk"], 2) == 4.67 and round(tr["sdk"] / tr["vw-sdk"], 2) == 1.69


def test_published_optimal_windows():
    p = map_layer(ConvLayer("v1", 224, 224, 3, 64, 3, 3), A512, "vw-sdk")
    assert (p.nh, p.nw, p.pix_h, p.pix_w, p.ict, p.oct) == (1, 8, 3, 10, 3, 64)
    assert p.row_split == "channel"
    p = map_layer(ConvLayer("r4", 14, 14, 256, 256, 3, 3), A512, "vw-sdk")
    assert (p.pix_h, p.pix_w, p.ict, p.oct, p.ar) == (3, 4, 42, 256, 7)


def test_exhaustive_search_beats_reference_code():
    # Section 9: the reference code misses the whole-OFM PW and reports 18 here.
    assert map_layer(ConvLayer("x", 7, 7, 64, 64, 3, 3), A512, "vw-sdk").cycles == 15


def test_plan_figures_vgg13_layer1():
    p = map_layer(ConvLayer("v1", 224, 224, 3, 64, 3, 3), A512, "vw-sdk")
    assert p.n_pw == 222 * 28 and (p.ar, p.ac) == (1, 1)
    assert p.weight_utilization == pytest.approx(8 * 27 * 64 / 512 ** 2)
    assert p.block_occupancy == pytest.approx(30 * 3 * 8 * 64 / 512 ** 2)
    assert p.mac_utilization == pytest.approx(222 * 222 * 27 * 64 / (512 * 512 * 6216))
    # LB = ceil(OH*OW*OC*ceil(27/512)/C)
    assert p.lower_bound == -(-222 * 222 * 64 // 512) == 6161
    assert p.efficiency == pytest.approx(6161 / 6216)


def test_multibit_weights_use_more_columns():
    layer = ConvLayer("l", 14, 14, 256, 256, 3, 3)
    a = ArraySpec(512, 512, cell_bits=2, weight_bits=8)  # 4 cells per weight, 128 logical columns
    p = map_layer(layer, a, "im2col")
    assert (p.ar, p.ac) == (5, 2) and p.cycles == 144 * 10
    assert p.weight_utilization == pytest.approx(9 * 256 * 256 * 4 / (512 * 512 * 10))
    assert map_layer(layer, a, "vw-sdk").cycles == scalar_vw_sdk(layer, a)[0]


def test_grouped_layer_maps_one_group_times_g():
    dw = ConvLayer("dw", 56, 56, 64, 64, 3, 3, pad_h=1, pad_w=1, groups=64)
    one = ConvLayer("one", 56, 56, 1, 1, 3, 3, pad_h=1, pad_w=1)
    for m in DEFAULT_METHODS:
        assert map_layer(dw, A512, m).cycles == 64 * map_layer(one, A512, m).cycles


def test_sdk_is_square_and_keeps_im2col_tiles():
    layer = ConvLayer("l", 56, 56, 128, 256, 3, 3)
    s, i = map_layer(layer, A512, "sdk"), map_layer(layer, A512, "im2col")
    assert s.nh == s.nw and (s.ar, s.ac) == (i.ar, i.ac)


def test_registry():
    assert set(DEFAULT_METHODS) <= set(METHODS)
    assert parse_methods("im2col, vw-sdk") == ["im2col", "vw-sdk"]
    with pytest.raises(XbarError, match="unknown method 'foo'"):
        get("foo")


layers = st.builds(
    lambda h, w, ic, oc, kh, kw, sh, sw, ph, pw, g: ConvLayer(
        "r", h, w, ic * g, oc * g, min(kh, h + 2 * ph), min(kw, w + 2 * pw), sh, sw, ph, pw, g),
    st.integers(1, 40), st.integers(1, 40), st.integers(1, 300), st.integers(1, 300),
    st.integers(1, 7), st.integers(1, 7), st.integers(1, 3), st.integers(1, 3),
    st.integers(0, 2), st.integers(0, 2), st.sampled_from([1, 1, 1, 2, 4]))
arrays = st.builds(
    lambda r, c, cb, extra: ArraySpec(r, c, cb, cb + extra),
    st.sampled_from([16, 32, 64, 100, 128, 256, 512]), st.sampled_from([16, 32, 64, 96, 128, 256, 512]),
    st.sampled_from([1, 2, 4]), st.sampled_from([0, 0, 1, 4]))


@settings(max_examples=300, deadline=None)
@given(layers, arrays)
def test_vectorized_vw_sdk_matches_scalar_oracle(layer, array):
    p = map_layer(layer, array, "vw-sdk")
    assert (p.cycles, p.nh, p.nw) == scalar_vw_sdk(layer, array)
    assert p.cycles <= map_layer(layer, array, "im2col").cycles == scalar_im2col(layer, array)


@settings(max_examples=200, deadline=None)
@given(layers, arrays)
def test_no_method_beats_lower_bound(layer, array):
    for m in METHODS:
        p = map_layer(layer, array, m)
        assert p.cycles >= p.lower_bound
        assert 0 < p.weight_utilization <= p.block_occupancy <= 1 + 1e-12
        assert 0 < p.mac_utilization <= 1 + 1e-12
