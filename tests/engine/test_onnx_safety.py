"""Damaged, foreign and hostile ONNX files: always a FormatError naming the file, nothing else."""
import tracemalloc

import numpy as np
import pytest

pytest.importorskip("onnx")
from onnx import TensorProto  # noqa: E402

from engine import FormatError  # noqa: E402
from engine.formats import detect_format, load_network  # noqa: E402
from engine.onnx import load_onnx  # noqa: E402

from .onnx_builders import Graph, resnet_block, save  # noqa: E402


def _error(path) -> FormatError:
    with pytest.raises(FormatError) as e:
        load_onnx(path)
    assert e.value.path == str(path)
    assert str(e.value).startswith(f"{path}: ")
    return e.value


@pytest.fixture
def good(tmp_path) -> bytes:
    return resnet_block().model().SerializeToString()


@pytest.mark.parametrize("keep", [1, 7, 100, 0.3, 0.5, 0.9, -1])
def test_truncated_file(tmp_path, good, keep):
    n = keep if isinstance(keep, int) and keep > 0 else int(len(good) * keep) if keep > 0 else len(good) - 1
    path = tmp_path / "cut.onnx"
    path.write_bytes(good[:n])
    e = _error(path)
    assert "is not a valid ONNX model" in str(e) or "is not an ONNX model" in str(e)


@pytest.mark.parametrize("content", [
    b"hello, this is a text file\n",
    b'{"format": "xbarscope-layers", "layers": []}',
    b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
    bytes(np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8)),
    b"\x08\x07",  # an ir_version and nothing else
])
def test_not_an_onnx_file_with_an_onnx_name(tmp_path, content):
    path = tmp_path / "model.onnx"
    path.write_bytes(content)
    e = _error(path)
    assert "is not a valid ONNX model" in str(e) or "is not an ONNX model" in str(e)
    assert detect_format(path) == "onnx"  # by its name: the error then says what is wrong


def test_empty_missing_and_folder(tmp_path):
    (tmp_path / "e.onnx").write_bytes(b"")
    assert "the file is empty" in str(_error(tmp_path / "e.onnx"))
    assert "file not found" in str(_error(tmp_path / "none.onnx"))
    (tmp_path / "d.onnx").mkdir()
    assert "is a folder" in str(_error(tmp_path / "d.onnx"))


def _tensor(name: str, dims, raw: bytes | None = None, floats=None) -> TensorProto:
    """Built by hand: onnx.helper refuses the inconsistent tensors these tests need."""
    t = TensorProto(name=name, data_type=TensorProto.FLOAT)
    t.dims.extend(dims)
    if raw is not None:
        t.raw_data = raw
    if floats is not None:
        t.float_data.extend(floats)
    return t


def _model_with_weight(tmp_path, tensor: TensorProto, in_c: int = 4):
    g = Graph((1, in_c, 8, 8))
    g.inits.append(tensor)
    g.node("Conv", [g.last, tensor.name], "conv_a")
    return save(g.model(), tmp_path / "m.onnx")


def test_absurd_declared_size_is_refused_before_anything_is_allocated(tmp_path):
    t = _tensor("huge", [1 << 20, 1 << 20, 3, 3], b"\0" * 64)
    path = _model_with_weight(tmp_path, t)
    tracemalloc.start()
    try:
        e = _error(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "node 'conv_a': tensor 'huge' declares shape [1048576, 1048576, 3, 3] (3.69e+04 GiB), more than " \
           "the 2 GiB one tensor may have" in str(e)
    assert peak < 20 * 2 ** 20


@pytest.mark.parametrize("dims,raw", [((8, 4, 3, 3), 100), ((64, 4, 3, 3), 8000)])  # kept inline / left on disk
def test_raw_data_shorter_than_its_shape(tmp_path, dims, raw):
    t = _tensor("w", dims, b"\1" * raw)
    e = _error(_model_with_weight(tmp_path, t))
    declared = 4 * int(np.prod(dims))
    assert f"node 'conv_a': tensor 'w': raw data has {raw} bytes, its shape {list(dims)} declares {declared}" in str(e)


def test_typed_values_fewer_than_the_shape_and_negative_dims(tmp_path):
    t = _tensor("w", [2, 4, 1, 1], floats=[1.0] * 5)
    assert "tensor 'w' holds 5 values; its shape [2, 4, 1, 1] declares 8" in str(_error(_model_with_weight(tmp_path, t)))
    t = _tensor("w", [2, -4, 1, 1])
    assert "tensor 'w' declares a negative dimension" in str(_error(_model_with_weight(tmp_path, t)))


def test_external_data_past_the_end_of_its_file(tmp_path):
    t = _tensor("w", [8, 4, 3, 3])
    t.data_location = TensorProto.EXTERNAL
    for k, v in (("location", "w.bin"), ("offset", "64")):
        t.external_data.add(key=k, value=v)
    (tmp_path / "w.bin").write_bytes(b"\0" * 1000)
    e = _error(_model_with_weight(tmp_path, t))
    assert "node 'conv_a': 'w.bin' has 1000 bytes; the data needs bytes 64 to 1216: the file is truncated" in str(e)


def test_onnx_is_detected_by_content_whatever_the_name(tmp_path, good):
    path = tmp_path / "model.bin"
    path.write_bytes(good)
    assert detect_format(path) == "onnx"
    assert [layer.name for layer in load_network(path).layers] == ["conv1", "conv2", "proj", "fc"]
    text = tmp_path / "net.json"
    text.write_text('{"layers": [{"name": "a", "type": "linear", "in_features": 4, "out_features": 2}]}')
    assert detect_format(text) == "json"
    with pytest.raises(FormatError, match="an input size applies to ONNX models only"):
        load_network(text, input_size=(8, 8))


def test_mutated_files_give_a_network_or_a_format_error(tmp_path, good):
    rng = np.random.default_rng(42)
    path = tmp_path / "fuzz.onnx"
    outcomes = {"ok": 0, "error": 0}
    for _ in range(150):
        data = bytearray(good)
        for pos in rng.integers(0, len(data), size=rng.integers(1, 6)):
            data[pos] = rng.integers(0, 256)
        if rng.random() < 0.3:
            data = data[: rng.integers(1, len(data))]
        path.write_bytes(bytes(data))
        try:
            net = load_onnx(path)
            for layer in net.layers:
                net.weights_for(layer.name)
            outcomes["ok"] += 1
        except FormatError as e:
            assert e.path == str(path)
            outcomes["error"] += 1
    assert outcomes["ok"] > 0 and outcomes["error"] > 0


def test_without_the_onnx_package_the_engine_works_and_says_what_to_install(tmp_path, good):
    import subprocess
    import sys

    path = tmp_path / "m.onnx"
    path.write_bytes(good)
    code = ("import sys; sys.modules['onnx'] = None\n"  # as if onnx were not installed
            "from engine.formats import load_network, FORMATS\n"
            "from engine.presets import load_preset; load_preset('resnet20')\n"
            "try:\n    load_network(sys.argv[1])\nexcept Exception as e:\n    print(type(e).__name__, e)\n")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True).stdout
    assert out.strip() == f"FormatError {path}: reading ONNX models needs the 'onnx' package: pip install onnx"
