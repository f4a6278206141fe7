"""Results rows, totals, sorting with totals last, CSV/clipboard text; design-space helpers."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from app.design_space import DesignSpaceRequest, candidate_at, compute, focus_box, what_if_plan
from app.models.result_rows import COLUMN_INDEX, TOTAL, build_rows, to_delimited
from app.models.results_model import ROW_ROLE, ResultsModel, TotalsLastProxy
from app.widgets.design_space_view import heat_rgba
from engine import ArraySpec, ConvLayer
from engine.batch import MapRequest, map_network
from engine.presets import load_preset


@pytest.fixture(scope="module")
def vgg13_result():
    net = load_preset("vgg13-paper")
    return map_network(MapRequest(net.layers, ArraySpec(512, 512), ("im2col", "sdk", "vw-sdk")))


def test_totals_rows_hold_the_paper_figures(vgg13_result):
    rows = build_rows(vgg13_result)
    totals = {r.method: r for r in rows if r.layer_index == TOTAL}
    assert {m: r.values["cycles"] for m, r in totals.items()} == {
        "im2col": 243736, "sdk": 114697, "vw-sdk": 77102}
    assert totals["vw-sdk"].texts["cycles"] == "77,102"
    assert totals["vw-sdk"].texts["vs_im2col"] == "3.16×"
    assert totals["vw-sdk"].texts["vs_sdk"] == "1.49×"
    first = next(r for r in rows if r.layer_index == 0 and r.method == "vw-sdk")
    assert first.texts["windows"] == "1×8" and first.texts["pixels"] == "3×10"
    assert first.texts["tiles"] == "3 / 64"


def test_only_the_chosen_methods_are_shown(vgg13_result):
    rows = build_rows(vgg13_result, ("vw-sdk",))
    assert {r.method for r in rows} == {"vw-sdk"}
    assert rows[0].values["vs_im2col"] == pytest.approx(49284 / 6216)  # baselines still used


@pytest.mark.parametrize("order", [Qt.AscendingOrder, Qt.DescendingOrder])
def test_sorting_keeps_totals_last(qapp, vgg13_result, order):
    model = ResultsModel()
    model.set_result(vgg13_result)
    proxy = TotalsLastProxy()
    proxy.setSourceModel(model)
    proxy.sort(COLUMN_INDEX["cycles"], order)
    rows = [proxy.index(r, 0).data(ROW_ROLE) for r in range(proxy.rowCount())]
    assert all(r.is_total for r in rows[-3:]) and not any(r.is_total for r in rows[:-3])
    cycles = [r.values["cycles"] for r in rows[:-3]]
    assert cycles == sorted(cycles, reverse=order == Qt.DescendingOrder)


@pytest.fixture(scope="module")
def every_method_result():
    from engine.methods import METHODS

    net = load_preset("resnet18-paper")
    return map_network(MapRequest(net.layers, ArraySpec(256, 256, 2, 4), tuple(METHODS)))


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("shown", [None, ("vw-sdk", "pairs")])
def test_sort_order_is_the_order_of_the_shown_values_for_every_column(every_method_result, shown, descending):
    """The numpy order equals sorting the rows by the values they show (SORT_ROLE): empty
    cells first ascending and last descending, ties in network order, then method order."""
    from app.models.result_rows import COLUMNS

    from functools import cmp_to_key

    from app.models.result_rows import COLUMNS

    rows = build_rows(every_method_result, shown)
    layers = [i for i in range(len(rows)) if not rows[i].is_total]
    sign = -1 if descending else 1
    for column in COLUMNS:
        def compare(i, j):
            a, b = rows[i].values.get(column.key), rows[j].values.get(column.key)
            if (a is None) != (b is None):
                return -sign if a is None else sign
            if a is not None and a != b:
                return sign * (-1 if a < b else 1)
            return i - j

        order = rows.sort_order(column.key, descending).tolist()
        assert order[:len(layers)] == sorted(layers, key=cmp_to_key(compare)), column.key
        assert order[len(layers):] == list(range(len(layers), len(rows)))  # totals last, method order


def test_the_table_sorts_by_a_header_click_and_keeps_the_selection(qtbot, every_method_result):
    from app.widgets.results_table import ResultsTable

    model = ResultsModel()
    table = ResultsTable(model)
    qtbot.addWidget(table)
    model.set_result(every_method_result)
    table.select(3, "vw-sdk")
    assert [(i.data(ROW_ROLE).layer_index, i.data(ROW_ROLE).method)
            for i in table.table.selectionModel().selectedRows()] == [(3, "vw-sdk")]
    table.table.sortByColumn(COLUMN_INDEX["cycles"], Qt.DescendingOrder)  # what a header click calls
    assert table.proxy.sortColumn() == COLUMN_INDEX["cycles"] and table.proxy.sortOrder() == Qt.DescendingOrder
    shown = [table.proxy.index(r, 0).data(ROW_ROLE) for r in range(table.proxy.rowCount())]
    cycles = [r.values["cycles"] for r in shown if not r.is_total]
    assert cycles == sorted(cycles, reverse=True) and all(r.is_total for r in shown[len(cycles):])
    selected = [i.data(ROW_ROLE) for i in table.table.selectionModel().selectedRows()]
    assert [(r.layer_index, r.method) for r in selected] == [(3, "vw-sdk")]  # the selection followed its row


def test_csv_has_raw_numbers_one_figure_per_column(vgg13_result):
    text = to_delimited(build_rows(vgg13_result))
    lines = text.splitlines()
    assert lines[0].startswith("layer,method,cycles,nh,nw,ph,pw,ict,oct,ar,ac,")
    assert "conv1_1,vw-sdk,6216,1,8,3,10,3,64,1,1," in text
    assert lines[-1].startswith("Total,vw-sdk,77102,")
    assert len(lines) == 1 + 30 + 3


def test_design_space_candidates_and_what_if():
    layer = ConvLayer("l", 14, 14, 256, 256, 3, 3)
    space = compute(DesignSpaceRequest(layer, ArraySpec(512, 512)))
    assert space.shape == (12, 12)
    best = space.optimum
    assert (best.pix_h * best.pix_w, best.ict, best.ar) == (12, 42, 7)  # model doc, section 8
    assert space.candidate(best.nh, best.nw)["cycles"] == best.cycles == 504
    plan = what_if_plan(space, 2, 2)
    assert plan.what_if and plan.cycles == space.candidate(2, 2)["cycles"]
    nh_max, nw_max = focus_box(space, 2)
    assert best.nh <= nh_max <= 12 and best.nw <= nw_max <= 12
    small = compute(DesignSpaceRequest(layer, ArraySpec(128, 128)))
    assert what_if_plan(small, 12, 12) is None  # a 14x14-pixel window needs 196 > 128 rows
    assert candidate_at(2.4, 0.6, space.shape) == (1, 2)
    assert candidate_at(0.4, 3, space.shape) is None
    rgba = heat_rgba(small.cycles())
    assert rgba.shape == (12, 12, 4)
    assert rgba[11, 11, 3] == 0 and rgba[0, 0, 3] == 255


def test_heat_is_brightest_at_fewest_cycles():
    cycles = np.array([[10, 100], [-1, 1000]])
    rgba = heat_rgba(cycles).astype(int)
    brightness = rgba[..., :3].sum(axis=2)
    assert brightness[0, 0] > brightness[1, 0] > brightness[1, 1]
    assert rgba[0, 1, 3] == 0  # (nh=2, nw=1) is invalid: transparent


def test_csv_export_keeps_formula_like_layer_names_as_text(qtbot):
    """CSV injection: a name starting with = + - @ is quoted so a spreadsheet shows it as text."""
    import csv
    import io

    from engine import ArraySpec, ConvLayer
    from engine.batch import MapRequest, map_network

    layers = (ConvLayer("=HYPERLINK(\"x\")", 8, 8, 4, 4, 3, 3), ConvLayer("@sum", 6, 6, 4, 4, 3, 3),
              ConvLayer("plain,name", 6, 6, 4, 4, 3, 3))
    result = map_network(MapRequest(layers, ArraySpec(64, 64), ("im2col", "sdk")))
    table = list(csv.DictReader(io.StringIO(to_delimited(build_rows(result)))))
    names = [row["layer"] for row in table if row["layer"] != "Total"]
    assert names == ["'=HYPERLINK(\"x\")"] * 2 + ["'@sum"] * 2 + ["plain,name"] * 2
