"""The chip (issue 16): spec validation, needs of every plan kind, the allocation against plain
scalar references (hypothesis), the not-fit case, the ADC check and the chip-aware energy."""
from itertools import product
from math import ceil

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from engine import ArraySpec, ConvLayer, map_layer
from engine.chip import ChipError, ChipSpec, adc_bits_lossless
from engine.chip_alloc import allocate, choose_replicas, min_bottleneck, rounds_needed
from engine.chip_energy import chip_conversions, chip_conversions_total
from engine.chip_needs import LayerNeeds, layer_needs, plan_steps, plan_tile_rows, plan_tiles
from engine.errors import XbarError
from engine.methods import METHODS, map_many
from engine.presets import load_preset

from .chip_reference import brute_bottleneck, greedy_rule, scalar_allocate
from .test_beyond_vwsdk import small_arrays, small_layers

A512 = ArraySpec(512, 512)


def needs(tiles, steps, rows=None, array=A512):
    n = len(tiles)
    return LayerNeeds("m", array, tuple(f"l{i}" for i in range(n)), np.array(tiles, dtype=np.int64),
                      np.array(steps, dtype=np.int64), np.array(rows or [array.rows] * n, dtype=np.int64))


# --- the spec ---------------------------------------------------------------------------------

def test_spec_defaults_and_cycle_time():
    s = ChipSpec()
    assert s.to_dict() == {"arrays": 256, "arrays_per_tile": 8, "input_bits": 8, "dac_bits": 1, "adc_bits": 8,
                           "columns_per_adc": 8, "t_read_ns": 10.0, "reprogram_ns": 50000.0}
    assert (s.input_slices, s.reads_per_cycle, s.cycle_ns, s.tiles) == (8, 64, 640.0, 32)
    s = ChipSpec(arrays=10, arrays_per_tile=4, input_bits=8, dac_bits=3, columns_per_adc=2, t_read_ns=2.5)
    assert (s.input_slices, s.cycle_ns, s.tiles) == (3, 15.0, 3)


@pytest.mark.parametrize("field,value,text", [
    ("arrays", 0, "chip: arrays: must be from 1"),
    ("arrays", 2.0, "chip: arrays: must be a whole number, got 2.0"),
    ("arrays", True, "chip: arrays: must be a whole number"),
    ("arrays_per_tile", "8", "chip: arrays_per_tile: must be a whole number, got '8'"),
    ("input_bits", 33, "chip: input_bits: must be from 1 to 32"),
    ("dac_bits", 0, "chip: dac_bits: must be from 1"),
    ("dac_bits", 9, "chip: dac_bits: 9 DAC bits are more than the 8 input bits"),
    ("adc_bits", -1, "chip: adc_bits:"),
    ("columns_per_adc", 0, "chip: columns_per_adc:"),
    ("t_read_ns", 0, "chip: t_read_ns: must be more than 0"),
    ("t_read_ns", float("nan"), "chip: t_read_ns: must be a number of nanoseconds"),
    ("t_read_ns", "1", "chip: t_read_ns: must be a number"),
    ("reprogram_ns", -1.0, "chip: reprogram_ns: must be 0 and at most"),
    ("reprogram_ns", float("inf"), "chip: reprogram_ns:"),
])
def test_spec_validation_names_the_field(field, value, text):
    with pytest.raises(ChipError, match="^" + text.replace("(", r"\(")) as e:
        ChipSpec(**{field: value})
    assert e.value.field == field and isinstance(e.value, XbarError)


def test_spec_round_trip_and_from_dict_refusals():
    s = ChipSpec(arrays=300, dac_bits=2, t_read_ns=5, reprogram_ns=0)
    assert s.t_read_ns == 5.0 and isinstance(s.t_read_ns, float)
    assert ChipSpec.from_dict(s.to_dict()) == s
    assert ChipSpec.from_dict({"arrays": 12}) == ChipSpec(arrays=12)
    with pytest.raises(ChipError, match="chip: colums: unknown field; a chip spec has arrays, arrays_per_tile"):
        ChipSpec.from_dict({"arrays": 12, "colums": 3})
    with pytest.raises(ChipError, match="chip: adc_bits: must be a whole number, got '8'"):
        ChipSpec.from_dict({"adc_bits": "8"})
    with pytest.raises(ChipError, match="chip: spec: must be a mapping"):
        ChipSpec.from_dict([1, 2])


@pytest.mark.parametrize("rows,cb,db,bits", [(512, 1, 1, 10), (512, 2, 1, 12), (512, 2, 2, 13), (1, 1, 1, 1),
                                             (27, 1, 1, 6), (240, 1, 1, 9), (256, 1, 1, 9), (257, 1, 1, 10)])
def test_adc_bits_lossless(rows, cb, db, bits):
    assert adc_bits_lossless(rows, cb, db) == bits
    # the bound holds the largest sum; for 1-bit products and R a power of two it is exact
    largest = rows * (2 ** cb - 1) * (2 ** db - 1)
    assert largest.bit_length() <= bits
    if cb == db == 1 and rows & (rows - 1) == 0:
        assert bits == largest.bit_length()


# --- what each plan kind asks -----------------------------------------------------------------

def test_needs_of_plain_region_grouped_and_compressed_plans():
    layer = ConvLayer("c", 224, 224, 3, 64, 3, 3)  # VGG13 layer 1
    p = map_layer(layer, A512, "vw-sdk")
    assert (plan_tiles(p), plan_steps(p), plan_tile_rows(p)) == (1, 6216, 3 * 3 * 10)
    x = map_layer(layer, A512, "xbar-opt")  # regions 222x220 with 2x4 windows, 222x2 with 4x2
    assert [r.plan.n_pw for r in x.regions] == [111 * 55, 56 * 1]
    assert (plan_tiles(x), plan_steps(x)) == (2, 6105)
    g = map_layer(ConvLayer("g", 14, 14, 64, 64, 3, 3, groups=4), A512, "vw-sdk")
    assert plan_tiles(g) == 4 * g.ar * g.ac and plan_steps(g) == g.n_pw
    im = map_layer(ConvLayer("i", 14, 14, 100, 8, 3, 3), ArraySpec(128, 128), "im2col")  # 900 rows: 8 tiles
    assert (im.ar, plan_tiles(im), plan_tile_rows(im)) == (8, 8, 128)
    small = map_layer(ConvLayer("s", 14, 14, 3, 8, 3, 3), A512, "im2col")
    assert plan_tile_rows(small) == 27
    pr = map_layer(ConvLayer("p", 28, 28, 16, 64, 3, 3), ArraySpec(128, 128), "pairs")  # 144 rows -> 4 a channel
    comp = pr.compression
    assert (pr.ar, comp.base.ar, plan_tiles(pr), plan_tile_rows(pr)) == (1, 2, 1, 64)


@settings(max_examples=60, deadline=None)
@given(st.lists(small_layers, min_size=1, max_size=4), small_arrays,
       st.sampled_from(sorted(METHODS)), st.integers(1, 400), st.sampled_from([1, 2, 4]))
def test_allocation_equals_scalar_reference_on_real_plans(layers, array, method, arrays, dac_bits):
    layers = [ConvLayer(f"l{i}", *(getattr(x, f) for f in ("in_h", "in_w", "in_c", "out_c", "k_h", "k_w",
                                                             "stride_h", "stride_w", "pad_h", "pad_w", "groups")))
              for i, x in enumerate(layers)]
    plans = map_many(layers, array, method)
    n = layer_needs(plans, method)
    for p, t, s, rows in zip(plans, n.tiles.tolist(), n.steps.tolist(), n.tile_rows.tolist()):
        # independent of plan_tiles / plan_steps: each part's cycles are n_pw * AR * AC * groups
        parts = [(r.plan.ar, r.plan.ac, r.plan.cycles) for r in p.regions] or [(p.ar, p.ac, p.cycles)]
        g = p.layer.groups
        assert t == g * sum(ar * ac for ar, ac, _ in parts)
        assert s == max(c // (g * ar * ac) for ar, ac, c in parts)
        assert 1 <= rows <= array.rows
    r = allocate(n, ChipSpec(arrays=arrays, dac_bits=dac_bits))
    assert r.fits == (n.arrays_needed <= arrays)
    if r.fits:
        assert r.replicas.tolist() == scalar_allocate(n.tiles.tolist(), n.steps.tolist(), arrays)
        assert r.arrays_used == int((r.replicas * n.tiles).sum()) <= arrays
    assert r.cycles.tolist() == [ceil(s / rep) * (1 if r.fits else ceil(t / arrays))
                                 for s, rep, t in zip(n.steps.tolist(), r.replicas.tolist(), n.tiles.tolist())]
    bits = [ceil(np.log2(x)) + array.cell_bits + dac_bits - (array.cell_bits == dac_bits == 1)
            for x in n.tile_rows.tolist()]
    assert r.adc_bits_needed.tolist() == bits


networks = st.integers(1, 8).flatmap(lambda n: st.tuples(
    st.lists(st.integers(1, 40), min_size=n, max_size=n), st.lists(st.integers(1, 3000), min_size=n, max_size=n)))


@settings(max_examples=300, deadline=None)
@given(networks, st.integers(0, 2000))
def test_allocation_equals_scalar_reference_and_beats_greedy(net, extra):
    tiles, steps = net
    arrays = sum(tiles) + extra
    reps = choose_replicas(np.array(tiles, dtype=np.int64), np.array(steps, dtype=np.int64), arrays)
    assert reps.tolist() == scalar_allocate(tiles, steps, arrays)
    assert sum(r * t for r, t in zip(reps.tolist(), tiles)) <= arrays
    assert all(1 <= r <= s for r, s in zip(reps.tolist(), steps))
    ours = max(ceil(s / r) for s, r in zip(steps, reps.tolist()))
    greedy = greedy_rule(tiles, steps, arrays)
    assert ours <= max(ceil(s / r) for s, r in zip(steps, greedy))
    # stage 2 only ever lowers the latency below that of the least-bottleneck replicas alone
    t = min_bottleneck(np.array(tiles), np.array(steps), arrays)
    assert ours == t
    assert sum(ceil(s / r) for s, r in zip(steps, reps.tolist())) <= sum(ceil(s / ceil(s / t)) for s in steps)


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 3).flatmap(lambda n: st.tuples(st.lists(st.integers(1, 4), min_size=n, max_size=n),
                                                     st.lists(st.integers(1, 9), min_size=n, max_size=n))),
       st.integers(0, 20))
def test_bottleneck_is_optimal_on_tiny_cases(net, extra):
    tiles, steps = net
    arrays = sum(tiles) + extra
    r = allocate(needs(tiles, steps), ChipSpec(arrays=arrays))
    assert r.interval_cycles == brute_bottleneck(tiles, steps, arrays)


# --- hand-checked figures ---------------------------------------------------------------------

def test_hand_checked_allocation():
    # tiles 2, 1, 3; steps 100, 60, 10; 12 arrays. T=34: replicas 3, 2, 1 = 6+2+3 = 11 arrays;
    # T=33: 4, 2, 1 = 13 > 12, so the bottleneck is 34. The arrays left (1) give layer 1 a 3rd
    # replica (30 -> 20 cycles for 1 array), the only step that fits.
    r = allocate(needs([2, 1, 3], [100, 60, 10]), ChipSpec(arrays=12, arrays_per_tile=4))
    assert r.replicas.tolist() == [3, 3, 1] and r.cycles.tolist() == [34, 20, 10]
    assert (r.interval_cycles, r.latency_cycles, r.arrays_used, r.tiles_used) == (34, 64, 12, 3)
    assert (r.fits, r.shortfall, r.rounds, r.reprogrammings, r.bottleneck) == (True, 0, 1, 0, 0)
    assert r.latency_ns == 64 * 640.0 and r.interval_ns == 34 * 640.0 and r.images_per_s == 1e9 / (34 * 640.0)
    assert r.chip_utilization == 1.0
    # exactly the arrays needed: no replica at all
    r = allocate(needs([2, 1, 3], [100, 60, 10]), ChipSpec(arrays=6))
    assert r.replicas.tolist() == [1, 1, 1] and r.interval_cycles == 100 and r.latency_cycles == 170
    # more arrays than any replica can use: every layer down to one cycle, the rest left empty
    r = allocate(needs([2, 1, 3], [100, 60, 10]), ChipSpec(arrays=10_000))
    assert r.replicas.tolist() == [100, 60, 10] and r.cycles.tolist() == [1, 1, 1]
    assert r.arrays_used == 290 and r.chip_utilization == 290 / 10_000


def test_not_fit_rounds_and_reprogramming():
    assert rounds_needed(np.array([3, 3, 5, 2]), 6) == (3, 6)  # [3, 3], [5], [2]
    assert rounds_needed(np.array([2, 13, 1]), 5) == (5, 5)  # [2], 13 in 3 rounds, [1]
    assert rounds_needed(np.array([1, 1]), 5) == (1, 2)
    r = allocate(needs([2, 13, 1], [10, 7, 4]), ChipSpec(arrays=5, reprogram_ns=100.0))
    assert (r.fits, r.shortfall, r.rounds, r.reprogrammings, r.reprogram_ns) == (False, 11, 5, 16, 1600.0)
    assert r.replicas.tolist() == [1, 1, 1] and r.cycles.tolist() == [10, 21, 4]  # 13 tiles: 3 rounds of 7 steps
    assert r.latency_cycles == r.interval_cycles == 35
    assert r.latency_ns == r.interval_ns == 35 * 640.0 + 1600.0
    assert r.arrays_used == 5 and r.chip_utilization == 16 / 25
    assert "does not fit: 16 arrays needed, 5 on the chip (short by 11)" in r.warnings()[0]


def test_adc_warning_per_layer():
    r = allocate(needs([1, 1], [4, 4], rows=[27, 512]), ChipSpec(arrays=2, adc_bits=8))
    assert r.adc_bits_needed.tolist() == [6, 10] and r.precision_loss.tolist() == [False, True]
    (w,) = r.warnings()
    assert w.startswith("layer 'l1': a column adds up to 512 products and needs a 10-bit ADC")
    d = r.to_dict()
    assert d["layers"][1]["adc_bits_needed"] == 10 and d["layers"][1]["precision_loss"] is True
    assert d["adc_bits_full_array"] == 10  # R = the array's 512 rows


def test_columns_per_adc_beyond_the_array_is_refused():
    with pytest.raises(ChipError, match="chip: columns_per_adc: 1024 columns per ADC on a 512-column array"):
        allocate(needs([1], [1]), ChipSpec(columns_per_adc=1024))


def test_no_layer_is_refused():
    with pytest.raises(XbarError, match="no layer"):
        layer_needs([])


# --- the done-when figures, through the engine ----------------------------------------

def test_resnet18_paper_on_200_arrays():
    plans = map_many(load_preset("resnet18-paper").layers, A512, "vw-sdk")
    r = allocate(layer_needs(plans), ChipSpec(arrays=200))
    assert r.arrays_needed == sum(p.layer.groups * p.ar * p.ac for p in plans) == 23
    assert r.needs.steps.tolist() == [p.n_pw for p in plans]
    assert r.replicas.tolist() == [60, 31, 8, 4, 2] and r.interval_cycles == 24


def test_resnet50_budget_sweep_is_monotone():
    n = layer_needs(map_many(load_preset("resnet50").layers, A512, "vw-sdk"))
    intervals = [allocate(n, ChipSpec(arrays=a)).interval_cycles for a in range(n.arrays_needed, 8 * n.arrays_needed, 37)]
    assert intervals == sorted(intervals, reverse=True) and intervals[0] == int(n.steps.max())


# --- energy -----------------------------------------------------------------------------------

def test_chip_energy_scales_by_input_slices_and_keeps_the_proxy():
    p = map_layer(ConvLayer("c", 28, 28, 64, 64, 3, 3, pad_h=1, pad_w=1), A512, "vw-sdk")
    before = p.conversions()
    c = chip_conversions(p, ChipSpec(input_bits=8, dac_bits=3))  # 3 slices
    assert (c.adc, c.dac, c.macs) == (3 * before.adc, 3 * before.dac, 3 * before.macs)
    assert p.conversions() == before  # the proxy's own counts are unchanged
    same = chip_conversions(p, ChipSpec(input_bits=4, dac_bits=4, columns_per_adc=64))  # whole activations
    assert same == before
    assert chip_conversions_total([p, p], ChipSpec()) == c.__class__(16 * before.adc, 16 * before.dac,
                                                                     16 * before.macs)


# --- the floorplan ----------------------------------------------------------------------------

def test_floorplan_fills_arrays_in_layer_replica_tile_order():
    from engine.chip_floorplan import floorplan

    r = allocate(needs([2, 1, 3], [2, 3, 1]), ChipSpec(arrays=14, arrays_per_tile=4))  # all to one cycle
    assert r.replicas.tolist() == [2, 3, 1] and r.arrays_used == 10
    f = floorplan(r)
    assert f.layer.tolist() == [0, 0, 0, 0, 1, 1, 1, 2, 2, 2, -1, -1, -1, -1]
    assert f.replica.tolist() == [0, 0, 1, 1, 0, 1, 2, 0, 0, 0, -1, -1, -1, -1]
    assert f.tile.tolist() == [0, 1, 0, 1, 0, 0, 0, 0, 1, 2, -1, -1, -1, -1]
    assert f.chip_tile.tolist() == [0] * 4 + [1] * 4 + [2] * 4 + [3] * 2


def test_floorplan_of_each_round_when_it_does_not_fit():
    from engine.chip_floorplan import floorplan

    r = allocate(needs([2, 13, 1], [10, 7, 4]), ChipSpec(arrays=5))
    got = [(floorplan(r, k).layer.tolist(), floorplan(r, k).tile.tolist()) for k in range(r.rounds)]
    assert got == [([0, 0, -1, -1, -1], [0, 1, -1, -1, -1]), ([1] * 5, [0, 1, 2, 3, 4]), ([1] * 5, [5, 6, 7, 8, 9]),
                   ([1, 1, 1, -1, -1], [10, 11, 12, -1, -1]), ([2, -1, -1, -1, -1], [0, -1, -1, -1, -1])]
    with pytest.raises(XbarError, match="round 5: the schedule has rounds 0 to 4"):
        floorplan(r, 5)


def test_tile_position_walks_groups_regions_and_tiles():
    from engine.chip_floorplan import TilePosition, tile_position

    x = map_layer(ConvLayer("c", 224, 224, 3, 64, 3, 3), A512, "xbar-opt")  # two regions, 1 tile each
    assert [tile_position(x, k) for k in range(2)] == [TilePosition(0, 0, 0, 0), TilePosition(0, 1, 0, 0)]
    im = map_layer(ConvLayer("i", 14, 14, 100, 300, 3, 3, groups=2), ArraySpec(128, 128), "im2col")
    assert (im.ar, im.ac) == (4, 2)  # per group: 450 rows, 150 columns
    pos = [tile_position(im, k) for k in range(16)]
    assert pos[0] == TilePosition(0, 0, 0, 0) and pos[3] == TilePosition(0, 0, 3, 0)
    assert pos[4] == TilePosition(0, 0, 0, 1) and pos[8] == TilePosition(1, 0, 0, 0)
    assert len(set(pos)) == 16 == plan_tiles(im)
    with pytest.raises(XbarError, match="tile 16: layer 'i' has tiles 0 to 15"):
        tile_position(im, 16)


def test_stage_two_cap_keeps_a_valid_allocation(monkeypatch):
    import engine.chip_alloc as ca

    tiles, steps = [50, 1, 1], [10, 40, 30]  # bottleneck 5 (114 arrays); 36 left for many small steps
    full = ca.choose_replicas(np.array(tiles), np.array(steps), 150)
    monkeypatch.setattr(ca, "MAX_LEFTOVER_STEPS", 3)
    capped = ca.choose_replicas(np.array(tiles), np.array(steps), 150)
    t = min_bottleneck(np.array(tiles), np.array(steps), 150)
    for reps in (full, capped):
        assert sum(r * x for r, x in zip(reps.tolist(), tiles)) <= 150
        assert max(ceil(s / r) for s, r in zip(steps, reps.tolist())) == t
    assert full.tolist() == scalar_allocate(tiles, steps, 150) and (capped <= full).all() and (capped != full).any()


def test_stage_two_float_keys_keep_the_exact_order_of_the_ratios():
    from fractions import Fraction

    from engine.chip_alloc import _ratio_key

    big = 1 << 25
    key = _ratio_key([big + 1], [1])  # gains x costs below 2^52 (2^50): floats
    pairs = [(big + 1, big), (big, big - 1), (3, 9), (1, 3), (7, 21), (big - 1, big)]
    assert isinstance(key(3, 9), float)
    for (g1, c1), (g2, c2) in product(pairs, pairs):
        exact = Fraction(g1, c1) - Fraction(g2, c2)
        assert (key(g1, c1) < key(g2, c2)) == (exact > 0) and (key(g1, c1) == key(g2, c2)) == (exact == 0)
    assert isinstance(_ratio_key([1 << 40], [1 << 20])(3, 9), Fraction)  # past 2^52: exact Fractions


@settings(max_examples=100, deadline=None)
@given(networks, st.integers(0, 2000))
def test_stage_two_with_fraction_keys_allocates_the_same(net, extra):
    from fractions import Fraction

    import engine.chip_alloc as alloc

    tiles, steps = (np.array(v, dtype=np.int64) for v in net)
    arrays = int(tiles.sum()) + extra
    fast = choose_replicas(tiles, steps, arrays)
    real = alloc._ratio_key
    alloc._ratio_key = lambda s, t: (lambda g, c: -Fraction(g, c))
    try:
        exact = choose_replicas(tiles, steps, arrays)
    finally:
        alloc._ratio_key = real
    assert fast.tolist() == exact.tolist()
