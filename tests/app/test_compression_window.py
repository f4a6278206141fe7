"""The compression views wired in the main window: panel, design space, crossbar toggle, sweep, energy."""
from __future__ import annotations

from engine import ArraySpec
from engine.batch import SweepRequest, sweep
from engine.energy import EnergyModel
from engine.methods import map_layer

from app import numbers

from .test_main_window import run_and_wait
from .test_method_options import choose, rerun, tick


def pairs_window(qtbot, open_app_window):
    w = open_app_window("vgg13-paper")
    tick(w, "pairs")
    run_and_wait(qtbot, w)
    qtbot.waitUntil(lambda: w.design_panel.widget is not None, timeout=10000)
    return w


def test_selecting_a_compressed_plan_fills_the_compression_panel(qtbot, open_app_window):
    w = pairs_window(qtbot, open_app_window)
    w.selection.select(3, "pairs")  # conv2_2: 112x112x128 -> 128
    layer, array = w.layer_model.layers()[3], w.array_editor.spec()
    plan = map_layer(layer, array, "pairs")
    comp = plan.compression
    figures = w.compression_panel.figures()
    assert figures["rows"].startswith(f"{comp.dense_rows:,} → {comp.kept_rows:,}")
    assert figures["cycles"].startswith(f"{comp.base.cycles:,} → {plan.cycles:,}")
    assert w.compression_panel.grid.mode == "pairs"
    w.selection.select(3, "vw-sdk")
    assert "cycles" not in w.compression_panel.figures()  # no compression: the hint instead


def test_design_space_follows_the_compressed_method_and_its_options(qtbot, open_app_window):
    w = pairs_window(qtbot, open_app_window)
    with qtbot.waitSignal(w.design.slot.result, timeout=10000):
        w.selection.select(3, "pairs")
    assert w.design_dock.windowTitle() == "Design space: PAIRS (corner4, on SDK)"
    space = w.design.space
    assert space.request.method == "pairs"
    layer, array = w.layer_model.layers()[3], w.array_editor.spec()
    plan = map_layer(layer, array, "pairs")
    assert space.candidate(plan.nh, plan.nw)["cycles"] == plan.cycles
    with qtbot.waitSignal(w.design.slot.result, timeout=10000):
        rerun(qtbot, w, lambda: choose(w.method_options.fields["pairs"]["pattern_set"], "edge6"))
        w.selection.select(3, "pairs")
    assert w.design_dock.windowTitle() == "Design space: PAIRS (edge6, on SDK)"
    edge6 = map_layer(layer, array, "pairs", pattern_set="edge6")
    assert w.design.space.candidate(edge6.nh, edge6.nw)["cycles"] == edge6.cycles
    w.selection.select(3, "sdk")
    assert w.design_dock.windowTitle() == "Design space (VW-SDK)"


def test_crossbar_toggle_shows_the_dense_layout_in_the_window(qtbot, open_app_window):
    w = pairs_window(qtbot, open_app_window)
    view = w.central.crossbar
    w.selection.select(1, "pairs")  # conv1_2: SDK 3x3 PW, 3 row tiles -> 1
    plan = w.selection.current.plan
    assert view.playback.total == plan.cycles
    view.set_compressed_view("dense")
    assert view.playback.total == plan.compression.base.cycles
    view.set_compressed_view("repacked")
    assert view.playback.total == plan.cycles


def test_sweep_uses_the_method_options(qtbot, open_app_window):
    w = open_app_window("resnet18-paper")
    tick(w, "pairs")
    choose(w.method_options.fields["pairs"]["pattern_set"], "corner8")
    run_and_wait(qtbot, w)
    sizes = (128, 256)
    with qtbot.waitSignal(w.sweeps.slot.result, timeout=20000) as blocker:
        assert w.sweeps.start(w.layer_model.layers(), w.array_editor.spec(), ("pairs",), sizes,
                              options=w.mapping.result.request.options)
    got = blocker.args[0]
    arrays = tuple(ArraySpec(s, s) for s in sizes)
    want = sweep(SweepRequest(tuple(w.layer_model.layers()), arrays, ("pairs",), {"pairs": {"pattern_set": "corner8"}}))
    default = sweep(SweepRequest(tuple(w.layer_model.layers()), arrays, ("pairs",)))
    assert got.totals["pairs"] == want.totals["pairs"]
    assert want.totals["pairs"] != default.totals["pairs"]  # else the test would prove nothing


def test_inspector_energy_follows_the_energy_editor(qtbot, open_app_window):
    w = open_app_window("resnet18-paper")
    run_and_wait(qtbot, w)
    w.selection.select(1, "vw-sdk")
    conv = w.selection.current.plan.conversions()
    model = EnergyModel(adc_pj=4.0, dac_pj=0.5, mac_pj=0.0)
    w.energy_editor.set_model(model)
    pj = conv.energy_pj(model)
    unit = numbers.energy_unit(pj)
    assert w.inspector.values["energy"].text() == f"{numbers.energy(pj, unit)} {unit}"
