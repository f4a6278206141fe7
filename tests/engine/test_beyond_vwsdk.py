"""vw-flat and xbar-opt (issue 8): targets, never worse than VW-SDK, region plans, energy."""
import json

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from engine import ArraySpec, ConvLayer, METHODS, map_layer
from engine.cli import main, parse_arrays
from engine.energy import Conversions, EnergyModel, conversions
from engine.errors import XbarError
from engine.layout import tile_layout
from engine.presets import load_preset, preset_names
from engine.schedule import RegionSchedule, Schedule
from engine.simulate import verify

from .oracle import scalar_vw_flat
from .test_methods import arrays, layers

A512 = ArraySpec(512, 512)


@pytest.mark.parametrize("net,flat,opt", [("vgg13-paper", 68192, 67972), ("resnet18-paper", 3898, 3833)])
def test_published_gap_is_closed(net, flat, opt):
    layers_ = load_preset(net).layers
    assert sum(map_layer(x, A512, "vw-flat").cycles for x in layers_) == flat
    assert sum(map_layer(x, A512, "xbar-opt").cycles for x in layers_) == opt


def test_first_layers_reach_the_lower_bound():
    for net, lb in (("vgg13-paper", 6161), ("resnet18-paper", 1405)):
        p = map_layer(load_preset(net).layers[0], A512, "xbar-opt")
        assert p.cycles == p.lower_bound == lb and p.efficiency == 1.0


def test_vgg13_layer1_regions():
    p = map_layer(load_preset("vgg13-paper").layers[0], A512, "xbar-opt")
    got = [(r.oy, r.ox, r.h, r.w, r.plan.nh, r.plan.nw, r.plan.cycles) for r in p.regions]
    # 2x4 windows tile 222x220 exactly; the 2-column strip left over takes 4x2 windows
    assert got == [(0, 0, 222, 220, 2, 4, 6105), (0, 220, 222, 2, 4, 2, 56)]
    assert p.to_dict()["regions"][1] == {"origin": [0, 220], "size": [222, 2], "windows": [4, 2],
                                         "ar_cycles": 1, "ac_cycles": 1, "cycles": 56}


@pytest.mark.parametrize("name", preset_names())
def test_xbar_opt_never_worse_than_vw_sdk_on_presets(name):
    net = load_preset(name)
    a = net.array or A512
    for layer in net.layers:
        s, f, o = (map_layer(layer, a, m).cycles for m in ("vw-sdk", "vw-flat", "xbar-opt"))
        assert o <= f <= s


@settings(max_examples=150, deadline=None)
@given(layers, arrays)
def test_order_of_methods_and_flat_oracle(layer, array):
    s, f, o = (map_layer(layer, array, m) for m in ("vw-sdk", "vw-flat", "xbar-opt"))
    assert o.lower_bound <= o.cycles <= f.cycles <= s.cycles
    assert (f.cycles, f.nh, f.nw) == scalar_vw_flat(layer, array)
    if o.regions:  # regions tile the OFM exactly
        cover = np.zeros((layer.out_h, layer.out_w), int)
        for r in o.regions:
            cover[r.oy:r.oy + r.h, r.ox:r.ox + r.w] += 1
        assert (cover == 1).all()


small_layers = st.builds(
    lambda h, w, ic, oc, k, s, p, g: ConvLayer("s", h, w, ic * g, oc * g, min(k, h + 2 * p), min(k, w + 2 * p),
                                               s, s, p, p, g),
    st.integers(3, 16), st.integers(3, 16), st.integers(1, 6), st.integers(1, 6), st.integers(1, 4),
    st.integers(1, 2), st.integers(0, 1), st.sampled_from([1, 1, 2]))
small_arrays = st.builds(lambda r, c, cb, extra: ArraySpec(r, c, cb, cb + extra),
                         st.sampled_from([16, 24, 32, 48]), st.sampled_from([16, 24, 32]),
                         st.sampled_from([1, 2]), st.sampled_from([0, 2]))


@settings(max_examples=80, deadline=None)
@given(small_layers, small_arrays, st.sampled_from(["vw-flat", "xbar-opt"]), st.integers(0, 10 ** 6))
def test_new_methods_simulate_exactly(layer, array, method, seed):
    assert verify(layer, array, map_layer(layer, array, method), np.random.default_rng(seed))


def _region_example():
    layer = ConvLayer("r", 13, 12, 3, 4, 3, 3, 1, 1, 1, 1)
    plan = map_layer(layer, ArraySpec(48, 48), "xbar-opt")
    assert len(plan.regions) > 1
    return layer, plan


def test_region_schedule_walks_regions_in_order():
    layer, plan = _region_example()
    s = Schedule(plan)
    assert isinstance(s, RegionSchedule) and s.total == plan.cycles
    seen = [s.cycle(t).region for t in range(s.total)]
    assert seen == sorted(seen) and set(seen) == set(range(len(plan.regions)))
    for t in range(s.total):
        c = s.cycle(t)
        assert s.index(c.group, c.b, c.a, c.py, c.px, c.region) == t
    # every output is fed exactly once per row tile, by the region that covers it
    fed = np.zeros((layer.out_c, layer.out_h, layer.out_w), int)
    cpw = plan.array.cells_per_weight
    for t in range(s.total):
        tg = s.col_targets(t)
        cols = np.flatnonzero((tg.oc >= 0) & (np.arange(plan.array.cols) % cpw == 0))
        fed[tg.oc[cols], tg.oy[cols], tg.ox[cols]] += 1
        reg = plan.regions[s.cycle(t).region]
        assert ((tg.oy[cols] >= reg.oy) & (tg.oy[cols] < reg.oy + reg.h)).all()
    ar = np.zeros((layer.out_h, layer.out_w), int)
    for r in plan.regions:
        ar[r.oy:r.oy + r.h, r.ox:r.ox + r.w] = r.plan.ar
    assert (fed == ar[None]).all()
    assert s.outputs_complete(s.total - 1) == s.outputs_total
    assert s.ofm_state(s.total - 1, 0).min() == 2 and s.ofm_state(0, 0).max() >= 1


def test_region_rows_read_the_right_pixels():
    layer, plan = _region_example()
    s = Schedule(plan)
    r1 = plan.regions[1]
    t = int(s.starts[1])  # first cycle of the second region: its first PW at its origin
    src = s.row_sources(t)
    row = 0  # channel 0, PW pixel (0, 0): IFM pixel (oy*s - pad, ox*s - pad)
    iy, ix = r1.oy - layer.pad_h, r1.ox - layer.pad_w
    inside = 0 <= iy < layer.in_h and 0 <= ix < layer.in_w
    assert bool(src.padding[row]) != inside
    if inside:
        assert (src.iy[row], src.ix[row]) == (iy, ix)


def brute_conversions(plan):
    s = Schedule(plan)
    adc = dac = mac = 0
    for t in range(s.total):
        c = s.cycle(t)
        rs, ct = s.row_sources(t), s.col_targets(t)
        real_rows, read_cols = (rs.c >= 0) & ~rs.padding, ct.oc >= 0
        adc += int(read_cols.sum())
        dac += int(real_rows.sum())
        sub = plan.regions[c.region].plan if plan.regions else plan
        mac += int((tile_layout(sub, c.a, c.b).weight & real_rows[:, None] & read_cols[None, :]).sum())
    return Conversions(adc, dac, mac)


@settings(max_examples=40, deadline=None)
@given(small_layers, small_arrays, st.sampled_from(list(METHODS)))
def test_energy_counts_equal_a_cycle_by_cycle_count(layer, array, method):
    plan = map_layer(layer, array, method)
    if plan.cycles > 300:
        return
    assert conversions(plan) == brute_conversions(plan)


def test_energy_model_and_known_counts():
    layer = ConvLayer("e", 9, 11, 3, 5, 3, 3, 1, 1, 1, 1)
    c = conversions(map_layer(layer, ArraySpec(32, 32), "im2col"))
    # im2col: AR = ceil(27/32) = 1 -> one read per output; DAC: real taps only
    assert c.adc == 9 * 11 * 5 and c.macs == 3 * 5 * (3 * 9 - 2) * (3 * 11 - 2)
    assert c.energy_pj(EnergyModel(2.0, 0.5, 0.1)) == pytest.approx(c.adc * 2.0 + c.dac * 0.5 + c.macs * 0.1)
    with pytest.raises(XbarError, match="adc_pj"):
        EnergyModel(adc_pj=-1)


def test_cli_json_has_energy(capsys):
    assert main(["map", "--network", "resnet18-paper", "--methods", "vw-sdk,xbar-opt", "--format", "json",
                 "--e-adc", "1", "--e-dac", "0", "--e-mac", "0"]) == 0
    d = json.loads(capsys.readouterr().out)
    m = d["layers"][0]["methods"]["xbar-opt"]
    assert m["cycles"] == 1405 and m["energy_pj"] == m["adc_conversions"] and len(m["regions"]) == 2
    assert d["totals"] == {"vw-sdk": 4294, "xbar-opt": 3833}
    assert d["energy_totals_pj"]["xbar-opt"] == sum(x["methods"]["xbar-opt"]["adc_conversions"] for x in d["layers"])


def test_parse_arrays():
    sizes = [a.rows for a in parse_arrays("64..4096")]
    assert sizes == [64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048, 3072, 4096]
    assert [(a.rows, a.cols) for a in parse_arrays("128x256..512x1024")] == [
        (128, 256), (192, 384), (256, 512), (384, 768), (512, 1024)]
    assert [(a.rows, a.cols) for a in parse_arrays("100, 64x32")] == [(100, 100), (64, 32)]
    with pytest.raises(XbarError, match="larger to a smaller"):
        parse_arrays("512..64")


def test_cli_sweep_csv(capsys):
    assert main(["sweep", "--network", "resnet18-paper", "--arrays", "256..1024", "--methods", "vw-sdk,xbar-opt",
                 "--format", "csv"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "rows,cols,cell_bits,weight_bits,vw-sdk,xbar-opt,lower_bound"
    row512 = next(x for x in lines if x.startswith("512,512"))
    assert row512 == "512,512,1,1,4294,3833,3226"


def test_map_network_equals_cli_for_network_level_methods():
    # vwc-sdk prunes across layers: the app's map_network must give the CLI's figures
    from engine.batch import MapRequest, map_network
    from engine.methods import map_many

    layers_ = load_preset("vgg13-paper").layers
    r = map_network(MapRequest(layers_, A512, ("vw-sdk", "vwc-sdk"), {"vwc-sdk": {"max_prune": 0.25}}))
    assert r.totals()["vw-sdk"] == 77102
    assert r.totals()["vwc-sdk"] == sum(p.cycles for p in map_many(layers_, A512, "vwc-sdk", max_prune=0.25))
    assert r.totals()["vwc-sdk"] < 77102
