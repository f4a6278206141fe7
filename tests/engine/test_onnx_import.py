"""ONNX import: Conv/Gemm/MatMul -> layers, what is skipped and why, the import report."""
import numpy as np
import pytest

pytest.importorskip("onnx")

from engine import Cancelled, ConvLayer, FormatError  # noqa: E402
from engine.onnx import InputSizeNeeded, import_onnx, load_onnx  # noqa: E402

from .onnx_builders import Graph, resnet_block, save  # noqa: E402


def _load(tmp_path, graph: Graph, **kw):
    return import_onnx(save(graph.model(), tmp_path / "m.onnx"), **kw)


def test_conv_with_stride_pads_groups_and_rectangular_kernel(tmp_path):
    g = Graph((1, 8, 20, 18))
    g.conv("c", 8, 12, (3, 5), groups=2, strides=[2, 1], pads=[1, 2, 1, 2])
    (layer,) = _load(tmp_path, g).network.layers
    assert layer == ConvLayer("c", 20, 18, 8, 12, 3, 5, stride_h=2, stride_w=1, pad_h=1, pad_w=2, groups=2)
    assert (layer.out_h, layer.out_w) == (10, 18)


def test_depthwise_and_pointwise(tmp_path):
    g = Graph((1, 32, 14, 14))
    g.conv("dw", 32, 32, 3, groups=32, pads=[1, 1, 1, 1])
    g.conv("pw", 32, 64, 1)
    dw, pw = _load(tmp_path, g).network.layers
    assert dw == ConvLayer("dw", 14, 14, 32, 32, 3, 3, pad_h=1, pad_w=1, groups=32)
    assert (dw.group_in_c, dw.group_out_c) == (1, 1)
    assert pw == ConvLayer("pw", 14, 14, 32, 64, 1, 1)


def test_asymmetric_pads_become_an_exact_symmetric_layer(tmp_path):
    g = Graph((1, 4, 9, 9))
    g.conv("a", 4, 6, 3, strides=[2, 2], pads=[0, 1, 1, 2])  # top 0, left 1, bottom 1, right 2
    g.conv("same", 6, 6, 3, strides=[2, 2], auto_pad="SAME_UPPER")
    imp = _load(tmp_path, g)
    a, same = imp.network.layers
    # rows: pad 0 and one zero row added (9 -> 10); columns: pad 1 and one zero column (9 -> 10)
    assert a == ConvLayer("a", 10, 10, 4, 6, 3, 3, 2, 2, pad_h=0, pad_w=1)
    assert (a.out_h, a.out_w) == (4, 5)  # what ONNX computes: (9+0+1-3)//2+1, (9+1+2-3)//2+1
    # SAME_UPPER on 4x5, stride 2, k 3: totals 1 and 2 -> (0, 1) and (1, 1)
    assert same == ConvLayer("same", 5, 5, 6, 6, 3, 3, 2, 2, pad_h=0, pad_w=1)
    assert (same.out_h, same.out_w) == (2, 3)
    notes = "\n".join(imp.network.notes)
    assert ("layer 'a': asymmetric pads (top 0, bottom 1, left 1, right 2) mapped exactly as padding 0x1 "
            "on a 10x10 IFM") in notes


def test_gemm_with_and_without_trans_b_and_matmul(tmp_path):
    g = Graph((2, 3, 4, 4))
    g.node("Flatten", [g.last], "flat")
    g.gemm("fc1", 48, 20, trans_b=1)
    g.gemm("fc2", 20, 10, trans_b=0)
    g.matmul("mm", 10, 5)
    fc1, fc2, mm = _load(tmp_path, g).network.layers
    assert fc1 == ConvLayer.linear("fc1", 48, 20)
    assert fc2 == ConvLayer.linear("fc2", 20, 10)
    assert mm == ConvLayer.linear("mm", 10, 5)


def test_matmul_on_a_sequence_is_a_1x1_conv_over_its_positions(tmp_path):
    g = Graph((1, 7, 16))
    g.matmul("proj", 16, 32)
    imp = _load(tmp_path, g)
    (layer,) = imp.network.layers
    assert layer == ConvLayer("proj", 7, 1, 16, 32, 1, 1)
    assert "layer 'proj': MatMul on a (1, 7, 16) input mapped as a 1x1 convolution over 7x1 positions" in imp.network.notes


def test_one_d_convolution(tmp_path):
    g = Graph((1, 4, 50))
    w = g.int_weights((8, 4, 5))
    g.node("Conv", [g.last, g.init("w", w)], "c1d", strides=[2], pads=[2, 2])
    (layer,) = _load(tmp_path, g).network.layers
    assert layer == ConvLayer("c1d", 1, 50, 4, 8, 1, 5, stride_w=2, pad_w=2)


def test_resnet_block_layers_and_report(tmp_path):
    imp = _load(tmp_path, resnet_block(c_in=16, c_out=32, size=16))
    assert imp.network.layers == (
        ConvLayer("conv1", 16, 16, 16, 32, 3, 3, 2, 2, 1, 1),
        ConvLayer("conv2", 8, 8, 32, 32, 3, 3, 1, 1, 1, 1),
        ConvLayer("proj", 16, 16, 16, 32, 1, 1, 2, 2),
        ConvLayer.linear("fc", 32, 10),
    )
    assert imp.network.name == "m" and imp.network.source.endswith("m.onnx")
    assert imp.skipped == () and not imp.needs_input_size
    assert imp.unmapped == (("bn1", "BatchNormalization"), ("relu1", "Relu"), ("bn2", "BatchNormalization"),
                            ("proj_bn", "BatchNormalization"), ("add", "Add"), ("relu2", "Relu"),
                            ("pool", "GlobalAveragePool"), ("flatten", "Flatten"))
    assert imp.network.notes == (
        "ONNX model from xbarscope-tests, opset 17: 4 layers from 4 Conv/Gemm/MatMul nodes; "
        "8 other nodes not mapped onto crossbars",
        "not mapped onto crossbars: 3 BatchNormalization nodes (bn1, bn2, proj_bn)",
        "not mapped onto crossbars: 2 Relu nodes (relu1, relu2)",
        "not mapped onto crossbars: 1 Add node (add)",
        "not mapped onto crossbars: 1 GlobalAveragePool node (pool)",
        "not mapped onto crossbars: 1 Flatten node (flatten)",
    )


def _symbolic(batch="N", h="H", w="W") -> Graph:
    g = Graph((batch, 3, h, w))
    g.conv("c1", 3, 8, 3, pads=[1, 1, 1, 1])
    g.node("Relu", [g.last], "r1")
    g.conv("c2", 8, 16, 3, strides=[2, 2])
    g.node("GlobalAveragePool", [g.last], "gap")
    g.node("Flatten", [g.last], "flat")
    g.gemm("fc", 16, 10)
    return g


def test_symbolic_spatial_size_is_reported_and_the_rest_imports(tmp_path):
    imp = _load(tmp_path, _symbolic())
    assert [layer.name for layer in imp.network.layers] == ["fc"]
    assert [(n, op) for n, op, _ in imp.skipped] == [("c1", "Conv"), ("c2", "Conv")] and imp.needs_input_size
    why = imp.skipped[0][2]
    assert "the spatial size of its input 'x' (N, 3, H, W) is not fixed" in why
    assert "input_size=(H, W)" in why and "--input-size HxW" in why
    assert f"skipped node 'c1' (Conv): {why}" in imp.network.notes
    assert imp.network.notes[0].startswith("ONNX model from xbarscope-tests, opset 17: 1 layers from 3 ")


def test_input_size_fixes_symbolic_spatial_size_with_symbolic_batch(tmp_path):
    imp = _load(tmp_path, _symbolic(), input_size=(32, 24))
    c1, c2, fc = imp.network.layers
    assert c1 == ConvLayer("c1", 32, 24, 3, 8, 3, 3, pad_h=1, pad_w=1)
    assert c2 == ConvLayer("c2", 32, 24, 8, 16, 3, 3, 2, 2)
    assert fc == ConvLayer.linear("fc", 16, 10)
    assert "input 'x' taken as 32x24 (the model leaves it open: HxW)" in imp.network.notes


def test_input_size_on_a_fixed_model_is_reported_unused(tmp_path):
    imp = _load(tmp_path, _symbolic(batch=1, h=20, w=20), input_size=(32, 32))
    assert imp.network.layers[0].in_h == 20
    assert "input size 32x32 not used: the model fixes its inputs ('x' 20x20)" in imp.network.notes


def test_no_layer_at_all_is_an_error_that_says_how_to_pass_the_size(tmp_path):
    g = Graph(("N", 3, "H", "W"))
    g.conv("c1", 3, 8, 3)
    with pytest.raises(InputSizeNeeded, match=r"m\.onnx: no layer could be imported: node 'c1' \(Conv\): .*--input-size HxW"):
        _load(tmp_path, g)


def test_dilation_is_a_clear_error_naming_the_node_while_the_rest_imports(tmp_path):
    g = Graph((1, 4, 16, 16))
    g.conv("dilated", 4, 8, 3, dilations=[2, 2])
    g.conv("plain", 8, 8, 3)
    g.conv("zero_stride", 8, 8, 3, strides=[0, 1], auto_pad="SAME_UPPER")
    imp = _load(tmp_path, g)
    assert [layer.name for layer in imp.network.layers] == ["plain"]
    assert imp.network.layers[0].in_h == 12  # shape inference saw through the skipped node
    assert imp.skipped == (("dilated", "Conv", "dilation [2, 2] is not supported (dilated kernels are not mapped)"),
                           ("zero_stride", "Conv", "strides [0, 1] must be at least 1"))
    assert "skipped node 'dilated' (Conv): dilation [2, 2] is not supported" in "\n".join(imp.network.notes)


def test_weight_that_is_not_a_constant_is_skipped_and_the_rest_imports(tmp_path):
    from onnx import TensorProto, helper

    g = Graph((1, 4, 8, 8))
    g.node("Conv", [g.last, "w_in"], "dyn")
    g.conv("static", 4, 4, 3)
    model = g.model()
    model.graph.input.append(helper.make_tensor_value_info("w_in", TensorProto.FLOAT, [4, 4, 1, 1]))
    imp = import_onnx(save(model, tmp_path / "m.onnx"))
    assert [layer.name for layer in imp.network.layers] == ["static"]
    assert imp.skipped[0][:2] == ("dyn", "Conv")
    assert "its weight 'w_in' is not a constant" in imp.skipped[0][2]


def test_model_without_crossbar_work_is_an_error(tmp_path):
    g = Graph((1, 3, 8, 8))
    g.node("Relu", [g.last], "r")
    with pytest.raises(FormatError, match="the model has no Conv, Gemm or MatMul node to map") as e:
        _load(tmp_path, g)
    assert not isinstance(e.value, InputSizeNeeded)


def test_names_fall_back_to_outputs_and_stay_unique(tmp_path):
    from onnx import helper

    g = Graph((1, 2, 6, 6))
    g.nodes.append(helper.make_node("Conv", [g.last, g.init("w0", g.int_weights((2, 2, 1, 1)))], ["feat"]))
    g.last = "feat"
    g.conv("block", 2, 2, 1, out="o1")
    g.conv("block", 2, 2, 1, out="o2")
    names = [layer.name for layer in _load(tmp_path, g).network.layers]
    assert names == ["feat", "block", "block#2"]


def test_constant_node_weights_and_unsupported_ops(tmp_path):
    from onnx import helper, numpy_helper

    g = Graph((1, 2, 6, 6))
    w = g.int_weights((3, 2, 3, 3))
    g.nodes.append(helper.make_node("Constant", [], ["cw"], name="const", value=numpy_helper.from_array(w)))
    g.node("Conv", [g.last, "cw"], "c")
    g.node("Identity", [g.init("shared", 2 * w)], "ident", out="shared_id")
    g.node("Conv", ["x", "shared_id"], "via_identity")
    wt = g.int_weights((3, 2, 2, 2))
    g.node("ConvTranspose", [g.last, g.init("wt", wt)], "up")
    imp = _load(tmp_path, g)
    assert [layer.name for layer in imp.network.layers] == ["c", "via_identity"]
    assert np.array_equal(imp.network.weights_for("c"), w)
    assert np.array_equal(imp.network.weights_for("via_identity"), 2 * w)
    assert imp.network.layers[1] == ConvLayer("via_identity", 6, 6, 2, 3, 3, 3)
    assert imp.skipped == (("up", "ConvTranspose", "XbarScope does not map ConvTranspose nodes"),)
    assert imp.unmapped == (("const", "Constant"), ("ident", "Identity"))


def test_progress_runs_to_100_and_cancel_stops(tmp_path):
    path = save(resnet_block().model(), tmp_path / "m.onnx")
    seen = []
    load_onnx(path, progress=lambda done, total, text: seen.append((done, total, text)))
    assert seen[0][0] == 0 and seen[-1] == (100, 100, "done")
    assert [d for d, _, _ in seen] == sorted(d for d, _, _ in seen)
    assert {"reading the file", "checking weights", "inferring shapes", "reading layers"} <= {t for _, _, t in seen}
    calls = []
    with pytest.raises(Cancelled):
        load_onnx(path, should_stop=lambda: calls.append(1) or len(calls) > 3)
