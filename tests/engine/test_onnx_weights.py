"""Imported weights: values and layout, lazy reading, external data, quantization, and the
functional proof with the model's own weights."""
import os

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")

from engine import ArraySpec, FormatError, XbarError  # noqa: E402
from engine.methods import METHODS, map_layer  # noqa: E402
from engine.onnx import import_onnx, load_onnx  # noqa: E402
from engine.onnx import tensors  # noqa: E402
from engine.simulate import direct_conv, simulate  # noqa: E402
from engine.weights import WeightStore, quantize, verify_weights  # noqa: E402

from .onnx_builders import Graph, reference_run, resnet_block, save  # noqa: E402


def test_weights_come_in_layer_layout(tmp_path):
    g = Graph((1, 6, 8, 8))
    g.conv("c", 6, 4, (3, 2), groups=2)
    g.node("Flatten", [g.last], "flat")
    g.gemm("t1", 4 * 6 * 7, 5, trans_b=1)
    g.gemm("t0", 5, 3, trans_b=0)
    g.matmul("mm", 3, 2)
    net = load_onnx(save(g.model(), tmp_path / "m.onnx"))
    c = net.weights_for("c")
    assert c.shape == (4, 3, 3, 2) and c.dtype == np.float32 and np.array_equal(c, g.weights["c"])
    assert np.array_equal(net.weights_for("t1")[:, :, 0, 0], g.weights["t1"])  # (out, in) already
    assert np.array_equal(net.weights_for("t0")[:, :, 0, 0], g.weights["t0"].T)  # (in, out) transposed
    assert np.array_equal(net.weights_for("mm")[:, :, 0, 0], g.weights["mm"].T)
    assert not c.flags.writeable
    assert net.weights_for("nope") is None
    assert net.weights.names() == ("c", "t1", "t0", "mm") and net.weights.nbytes() == 4 * (72 + 168 * 5 + 15 + 6)


def test_gemm_alpha_is_folded_into_the_weights(tmp_path):
    g = Graph((1, 4))
    w = g.int_weights((3, 4))
    g.node("Gemm", [g.last, g.init("w", w)], "fc", transB=1, alpha=0.5)
    net = load_onnx(save(g.model(), tmp_path / "m.onnx"))
    assert np.array_equal(net.weights_for("fc")[:, :, 0, 0], w * 0.5)
    assert "layer 'fc': Gemm alpha 0.5 folded into the weights" in net.notes


def test_weights_are_read_on_first_access_only(tmp_path, monkeypatch):
    reads = []
    real = tensors.FileData.read
    monkeypatch.setattr(tensors.FileData, "read", lambda self, *a: reads.append(self.offset) or real(self, *a))
    net = load_onnx(save(resnet_block().model(), tmp_path / "m.onnx"))
    assert reads == []  # conv weights are larger than 4 KiB: they stayed in the file
    net.weights_for("conv2")
    net.weights_for("conv2")  # cached
    assert len(reads) == 1


def test_weights_and_network_equality(tmp_path):
    net = load_onnx(save(resnet_block().model(), tmp_path / "m.onnx"))
    from engine.network import Network

    plain = Network(net.name, net.layers, description=net.description)
    assert plain == net and hash(plain) == hash(net) and plain.weights_for("conv1") is None


def test_edited_layer_no_longer_gets_the_weights(tmp_path):
    from dataclasses import replace

    net = load_onnx(save(resnet_block().model(), tmp_path / "m.onnx"))
    layers = (replace(net.layers[0], out_c=64),) + net.layers[1:]
    edited = replace(net, layers=layers)
    assert edited.weights_for("conv1") is None and edited.weights_for("conv2") is not None


def _external_model(tmp_path, location="weights.bin"):
    g = resnet_block()
    model = g.model()
    onnx.save_model(model, tmp_path / "m.onnx", save_as_external_data=True, all_tensors_to_one_file=True,
                    location=location, size_threshold=0)
    return g


def test_external_data_next_to_the_model(tmp_path):
    g = _external_model(tmp_path)
    assert (tmp_path / "weights.bin").stat().st_size > 0
    net = load_onnx(tmp_path / "m.onnx")
    assert np.array_equal(net.weights_for("conv1"), g.weights["conv1"])
    assert np.array_equal(net.weights_for("fc")[:, :, 0, 0], g.weights["fc"])


def _point_outside(tmp_path, location):
    model = onnx.load(tmp_path / "m.onnx", load_external_data=False)
    for t in model.graph.initializer:
        if t.name == "conv1.weight":
            for e in t.external_data:
                if e.key == "location":
                    e.value = location
    (tmp_path / "m.onnx").write_bytes(model.SerializeToString())


@pytest.mark.parametrize("location,why", [
    ("../outside.bin", "points outside the model's folder; refusing to read it"),
    ("sub/../../outside.bin", "points outside the model's folder; refusing to read it"),
    ("/etc/passwd", "is an absolute path"),
    ("C:\\secret.bin", "is an absolute path"),
])  # a missing file is a shape-only model (tests/engine/test_onnx_shape_only.py)
def test_external_data_outside_the_folder_is_refused(tmp_path, location, why):
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    (tmp_path / "outside.bin").write_bytes(b"\0" * 100_000)
    _external_model(model_dir)
    _point_outside(model_dir, location)
    with pytest.raises(FormatError) as e:
        load_onnx(model_dir / "m.onnx")
    assert str(e.value).startswith(f"{model_dir / 'm.onnx'}: node 'conv1': tensor 'conv1.weight': external data")
    assert why in str(e.value)


def test_external_data_through_a_link_out_of_the_folder_is_refused(tmp_path):
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    _external_model(model_dir)
    os.replace(model_dir / "weights.bin", tmp_path / "weights.bin")
    os.symlink(tmp_path / "weights.bin", model_dir / "weights.bin")
    with pytest.raises(FormatError, match=r"points outside the model's folder \(through a link\)"):
        load_onnx(model_dir / "m.onnx")


def test_a_file_changed_after_import_is_refused_when_read(tmp_path):
    _external_model(tmp_path)
    net = load_onnx(tmp_path / "m.onnx")
    with open(tmp_path / "weights.bin", "ab") as f:
        f.write(b"\0" * 8)
    with pytest.raises(FormatError, match="changed since the model was imported; import it again"):
        net.weights_for("conv1")


def test_quantize_known_values():
    q = quantize(np.array([-1.0, 0.5, 0.25, 1.0, 0.0]), 3)
    assert q.scale == pytest.approx(1 / 3) and q.max_abs == 1.0 and q.bits == 3
    assert q.values.tolist() == [-3, 2, 1, 3, 0] and q.values.dtype == np.int8
    assert q.describe() == "3-bit integers, scale 0.333333 per step (max |w| 1)"
    assert np.allclose(q.dequantized(), [-1, 2 / 3, 1 / 3, 1, 0])
    one = quantize(np.array([-0.9, -0.4, 0.3, 0.9]), 1)  # 1 bit holds {-1, 0}
    assert one.scale == pytest.approx(0.9) and one.values.tolist() == [-1, 0, 0, 0]
    assert quantize(np.zeros(3), 8).scale == 1.0
    assert quantize(np.array([1e6]), 16).values.dtype == np.int16
    with pytest.raises(XbarError, match="layer 'x': the weights contain NaN"):
        quantize(np.array([np.nan]), 8, "layer 'x'")


def test_quantize_error_is_at_most_half_a_step():
    w = np.random.default_rng(3).normal(0, 0.1, size=(64, 32, 3, 3)).astype(np.float32)
    q = quantize(w, 8)
    assert q.values.min() >= -127 and q.values.max() == 127
    assert np.abs(q.dequantized() - w).max() <= q.scale / 2 + 1e-7


def test_functional_proof_with_imported_weights_for_every_method(tmp_path):
    g = resnet_block(c_in=12, c_out=20, size=10)
    net = load_onnx(save(g.model(), tmp_path / "m.onnx"))
    array = ArraySpec(48, 32, cell_bits=2, weight_bits=4)  # small: row and column tiles split
    rng = np.random.default_rng(5)
    tiles, exact = set(), set()
    for layer in net.layers:
        q = quantize(net.weights_for(layer.name), array.weight_bits)
        assert q.scale == 1.0  # whole-number weights in [-7, 7] with 7 reached: exact
        assert np.array_equal(q.values.reshape(-1), g.weights[layer.name].reshape(-1))  # fc: transB=1, (out, in)
        x = rng.integers(0, 16, size=(layer.in_c, layer.in_h, layer.in_w))
        want = direct_conv(layer, x, q.values)
        for method in METHODS:
            plan = map_layer(layer, array, method)
            assert verify_weights(layer, array, plan, q.values, rng), (layer.name, method)
            if getattr(plan, "compression", None) is not None:
                continue  # a compressing method computes its pruned layer: verify_weights knows it
            exact.add(method)
            tiles.add((plan.ar > 1, plan.ac > 1))
            assert np.array_equal(simulate(layer, array, plan, x, q.values), want), (layer.name, method)
    assert (True, True) in tiles
    assert {"im2col", "sdk", "vw-sdk"} <= exact


def test_imported_layers_compute_what_the_onnx_model_computes(tmp_path):
    """onnx's reference evaluator runs each node; direct_conv on the imported layer (its IFM
    zero-extended where pads were asymmetric) with the imported weights gives the same."""
    g = Graph((1, 4, 11, 9))
    g.conv("asym", 4, 6, 3, strides=[2, 1], pads=[0, 2, 1, 0])
    g.conv("grp", 6, 6, (2, 3), groups=3, pads=[1, 1, 1, 1])
    g.conv("same", 6, 4, 3, strides=[2, 2], auto_pad="SAME_LOWER")
    g.node("Flatten", [g.last], "flat")
    g.gemm("fc", 4 * 3 * 5, 7, trans_b=0)
    model = g.model()
    net = load_onnx(save(model, tmp_path / "m.onnx"))
    x = np.random.default_rng(1).integers(0, 8, size=(1, 4, 11, 9))
    outs = [x] + reference_run(model, x, ["asym_out", "grp_out", "same_out", "flat_out", "fc_out"])
    # zero rows (top, bottom) and columns (left, right) added where the pads were asymmetric
    extend = {"asym": ((0, 1), (2, 0)), "grp": ((0, 0), (0, 0)), "same": ((1, 0), (0, 0))}
    for i, name in enumerate(["asym", "grp", "same"]):
        layer = net.layers[i]
        (t, b), (lf, r) = extend[name]
        ifm = np.pad(outs[i][0].astype(np.int64), ((0, 0), (t, b), (lf, r)))
        assert ifm.shape == (layer.in_c, layer.in_h, layer.in_w), name
        got = direct_conv(layer, ifm, net.weights_for(name).astype(np.int64))
        assert np.array_equal(got, outs[i + 1][0]), name
    fc = net.layers[3]
    vec = outs[4].astype(np.int64).reshape(fc.in_c, 1, 1)
    assert np.array_equal(direct_conv(fc, vec, net.weights_for("fc").astype(np.int64))[:, 0, 0], outs[5][0])


def test_weight_store_from_arrays_and_errors():
    store = WeightStore.from_arrays({"a": np.ones((2, 1, 1, 1))})
    assert "a" in store and len(store) == 1 and store.shape("a") == (2, 1, 1, 1) and store.get("b") is None
    with pytest.raises(XbarError, match="layer 'c': weights must be 4-D"):
        WeightStore.from_arrays({"c": np.ones(3)})


def test_weights_of_other_float_types(tmp_path):
    from onnx import TensorProto, helper

    g = Graph((1, 2, 4, 4))
    w = g.int_weights((3, 2, 1, 1))
    for dtype, name in ((np.float16, "h"), (np.float64, "d")):
        g.node("Conv", [g.last if name == "h" else "x", g.init(f"w{name}", w.astype(dtype))], name)
    bits = (w.view(np.uint32) >> 16).astype(np.uint16)  # whole numbers are exact in bfloat16
    t = helper.make_tensor("wb", TensorProto.BFLOAT16, w.shape, bits.tobytes(), raw=True)
    g.inits.append(t)
    g.node("Conv", ["x", "wb"], "b")
    imp = import_onnx(save(g.model(), tmp_path / "m.onnx"))
    for name in ("h", "d", "b"):
        assert np.array_equal(imp.network.weights_for(name), w), name
