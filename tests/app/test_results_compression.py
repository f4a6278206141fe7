"""Compression figures in the results table and its CSV: from the engine's plans, shown only when needed."""
from __future__ import annotations

import csv
import io

import pytest

from app.models.result_rows import COLUMN_INDEX, COMPRESSION_COLUMNS, TOTAL, build_rows, to_delimited
from app.models.results_model import ResultsModel
from app.widgets.results_table import ResultsTable
from engine import ArraySpec, ConvLayer
from engine.batch import MapRequest, map_network

LAYERS = (ConvLayer("a", 16, 16, 32, 32, 3, 3), ConvLayer("b", 16, 16, 32, 48, 3, 3, pad_h=1, pad_w=1))
ARRAY = ArraySpec(128, 128)


@pytest.fixture(scope="module")
def result():
    return map_network(MapRequest(LAYERS, ARRAY, ("im2col", "sdk", "pairs", "vwc-sdk")))


def test_rows_carry_the_engine_figures(result):
    rows = build_rows(result)
    first = next(r for r in rows if r.layer_index == 0 and r.method == "pairs")
    comp = result.plans[0]["pairs"].compression
    # The case: corner4 on the SDK 3x3 PW skips 2P-1 = 5 of 9 rows per channel.
    assert (first.values["rows_skipped"], comp.rows_skipped) == (32 * 5, 32 * 5)
    assert first.texts["compression_rate"] == "2.25×" and first.values["cycles"] == 196
    assert first.values["cycles_before"] == 588 and first.texts["channels_removed"] == ""
    sdk = next(r for r in rows if r.layer_index == 0 and r.method == "sdk")
    assert all(sdk.texts[k] == "" for k in COMPRESSION_COLUMNS)
    total = next(r for r in rows if r.layer_index == TOTAL and r.method == "pairs")
    plans = [p["pairs"].compression for p in result.plans]
    assert total.values["rows_skipped"] == sum(c.rows_skipped for c in plans)
    assert total.values["compression_rate"] == pytest.approx(sum(c.dense_rows for c in plans)
                                                             / sum(c.kept_rows for c in plans))
    vwc = [r for r in rows if r.method == "vwc-sdk"]
    assert [r.values["channels_removed"] for r in vwc[:2]] == \
        [int(p["vwc-sdk"].compression.channels_removed.size) for p in result.plans]


def test_csv_export_has_the_compression_columns(result):
    table = list(csv.DictReader(io.StringIO(to_delimited(build_rows(result)))))
    row = next(r for r in table if r["layer"] == "a" and r["method"] == "pairs")
    assert (row["rows_before"], row["rows_after"], row["rows_skipped"], row["cycles_before"]) == \
        ("288", "128", "160", "588")
    assert float(row["compression_rate"]) == pytest.approx(2.25)
    assert next(r for r in table if r["layer"] == "a" and r["method"] == "sdk")["rows_skipped"] == ""


def test_table_hides_the_columns_without_a_compressed_method(qtbot, result):
    model = ResultsModel()
    table = ResultsTable(model)
    qtbot.addWidget(table)
    model.set_result(result, ("sdk", "pairs"))
    assert not any(table.table.isColumnHidden(COLUMN_INDEX[k]) for k in ("rows_skipped", "compression_rate"))
    assert table.cell_text("a", "PAIRS", "rows_skipped") == "160"
    model.set_result(result, ("im2col", "sdk"))
    assert all(table.table.isColumnHidden(COLUMN_INDEX[k]) for k in COMPRESSION_COLUMNS)


def test_totals_efficiency_uses_each_method_own_bound(result):
    rows = build_rows(result)
    for r in (r for r in rows if r.layer_index == TOTAL):
        assert r.values["lower_bound"] == result.lower_bound_total(r.method)
        assert 0 < r.values["efficiency"] <= 1, r.method
