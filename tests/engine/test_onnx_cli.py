"""ONNX models through xbarscope-cli, resolve_network and project files."""
import json

import pytest

pytest.importorskip("onnx")

from engine import ArraySpec, ConvLayer, FormatError, XbarError, map_layer  # noqa: E402
from engine.cli import main  # noqa: E402
from engine.formats import Project, load_network, load_project, save_network, save_project  # noqa: E402
from engine.network import Network  # noqa: E402
from engine.presets import resolve_network  # noqa: E402

from .onnx_builders import Graph, resnet_block, save  # noqa: E402

# The ResNet-style block of onnx_builders, written as a native layer list.
NATIVE = (
    ConvLayer("conv1", 56, 56, 64, 128, 3, 3, 2, 2, 1, 1),
    ConvLayer("conv2", 28, 28, 128, 128, 3, 3, 1, 1, 1, 1),
    ConvLayer("proj", 56, 56, 64, 128, 1, 1, 2, 2),
    ConvLayer.linear("fc", 128, 10),
)
METHODS = ("im2col", "sdk", "vw-sdk")


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_map_totals_of_an_onnx_resnet_block_equal_the_native_layer_list(capsys, tmp_path):
    model = save(resnet_block(c_in=64, c_out=128, size=56).model(), tmp_path / "block.onnx")
    native = tmp_path / "block.json"
    save_network(Network("block", NATIVE), native)
    code, out, err = run(capsys, "map", "--network", model, "--format", "json", "--methods", ",".join(METHODS))
    assert code == 0
    from_onnx = json.loads(out)
    code, out, _ = run(capsys, "map", "--network", native, "--format", "json", "--methods", ",".join(METHODS))
    from_native = json.loads(out)
    assert from_onnx["totals"] == from_native["totals"]
    expected = {m: sum(map_layer(layer, ArraySpec(), m).cycles for layer in NATIVE) for m in METHODS}
    assert from_onnx["totals"] == expected
    assert from_onnx["totals"] == {"im2col": 4705, "sdk": 4705, "vw-sdk": 1765}  # 1568+2352+784+1 im2col
    assert [layer["name"] for layer in from_onnx["layers"]] == ["conv1", "conv2", "proj", "fc"]
    assert "note: ONNX model from xbarscope-tests, opset 17: 4 layers from 4 Conv/Gemm/MatMul nodes" in err
    assert "note: not mapped onto crossbars: 3 BatchNormalization nodes (bn1, bn2, proj_bn)" in err


def _symbolic_model(tmp_path):
    g = Graph(("batch", 3, "h", "w"))
    g.conv("c1", 3, 8, 3, pads=[1, 1, 1, 1])
    return save(g.model(), tmp_path / "sym.onnx")


def test_input_size_option(capsys, tmp_path):
    path = _symbolic_model(tmp_path)
    code, _, err = run(capsys, "map", "--network", path)
    assert code == 2 and "--input-size HxW" in err and "node 'c1'" in err and len(err.strip().splitlines()) == 1
    code, out, _ = run(capsys, "map", "--network", path, "--input-size", "32x16", "--format", "json")
    layer = json.loads(out)["layers"][0]
    assert code == 0 and (layer["in_h"], layer["in_w"], layer["out_h"], layer["out_w"]) == (32, 16, 32, 16)
    code, _, err = run(capsys, "map", "--network", path, "--input-size", "32by16")
    assert code == 2 and "--input-size: '32by16' is not HxW (e.g. 224x224)" in err
    code, _, err = run(capsys, "map", "--network", "resnet20", "--input-size", "32x32")
    assert code == 2 and "an input size applies to ONNX models only; 'resnet20' is a preset" in err


def test_verify_uses_the_model_weights_and_reports_the_scale(capsys, tmp_path):
    path = save(resnet_block(c_in=8, c_out=16, size=8).model(), tmp_path / "block.onnx")
    code, out, _ = run(capsys, "verify", "--network", path, "--weight-bits", "4", "--cell-bits", "2",
                       "--array", "64x64", "--methods", "im2col,vw-sdk,xbar-opt")
    assert code == 0
    assert out.count("model weights as 4-bit integers, scale 1 per step (max |w| 7)") == 4
    assert out.count("OK ") == 12 and "all layouts compute the direct convolution exactly" in out
    code, out, _ = run(capsys, "verify", "--network", path, "--weights", "random", "--methods", "im2col")
    assert code == 0 and "model weights" not in out
    code, out, _ = run(capsys, "verify", "--network", path, "--methods", "im2col")
    assert code == 0 and "1-bit weights keep only the large negative weights" in out
    code, _, err = run(capsys, "verify", "--network", "resnet20", "--weights", "model")
    assert code == 2 and "this network has no weights" in err


def test_resolve_network_passes_the_input_size(tmp_path):
    path = _symbolic_model(tmp_path)
    net = resolve_network(str(path), input_size=(10, 12))
    assert net.layers[0] == ConvLayer("c1", 10, 12, 3, 8, 3, 3, pad_h=1, pad_w=1)
    assert net.weights_for("c1").shape == (8, 3, 3, 3)
    with pytest.raises(XbarError, match="input size"):
        resolve_network(str(path), input_size=(0, 12))


def test_project_references_a_model_by_relative_path(tmp_path):
    (tmp_path / "models").mkdir()
    _symbolic_model(tmp_path / "models")
    doc = {"format": "xbarscope-project", "version": 1, "network_file": "models/sym.onnx",
           "network_input_size": [20, 20], "array": {"rows": 128, "cols": 128, "cell_bits": 1, "weight_bits": 4}}
    (tmp_path / "p.json").write_text(json.dumps(doc))
    project = load_project(tmp_path / "p.json")
    assert project.network_file == "models/sym.onnx" and project.network_input_size == (20, 20)
    assert project.network.layers[0].in_h == 20 and project.network.weights_for("c1") is not None
    save_project(project, tmp_path / "again.json")
    again = json.loads((tmp_path / "again.json").read_text())
    assert again["network_file"] == "models/sym.onnx" and again["network_input_size"] == [20, 20]
    assert "network" not in again
    assert load_network(tmp_path / "p.json", input_size=(8, 8)).layers[0].in_h == 8  # an override wins
    seen = []
    load_project(tmp_path / "p.json", progress=lambda d, t, s: seen.append(d))
    assert seen[-1] == 100


def test_project_errors_with_a_model(tmp_path):
    _symbolic_model(tmp_path)
    base = {"format": "xbarscope-project", "version": 1, "network_file": "sym.onnx",
            "array": {"rows": 128, "cols": 128, "cell_bits": 1, "weight_bits": 1}}
    (tmp_path / "p.json").write_text(json.dumps(base))
    with pytest.raises(FormatError, match=r"p\.json, line 1: network_file: .*sym\.onnx: no layer could be imported"):
        load_project(tmp_path / "p.json")
    (tmp_path / "p.json").write_text(json.dumps({**base, "network_input_size": [20]}))
    with pytest.raises(FormatError, match=r"p\.json, line 1: network_input_size: input size must be \(height, width\), got \[20\]"):
        load_project(tmp_path / "p.json")
    with pytest.raises(XbarError, match="network_input_size: goes with a network_file"):
        Project(Network("n", (ConvLayer.linear("a", 2, 2),)), ArraySpec(), network_input_size=(4, 4))
