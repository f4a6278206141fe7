"""Functional proof: the mapped crossbar computes the same OFM as a direct convolution."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from engine import ArraySpec, ConvLayer, DEFAULT_METHODS, map_layer
from engine.errors import XbarError
from engine.simulate import bit_slices, direct_conv, random_operands, simulate, verify

from .test_methods import arrays, layers


def naive_conv(layer, x, w):
    """Loop-by-loop convolution, independent of engine.simulate.direct_conv."""
    L = layer
    out = np.zeros((L.out_c, L.out_h, L.out_w), dtype=np.int64)
    icg, ocg = L.in_c // L.groups, L.out_c // L.groups
    for oc in range(L.out_c):
        g = oc // ocg
        for oy in range(L.out_h):
            for ox in range(L.out_w):
                s = 0
                for c in range(icg):
                    for ky in range(L.k_h):
                        for kx in range(L.k_w):
                            iy, ix = oy * L.stride_h - L.pad_h + ky, ox * L.stride_w - L.pad_w + kx
                            if 0 <= iy < L.in_h and 0 <= ix < L.in_w:
                                s += int(x[g * icg + c, iy, ix]) * int(w[oc, c, ky, kx])
                out[oc, oy, ox] = s
    return out


def test_direct_conv_matches_naive_loops():
    rng = np.random.default_rng(3)
    for layer in (ConvLayer("a", 7, 9, 4, 6, 3, 2, 2, 1, 1, 0, 2), ConvLayer("b", 5, 5, 3, 2, 5, 5, pad_h=2, pad_w=2)):
        x, w = random_operands(layer, ArraySpec(16, 16, 2, 6), rng)
        assert np.array_equal(direct_conv(layer, x, w), naive_conv(layer, x, w))


@pytest.mark.parametrize("wb,cb", [(1, 1), (4, 1), (8, 2), (5, 2), (8, 8), (7, 3)])
def test_bit_slices_recombine(wb, cb):
    a = ArraySpec(64, 64, cb, wb)
    lo, hi = -(1 << (wb - 1)), (1 << (wb - 1)) - 1
    w = np.arange(lo, hi + 1)
    s = bit_slices(w, a)
    assert s.shape == (a.cells_per_weight, w.size)
    assert np.array_equal((s * (1 << (np.arange(a.cells_per_weight) * cb))[:, None]).sum(0), w)
    assert s[:-1].min(initial=0) >= 0 and s[:-1].max(initial=0) < (1 << cb)  # lower slices unsigned
    with pytest.raises(XbarError, match="weights must lie in"):
        bit_slices(np.array([hi + 1]), a)


CASES = [
    ConvLayer("stride2_pad", 11, 9, 5, 7, 3, 3, 2, 2, 1, 1),
    ConvLayer("rect_kernel", 10, 13, 6, 5, 2, 4, 1, 2, 0, 1),
    ConvLayer("grouped", 8, 8, 8, 12, 3, 3, 1, 1, 1, 1, groups=4),
    ConvLayer("depthwise", 9, 9, 6, 6, 3, 3, 2, 2, 1, 1, groups=6),
    ConvLayer("residual_tiles", 6, 6, 37, 45, 3, 3),
    ConvLayer.linear("fc", 70, 33),
]


@pytest.mark.parametrize("layer", CASES, ids=lambda l: l.name)
@pytest.mark.parametrize("method", DEFAULT_METHODS)
@pytest.mark.parametrize("array", [ArraySpec(64, 48, 1, 1), ArraySpec(96, 64, 2, 8), ArraySpec(50, 40, 3, 4)],
                         ids=["1bit", "8bit_2bitcells", "4bit_3bitcells"])
def test_simulation_equals_direct_convolution(layer, method, array):
    plan = map_layer(layer, array, method)
    x, w = random_operands(layer, array, np.random.default_rng(7))
    out = simulate(layer, array, plan, x, w)
    assert out.shape == (layer.out_c, layer.out_h, layer.out_w)
    assert np.array_equal(out, direct_conv(layer, x, w))


def test_residual_tiles_really_occur():
    p = map_layer(CASES[4], ArraySpec(64, 48), "vw-sdk")
    assert p.row_split == "channel" and p.group.in_c % p.ict != 0 and p.ar > 1


@settings(max_examples=120, deadline=None)
@given(layers, arrays, st.sampled_from(DEFAULT_METHODS), st.integers(0, 2 ** 32 - 1))
def test_random_layers_simulate_exactly(layer, array, method, seed):
    if layer.in_h * layer.in_w * layer.in_c > 20000:
        h, w, ph, pw = min(layer.in_h, 9), min(layer.in_w, 9), min(layer.pad_h, 1), min(layer.pad_w, 1)
        layer = ConvLayer(layer.name, h, w, layer.in_c, layer.out_c, min(layer.k_h, h + 2 * ph),
                          min(layer.k_w, w + 2 * pw), layer.stride_h, layer.stride_w, ph, pw, layer.groups)
    g = layer.groups
    if layer.in_c // g > 40 or layer.out_c // g > 40:  # keep the tile count (and the run time) small
        layer = ConvLayer(layer.name, layer.in_h, layer.in_w, min(layer.in_c // g, 40) * g,
                          min(layer.out_c // g, 40) * g, layer.k_h, layer.k_w, layer.stride_h,
                          layer.stride_w, layer.pad_h, layer.pad_w, g)
    plan = map_layer(layer, array, method)
    assert verify(layer, array, plan, np.random.default_rng(seed))


def test_a_wrong_layout_is_caught(monkeypatch):
    # The proof must be able to fail: a layout that swaps two kernel columns gives another OFM.
    import engine.simulate as sim

    layer, array = ConvLayer("x", 6, 6, 3, 4, 3, 3), ArraySpec(32, 32)
    plan = map_layer(layer, array, "vw-sdk")
    x, w = random_operands(layer, ArraySpec(32, 32, 1, 4), np.random.default_rng(1))
    w = np.clip(w, -1, 0)
    good = simulate(layer, array, plan, x, w)
    assert np.array_equal(good, direct_conv(layer, x, w))
    orig = sim._Tile.__init__

    def mirrored(self, *args):
        orig(self, *args)
        self.w_kx = layer.k_w - 1 - self.w_kx

    monkeypatch.setattr(sim._Tile, "__init__", mirrored)
    assert not np.array_equal(simulate(layer, array, plan, x, w), good)


def test_tile_matrix_holds_slices_where_the_layout_says():
    layer, array = ConvLayer("t", 5, 5, 2, 3, 3, 3), ArraySpec(40, 24, 2, 4)
    plan = map_layer(layer, array, "vw-sdk")
    w = random_operands(layer, array, np.random.default_rng(5))[1]
    from engine.layout import tile_layout
    from engine.simulate import tile_matrix

    lay = tile_layout(plan)
    g = tile_matrix(lay, w, 0)
    r, c = np.argwhere(lay.weight)[7]
    val = w[lay.oc[r, c], lay.ic[r, c], lay.ky[r, c], lay.kx[r, c]]
    assert g[r, c] == bit_slices(np.array([val]), array)[lay.bit[r, c], 0]
    assert (g[~lay.weight] == 0).all()


def test_shape_errors_are_clear():
    layer, array = ConvLayer("x", 6, 6, 3, 4, 3, 3), ArraySpec(32, 32)
    plan = map_layer(layer, array, "im2col")
    with pytest.raises(XbarError, match="layer 'x': input shape"):
        simulate(layer, array, plan, np.zeros((2, 6, 6)), np.zeros((4, 3, 3, 3)))
    with pytest.raises(XbarError, match="weight shape"):
        simulate(layer, array, plan, np.zeros((3, 6, 6)), np.zeros((4, 3, 3)))


@pytest.mark.slow
def test_56x56x64_layer_verifies():
    layer = ConvLayer("c", 56, 56, 64, 64, 3, 3, pad_h=1, pad_w=1)
    for m in DEFAULT_METHODS:
        assert verify(layer, ArraySpec(512, 512), map_layer(layer, ArraySpec(512, 512), m))
