"""Cell layout and schedule against scalar formulas written straight from sections 5 and 6."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from engine import ArraySpec, ConvLayer, DEFAULT_METHODS, map_layer
from engine.layout import ZERO, UNUSED, tile_layout
from engine.schedule import Schedule

from .test_methods import arrays, layers


def scalar_cell(plan, a, b, r, col):
    """(copy|-1|-2, c, oc, ky, kx, q) of one cell, by the section 5 formulas alone."""
    L, A = plan.layer, plan.array
    icg, ocg = L.in_c // L.groups, L.out_c // L.groups
    cpw = -(-A.weight_bits // A.cell_bits)
    cl = A.cols // cpw
    pp = plan.pix_h * plan.pix_w
    if plan.row_split == "flat":
        u = a * A.rows + r
        if u >= pp * icg:
            return None
        c, rem = divmod(u, pp)
    else:
        cl_, rem = divmod(r, pp)
        c = a * plan.ict + cl_
        if cl_ >= plan.ict or c >= icg:
            return None
    y, x = divmod(rem, plan.pix_w)
    v, q = divmod(col, cpw)
    if v >= cl:
        return None
    if plan.col_split == "flat":
        k, oc = divmod(b * cl + v, ocg)
        if b * cl + v >= plan.nh * plan.nw * ocg:
            return None
    else:
        k, o = divmod(v, plan.oct)
        oc = b * plan.oct + o
        if k >= plan.nh * plan.nw or oc >= ocg:
            return None
    wy, wx = divmod(k, plan.nw)
    ky, kx = y - wy * L.stride_h, x - wx * L.stride_w
    if 0 <= ky < L.k_h and 0 <= kx < L.k_w:
        return (k, c, oc, ky, kx, q)
    return (ZERO, c, oc, -1, -1, q)


@settings(max_examples=60, deadline=None)
@given(layers, arrays, st.sampled_from(DEFAULT_METHODS), st.data())
def test_layout_matches_scalar_formulas(layer, array, method, data):
    plan = map_layer(layer, array, method)
    a = data.draw(st.integers(0, plan.ar - 1))
    b = data.draw(st.integers(0, plan.ac - 1))
    lay = tile_layout(plan, a, b)
    rng = np.random.default_rng(data.draw(st.integers(0, 1000)))
    for r, col in zip(rng.integers(0, array.rows, 60), rng.integers(0, array.cols, 60)):
        want = scalar_cell(plan, a, b, int(r), int(col))
        got = (int(lay.copy[r, col]), int(lay.ic[r, col]), int(lay.oc[r, col]), int(lay.ky[r, col]),
               int(lay.kx[r, col]), int(lay.bit[r, col]))
        if want is None:
            assert got[0] == UNUSED and got[1:] == (-1,) * 5
        else:
            assert got == want


def test_vgg13_layer1_layout_counts():
    plan = map_layer(ConvLayer("v1", 224, 224, 3, 64, 3, 3), ArraySpec(512, 512), "vw-sdk")
    lay = tile_layout(plan)
    # 8 copies x 64 output channels x (3 channels x 9 kernel elements) weights
    assert int(lay.weight.sum()) == 8 * 64 * 27
    assert int(lay.block.sum()) == 90 * 512  # 3 channels x 30 PW pixels, 8x64 columns
    assert int((lay.copy == ZERO).sum()) == 90 * 512 - 8 * 64 * 27
    assert np.array_equal(np.bincount(lay.copy[lay.copy >= 0]), np.full(8, 64 * 27))
    # copy 3 (window (0, 3)) reads PW columns 3..5: the cell at channel 1, pixel (2, 4)
    r = 1 * 30 + 2 * 10 + 4
    col = 3 * 64 + 17
    assert lay.cell(r, col) == {"row": r, "col": col, "copy": 3, "ic": 1, "y": 2, "x": 4, "oc": 17,
                                "bit": 0, "col_copy": 3, "ky": 2, "kx": 1}
    assert (lay.rows.c[90:] == -1).all() and (lay.cols.copy == np.repeat(np.arange(8), 64)).all()


def test_layout_1024_is_fast():
    plan = map_layer(ConvLayer("big", 56, 56, 256, 256, 3, 3), ArraySpec(1024, 1024), "vw-sdk")
    lay = tile_layout(plan)
    assert lay.copy.shape == (1024, 1024) and lay.ic.shape == (1024, 1024)


def test_multibit_columns():
    plan = map_layer(ConvLayer("m", 8, 8, 4, 8, 3, 3), ArraySpec(64, 64, 2, 8), "im2col")
    lay = tile_layout(plan)
    assert list(lay.cols.bit[:8]) == [0, 1, 2, 3] * 2 and list(lay.cols.oc[:8]) == [0] * 4 + [1] * 4
    assert (lay.cols.copy[32:] == -1).all()  # 8 channels x 4 cells per weight = 32 columns


@settings(max_examples=60, deadline=None)
@given(layers, arrays, st.sampled_from(DEFAULT_METHODS), st.sampled_from(["weight", "input"]))
def test_schedule_round_trip_and_orders(layer, array, method, order):
    plan = map_layer(layer, array, method)
    s = Schedule(plan, order)
    assert s.total == plan.cycles
    seen = set()
    for t in np.unique(np.linspace(0, s.total - 1, 50).astype(int)):
        c = s.cycle(int(t))
        assert s.index(c.group, c.b, c.a, c.py, c.px) == t
        seen.add((c.group, c.b, c.a, c.py, c.px))
    last = s.cycle(s.total - 1)
    assert (last.group, last.b, last.a, last.py, last.px) == (layer.groups - 1, plan.ac - 1, plan.ar - 1,
                                                             plan.n_pw_h - 1, plan.n_pw_w - 1)


def test_weight_and_input_stationary_orders():
    plan = map_layer(ConvLayer("l", 6, 6, 64, 8, 3, 3), ArraySpec(64, 64), "im2col")
    assert (plan.ar, plan.ac, plan.n_pw) == (9, 1, 16)
    ws, is_ = Schedule(plan, "weight"), Schedule(plan, "input")
    assert [(ws.cycle(t).a, ws.cycle(t).px) for t in range(3)] == [(0, 0), (0, 1), (0, 2)]
    assert [(is_.cycle(t).a, is_.cycle(t).px) for t in range(3)] == [(0, 0), (1, 0), (2, 0)]
    assert ws.next_tile_change(0) == 16 and is_.next_tile_change(0) == 1


def test_random_access_far_cycle():
    layer = ConvLayer("long", 8192, 8192, 512, 512, 3, 3)
    plan = map_layer(layer, ArraySpec(64, 64), "im2col")
    s = Schedule(plan)
    assert s.total > 10_000_000
    n_pw = plan.n_pw
    # Any far cycle, and the last of ~3e10: a walk over the cycles before it would never end.
    for t in (10_000_000, s.total - 1):
        c = s.cycle(t)
        assert (c.b, c.a, c.py * plan.n_pw_w + c.px) == (t // (n_pw * plan.ar), t // n_pw % plan.ar, t % n_pw)
    assert s.row_sources(10_000_000).c.shape == (64,)


def test_row_sources_and_col_targets_with_padding_and_stride():
    layer = ConvLayer("p", 7, 7, 2, 3, 3, 3, 2, 2, 1, 1)  # OFM 4x4
    plan = map_layer(layer, ArraySpec(64, 64), "sdk")
    assert (plan.nh, plan.nw, plan.pix_h, plan.pix_w) == (2, 2, 5, 5)
    s = Schedule(plan)
    src = s.row_sources(0)  # PW (0, 0): rows read IFM (-1..3, -1..3)
    assert src.padding[0] and src.iy[0] == -1           # channel 0, pixel (0, 0) is padding
    r = 0 * 25 + 2 * 5 + 3                               # channel 0, PW pixel (2, 3)
    assert (src.c[r], src.iy[r], src.ix[r], src.padding[r]) == (0, 1, 2, False)
    r = 1 * 25 + 4 * 5 + 4
    assert (src.c[r], src.iy[r], src.ix[r]) == (1, 3, 3)
    assert (src.c[50:] == -1).all()
    tgt = s.col_targets(3)  # PW (1, 1): copy 3 = window (1, 1) feeds OFM (3, 3)
    col = 3 * 3 + 2
    assert (tgt.oc[col], tgt.oy[col], tgt.ox[col]) == (2, 3, 3)
    edge = map_layer(ConvLayer("e", 5, 5, 1, 1, 3, 3), ArraySpec(16, 16), "sdk")  # OFM 3x3, PW 2x2
    assert (edge.nh, edge.n_pw_h) == (2, 2)
    t = Schedule(edge).col_targets(3)  # last PW: only its window (0, 0) is inside the OFM
    assert list(t.past_edge[:4]) == [False, True, True, True] and (t.oy[0], t.ox[0]) == (2, 2)


@settings(max_examples=40, deadline=None)
@given(layers, arrays, st.sampled_from(DEFAULT_METHODS), st.sampled_from(["weight", "input"]))
def test_output_completion_matches_brute_force(layer, array, method, order):
    plan = map_layer(layer, array, method)
    s = Schedule(plan, order)
    if s.total > 400:
        return
    # Brute force: walk every cycle, count row tiles seen per output.
    seen = np.zeros((layer.out_c, layer.out_h, layer.out_w), dtype=int)
    for t in range(s.total):
        tg = s.col_targets(t)
        ok = (tg.oc >= 0) & (s.cycle(t).a >= 0)
        cols = np.nonzero(ok & (np.arange(array.cols) % array.cells_per_weight == 0))[0]
        seen[tg.oc[cols], tg.oy[cols], tg.ox[cols]] += 1
        complete = int((seen == plan.ar).sum())
        assert s.outputs_complete(t) == complete
        if t % 7 == 0:
            state = s.ofm_state(t, layer.out_c - 1)
            ch = seen[layer.out_c - 1]
            assert np.array_equal(state, np.where(ch == plan.ar, 2, np.where(ch > 0, 1, 0)))
    assert s.outputs_complete(s.total - 1) == s.outputs_total
