"""File > Open opens every file Import reads: an ONNX model over the layer-file size limit,
a layer list; a project still opens as a project."""
from __future__ import annotations

import pytest

from engine.formats import load_network
from engine.formats.textio import MAX_BYTES


def test_open_reads_a_large_onnx_model_like_import(qtbot, open_app_window, dialog_script, tmp_path):
    pytest.importorskip("onnx")
    from tests.engine.onnx_builders import Graph, save

    g = Graph((1, 512, 16, 16))
    g.conv("big", 512, 1536, 3, pads=[1, 1, 1, 1])  # 512*1536*9 float32 weights: 28 MB
    path = save(g.model(), tmp_path / "big.onnx")
    assert path.stat().st_size > MAX_BYTES
    w = open_app_window("vgg13-paper")
    with qtbot.waitSignal(w.project.importer.finished, timeout=20000) as blocker:
        w.project.open(str(path))
    assert blocker.args == [True], dialog_script.errors
    assert not dialog_script.errors
    layer = w.layer_model.layer(0)
    assert (layer.name, layer.in_c, layer.out_c, w.layer_model.rowCount()) == ("big", 512, 1536, 1)


def test_open_reads_a_layer_list(qtbot, open_app_window, dialog_script, tmp_path):
    path = tmp_path / "layers.csv"
    path.write_text("name,in_h,in_w,in_c,out_c,k_h,k_w\nc1,16,16,8,16,3,3\nc2,14,14,16,16,3,3\n")
    w = open_app_window("vgg13-paper")
    with qtbot.waitSignal(w.project.importer.finished, timeout=10000):
        w.project.open(str(path))
    assert w.layer_model.layers() == load_network(path).layers
    assert not dialog_script.errors

