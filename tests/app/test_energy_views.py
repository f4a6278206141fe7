"""Energy proxy and distance to the lower bound in the app: table cells, user energies, bound chart, projects."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app import numbers
from app.models.result_rows import COLUMN_INDEX, to_delimited
from app.widgets.energy_editor import EnergyEditor
from engine.energy import EnergyModel
from engine.formats import load_project

from .conftest import wait_for_charts

METHODS = ("vw-sdk", "xbar-opt")


def run_resnet18(qtbot, open_app_window):
    w = open_app_window("resnet18-paper")
    w.array_editor.set_methods(METHODS)
    with qtbot.waitSignal(w.mapping.result_ready, timeout=20000):
        w.commands["run"].trigger()
    wait_for_charts(qtbot, w)
    return w


def expected_energy(w, layer_index, method, model):
    plan = w.mapping.result.plans[layer_index][method]
    return plan.conversions().energy_pj(model)


def test_energy_cells_follow_the_engine_and_the_user_values(qtbot, open_app_window):
    w = run_resnet18(qtbot, open_app_window)
    result, table, model = w.mapping.result, w.results_table, w.results_model
    layer = result.request.layers[1]
    unit = model.energy_unit
    assert unit in ("nJ", "µJ")
    header = model.headerData(COLUMN_INDEX["energy"], Qt.Horizontal)
    assert f"({unit})" in header
    for method, label in (("vw-sdk", "VW-SDK"), ("xbar-opt", "Xbar-opt")):
        pj = expected_energy(w, 1, method, EnergyModel())
        assert table.cell_text(layer.name, label, "energy") == numbers.energy(pj, unit)
        conv = result.plans[1][method].conversions()
        assert table.cell_text(layer.name, label, "adc") == numbers.count(conv.adc)
        assert table.cell_text(layer.name, label, "dac") == numbers.count(conv.dac)
    # Totals rows add the layers up.
    total_pj = sum(p["xbar-opt"].conversions().energy_pj(EnergyModel()) for p in result.plans)
    assert table.cell_text("Total", "Xbar-opt", "energy") == numbers.energy(total_pj, model.energy_unit)

    # A new ADC energy updates the cell without mapping again.
    w.energy_editor.spins["adc_pj"].setValue(5.0)
    assert w.mapping.result is result
    new = EnergyModel(adc_pj=5.0)
    assert w.results_model.energy_model == new
    pj = expected_energy(w, 1, "vw-sdk", new)
    assert table.cell_text(layer.name, "VW-SDK", "energy") == numbers.energy(pj, model.energy_unit)
    assert w.comparison.widget.energy_totals["vw-sdk"] == pytest.approx(
        sum(p["vw-sdk"].conversions().energy_pj(new) for p in result.plans))
    assert w.isWindowModified()

    # The CSV export carries raw counts and picojoules.
    text = to_delimited(table.visible_rows(selected_only=False))
    head = text.splitlines()[0].split(",")
    for col in ("adc_conversions", "dac_conversions", "macs", "energy_pj"):
        assert col in head
    row = next(line.split(",") for line in text.splitlines() if line.startswith(f"{layer.name},vw-sdk,"))
    conv = result.plans[1]["vw-sdk"].conversions()
    assert int(row[head.index("adc_conversions")]) == conv.adc
    assert int(row[head.index("macs")]) == conv.macs
    assert float(row[head.index("energy_pj")]) == pytest.approx(pj, rel=1e-5)


def test_bound_chart_has_one_series_per_method_with_the_engine_efficiency(qtbot, open_app_window):
    w = run_resnet18(qtbot, open_app_window)
    qtbot.waitUntil(lambda: w.bound_panel.widget is not None, timeout=10000)
    chart = w.bound_panel.widget
    result = w.mapping.result
    assert tuple(chart.series) == METHODS
    for m in METHODS:
        assert list(chart.series[m]) == [p[m].efficiency for p in result.plans]
        assert chart.totals[m] == pytest.approx(result.lower_bound_total(m) / result.totals()[m])
    assert [label.text for _, label in chart.legend.items] == ["VW-SDK", "Xbar-opt"]
    assert chart.totals["xbar-opt"] >= chart.totals["vw-sdk"]


def test_project_save_and_open_keep_the_energy_values(qtbot, open_app_window, dialog_script, tmp_path):
    w = open_app_window("resnet18-paper")
    chosen = EnergyModel(adc_pj=3.25, dac_pj=0.125, mac_pj=0.0005)
    w.energy_editor.set_model(chosen)
    assert w.isWindowModified()
    dialog_script.save_path = str(tmp_path / "energy.xbarscope.json")
    w.commands["save"].trigger()
    assert load_project(dialog_script.save_path).options["energy"] == \
        {"adc_pj": 3.25, "dac_pj": 0.125, "mac_pj": 0.0005}

    other = open_app_window("vgg13-paper")
    assert other.energy_editor.model() == EnergyModel()
    assert other.project.open(dialog_script.save_path)
    assert other.energy_editor.model() == chosen
    assert other.results_model.energy_model == chosen
    assert other.energy_editor.spins["adc_pj"].value() == pytest.approx(3.25)
    assert not other.isWindowModified()


def test_energy_editor_rejects_unusable_project_values(qtbot):
    ed = EnergyEditor()
    qtbot.addWidget(ed)
    ed.from_json({"adc_pj": -1, "dac_pj": 0.1, "mac_pj": 0.0})
    assert ed.model() == EnergyModel()
    ed.from_json({"adc_pj": 1.5})
    assert ed.model() == EnergyModel(adc_pj=1.5)
    ed.from_json("nonsense")
    assert ed.model() == EnergyModel()


def test_energy_fields_show_no_trailing_zeros_and_read_typed_values(qtbot):
    ed = EnergyEditor()
    qtbot.addWidget(ed)
    texts = {f: s.text() for f, s in ed.spins.items()}
    assert texts == {"adc_pj": "2 pJ", "dac_pj": "0.05 pJ", "mac_pj": "0.001 pJ"}
    spin = ed.spins["dac_pj"]
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin, "0.125")
    spin.interpretText()
    assert spin.value() == pytest.approx(0.125) and spin.text() == "0.125 pJ"


def test_inspector_shows_the_plan_energy_with_the_user_values(qtbot):
    from app.selection import PlanSelection
    from app.widgets.inspector import Inspector
    from engine import ArraySpec, ConvLayer, map_layer

    layer = ConvLayer("c", 56, 56, 64, 64, 3, 3, pad_h=1, pad_w=1)
    plan = map_layer(layer, ArraySpec(512, 512), "vw-sdk")
    ins = Inspector(["vw-sdk"])
    qtbot.addWidget(ins)
    ins.show_selection(PlanSelection(0, layer, "vw-sdk", plan))
    conv = plan.conversions()
    assert ins.values["adc"].text() == f"{conv.adc:,}" and ins.values["dac"].text() == f"{conv.dac:,}"
    pj = conv.energy_pj(EnergyModel())
    unit = numbers.energy_unit(pj)
    assert ins.values["energy"].text() == f"{numbers.energy(pj, unit)} {unit}"
    mine = EnergyModel(adc_pj=10.0, dac_pj=1.0, mac_pj=0.0)
    ins.set_energy_model(mine)
    pj2 = conv.adc * 10.0 + conv.dac * 1.0
    assert ins.values["energy"].text() == f"{numbers.energy(pj2, numbers.energy_unit(pj2))} {numbers.energy_unit(pj2)}"
    ins.show_selection(None)
    assert ins.values["energy"].text() == "–"
