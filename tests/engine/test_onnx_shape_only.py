"""Shape-only ONNX models (initializers keep their dims, the external data file is not there),
a Transpose of a constant weight folded into it, and an NHWC input (keras2onnx) with its
Transpose to NCHW, whose --input-size HxW is height x width."""
import io

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")

from onnx import TensorProto, helper  # noqa: E402

from engine import ArraySpec, ConvLayer, FormatError, XbarError  # noqa: E402
from engine.cli import run_verify  # noqa: E402
from engine.formats import load_network  # noqa: E402
from engine.onnx import import_onnx, load_onnx, weights_unavailable  # noqa: E402

from .onnx_builders import OPSET, Graph, save  # noqa: E402


def _shape_only(tmp_path, keep: set[str] = frozenset()):
    """A conv + gemm model whose weights point to 'm.onnx.data', then that file removed
    (except the tensors named in `keep`, stored inline)."""
    g = Graph((1, 3, 16, 16))
    g.conv("conv1", 3, 8, 3, pads=[1, 1, 1, 1])
    g.node("GlobalAveragePool", [g.last], "gap")
    g.node("Flatten", [g.last], "flat")
    g.gemm("fc", 8, 10)
    model = g.model()
    for t in model.graph.initializer:
        if t.name in keep:
            continue
        t.data_location = TensorProto.EXTERNAL
        del t.external_data[:]
        for k, v in (("location", "m.onnx.data"), ("offset", "0"), ("length", str(len(t.raw_data)))):
            t.external_data.append(onnx.StringStringEntryProto(key=k, value=v))
        t.ClearField("raw_data")
    return g, save(model, tmp_path / "m.onnx")


def test_shape_only_model_imports_its_layers_without_weights(tmp_path):
    _, path = _shape_only(tmp_path)
    net = load_network(path)
    assert net.layers == (ConvLayer("conv1", 16, 16, 3, 8, 3, 3, pad_h=1, pad_w=1), ConvLayer.linear("fc", 8, 10))
    assert net.weights is None and weights_unavailable(net)
    note = next(n for n in net.notes if n.startswith("weights not available"))
    assert "for all 2 layers" in note and "'m.onnx.data'" in note and "verify uses random weights" in note


def test_partly_shape_only_keeps_the_weights_it_has(tmp_path):
    g, path = _shape_only(tmp_path, keep={"fc.weight"})
    net = load_onnx(path)
    assert net.weights_for("conv1") is None
    assert np.array_equal(net.weights_for("fc")[:, :, 0, 0], g.weights["fc"])
    assert any("for 1 of the 2 layers" in n for n in net.notes)


def test_verify_on_a_shape_only_model_uses_random_weights_and_says_so(tmp_path):
    _, path = _shape_only(tmp_path)
    net = load_network(path)
    out = io.StringIO()
    assert run_verify(net, ArraySpec(64, 64), ("im2col", "vw-sdk"), 0, 2, out)
    assert "weights are not available (shape-only ONNX" in out.getvalue()
    assert "random weights" in out.getvalue()
    with pytest.raises(XbarError, match="--weights model: the model's weights are not available"):
        run_verify(net, ArraySpec(64, 64), ("im2col",), 0, 2, io.StringIO(), weights="model")


def test_a_damaged_declaration_is_still_refused_in_a_shape_only_model(tmp_path):
    _, path = _shape_only(tmp_path)
    model = onnx.load(path, load_external_data=False)
    model.graph.initializer[0].dims[0] = -3
    save(model, path)
    with pytest.raises(FormatError, match="negative dimension"):
        import_onnx(path)


def test_transpose_of_a_constant_weight_is_folded(tmp_path):
    g = Graph((1, 12))
    w = g.int_weights((10, 12))  # stored (out, in): the exporter transposes it for MatMul
    g.init("w_t", w)
    g.node("Transpose", ["w_t"], "tr", out="w", perm=[1, 0])
    g.node("MatMul", ["x", "w"], "mm")
    imp = import_onnx(save(g.model(), tmp_path / "t.onnx"))
    (layer,) = imp.network.layers
    assert layer == ConvLayer.linear("mm", 12, 10)
    assert np.array_equal(imp.network.weights_for("mm")[:, :, 0, 0], w)
    assert not any(op == "Transpose" for _, op in imp.unmapped)
    assert any("Transpose node of a constant weight folded" in n and "tr" in n for n in imp.network.notes)


def _nhwc_model(tmp_path, dims):
    g = Graph((1, 3, 1, 1))  # replaced below by an NHWC input
    g.node("Transpose", ["x"], "to_nchw", perm=[0, 3, 1, 2])
    g.conv("conv", 3, 4, 3)
    model = g.model()
    del model.graph.input[:]
    model.graph.input.append(helper.make_tensor_value_info("x", TensorProto.FLOAT, dims))
    model.opset_import[0].version = OPSET
    return save(model, tmp_path / "k.onnx")


def test_nhwc_input_size_is_height_by_width(tmp_path):
    path = _nhwc_model(tmp_path, ["N", "H", "W", 3])
    imp = import_onnx(path, input_size=(20, 30))
    (layer,) = imp.network.layers
    assert (layer.in_h, layer.in_w, layer.in_c) == (20, 30, 3)
    assert any("input 'x' taken as 20x30" in n and "NHWC" in n for n in imp.network.notes)


def test_fixed_nhwc_input_is_read_through_its_transpose(tmp_path):
    path = _nhwc_model(tmp_path, [1, 24, 18, 3])
    (layer,) = load_onnx(path).layers
    assert (layer.in_h, layer.in_w, layer.in_c) == (24, 18, 3)
    imp = import_onnx(path, input_size=(8, 8))
    assert any("not used: the model fixes its inputs ('x' 24x18 (NHWC" in n for n in imp.network.notes)
