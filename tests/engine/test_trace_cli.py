"""xbarscope-cli trace (issue 15, item 4): JSON and CSV checked against a direct convolution."""
import json

import numpy as np
import pytest

from engine import ConvLayer
from engine.cli import main
from engine.simulate import direct_conv
from engine.trace_format import read_trace_csv

NET = {"format": "xbarscope-layers", "version": 1, "name": "tiny",
       "array": {"rows": 50, "cols": 40, "cell_bits": 2, "weight_bits": 5},
       "layers": [{"name": "c1", "in_h": 9, "in_w": 8, "in_c": 6, "out_c": 8, "k_h": 3, "k_w": 3,
                   "stride": [2, 1], "padding": 1, "groups": 2},
                  {"name": "7", "in_h": 5, "in_w": 4, "in_c": 37, "out_c": 9, "k_h": 3, "k_w": 2, "padding": [1, 0]},
                  {"name": "long", "in_h": 1000, "in_w": 1000, "in_c": 1, "out_c": 1, "k_h": 1, "k_w": 1},
                  {"name": "big", "in_h": 2048, "in_w": 2048, "in_c": 64, "out_c": 64, "k_h": 3, "k_w": 3}]}


@pytest.fixture
def net(tmp_path):
    f = tmp_path / "tiny.json"
    f.write_text(json.dumps(NET))
    return str(f)


def run(capsys, *args):
    code = main(["trace", *args])
    out, err = capsys.readouterr()
    return code, out, err


def layer_of(d):
    f = d["layer"]
    return ConvLayer(f["name"], f["in_h"], f["in_w"], f["in_c"], f["out_c"], f["k_h"], f["k_w"], *f["stride"],
                     *f["padding"], f["groups"])


def ofm_from(trace, shape, cell_bits):
    """Sum every column's partial sum into the OFM by its reported coordinates."""
    out = np.zeros(shape, dtype=np.int64)
    for c in trace:
        for _col, _copy, oc, bit, (y, x), v in c["columns"]:
            out[oc, y, x] += v << (bit * cell_bits)
    return out


@pytest.mark.parametrize("method", ["im2col", "sdk", "vw-sdk", "vw-flat", "xbar-opt", "pairs", "kerntrol", "vwc-sdk"])
def test_json_trace_of_all_cycles_is_the_direct_convolution(capsys, net, method):
    code, out, err = run(capsys, "--network", net, "--layer", "c1", "--method", method, "--cycles", "0..100000",
                         "--seed", "3")
    assert code == 0, err
    d = json.loads(out)
    layer = layer_of(d)
    assert d["seed"] == 3 and d["first_cycle"] == 0 and d["last_cycle"] == d["cycles_total"] - 1
    assert [c["cycle"] for c in d["trace"]] == list(range(d["cycles_total"]))
    x, w = np.array(d["X"]), np.array(d["W"])
    assert x.shape == (6, 9, 8) and w.shape == (8, 3, 3, 3)
    got = ofm_from(d["trace"], (layer.out_c, layer.out_h, layer.out_w), d["array"]["cell_bits"])
    if "compression" not in d:
        assert np.array_equal(got, direct_conv(layer, x, w))
    first = d["trace"][0]
    assert first["reprogram"] and first["tile"] == [0, 0] and first["pw"] == [0, 0]
    for r, c, pix, v in first["rows"]:  # rows: the IFM value, or 0 on padding
        assert v == (0 if pix is None else x[c, pix[0], pix[1]])
    assert any(pix is None for _, _, pix, _ in first["rows"])  # padding=1: the corner PW reads padding


def test_csv_round_trip_equals_json(capsys, net):
    args = ["--network", net, "--layer", "7", "--method", "vw-sdk", "--cycles", "2..40", "--seed", "8"]
    _, out_json, _ = run(capsys, *args)
    code, out_csv, err = run(capsys, *args, "--format", "csv")
    assert code == 0, err
    j, c = json.loads(out_json), read_trace_csv(out_csv)
    for key in ("seed", "X", "W", "trace"):
        assert c[key] == j[key], key
    assert c["cell_bits"] == 2 and c["stride"] == [1, 1] and c["padding"] == [1, 0] and c["groups"] == 1
    assert out_csv.splitlines()[0].startswith("record,cycle,group,region,b,a,py,px,index")


def test_layer_by_name_wins_over_index(capsys, net):
    _, by_name, _ = run(capsys, "--network", net, "--layer", "7", "--method", "im2col", "--cycles", "0")
    _, by_index, _ = run(capsys, "--network", net, "--layer", "1", "--method", "im2col", "--cycles", "0")
    assert json.loads(by_name)["layer"]["name"] == "7" and json.loads(by_index)["layer"]["name"] == "7"
    _, first, _ = run(capsys, "--network", net, "--layer", "0", "--method", "im2col", "--cycles", "0")
    assert json.loads(first)["layer_index"] == 0 and len(json.loads(first)["trace"]) == 1


def test_full_layer_from_a_full_csv_is_the_convolution(capsys, net):
    code, out, _ = run(capsys, "--network", net, "--layer", "c1", "--method", "xbar-opt", "--cycles", "0..99999",
                       "--format", "csv", "--seed", "1")
    assert code == 0
    d = read_trace_csv(out)
    x, w = np.array(d["X"]), np.array(d["W"])
    layer = ConvLayer("c1", 9, 8, 6, 8, 3, 3, *d["stride"], *d["padding"], d["groups"])
    got = ofm_from(d["trace"], (8, layer.out_h, layer.out_w), d["cell_bits"])
    assert np.array_equal(got, direct_conv(layer, x, w))


@pytest.mark.parametrize("args,message", [
    (["--layer", "long", "--method", "im2col", "--cycles", "0..1000000000"], "a trace holds at most 100,000"),
    (["--layer", "big", "--method", "vw-sdk", "--cycles", "0"], "operands are"),
    (["--layer", "nope", "--method", "vw-sdk"], "--layer: no layer 'nope'"),
    (["--layer", "c1", "--method", "vw-sdk", "--cycles", "5..2"], "--cycles"),
    (["--layer", "c1", "--method", "vw-sdk", "--cycles", "a..b"], "is not a range"),
    (["--layer", "c1", "--method", "vw-sdk", "--cycles", "99999"], "past its end"),
    (["--layer", "c1", "--method", "nope"], "unknown method"),
    (["--layer", "c1", "--method", "vw-sdk", "--weights", "model"], "no imported weights"),
    (["--layer", "c1", "--method", "im2col", "--array", "16384x16384"], "a trace holds at most"),
])
def test_absurd_requests_fail_with_one_line(capsys, net, args, message):
    code, out, err = run(capsys, "--network", net, *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("xbarscope-cli: error:") and message in err


def test_entry_budget_caps_the_cycles_of_a_wide_array(capsys, net):
    code, _, err = run(capsys, "--network", net, "--layer", "long", "--method", "im2col", "--array", "4096x4096",
                       "--cycles", "0..99999")
    assert code == 2 and "row and column entries" in err


def test_streamed_json_equals_the_object():
    from engine import ArraySpec, map_layer
    import io
    from engine.trace import Trace, trace_operands
    from engine.trace_format import trace_json, write_trace_json

    layer, array = ConvLayer("s", 8, 8, 3, 4, 3, 3, 1, 1, 1, 1), ArraySpec(64, 48, 2, 4)
    plan = map_layer(layer, array, "kerntrol", variant="compensatory", threshold=0.3)
    ops = trace_operands(layer, array, plan, 2)
    trace = Trace.of(plan, ops)
    out = io.StringIO()
    write_trace_json(out, trace, ops, 1, 6, {"method": "kerntrol"})
    d = json.loads(out.getvalue())
    assert d == json.loads(json.dumps(trace_json(trace, ops, 1, 6, {"method": "kerntrol"})))
    assert d["compression"]["kind"] == "kerntrol" and np.array(d["extra"]).shape == ops.extra.shape


def test_model_weights_of_an_onnx_model(capsys, tmp_path):
    pytest.importorskip("onnx")
    from engine.presets import resolve_network
    from engine.weights import quantize

    from .onnx_builders import resnet_block, save

    path = str(save(resnet_block(c_in=8, c_out=16, size=8).model(), tmp_path / "block.onnx"))
    net = resolve_network(path)
    layer = net.layers[1]
    code, out, err = run(capsys, "--network", path, "--layer", layer.name, "--method", "vw-sdk", "--array", "64x64",
                         "--weight-bits", "4", "--cell-bits", "2", "--cycles", "0..99999")
    assert code == 0 and "model weights as 4-bit integers" in err
    d = json.loads(out)
    assert d["weights"] == "model" and d["W"] == quantize(net.weights_for(layer.name), 4).values.tolist()
    got = ofm_from(d["trace"], (layer.out_c, layer.out_h, layer.out_w), 2)
    assert np.array_equal(got, direct_conv(layer, np.array(d["X"]), np.array(d["W"])))
    code, out, _ = run(capsys, "--network", path, "--layer", layer.name, "--method", "im2col", "--weights", "random",
                       "--cycles", "0")
    assert code == 0 and json.loads(out)["weights"] == "random"
