"""Projects: save and reopen, import every format, bad files, unsaved changes, recovery, layout."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from app import dialogs
from app.models.layer_rows import COLUMN_INDEX
from app.startup import open_window
from engine.formats import load_network, load_project, save_network

from .conftest import SAMPLES


def edit_cell(w, row, key, text):
    model = w.layer_model
    assert model.setData(model.index(row, COLUMN_INDEX[key]), text, Qt.EditRole)


def test_save_and_reopen_gives_the_same_project(qtbot, open_app_window, dialog_script, tmp_path):
    w = open_app_window("resnet18-paper")
    edit_cell(w, 2, "out_c", "96")
    w.array_editor.set_size(256, 128)
    w.array_editor.method_boxes["im2col"].setChecked(False)
    w.run_bar.auto_run.setChecked(False)
    w.selection.select(3, "sdk")
    w.view_prefs["log_scale"] = False
    assert w.isWindowModified()

    dialog_script.save_path = str(tmp_path / "study.xbarscope.json")
    w.commands["save"].trigger()  # untitled: Save asks where (Save As)
    assert not w.isWindowModified() and "study.xbarscope.json" in w.windowTitle()
    saved = w.workspace.project()
    assert load_project(dialog_script.save_path) == saved
    assert saved.view["layer"] == 3 and saved.view["method"] == "sdk" and saved.view["log_scale"] is False
    assert saved.options["auto_run"] is False and saved.methods == ("sdk", "vw-sdk")

    other = open_app_window("vgg13-paper")
    assert other.project.open(dialog_script.save_path)
    assert other.workspace.project() == saved
    assert not other.isWindowModified() and "study.xbarscope.json" in other.windowTitle()
    assert other.array_editor.spec().label() == "256x128"
    assert not other.run_bar.auto_run.isChecked()
    assert (other.selection.layer_index, other.selection.method) == (3, "sdk")
    assert dialog_script.save_path in [a.toolTip() for a in other.recent_menu.actions()]


def native_csv(tmp_path):
    path = tmp_path / "native.csv"
    save_network(load_network(SAMPLES / "scalesim-Resnet50.csv"), path, "csv")
    return path


@pytest.mark.parametrize("name", ["neurosim-NetWork_ResNet18.csv", "scalesim-Resnet50.csv",
                                  "scalesim-mobilnet_paper.csv", "native.csv", "layers.json"])
def test_import_each_format(qtbot, open_app_window, tmp_path, name):
    if name == "native.csv":
        path = native_csv(tmp_path)
    elif name == "layers.json":
        path = tmp_path / name
        save_network(load_network(SAMPLES / "neurosim-NetWork_ResNet18.csv"), path, "json")
    else:
        path = SAMPLES / name
    expected = load_network(path)
    w = open_app_window("vgg13-paper")
    assert w.project.import_file(str(path))  # read in the worker, then mapped by itself
    qtbot.waitUntil(lambda: w.mapping.result is not None
                    and w.mapping.result.request.layers == expected.layers, timeout=10000)
    assert w.layer_model.layers() == expected.layers
    assert w.results_table.cell_text("Total", "VW-SDK", "cycles")
    origin = w.layer_editor.origin
    assert origin.text().startswith(f"Imported from {path.name}")
    assert all(note in origin.toolTip() for note in expected.notes)


def test_a_bad_import_leaves_the_open_project_alone(qtbot, open_app_window, dialog_script, tmp_path):
    w = open_app_window("vgg13-paper")
    edit_cell(w, 0, "out_c", "32")
    before = w.layer_model.raw_rows()
    bad = tmp_path / "broken.csv"
    bad.write_text("Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, "
                   "Num Filter, Strides,\nconv1, 224, 224, 3, 3, three, 64, 1,\n")
    with qtbot.waitSignal(w.project.importer.finished, timeout=5000) as blocker:
        w.project.import_file(str(bad))
    assert blocker.args == [False]
    (title, message), = dialog_script.errors
    assert title == "Cannot import" and "broken.csv" in message and "line 2" in message
    assert w.layer_model.raw_rows() == before and w.isWindowModified()
    assert not dialog_script.asked_save  # nothing was about to be replaced


def drop_on(qtbot, w, path) -> None:
    """Drag `path` over the window and drop it, as a file manager does; wait for the import."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    enter = QDragEnterEvent(QPoint(50, 50), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(w, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPoint(50, 50).toPointF(), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    with qtbot.waitSignal(w.project.importer.finished, timeout=10000):
        QApplication.sendEvent(w, drop)


def test_dropping_a_file_on_the_window_imports_it(qtbot, open_app_window):
    w = open_app_window("vgg13-paper")
    drop_on(qtbot, w, SAMPLES / "neurosim-NetWork_ResNet18.csv")
    assert w.layer_model.rowCount() == len(load_network(SAMPLES / "neurosim-NetWork_ResNet18.csv").layers)


def test_import_runs_in_the_worker_and_can_ask_for_an_input_size(qtbot, open_app_window, dialog_script,
                                                                  monkeypatch):
    from app import import_job

    asked = []
    monkeypatch.setattr(dialogs, "ask_input_size", lambda parent, name: asked.append(name) or "32x32")
    real = import_job.import_network

    def needs_size(request, progress=None, should_stop=None):  # an ONNX model with an open input
        if request.input_size is None:
            from engine.errors import FormatError
            raise FormatError(request.path, "node 'conv1': the spatial size of its input 'x' is not "
                              "fixed; give the input size: input_size=(H, W) in Python")
        assert request.input_size == (32, 32)
        net = real(import_job.ImportRequest(request.path), progress, should_stop).network
        return import_job.ImportResult(request, net)  # results echo their request

    w = open_app_window("vgg13-paper")
    w.project.importer.slot.fn = needs_size
    with qtbot.waitSignal(w.project.importer.finished, timeout=5000) as blocker:
        w.project.import_file(str(SAMPLES / "neurosim-NetWork_ResNet18.csv"))
    assert blocker.args == [True] and asked == ["neurosim-NetWork_ResNet18.csv"]
    assert w.layer_model.rowCount() == 21 and not dialog_script.errors


def test_unsaved_changes_are_never_dropped_without_asking(qtbot, open_app_window, dialog_script):
    w = open_app_window("vgg13-paper")
    edit_cell(w, 0, "out_c", "32")
    dialog_script.save_answer = dialogs.CANCEL
    w.commands["new"].trigger()
    assert w.layer_model.layer(0).out_c == 32 and dialog_script.asked_save
    w.layer_editor.preset_chosen.emit("resnet18-paper")
    assert w.layer_model.layer(0).out_c == 32
    w.close()
    assert w.isVisible()  # the close was cancelled too
    dialog_script.save_answer = dialogs.DISCARD
    w.commands["new"].trigger()
    assert w.layer_model.rowCount() == 1 and not w.isWindowModified()


def test_autosave_is_offered_back_after_a_crash(qtbot, open_app_window, dialog_script):
    w = open_app_window("vgg13-paper")
    edit_cell(w, 0, "out_c", "32")
    edit_cell(w, 1, "kernel", "300")  # an invalid row is kept as typed, too
    store = w.project.recovery
    qtbot.waitUntil(store.exists, timeout=5000)  # the autosave timer writes it
    # The process "crashes": the recovery file stays; the next start offers it back.
    dialog_script.restore_answer = True
    again = open_window(None, None, (1200, 800))
    try:
        assert again.layer_model.raw_rows() == w.layer_model.raw_rows()
        assert again.layer_model.layer(0).out_c == 32 and again.layer_model.layer(1) is None
        assert again.isWindowModified()
        assert "Recovered" in again.statusBar().currentMessage()
    finally:
        again.project.mark_clean()
        again.close()
    assert not store.exists()  # a normal exit removes it


def test_declining_recovery_deletes_it(qtbot, open_app_window, dialog_script):
    w = open_app_window("vgg13-paper")
    edit_cell(w, 0, "out_c", "32")
    assert w.project.recovery.save_now()
    dialog_script.restore_answer = False
    again = open_window(None, None, (1200, 800))
    try:
        assert again.layer_model.layer(0).out_c == 64  # the default example instead
        assert not w.project.recovery.exists()
    finally:
        again.close()


def test_panel_layout_is_remembered(qtbot, open_app_window):
    w = open_app_window("vgg13-paper")
    w.inspector_dock.hide()
    w.removeDockWidget(w.sweep_dock)
    w.addDockWidget(Qt.BottomDockWidgetArea, w.sweep_dock)
    w.sweep_dock.show()
    w.close()
    again = open_app_window("vgg13-paper", size=None)
    assert again.inspector_dock.isHidden()
    assert again.dockWidgetArea(again.sweep_dock) == Qt.BottomDockWidgetArea
    again.reset_layout()
    assert not again.inspector_dock.isHidden()
    assert again.sweep_dock in again.tabifiedDockWidgets(again.inspector_dock)


def test_onnx_models_import_and_ask_for_an_open_input_size(qtbot, open_app_window, dialog_script,
                                                           monkeypatch, tmp_path):
    pytest.importorskip("onnx")
    from tests.engine.onnx_builders import Graph, resnet_block, save

    w = open_app_window("vgg13-paper")
    fixed = save(resnet_block().model(), tmp_path / "block.onnx")
    with qtbot.waitSignal(w.project.importer.finished, timeout=10000) as blocker:
        w.project.import_file(str(fixed))
    assert blocker.args == [True], dialog_script.errors
    assert w.layer_model.layers() == load_network(fixed).layers

    g = Graph(("N", 3, "H", "W"))  # the model leaves its input size open
    g.conv("conv1", 3, 8, 3, pads=[1, 1, 1, 1])
    open_size = save(g.model(), tmp_path / "open.onnx")
    monkeypatch.setattr(dialogs, "ask_input_size", lambda parent, name: "40x30")
    with qtbot.waitSignal(w.project.importer.finished, timeout=10000) as blocker:
        w.project.import_file(str(open_size))
    assert blocker.args == [True], dialog_script.errors
    layer = w.layer_model.layer(0)
    assert (layer.in_h, layer.in_w, layer.in_c, layer.out_c) == (40, 30, 3, 8)


def test_a_project_whose_model_leaves_the_input_size_open_asks_for_it(qtbot, open_app_window, dialog_script,
                                                                      monkeypatch, tmp_path):
    pytest.importorskip("onnx")
    import json

    from tests.engine.onnx_builders import Graph, save

    g = Graph(("N", 3, "H", "W"))
    g.conv("conv1", 3, 8, 3, pads=[1, 1, 1, 1])
    save(g.model(), tmp_path / "open.onnx")
    project = tmp_path / "open.xbarscope.json"
    project.write_text(json.dumps({"format": "xbarscope-project", "version": 1, "network_file": "open.onnx",
                                   "array": {"rows": 128, "cols": 128}}))
    w = open_app_window("vgg13-paper")
    asked = []
    monkeypatch.setattr(dialogs, "ask_input_size", lambda parent, name: asked.append(name) or "40x30")
    open_in_worker(qtbot, w, project)
    assert asked == ["open.xbarscope.json"] and not dialog_script.errors
    layer = w.layer_model.layer(0)
    assert (layer.in_h, layer.in_w, layer.in_c, layer.out_c) == (40, 30, 3, 8)

    monkeypatch.setattr(dialogs, "ask_input_size", lambda parent, name: None)  # the user cancels
    other = open_app_window("resnet18-paper")
    open_in_worker(qtbot, other, project, ok=False)
    assert other.layer_model.network_name == "resnet18-paper" and not dialog_script.errors
    monkeypatch.setattr(dialogs, "ask_input_size", lambda parent, name: "0x30")  # nonsense: said so
    open_in_worker(qtbot, other, project, ok=False)
    assert other.layer_model.network_name == "resnet18-paper"
    from engine.layers import MAX_SPATIAL
    assert dialog_script.errors[-1] == ("Cannot open project", "input size (0, 30): height and width "
                                        f"must be whole numbers from 1 to {MAX_SPATIAL}")


def test_a_saved_project_keeps_the_imported_model_and_its_weights(qtbot, open_app_window, dialog_script, tmp_path):
    """Weights live in the model file: the project refers to it while the table holds its layers."""
    pytest.importorskip("onnx")
    import json

    from tests.engine.onnx_builders import resnet_block, save

    (tmp_path / "models").mkdir()
    model = save(resnet_block().model(), tmp_path / "models" / "block.onnx")
    w = open_app_window("vgg13-paper")
    with qtbot.waitSignal(w.project.importer.finished, timeout=10000):
        w.project.import_file(str(model))
    assert w.crossbar_weights is not None
    dialog_script.save_path = str(tmp_path / "study.xbarscope.json")
    w.commands["save"].trigger()
    doc = json.loads((tmp_path / "study.xbarscope.json").read_text())
    assert doc["network_file"] == "models/block.onnx" and "network" not in doc  # relative: they move together

    other = open_app_window("resnet18-paper")
    open_in_worker(qtbot, other, dialog_script.save_path)
    assert other.layer_model.layers() == w.layer_model.layers() and other.project.path.name == "study.xbarscope.json"
    net = other.crossbar_weights
    layer = other.layer_model.layers()[0]
    assert net is not None and np.array_equal(net.weights_for(layer.name), w.crossbar_weights.weights_for(layer.name))

    m = other.layer_model
    assert m.setData(m.index(0, COLUMN_INDEX["out_c"]), str(layer.out_c * 2), Qt.EditRole)  # no longer the model
    dialog_script.save_path = str(tmp_path / "edited.xbarscope.json")
    other.commands["save_as"].trigger()
    doc = json.loads((tmp_path / "edited.xbarscope.json").read_text())
    assert "network_file" not in doc and doc["network"]["layers"][0]["out_c"] == layer.out_c * 2


def test_a_model_read_with_an_asked_input_size_is_saved_with_it(qtbot, open_app_window, dialog_script,
                                                                 monkeypatch, tmp_path):
    pytest.importorskip("onnx")
    import json

    from tests.engine.onnx_builders import Graph, save

    g = Graph(("N", 3, "H", "W"))
    g.conv("conv1", 3, 8, 3, pads=[1, 1, 1, 1])
    model = save(g.model(), tmp_path / "open.onnx")
    monkeypatch.setattr(dialogs, "ask_input_size", lambda parent, name: "40x30")
    w = open_app_window("vgg13-paper")
    with qtbot.waitSignal(w.project.importer.finished, timeout=10000):
        w.project.import_file(str(model))
    dialog_script.save_path = str(tmp_path / "open.xbarscope.json")
    w.commands["save"].trigger()
    doc = json.loads((tmp_path / "open.xbarscope.json").read_text())
    assert (doc["network_file"], doc["network_input_size"]) == ("open.onnx", [40, 30])
    monkeypatch.setattr(dialogs, "ask_input_size", lambda parent, name: pytest.fail("asked again"))
    other = open_app_window("resnet18-paper")
    open_in_worker(qtbot, other, dialog_script.save_path)
    layer = other.layer_model.layer(0)
    assert (layer.in_h, layer.in_w) == (40, 30)


def test_recovery_of_an_imported_model_keeps_its_weights(qtbot, open_app_window, dialog_script, tmp_path):
    pytest.importorskip("onnx")
    from engine.energy import EnergyModel
    from tests.engine.onnx_builders import resnet_block, save

    model = save(resnet_block().model(), tmp_path / "block.onnx")
    w = open_app_window("vgg13-paper")
    with qtbot.waitSignal(w.project.importer.finished, timeout=10000):
        w.project.import_file(str(model))
    w.energy_editor.set_model(EnergyModel(adc_pj=3.0))  # an edit: the autosave writes
    store = w.project.recovery
    qtbot.waitUntil(store.exists, timeout=5000)
    dialog_script.restore_answer = True
    again = open_window(None, None, (1200, 800))
    try:
        assert again.project.importer.slot.busy  # the model is read in the worker, not on the GUI thread
        qtbot.waitUntil(lambda: not again.project.importer.slot.busy, timeout=10000)
        assert again.layer_model.layers() == w.layer_model.layers()
        # Recovered and unsaved (the "Recovered…" status line is tested with the plain recovery above;
        # here the mapping that follows the worker's answer may already have replaced it).
        assert again.isWindowModified() and again.project.dirty
        assert again.crossbar_weights is not None and again.energy_editor.model() == EnergyModel(adc_pj=3.0)
    finally:
        again.project.mark_clean()
        again.close()


def open_in_worker(qtbot, w, path, ok=True):
    """Open a project whose network is a model file: it is read in the worker."""
    with qtbot.waitSignal(w.project.importer.finished, timeout=10000) as blocker:
        assert not w.project.open(str(path))  # not open yet: the worker reads the model
        assert w.project.importer.slot.busy
    assert blocker.args == [ok]


def test_opening_a_model_project_can_be_cancelled(qtbot, open_app_window, dialog_script, tmp_path, monkeypatch):
    pytest.importorskip("onnx")
    import json
    import time

    import engine.formats.project as project_format
    from engine.errors import Cancelled

    real_load = project_format.load_project

    def slow_load(path, progress=None, should_stop=None, input_size=None, **kwargs):  # a big model: seconds
        for _ in range(500):
            if should_stop():
                raise Cancelled()
            time.sleep(0.01)
        return real_load(path, progress, should_stop, input_size, **kwargs)

    from tests.engine.onnx_builders import resnet_block, save

    save(resnet_block().model(), tmp_path / "block.onnx")
    project = tmp_path / "p.xbarscope.json"
    project.write_text(json.dumps({"format": "xbarscope-project", "version": 1, "network_file": "block.onnx",
                                   "array": {"rows": 256, "cols": 256}}))
    w = open_app_window("vgg13-paper")
    monkeypatch.setattr(project_format, "load_project", slow_load)
    with qtbot.waitSignal(w.project.importer.finished, timeout=10000) as blocker:
        w.project.open(str(project))
        assert w.commands["cancel"].isEnabled()
        w.commands["cancel"].trigger()  # Esc
    assert blocker.args == [False] and w.layer_model.network_name == "vgg13-paper" and not dialog_script.errors
    bad = tmp_path / "bad.xbarscope.json"
    bad.write_text(json.dumps({"format": "xbarscope-project", "version": 1, "network_file": "missing.onnx",
                               "array": {"rows": 256, "cols": 256}}))
    monkeypatch.setattr(project_format, "load_project", real_load)
    with qtbot.waitSignal(w.project.importer.finished, timeout=10000):
        w.project.open(str(bad))
    assert dialog_script.errors[-1][0] == "Cannot open project" and "missing.onnx" in dialog_script.errors[-1][1]
    assert w.layer_model.network_name == "vgg13-paper"


def test_a_network_file_outside_the_project_folder_is_asked_about(qtbot, open_app_window, dialog_script, tmp_path):
    import json

    (tmp_path / "nets").mkdir()
    (tmp_path / "nets" / "two.csv").write_text("8,8,1,3,3,4,0,1\n8,8,4,3,3,6,0,1\n")
    (tmp_path / "project").mkdir()
    project = tmp_path / "project" / "p.xbarscope.json"
    project.write_text(json.dumps({"format": "xbarscope-project", "version": 1, "network_file": "../nets/two.csv",
                                   "array": {"rows": 256, "cols": 256}}))
    w = open_app_window("vgg13-paper")
    assert w.project.open(str(project)) is False  # declined: nothing read, nothing changed
    assert dialog_script.asked_outside == [(str(project), str(tmp_path / "project" / "../nets/two.csv"),
                                            f"climbs out of {tmp_path / 'project'}")]
    assert w.layer_model.network_name == "vgg13-paper" and not dialog_script.errors
    assert "outside its folder" in w.statusBar().currentMessage()
    dialog_script.outside_answer = True
    with qtbot.waitSignal(w.project.importer.finished, timeout=10000) as blocker:
        w.project.open(str(project))
    assert blocker.args == [True] and not dialog_script.errors
    assert [layer.out_c for layer in w.layer_model.layers()] == [4, 6]
    inside = tmp_path / "nets" / "q.xbarscope.json"
    inside.write_text(json.dumps({"format": "xbarscope-project", "version": 1, "network_file": "two.csv",
                                  "array": {"rows": 256, "cols": 256}}))
    with qtbot.waitSignal(w.project.importer.finished, timeout=10000):
        w.project.open(str(inside))
    assert len(dialog_script.asked_outside) == 2 and w.project.path == inside  # not asked again


def _layer_folder(root):
    """A CiMLoop-style workload folder (0.yaml, 1.yaml), written as its layer files are shaped."""
    folder = root / "workloads" / "tiny"
    folder.mkdir(parents=True)
    for i, (c, m) in enumerate([(3, 16), (16, 32)]):
        (folder / f"{i}.yaml").write_text(f"problem:\n  instance: {{C: {c}, M: {m}, P: 8, Q: 8, R: 3, S: 3}}\n")
    return folder


def test_file_import_folder_and_a_dropped_folder_read_timeloop_layers(qtbot, open_app_window, dialog_script,
                                                                      tmp_path):
    pytest.importorskip("yaml")
    folder = _layer_folder(tmp_path)
    w = open_app_window("vgg13-paper")
    assert "Import Layer &Folder…" in [a.text() for a in w.menuBar().actions()[0].menu().actions()]
    dialog_script.folder_path = ""
    w.commands["import_folder"].trigger()  # cancelled: nothing changes
    assert w.layer_model.network_name == "vgg13-paper"
    dialog_script.folder_path = str(folder)
    with qtbot.waitSignal(w.project.importer.finished, timeout=10000) as blocker:
        w.commands["import_folder"].trigger()
    assert blocker.args == [True] and not dialog_script.errors
    assert [(layer.in_c, layer.out_c) for layer in w.layer_model.layers()] == [(3, 16), (16, 32)]
    w.project.load_preset("vgg13-paper")
    drop_on(qtbot, w, folder)
    assert w.layer_model.rowCount() == 2
    other = tmp_path / "photos"
    other.mkdir()
    (other / "a.png").write_bytes(b"\x89PNG")
    assert w.project.import_folder(str(other)) is False
    assert dialog_script.errors[-1][0] == "Cannot import" and "numbered Timeloop/CiMLoop" in dialog_script.errors[-1][1]
    assert w.layer_model.rowCount() == 2  # a bad folder changes nothing


def test_a_shape_only_onnx_model_imports_its_layers_and_says_the_weights_are_missing(qtbot, open_app_window,
                                                                                   dialog_script, tmp_path):
    pytest.importorskip("onnx")
    from tests.engine.test_onnx_shape_only import _shape_only

    _, path = _shape_only(tmp_path)
    w = open_app_window("vgg13-paper")
    w.project.mark_clean()
    with qtbot.waitSignal(w.project.importer.finished, timeout=20000) as blocker:
        w.project.import_file(str(path))
    assert blocker.args == [True] and not dialog_script.errors
    assert [layer.name for layer in w.layer_model.layers()] == ["conv1", "fc"]
    assert "weights not available" in w.statusBar().currentMessage()
    assert w.project.ws.project().network_file is None  # nothing to come back: the layers are saved
