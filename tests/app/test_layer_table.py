"""The layer table model: engine validation per cell, row actions, what the user typed kept."""
from __future__ import annotations

from PySide6.QtCore import Qt

from app.models.layer_rows import COLUMN_INDEX, parse_pair, set_cell
from app.models.layer_table_model import INVALID_BG, LayerTableModel
from engine import ConvLayer
from engine.network import Network

C = COLUMN_INDEX


def model_with(*layers) -> LayerTableModel:
    m = LayerTableModel()
    m.set_network(Network("net", tuple(layers)))
    return m


def edit(m, row, key, text):
    return m.setData(m.index(row, C[key]), text, Qt.EditRole)


def test_valid_network_round_trips():
    layers = (ConvLayer("a", 32, 32, 3, 16, 3, 3, pad_h=1, pad_w=1),
              ConvLayer("b", 32, 16, 16, 32, 3, 1, stride_h=2, stride_w=1, groups=2),
              ConvLayer.linear("fc", 512, 10))
    m = model_with(*layers)
    assert m.layers() == layers and m.problem() is None
    assert m.index(1, C["ifm"]).data() == "32×16"
    assert m.index(1, C["kernel"]).data() == "3×1"
    assert m.index(1, C["stride"]).data() == "2×1"
    assert m.index(0, C["ofm"]).data() == "32×32"


def test_kernel_larger_than_ifm_marks_the_cell_with_the_engine_message():
    m = model_with(ConvLayer("c1", 8, 8, 3, 16, 3, 3))
    assert edit(m, 0, "kernel", "9")
    cell = m.index(0, C["kernel"])
    assert cell.data(Qt.BackgroundRole).color() == INVALID_BG
    assert "kernel height 9 is larger than the padded input height 8" in cell.data(Qt.ToolTipRole)
    assert m.layers() is None and "row 1" in m.problem()
    assert m.index(0, C["kernel"]).data() == "9×9"  # what the user typed stays visible
    assert m.index(0, C["ofm"]).data() == "?"
    assert edit(m, 0, "ifm", "10x10")  # fixing the input fixes the row
    assert m.problem() is None and m.index(0, C["ofm"]).data() == "2×2"


def test_text_is_kept_and_explained():
    m = model_with(ConvLayer("c1", 8, 8, 3, 16, 3, 3))
    edit(m, 0, "in_c", "lots")
    tip = m.index(0, C["in_c"]).data(Qt.ToolTipRole)
    assert "in_c: must be a whole number, got 'lots'" in tip
    edit(m, 0, "in_c", "1,024")  # thousands separators are fine
    assert m.layer(0).in_c == 1024


def test_duplicate_names_are_marked_on_the_later_row():
    m = model_with(ConvLayer("a", 8, 8, 3, 16, 3, 3), ConvLayer("b", 8, 8, 3, 16, 3, 3))
    edit(m, 1, "name", "a")
    assert m.layers() is None
    assert "already used by row 1" in m.index(1, C["name"]).data(Qt.ToolTipRole)
    assert m.index(0, C["name"]).data(Qt.BackgroundRole) is None


def test_row_actions_add_duplicate_move_delete():
    m = model_with(ConvLayer("a", 32, 32, 3, 16, 3, 3))
    m.add_layer()
    new = m.layer(1)
    assert (new.in_h, new.in_c) == (30, 16)  # takes the previous layer's output
    m.duplicate(0)
    assert m.layer(1).name == "a_copy" and m.rowCount() == 3
    assert m.move(1, +1) == 2 and m.layer(2).name == "a_copy"
    assert m.move(0, -1) == 0  # already at the top
    m.remove([0, 2])
    assert [m.layer(r).name for r in range(m.rowCount())] == [new.name]


def test_switching_to_linear_flattens_the_input():
    row = {"name": "f", "kind": "conv", "in_h": 7, "in_w": 7, "in_c": 512, "out_c": 10, "k_h": 3,
           "k_w": 3, "stride_h": 1, "stride_w": 1, "pad_h": 0, "pad_w": 0, "groups": 1}
    new = set_cell(row, "kind", "linear")
    assert ConvLayer(**new) == ConvLayer.linear("f", 7 * 7 * 512, 10)


def test_pairs_parse_all_spellings():
    assert parse_pair("3") == (3, 3)
    assert parse_pair("2x1") == (2, 1)
    assert parse_pair("2×1") == (2, 1)
    assert parse_pair("2*1") == (2, 1)
    assert parse_pair("a") == ("a", "a")


def test_raw_rows_survive_with_invalid_cells():
    m = model_with(ConvLayer("a", 8, 8, 3, 16, 3, 3))
    edit(m, 0, "kernel", "12")
    rows = m.raw_rows()
    other = LayerTableModel()
    assert other.set_raw_rows(rows)
    assert other.raw_rows() == rows and other.layers() is None
    assert not other.set_raw_rows([{"name": "x"}])  # malformed: refused whole


def test_a_cell_edit_checks_that_row_alone_but_repeated_names_everywhere(monkeypatch):
    import app.models.layer_table_model as ltm

    m = model_with(*(ConvLayer(f"l{i}", 16, 16, 8, 8, 3, 3) for i in range(2000)))
    calls = []
    real = ltm.check_row
    monkeypatch.setattr(ltm, "check_row", lambda row: calls.append(row["name"]) or real(row))
    assert edit(m, 5, "out_c", "12")
    assert calls == ["l5"]  # one layer built, not 2,000
    assert m.layer(5).out_c == 12 and m.layer(6).in_c == 8
    assert edit(m, 7, "name", "l3")  # a repeat of an untouched row is still found
    assert m.layer(7) is None and "already used by row 4" in m.problem()
    assert edit(m, 7, "name", "l7")
    assert m.problem() is None and len(m.layers()) == 2000
