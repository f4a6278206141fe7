"""A recovery file that cannot be loaded is set aside, never deleted, and never blocks start-up;
temporary files of interrupted saves are cleaned up."""
from __future__ import annotations

import pytest

from app.settings import data_dir
from app.startup import open_window


def _recovery_path():
    return data_dir() / "recovery.xbarscope.json"


@pytest.mark.parametrize("content", [b"", b'{"format": "xbarscope-project", "vers', b"\x00\xffgarbage",
                                     b'{"format": "xbarscope-project", "version": 1, "network_file": "gone.onnx", '
                                     b'"array": {"rows": 512, "cols": 512, "cell_bits": 1, "weight_bits": 1}}'])
def test_an_unreadable_recovery_file_is_set_aside_with_its_path_shown(qtbot, dialog_script, content):
    path = _recovery_path()
    path.write_bytes(content)
    dialog_script.restore_answer = True
    w = open_window(None, None, (1200, 800))
    try:
        # A project naming a model is read in the worker: wait for it to fail.
        qtbot.waitUntil(lambda: not w.project.importer.slot.busy, timeout=10000)
        assert w.layer_model.rowCount() == 10  # started anyway, on the example
        kept = [p for p in path.parent.iterdir() if p.name.startswith("recovery.xbarscope.unreadable-")]
        assert len(kept) == 1 and kept[0].read_bytes() == content  # the bytes, untouched
        assert not path.exists() or path.read_bytes() != content
        (title, message), = dialog_script.errors
        assert title in ("Cannot recover", "Cannot open project")
        # Where it was kept is said in a dialog (the status line may already show the mapping).
        assert any(str(kept[0]) in text for _, text in dialog_script.errors + dialog_script.infos)
        w.project.recovery.save_now()  # the next autosave does not touch the kept file
        assert kept[0].read_bytes() == content
    finally:
        w.project.mark_clean()
        w.close()


def test_two_unreadable_files_in_one_second_keep_both(qtbot, dialog_script):
    dialog_script.restore_answer = True
    for content in (b"one", b"two"):
        _recovery_path().write_bytes(content)
        w = open_window(None, None, (1200, 800))
        w.project.mark_clean()
        w.close()
    kept = sorted(p.read_bytes() for p in data_dir().iterdir() if ".unreadable-" in p.name)
    assert kept == [b"one", b"two"]


def test_stale_temporary_files_of_the_recovery_file_are_removed_at_start(qtbot, dialog_script):
    folder = data_dir()
    stale = folder / ".recovery.xbarscope.json.0123abcd.tmp"
    other = folder / ".recovery.xbarscope.json.notes.tmp"  # not a name write_atomic makes
    stale.write_text("half a file")
    other.write_text("keep me")
    w = open_window(None, None, (1200, 800))
    try:
        assert not stale.exists() and other.exists()
    finally:
        w.project.mark_clean()
        w.close()
