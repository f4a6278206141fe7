"""`--self-test` fails with one line and exit 1 (in-process, from source; quick, not marked)."""
from __future__ import annotations

import pytest

from app import self_test
from app.workers import running_job_count


@pytest.fixture
def private_home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".config"))


def test_no_presets_is_one_line_and_exit_1(qapp, private_home, monkeypatch, capsys):
    monkeypatch.setattr("engine.presets.list_presets", lambda: [])
    assert self_test.run() == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("xbarscope self-test failed: resources: no presets found in ")
    assert "\n" not in err


def test_a_mapping_that_does_not_finish_closes_the_window_and_fails(qapp, private_home, monkeypatch, capsys):
    monkeypatch.setattr(self_test, "MAPPING_TIMEOUT_S", 0.0)
    assert self_test.run() == 1
    out, err = capsys.readouterr()
    assert "window:" in out and "self-test passed" not in out
    assert err.strip() == "xbarscope self-test failed: mapping: timed out after 0 s"
    assert running_job_count() == 0  # the window was closed and its workers awaited
    assert not [w for w in qapp.topLevelWidgets() if w.isVisible()]


def test_from_source_it_passes_and_says_what_it_did(qapp, private_home, capsys):
    assert self_test.run() == 0
    out = capsys.readouterr().out
    for step in ("resources:", "window:", "mapping: vgg13-paper", "crossbar view:", "window picture:",
                 "exports: GIF"):
        assert step in out
    assert out.rstrip().endswith("xbarscope self-test passed")
