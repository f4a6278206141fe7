"""Functional proof of the compressed layouts: simulate == the pruned layer's reference.

The reference itself is checked against plain loops written from its definition
(engine.compress.reference); a second path drives every cycle of the schedule through
`tile_matrix`, so rows (repacked), schedule and cell layout are all covered.
"""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from engine import ArraySpec, ConvLayer, map_layer
from engine.compress import dense_plan, prune_network, random_extra, reference_conv
from engine.energy import conversions
from engine.layout import tile_layout
from engine.schedule import Schedule
from engine.simulate import random_operands, simulate, slice_values, tile_matrix, verify

from .test_beyond_vwsdk import brute_conversions, small_arrays, small_layers

VARIANTS = [
    ("pairs", {}),
    ("pairs", {"base": "vw-sdk", "assign": "round-robin", "pattern_set": "edge6"}),
    ("pairs", {"assign": "random", "seed": 3, "pattern_set": "corner8"}),
    ("kerntrol", {"threshold": 0.5}),
    ("kerntrol", {"threshold": 0.3, "variant": "compensatory", "base": "vw-sdk"}),
    ("kerntrol", {"threshold": 0.5, "variant": "compensatory"}),
    ("vwc-sdk", {"max_prune": 0.5}),
]
IDS = [f"{m}-{'-'.join(str(v) for v in o.values()) or 'default'}" for m, o in VARIANTS]

CASES = [
    ConvLayer("stride2_pad", 11, 9, 5, 7, 3, 3, 2, 2, 1, 1),
    ConvLayer("rect_kernel", 10, 13, 6, 5, 2, 4, 1, 2, 0, 1),
    ConvLayer("grouped", 8, 8, 8, 12, 3, 3, 1, 1, 1, 1, groups=4),
    ConvLayer("residual_tiles", 7, 7, 37, 45, 3, 3, 1, 1, 1, 1),
    ConvLayer("stride3", 13, 13, 6, 4, 3, 3, 3, 3, 1, 1),
]


def naive_reference(layer, plan, x, w, extra):
    """The reference's defining sum, output by output (engine.compress.reference docstring)."""
    L, comp = layer, plan.compression
    icg, ocg = L.group_in_c, L.group_out_c
    keep = np.broadcast_to(comp.weight_keep, (plan.copies, icg, L.k_h, L.k_w))
    ext = None if comp.extra is None else np.broadcast_to(comp.extra, (plan.copies, icg, plan.pix_h, plan.pix_w))
    out = np.zeros((L.out_c, L.out_h, L.out_w), dtype=np.int64)

    def px(c, iy, ix):
        return int(x[c, iy, ix]) if 0 <= iy < L.in_h and 0 <= ix < L.in_w else 0

    for oc in range(L.out_c):
        g, o = divmod(oc, ocg)
        if comp.oc_keep is not None and o not in comp.oc_keep:
            continue
        for oy in range(L.out_h):
            for ox in range(L.out_w):
                k = (oy % plan.nh) * plan.nw + ox % plan.nw
                py, pxx = oy // plan.nh, ox // plan.nw
                s = 0
                for c in range(icg):
                    for ky in range(L.k_h):
                        for kx in range(L.k_w):
                            if keep[k, c, ky, kx]:
                                s += int(w[oc, c, ky, kx]) * px(g * icg + c, oy * L.stride_h - L.pad_h + ky,
                                                                 ox * L.stride_w - L.pad_w + kx)
                    if ext is not None and extra is not None:
                        for y in range(plan.pix_h):
                            for xx in range(plan.pix_w):
                                if ext[k, c, y, xx]:
                                    s += int(extra[k, oc, c, y, xx]) * px(
                                        g * icg + c, py * plan.nh * L.stride_h - L.pad_h + y,
                                        pxx * plan.nw * L.stride_w - L.pad_w + xx)
                out[oc, oy, ox] = s
    return out


def cycle_by_cycle(plan, x, w, extra):
    """Every cycle of the schedule through tile_matrix: the section 6/7 recipe, plainly."""
    L, a_ = plan.layer, plan.array
    s = Schedule(plan)
    out = np.zeros((L.out_c, L.out_h, L.out_w), dtype=np.int64)
    mats = {}
    for t in range(s.total):
        cyc = s.cycle(t)
        key = (cyc.group, cyc.a, cyc.b)
        if key not in mats:
            mats[key] = tile_matrix(tile_layout(plan, cyc.a, cyc.b), w, cyc.group, extra)
        rs, ct = s.row_sources(t), s.col_targets(t)
        ok = (rs.c >= 0) & ~rs.padding
        xin = np.zeros(a_.rows, dtype=np.int64)
        xin[ok] = x[rs.c[ok], rs.iy[ok], rs.ix[ok]]
        y = xin @ mats[key]
        cols = np.flatnonzero(ct.oc >= 0)
        bit = tile_layout(plan, cyc.a, cyc.b).cols.bit[cols]
        np.add.at(out, (ct.oc[cols], ct.oy[cols], ct.ox[cols]), y[cols] << (bit * a_.cell_bits))
    return out


def operands(layer, array, plan, seed):
    rng = np.random.default_rng(seed)
    x, w = random_operands(layer, array, rng)
    extra = random_extra(layer, array, plan, rng) if plan.compression.extra is not None else None
    return x, w, extra


@pytest.mark.parametrize("method,opts", VARIANTS, ids=IDS)
def test_reference_is_its_definition(method, opts):
    layer, array = ConvLayer("r", 9, 8, 4, 6, 3, 3, 1, 2, 1, 0), ArraySpec(40, 48, 1, 3)
    plan = map_layer(layer, array, method, **opts)
    x, w, extra = operands(layer, array, plan, 1)
    assert np.array_equal(reference_conv(layer, plan, x, w, extra), naive_reference(layer, plan, x, w, extra))


@pytest.mark.parametrize("layer", CASES, ids=lambda l: l.name)
@pytest.mark.parametrize("method,opts", VARIANTS, ids=IDS)
@pytest.mark.parametrize("array", [ArraySpec(64, 48, 1, 1), ArraySpec(96, 64, 2, 8), ArraySpec(50, 40, 3, 4)],
                         ids=["1bit", "8bit_2bitcells", "4bit_3bitcells"])
def test_compressed_simulation_equals_reference(layer, method, opts, array):
    plan = map_layer(layer, array, method, **opts)
    x, w, extra = operands(layer, array, plan, 7)
    want = reference_conv(layer, plan, x, w, extra)
    assert np.array_equal(simulate(layer, array, plan, x, w, extra=extra), want)
    # the uncompressed array with the same masks (skipped rows in place) computes the same
    assert np.array_equal(simulate(layer, array, dense_plan(plan), x, w, extra=extra), want)


def test_cases_really_repack_residual_tiles():
    plan = map_layer(CASES[3], ArraySpec(64, 48), "pairs", base="vw-sdk")
    base = plan.compression.base
    assert base.row_split == "channel" and base.group.in_c % base.ict and plan.ar < base.ar and plan.ar > 1
    assert plan.compression.kept_rows % 64  # the last repacked tile is partial
    v = map_layer(CASES[3], ArraySpec(64, 48), "vwc-sdk", max_prune=0.5)
    assert v.compression.channels_removed.size and v.group.in_c - v.compression.channels_removed.size == v.ict * v.ar


@pytest.mark.parametrize("method,opts", VARIANTS, ids=IDS)
def test_cycle_by_cycle_path_agrees(method, opts):
    layer, array = ConvLayer("c", 9, 10, 6, 5, 3, 3, 2, 1, 1, 1), ArraySpec(48, 40, 2, 4)
    plan = map_layer(layer, array, method, **opts)
    x, w, extra = operands(layer, array, plan, 2)
    want = reference_conv(layer, plan, x, w, extra)
    assert np.array_equal(cycle_by_cycle(plan, x, w, extra), want)
    assert np.array_equal(cycle_by_cycle(dense_plan(plan), x, w, extra), want)


def test_a_wrong_repacking_is_caught(monkeypatch):
    from engine.compress.model import Compression

    layer, array = ConvLayer("x", 9, 9, 6, 4, 3, 3), ArraySpec(32, 32, 1, 4)
    plan = map_layer(layer, array, "pairs", assign="round-robin")
    x, w, _ = operands(layer, array, plan, 4)
    assert verify(layer, array, plan)
    orig = Compression.row_vectors

    def off_by_one(self, p, a):
        rv = orig(self, p, a)
        if a == 0:  # the first kept row replaced by a skipped one: its weights are lost
            skipped = np.argwhere(~self.row_keep[rv.c[0]])[0]
            rv.y[0], rv.x[0] = skipped
        return rv

    monkeypatch.setattr(Compression, "row_vectors", off_by_one)
    assert not np.array_equal(simulate(layer, array, plan, x, w), reference_conv(layer, plan, x, w))


def test_compensatory_weights_change_the_output():
    layer, array = ConvLayer("c", 8, 8, 3, 4, 3, 3), ArraySpec(256, 64, 1, 4)
    plan = map_layer(layer, array, "kerntrol", variant="compensatory", threshold=0.3)
    assert plan.compression.extra is not None and plan.nh * plan.nw > 1
    x, w, extra = operands(layer, array, plan, 5)
    with_extra = simulate(layer, array, plan, x, w, extra=extra)
    assert not np.array_equal(with_extra, simulate(layer, array, plan, x, w))
    assert np.array_equal(simulate(layer, array, plan, x, w), reference_conv(layer, plan, x, w))
    lay = tile_layout(plan)
    g = tile_matrix(lay, w, 0, extra)
    for r, c in np.argwhere(lay.extra)[::7]:
        val = extra[lay.cols.copy[c], lay.cols.oc[c], lay.rows.c[r], lay.rows.y[r], lay.rows.x[r]]
        assert g[r, c] == slice_values(val, lay.cols.bit[c], array)
    assert (g[~lay.weight] == 0).all()


def test_removed_output_channels_are_zero_and_verified():
    layers = [ConvLayer("a", 10, 10, 3, 19, 3, 3, 1, 1, 1, 1), ConvLayer("b", 10, 10, 19, 8, 3, 3, 1, 1, 1, 1)]
    array = ArraySpec(64, 64)
    pa, pb = prune_network(layers, array)
    gone = pb.compression.channels_removed
    assert gone.size and (pa.compression.out_channels_removed(pa) == gone).all()
    x, w, _ = operands(layers[0], array, pa, 3)
    out = simulate(layers[0], array, pa, x, w)
    assert (out[gone] == 0).all() and np.array_equal(out, reference_conv(layers[0], pa, x, w))
    assert np.array_equal(simulate(layers[0], array, dense_plan(pa), x, w), out)
    assert verify(layers[1], array, pb)


@settings(max_examples=120, deadline=None)
@given(small_layers, small_arrays, st.sampled_from(range(len(VARIANTS))), st.integers(0, 10 ** 6))
def test_random_layers_compressed_simulate_exactly(layer, array, which, seed):
    method, opts = VARIANTS[which]
    plan = map_layer(layer, array, method, **opts)
    assert verify(layer, array, plan, np.random.default_rng(seed))
    x, w, extra = operands(layer, array, plan, seed)
    assert np.array_equal(simulate(layer, array, dense_plan(plan), x, w, extra=extra),
                          reference_conv(layer, plan, x, w, extra))


@settings(max_examples=40, deadline=None)
@given(small_layers, small_arrays, st.sampled_from(range(len(VARIANTS))), st.booleans())
def test_energy_and_completion_of_compressed_plans(layer, array, which, dense):
    method, opts = VARIANTS[which]
    plan = map_layer(layer, array, method, **opts)
    plan = dense_plan(plan) if dense else plan
    if plan.cycles > 300:
        return
    assert conversions(plan) == brute_conversions(plan)
    s = Schedule(plan)
    seen = np.zeros((layer.out_c, layer.out_h, layer.out_w), dtype=int)
    for t in range(s.total):
        tg = s.col_targets(t)
        cols = np.flatnonzero((tg.oc >= 0) & (np.arange(array.cols) % array.cells_per_weight == 0))
        seen[tg.oc[cols], tg.oy[cols], tg.ox[cols]] += 1
        assert s.outputs_complete(t) == int((seen == plan.ar).sum())
    assert s.outputs_complete(s.total - 1) == s.outputs_total
    first, last = s.output_cycles(np.arange(layer.out_c))
    assert ((last < s.total) == (seen == plan.ar)).all()


def test_schedule_of_removed_channels():
    layers = [ConvLayer("a", 6, 6, 3, 19, 3, 3), ConvLayer("b", 4, 4, 19, 8, 3, 3)]
    pa = prune_network(layers, ArraySpec(64, 64))[0]
    s = Schedule(pa)
    gone = pa.compression.out_channels_removed(pa)
    assert s.outputs_total == (19 - gone.size) * 16
    assert (s.ofm_state(s.total - 1, int(gone[0])) == 0).all() and (s.ofm_state(s.total - 1, 0) == 2).all()
    assert conversions(pa) == brute_conversions(pa)
