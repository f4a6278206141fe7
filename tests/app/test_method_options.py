"""Options of the compression-aware methods in the app (issue 7, item 4): editor, request, project."""
from __future__ import annotations

import json

import pytest

from app.widgets.method_options_editor import OWN, MethodOptionsEditor
from engine.methods import map_layer

from .test_main_window import run_and_wait


def choose(combo, data) -> None:
    i = combo.findData(data)
    assert i >= 0, data
    combo.setCurrentIndex(i)


def tick(w, *methods) -> None:
    for m in methods:
        w.array_editor.method_boxes[m].setChecked(True)


def rerun(qtbot, w, edit) -> None:
    """Make an edit; the small job re-runs by itself."""
    with qtbot.waitSignal(w.mapping.result_ready, timeout=10000):
        edit()


def pairs_window(qtbot, open_app_window):
    """VGG13 with PAIRS ticked, mapped once."""
    w = open_app_window("vgg13-paper")
    tick(w, "pairs")
    run_and_wait(qtbot, w)
    return w


def cycles(w, layer: str, label: str) -> int:
    return int(w.results_table.cell_text(layer, label, "cycles").replace(",", ""))


def test_pattern_set_reaches_the_request_and_the_results(qtbot, open_app_window):
    w = pairs_window(qtbot, open_app_window)
    layer, array = w.layer_model.layers()[3], w.array_editor.spec()  # conv2_2
    corner4 = map_layer(layer, array, "pairs", pattern_set="corner4").cycles
    edge6 = map_layer(layer, array, "pairs", pattern_set="edge6").cycles
    assert corner4 != edge6  # else the test would prove nothing
    assert cycles(w, "conv2_2", "PAIRS") == corner4
    assert w.mapping.result.request.options == {}  # defaults: nothing given

    rerun(qtbot, w, lambda: choose(w.method_options.fields["pairs"]["pattern_set"], "edge6"))
    assert w.mapping.result.request.options == {"pairs": {"pattern_set": "edge6"}}
    assert cycles(w, "conv2_2", "PAIRS") == edge6
    assert w.isWindowModified()


def test_options_of_unticked_methods_stay_out_of_the_request(qtbot, open_app_window):
    w = open_app_window("vgg13-paper")
    run_and_wait(qtbot, w)
    w.method_options.fields["kerntrol"]["threshold"].setValue(0.5)
    assert w.method_options.options() == {"kerntrol": {"threshold": 0.5}}
    assert w.mapping.request().options == {}  # KERNTROL not ticked
    assert not w.results_model.stale

    rerun(qtbot, w, lambda: tick(w, "kerntrol"))
    layer, array = w.layer_model.layers()[1], w.array_editor.spec()  # conv1_2
    assert w.mapping.result.request.options == {"kerntrol": {"threshold": 0.5}}
    assert cycles(w, "conv1_2", "KERNTROL") == map_layer(layer, array, "kerntrol", threshold=0.5).cycles
    assert cycles(w, "conv1_2", "KERNTROL") != map_layer(layer, array, "kerntrol").cycles


def test_kerntrol_and_vwc_options_reach_the_request(qtbot, open_app_window):
    w = open_app_window("vgg13-paper")
    tick(w, "kerntrol", "vwc-sdk")
    run_and_wait(qtbot, w)
    f = w.method_options.fields
    choose(f["kerntrol"]["variant"], "compensatory")
    choose(f["kerntrol"]["base"], "vw-sdk")
    f["vwc-sdk"]["max_prune"].setValue(0.5)
    rerun(qtbot, w, lambda: choose(f["vwc-sdk"]["propagate"], "never"))
    assert w.mapping.result.request.options == {
        "kerntrol": {"variant": "compensatory", "base": "vw-sdk"},
        "vwc-sdk": {"max_prune": 0.5, "propagate": "never"}}
    layer, array = w.layer_model.layers()[0], w.array_editor.spec()
    want = map_layer(layer, array, "kerntrol", variant="compensatory", base="vw-sdk").cycles
    assert cycles(w, "conv1_1", "KERNTROL") == want


def test_own_pattern_drawn_on_the_grid_reaches_the_request(qtbot, open_app_window):
    w = pairs_window(qtbot, open_app_window)
    ed = w.method_options
    ed.set_expanded(True)
    choose(ed.fields["pairs"]["pattern_set"], OWN)  # starts as a copy of the set shown (corner4)
    assert ed.grids.patterns() == ("110110000", "011011000", "000110110", "000011011")
    for _ in range(3):
        ed.grids.remove_pattern(0)
    ed.grids.add_button.click()  # a new pattern keeps all nine weights
    for cell in (0, 1, 3, 4, 6, 7):  # keep the right column only
        ed.grids.cell(1, cell).click()
    assert ed.grids.patterns() == ("000011011", "001001001")
    qtbot.waitUntil(w.mapping.is_current, timeout=10000)  # re-mapped by itself
    opts = w.mapping.result.request.options
    assert opts == {"pairs": {"patterns": ("000011011", "001001001")}}
    layer, array = w.layer_model.layers()[3], w.array_editor.spec()
    want = map_layer(layer, array, "pairs", patterns="000011011,001001001").cycles
    assert cycles(w, "conv2_2", "PAIRS") == want


def test_a_pattern_keeping_no_weight_blocks_run_naming_it(qtbot, open_app_window):
    w = pairs_window(qtbot, open_app_window)
    ed = w.method_options
    choose(ed.fields["pairs"]["pattern_set"], OWN)
    for cell in (0, 1, 3, 4):  # pattern 1 (top-left 2x2 block) loses all its weights
        ed.grids.cell(0, cell).click()
    reason = "PAIRS options: own pattern 1: pattern '000000000' keeps no weight"
    assert ed.error() == reason
    assert ed.error_labels["pairs"].isVisibleTo(ed) and "pattern '000000000'" in ed.error_labels["pairs"].text()
    assert ed.tabs.isVisibleTo(ed)  # the editor opened to show it
    assert not w.run_bar.run_button.isEnabled() and not w.commands["run"].isEnabled()
    assert reason in w.run_bar.reason.text()
    assert not w.mapping.run()
    assert w.results_model.stale

    w.array_editor.method_boxes["pairs"].setChecked(False)  # not ticked: its options do not block
    assert w.mapping.blocked is None and w.commands["run"].isEnabled()
    tick(w, "pairs")
    assert not w.run_bar.run_button.isEnabled()
    rerun(qtbot, w, lambda: ed.grids.cell(0, 8).click())  # keeps one weight again
    assert w.commands["run"].isEnabled() and w.run_bar.reason.text() == ""


def test_removing_every_own_pattern_blocks_run(qtbot, open_app_window):
    w = open_app_window("vgg13-paper")
    tick(w, "pairs")
    ed = w.method_options
    choose(ed.fields["pairs"]["pattern_set"], OWN)
    while ed.grids.patterns():
        ed.grids.remove_pattern(0)
    assert "PAIRS options: own patterns" in (w.mapping.blocked or "")
    assert not w.mapping.run()


def test_magnitude_without_weights_blocks_run(qtbot, open_app_window):
    w = open_app_window("vgg13-paper")
    tick(w, "pairs")
    choose(w.method_options.fields["pairs"]["assign"], "magnitude")
    assert "PAIRS options: assignment 'magnitude' needs the layers' weights" in w.run_bar.reason.text()
    choose(w.method_options.fields["pairs"]["assign"], "random")
    assert w.method_options.fields["pairs"]["seed"].isEnabled()
    assert w.mapping.blocked is None and w.run_bar.reason.text() == ""


def test_options_survive_a_project_round_trip(qtbot, open_app_window, dialog_script, tmp_path):
    w = open_app_window("vgg13-paper")
    ed = w.method_options
    choose(ed.fields["pairs"]["pattern_set"], OWN)
    ed.grids.cell(0, 0).click()
    choose(ed.fields["pairs"]["assign"], "random")
    ed.fields["pairs"]["seed"].setValue(7)
    choose(ed.fields["pairs"]["base"], "vw-sdk")
    ed.fields["kerntrol"]["threshold"].setValue(0.4)
    choose(ed.fields["vwc-sdk"]["propagate"], "always")
    want = ed.options()
    assert want["pairs"] == {"patterns": ("010110000", "011011000", "000110110", "000011011"),
                             "assign": "random", "seed": 7, "base": "vw-sdk"}
    assert w.isWindowModified()

    dialog_script.save_path = str(tmp_path / "opts.xbarscope.json")
    w.commands["save"].trigger()
    assert not w.isWindowModified()
    saved = json.loads((tmp_path / "opts.xbarscope.json").read_text())
    assert saved["options"]["method_options"]["kerntrol"]["threshold"] == 0.4

    other = open_app_window("resnet18-paper")
    assert other.method_options.options() == {}
    assert other.project.open(dialog_script.save_path)
    assert other.method_options.options() == want
    assert not other.isWindowModified()
    assert other.mapping.request().options.keys() == set()  # none of the three ticked


def test_weights_of_an_imported_model_feed_the_rules_but_are_not_saved(qtbot, open_app_window, dialog_script,
                                                                       tmp_path):
    pytest.importorskip("onnx")
    from tests.engine.onnx_builders import resnet_block, save

    w = open_app_window("vgg13-paper")
    tick(w, "pairs", "vwc-sdk")
    model = save(resnet_block().model(), tmp_path / "block.onnx")
    with qtbot.waitSignal(w.project.importer.finished, timeout=10000):
        w.project.import_file(str(model))
    qtbot.waitUntil(w.mapping.is_current, timeout=10000)
    net = w.crossbar_weights
    assert net is not None and net.weights is not None
    opts = w.mapping.result.request.options
    assert opts["pairs"]["weights"] is net and opts["vwc-sdk"]["weights"] is net
    conv1 = w.mapping.result.plans[0]["pairs"]
    assert dict(conv1.compression.params)["assign"] == "magnitude"
    layer, array = w.layer_model.layers()[0], w.array_editor.spec()
    assert conv1.cycles == map_layer(layer, array, "pairs", weights=net).cycles

    dialog_script.save_path = str(tmp_path / "model.xbarscope.json")
    w.commands["save"].trigger()
    text = (tmp_path / "model.xbarscope.json").read_text()
    assert "weights" not in json.dumps(json.loads(text)["options"])

    w.project.mark_clean()
    w.project.load_preset("vgg13-paper")  # another network: its layers have no weights
    assert w.crossbar_weights is None
    assert "weights" not in w.mapping.request().options.get("pairs", {})


def test_compare_mode_maps_an_unticked_method_with_the_options(qtbot, open_app_window):
    from app.window_wiring import _plan_for

    w = open_app_window("vgg13-paper")
    run_and_wait(qtbot, w)
    choose(w.method_options.fields["pairs"]["pattern_set"], "edge6")
    w.selection.select(3, "vw-sdk")
    sel = w.selection.current
    plan = _plan_for(w, sel, "pairs")  # PAIRS is not in the result: mapped now
    assert plan.cycles == map_layer(sel.layer, sel.plan.array, "pairs", pattern_set="edge6").cycles


@pytest.mark.parametrize("garbage", [
    None, 3, "x", [], {"pairs": 5},
    {"pairs": {"seed": "a", "assign": [1], "pattern_set": ["x"], "base": None, "own_patterns": "zz"},
     "kerntrol": {"threshold": 2, "variant": {}, "base": 1.5},
     "vwc-sdk": {"max_prune": float("nan"), "propagate": {"a": 1}}},
    {"pairs": {"pattern_set": OWN, "own_patterns": ["000000000", "abc", 7, None]}},
    {"pairs": {"seed": True, "assign": "magnitud"}, "kerntrol": {"threshold": True}, "vwc-sdk": {"max_prune": -1}},
])
def test_from_json_ignores_garbage(qtbot, garbage):
    ed = MethodOptionsEditor()
    qtbot.addWidget(ed)
    ed.from_json(garbage)
    assert ed.options() == {} and ed.error() is None


def test_from_json_keeps_the_usable_values(qtbot):
    ed = MethodOptionsEditor()
    qtbot.addWidget(ed)
    ed.from_json({"pairs": {"pattern_set": "own", "own_patterns": ["bad", "001001001", "001001001"],
                            "seed": -4, "base": "vw-sdk"},
                  "kerntrol": {"threshold": 0.6, "variant": "nope"}})
    assert ed.options() == {"pairs": {"patterns": ("001001001",), "base": "vw-sdk"},
                            "kerntrol": {"threshold": 0.6}}
    assert ed.summary.text() == "PAIRS: 1 own pattern, base vw-sdk; KERNTROL: threshold 0.6"


def test_a_model_opened_from_the_command_line_brings_its_weights(qtbot, open_app_window, tmp_path):
    """`xbarscope --network model.onnx` loads without the importer: its weights count all the same."""
    pytest.importorskip("onnx")
    from engine.formats import load_network
    from tests.engine.onnx_builders import resnet_block, save

    net = load_network(save(resnet_block().model(), tmp_path / "block.onnx"))
    assert net.weights is not None
    w = open_app_window(net)
    assert w.crossbar_weights is net
    tick(w, "pairs")
    run_and_wait(qtbot, w)
    assert w.mapping.result.request.options["pairs"]["weights"] is net
    assert dict(w.mapping.result.plans[0]["pairs"].compression.params)["assign"] == "magnitude"
    w.selection.select(0, "pairs")
    assert w.central.crossbar.weights  # colour by weight value is offered
