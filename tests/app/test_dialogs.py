"""File dialogs open in the last folder used (exports, projects, imports alike)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog

import app.dialogs as dialogs_module




def test_save_and_open_dialogs_start_in_the_last_folder_used(qapp, tmp_path, monkeypatch):
    asked = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda parent, title, where, filters: asked.append(where) or (where, filters))
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        lambda parent, title, where, filters: asked.append(where) or (str(tmp_path / "b" / "n.csv"), ""))
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    save = dialogs_module._save_file_impl
    open_ = dialogs_module._open_file_impl
    home = Path.home()
    save(None, "Export", ["PNG (*.png)"], "grid.png")
    assert asked[-1] == str(home / "grid.png")  # nothing used yet: home
    save(None, "Export", ["PNG (*.png)"], str(tmp_path / "a" / "grid.png"))  # a full path is kept
    assert asked[-1] == str(tmp_path / "a" / "grid.png")
    save(None, "Export", ["SVG (*.svg)"], "chart.svg")
    assert asked[-1] == str(tmp_path / "a" / "chart.svg")  # the folder of the last save
    open_(None, "Open", ["CSV (*.csv)"])
    assert asked[-1] == str(tmp_path / "a")
    save(None, "Export", ["CSV (*.csv)"], "results.csv")
    assert asked[-1] == str(tmp_path / "b" / "results.csv")  # the folder of the last open


def test_a_cancelled_dialog_does_not_move_the_folder(qapp, tmp_path, monkeypatch):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a: ("", ""))
    dialogs_module.remember_folder(str(tmp_path / "x.png"))
    dialogs_module._save_file_impl(None, "Export", ["PNG (*.png)"], "y.png")
    assert dialogs_module.last_folder() == str(tmp_path.resolve())
