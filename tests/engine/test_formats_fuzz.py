"""Fuzzing every parser: whatever the bytes, the only exception is FormatError."""
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from engine import ArraySpec, ConvLayer, FormatError
from engine.formats import Project, load_network, load_project, save_network, save_project
from engine.network import Network

SAMPLES = Path(__file__).parent.parent / "data" / "samples"
FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
FORMAT_NAMES = [None, "json", "csv", "neurosim", "scalesim", "timeloop", "project"]
BASE_YAML = "base: &base\n  instance: {C: 1, M: 1, P: 1, Q: 1, R: 1, S: 1, N: BATCH, H: 1}\n"
TIMELOOP = ("problem:\n  shape: {name: CNN-Layer, dimensions: [C, M, R, S, N, P, Q]}\n"
            "  instance: {C: 3, M: 8, P: 6, Q: 5, R: 3, S: 3, N: 1, Hstride: 1, Wstride: 2}\n")
CIMLOOP = ("{{include_text('base.yaml')}}\nproblem:\n  <<<: *base\n  instance: {C: 4, M: 4, P: 3, Q: 3}\n"
           "  histograms: {Inputs: [0, 1, 0]}\n")


@pytest.fixture(scope="module")
def valid_files(tmp_path_factory):
    """Bytes of one valid file per format: the samples plus files the writers produce."""
    folder = tmp_path_factory.mktemp("valid")
    net = Network("n", (ConvLayer("c1", 12, 12, 3, 8, 3, 3, 1, 2, 1, 1),
                        ConvLayer("c2_dw", 12, 6, 8, 8, 3, 3, groups=8, pad_h=1, pad_w=1),
                        ConvLayer.linear("fc", 64, 10)), array=ArraySpec(64, 64))
    files = {p.name: p.read_bytes() for p in SAMPLES.glob("*.csv")}
    for fmt in ("json", "csv", "scalesim"):
        save_network(net, folder / fmt, fmt)
        files[f"{fmt}.{'json' if fmt == 'json' else 'csv'}"] = (folder / fmt).read_bytes()
    save_project(Project(net, ArraySpec(128, 128), options={"a": [1, {"b": None}]}), folder / "p")
    files["project.json"] = (folder / "p").read_bytes()
    files["timeloop.yaml"] = TIMELOOP.encode()
    files["cimloop.yaml"] = CIMLOOP.encode()
    return files


def _loads_or_format_error(path: Path, fmt=None) -> None:
    try:
        net = load_network(path, fmt)
    except FormatError as e:
        assert e.path == str(path) and str(e).startswith(str(path))
        return
    assert isinstance(net, Network) and net.layers  # a success must be a real network


@pytest.fixture(autouse=True)
def _include_target(tmp_path_factory):
    """The file the CiMLoop-style sample includes, beside every fuzzed file."""
    (tmp_path_factory.getbasetemp() / "base.yaml").write_text(BASE_YAML)


@FUZZ
@given(text=st.text(max_size=400), ext=st.sampled_from([".csv", ".json", ".txt", ".yaml", ""]),
       fmt=st.sampled_from(FORMAT_NAMES))
def test_random_text(tmp_path_factory, text, ext, fmt):
    path = tmp_path_factory.getbasetemp() / f"text{ext}"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    _loads_or_format_error(path, fmt)


@FUZZ
@given(data=st.binary(max_size=400), ext=st.sampled_from([".csv", ".json"]))
def test_random_bytes(tmp_path_factory, data, ext):
    path = tmp_path_factory.getbasetemp() / f"bytes{ext}"
    path.write_bytes(data)
    _loads_or_format_error(path)


_SPICE = [b",", b"\n", b'"', b"#", b"{", b"}", b"[", b"-", b"0", b"99999999999999999999", b"\t",
          b"  ", b"&a ", b"*a", b"<<<: ", b"<<: ", b"!!python/object:os.system ", b"problem:", b"{{",
          b"include_text('../../x.yaml')", b"include_text('/etc/passwd')", b"include_text('base.yaml')",
          b"_dw", b"\r", b":", b"1e999", b"null", b"\xff", b"\x00", b"Layer name,", b"name,",
          b'"layers"', b"\xc3\xa9", b"-1", b"1.5"]


@st.composite
def mutations(draw, data: bytes) -> bytes:
    for _ in range(draw(st.integers(1, 6))):
        i = draw(st.integers(0, len(data)))
        j = draw(st.integers(i, min(len(data), i + 40)))
        op = draw(st.sampled_from(["delete", "insert", "replace", "repeat"]))
        piece = draw(st.sampled_from(_SPICE) | st.binary(min_size=1, max_size=4))
        if op == "delete":
            data = data[:i] + data[j:]
        elif op == "insert":
            data = data[:i] + piece + data[i:]
        elif op == "replace":
            data = data[:i] + piece + data[j:]
        else:
            data = data[:j] + data[i:j] + data[j:]
    return data


@FUZZ
@given(st.data())
def test_mutated_valid_files(tmp_path_factory, valid_files, data):
    name = data.draw(st.sampled_from(sorted(valid_files)))
    mutated = data.draw(mutations(valid_files[name]))
    path = tmp_path_factory.getbasetemp() / f"mutated-{name}"
    path.write_bytes(mutated)
    _loads_or_format_error(path, data.draw(st.sampled_from(FORMAT_NAMES)))
    if name == "project.json":
        try:
            load_project(path)
        except FormatError as e:
            # The file itself, or (a mutated include_text) the file it names beside it.
            assert e.path == str(path) or Path(e.path).parent == path.parent


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)
layer_keys = st.sampled_from(["name", "type", "in_h", "in_w", "in_c", "out_c", "k_h", "k_w", "stride",
                              "padding", "groups", "in_features", "out_features", "bogus"])
small = st.integers(-2, 9) | st.sampled_from(["3", "linear", "conv", "²", [1, 2], [3], None, 2.0, 1e300])
layers = (st.fixed_dictionaries(  # all required fields present, so values get converted
    {k: small for k in ("in_h", "in_w", "in_c", "out_c", "k_h", "k_w")},
    optional={k: small for k in ("name", "type", "stride", "padding", "groups", "in_features")})
    | st.dictionaries(layer_keys, small | json_values, max_size=12))


arrays = st.dictionaries(st.sampled_from(["rows", "cols", "cell_bits", "weight_bits", "x"]),
                         small, max_size=4) | json_values
versions = st.sampled_from([1, 0, 2, True, "1"]) | json_values
layer_docs = st.fixed_dictionaries(  # mostly a valid envelope, so the layers get read
    {"layers": st.lists(layers, min_size=1, max_size=4)},
    optional={"format": st.just("xbarscope-layers") | json_values, "version": versions,
              "name": json_values, "description": json_values, "array": arrays})
network_sources = (st.fixed_dictionaries({"network": layer_docs | json_values})
                   | st.fixed_dictionaries({"network_file": st.sampled_from(
                       ["", "missing.csv", ".", "/", "a\x00b", "../" * 40]) | json_values}))
project_docs = st.tuples(st.fixed_dictionaries(
    {"format": st.just("xbarscope-project"), "version": st.just(1), "array": arrays},
    optional={"methods": st.lists(st.sampled_from(["sdk", "im2col", "vw-sdk", "nope"]) | json_values,
                                  max_size=4) | json_values,
              "options": json_values, "view": json_values}), network_sources).map(
    lambda parts: {**parts[0], **parts[1]})


@FUZZ
@given(doc=layer_docs | project_docs | json_values)
def test_structured_json_documents(tmp_path_factory, doc):
    path = tmp_path_factory.getbasetemp() / "doc.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    _loads_or_format_error(path)
    try:
        load_project(path)
    except FormatError as e:
        assert e.path == str(path)


cells = (st.integers(-3, 300).map(str) | st.sampled_from(["", " ", "x", "1.0", "#c", "1e3", '"q"', "٣"])
         | st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=5))


@FUZZ
@given(header=st.sampled_from(["", "name,type,in_h,in_w,in_c,out_c,k_h,k_w,stride_h,stride_w,pad_h,"
                               "pad_w,groups\n",
                               "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, "
                               "Channels, Num Filter, Strides, Stride W, Eh,\n"]),
       rows=st.lists(st.lists(cells, min_size=0, max_size=14), min_size=1, max_size=8),
       names=st.booleans())
def test_csv_shaped_rows(tmp_path_factory, header, rows, names):
    if names:  # give rows a name cell, with depthwise names, as the named formats want
        rows = [[f"L{i}_dw" if i % 2 else f"L{i}"] + r for i, r in enumerate(rows)]
    path = tmp_path_factory.getbasetemp() / "rows.csv"
    path.write_text(header + "\n".join(",".join(r) for r in rows), encoding="utf-8")
    _loads_or_format_error(path)


yaml_scalars = (st.integers(-3, 40) | st.sampled_from(["BATCH_SIZE", "", "3", "1e3", None, True, 2.0, 2.5])
                | st.text(max_size=6))
instances = st.dictionaries(st.sampled_from(["C", "M", "P", "Q", "R", "S", "N", "G", "H", "W", "Hstride",
                                             "Wstride", "Hdilation", "Wdilation", "X", "K"]),
                            yaml_scalars, max_size=12)
problems = st.fixed_dictionaries({}, optional={
    "instance": instances | json_values, "shape": st.fixed_dictionaries(
        {}, optional={"dimensions": st.lists(st.sampled_from(["C", "M", "K", "P", "Q", "R", "S", "N"]), max_size=6)}),
    "version": st.sampled_from([0.4, "0.4"]), "R": yaml_scalars, "C": yaml_scalars})


@FUZZ
@given(problem=problems | json_values, top=st.booleans(), merge=st.booleans())
def test_structured_timeloop_documents(tmp_path_factory, problem, top, merge):
    """Timeloop problem documents with random instances: a layer, or a FormatError."""
    import yaml

    doc = {"problem": problem} if top else problem
    text = yaml.safe_dump(doc, default_flow_style=bool(merge))
    if merge and isinstance(problem, dict):  # merged over the included base
        text = "{{include_text('base.yaml')}}\n" + yaml.safe_dump(
            {"problem": {"<<<": "MERGE", **problem}}).replace("<<<: MERGE", "<<<: *base")
    path = tmp_path_factory.getbasetemp() / "doc.yaml"
    path.write_text(text, encoding="utf-8")
    _loads_or_format_error(path)
