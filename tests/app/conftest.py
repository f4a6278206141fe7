"""pytest-qt fixtures: private settings and data folders, scripted dialogs, and a check that
fails any test which leaves worker threads or timers running."""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QStandardPaths, QTimer
from PySide6.QtWidgets import QApplication

from app import dialogs
from app.workers import JobRunner, running_job_count

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"


@pytest.fixture(autouse=True)
def private_paths(tmp_path, monkeypatch):
    """QSettings and AppDataLocation point into tmp_path: tests never touch a user's files."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    QStandardPaths.setTestModeEnabled(True)  # AppDataLocation -> $HOME/.qttest/...
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(tmp_path / "settings"))
    yield tmp_path
    data = QStandardPaths.writableLocation(QStandardPaths.AppDataLocation)
    assert data.startswith(str(home)), f"app data escaped the test folder: {data}"


class DialogScript:
    """Stands in for app.dialogs: records what would have been asked, answers as told."""

    def __init__(self):
        self.errors: list[tuple[str, str]] = []
        self.infos: list[tuple[str, str]] = []
        self.asked_save: list[str] = []
        self.save_answer = dialogs.DISCARD
        self.restore_answer = False
        self.outside_answer = False
        self.asked_outside: list[tuple[str, str, str]] = []
        self.open_path = ""
        self.folder_path = ""
        self.save_path = ""

    def install(self, monkeypatch):
        monkeypatch.setattr(dialogs, "error", lambda parent, title, msg: self.errors.append((title, msg)))
        monkeypatch.setattr(dialogs, "info", lambda parent, title, msg: self.infos.append((title, msg)))
        monkeypatch.setattr(dialogs, "ask_save_changes", self._ask_save)
        monkeypatch.setattr(dialogs, "ask_restore", lambda parent, path, when: self.restore_answer)
        monkeypatch.setattr(dialogs, "ask_outside_reference", self._ask_outside)
        monkeypatch.setattr(dialogs, "open_file", lambda *a, **k: (self.open_path, ""))
        monkeypatch.setattr(dialogs, "open_folder", lambda *a, **k: self.folder_path)
        monkeypatch.setattr(dialogs, "save_file", lambda *a, **k: (self.save_path, ""))

    def _ask_outside(self, parent, project, target, why):
        self.asked_outside.append((project, target, why))
        return self.outside_answer

    def _ask_save(self, parent, name):
        self.asked_save.append(name)
        return self.save_answer


@pytest.fixture(autouse=True)
def dialog_script(monkeypatch):
    """No test ever blocks on a modal dialog."""
    script = DialogScript()
    script.install(monkeypatch)
    return script


@pytest.fixture(autouse=True)
def nothing_left_running(qapp, qtbot):
    """Fail a test that leaves worker threads or active timers behind it."""
    yield
    try:
        qtbot.waitUntil(lambda: running_job_count() == 0, timeout=2000)
    except AssertionError:
        pytest.fail(f"{running_job_count()} worker job(s) still running after the test")
    active = [(t, t.parent()) for w in QApplication.topLevelWidgets() for t in w.findChildren(QTimer)
              if t.isActive()]
    from app.main_window import MainWindow

    for w in QApplication.topLevelWidgets():  # do not let one test's windows leak into the next
        # Only our windows: pyqtgraph keeps parentless menus of its own that it deletes itself.
        if isinstance(w, MainWindow):
            w.close()
            w.deleteLater()
    assert not active, f"timers still active after the test: {active}"


@pytest.fixture
def runner(qapp):
    """A worker runner of its own, shut down after the test."""
    r = JobRunner()
    yield r
    r.shutdown()


@pytest.fixture
def open_app_window(qtbot):
    """Factory: a real main window as `xbarscope` opens it; closed (and checked) afterwards."""
    from app.startup import create_application, open_window

    windows = []

    def make(network="vgg13-paper", array=None, size=(1400, 900)):
        from engine.presets import load_preset

        create_application()
        net = load_preset(network) if isinstance(network, str) else network
        w = open_window(net, array, size)
        windows.append(w)
        qtbot.waitUntil(lambda: w.comparison.widget is not None, timeout=10000)  # charts built
        return w

    yield make
    for w in windows:
        w.project.mark_clean()
        w.close()
        assert not w.isVisible()


def wait_for_charts(qtbot, w, timeout=5000) -> None:
    """The comparison and bound charts redraw on a later turn of the event loop than the
    result signal (LazyPanel.call_soon): wait until both show the window's current result."""
    def shown():
        charts = (w.comparison.widget, w.bound_panel.widget)
        return all(c is not None and c.result is w.mapping.result for c in charts)

    qtbot.waitUntil(shown, timeout=timeout)
