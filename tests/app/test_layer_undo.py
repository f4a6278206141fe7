"""Edit › Undo / Redo of the layer table: one step per user action, cleared when a project opens."""
from __future__ import annotations

from PySide6.QtCore import Qt

from app.models.layer_rows import COLUMN_INDEX


def settle(qtbot, w) -> None:
    qtbot.waitUntil(lambda: not w.layer_history._pending.isActive(), timeout=2000)


def set_cell(w, row, key, text):
    m = w.layer_model
    assert m.setData(m.index(row, COLUMN_INDEX[key]), text, Qt.EditRole)


def test_a_cell_edit_is_undone_and_redone(qtbot, open_app_window):
    w = open_app_window("vgg13-paper")
    before = w.layer_model.layers()
    set_cell(w, 0, "out_c", "32")
    settle(qtbot, w)
    assert w.layer_model.layers()[0].out_c == 32
    assert w.undo_action.isEnabled() and w.undo_action.text() == "&Undo Layer Edit"
    w.undo_action.trigger()
    assert w.layer_model.layers() == before
    assert w.mapping.request().layers == before  # the inputs followed: results re-map
    assert w.redo_action.isEnabled()
    w.redo_action.trigger()
    assert w.layer_model.layers()[0].out_c == 32
    w.undo_action.trigger()
    settle(qtbot, w)
    assert not w.undo_action.isEnabled()  # an undo is not recorded as a new edit


def test_deleting_rows_is_one_step_and_restores_invalid_cells(qtbot, open_app_window):
    w = open_app_window("vgg13-paper")
    set_cell(w, 2, "kernel", "abc")  # an invalid cell is part of the history too
    settle(qtbot, w)
    raw = w.layer_model.raw_rows()
    w.layer_model.remove([0, 1, 4])
    settle(qtbot, w)
    assert len(w.layer_model.raw_rows()) == len(raw) - 3
    assert w.undo_action.text() == "&Undo Delete 3 Layers"
    w.undo_action.trigger()
    assert w.layer_model.raw_rows() == raw and w.layer_model.problem() is not None
    w.undo_action.trigger()
    assert w.layer_model.problem() is None


def test_opening_another_network_starts_a_new_history(qtbot, open_app_window):
    w = open_app_window("vgg13-paper")
    w.layer_model.add_layer()
    settle(qtbot, w)
    assert w.undo_action.isEnabled()
    w.project.load_preset("resnet18-paper")
    settle(qtbot, w)
    assert not w.undo_action.isEnabled() and w.layer_model.network_name == "resnet18-paper"
