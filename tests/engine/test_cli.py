"""xbarscope-cli: the published totals through the JSON interface, errors, verify."""
import json
import subprocess
import sys

import pytest

from engine.cli import cropped, main
from engine import ArraySpec, ConvLayer, map_layer


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("net,totals", [
    ("vgg13-paper", {"im2col": 243736, "sdk": 114697, "vw-sdk": 77102}),
    ("resnet18-paper", {"im2col": 20041, "sdk": 7240, "vw-sdk": 4294}),
])
def test_map_json_gives_published_totals(capsys, net, totals):
    code, out, _ = run(capsys, "map", "--network", net, "--format", "json")
    assert code == 0
    d = json.loads(out)
    assert d["totals"] == totals
    assert d["array"] == {"rows": 512, "cols": 512, "cell_bits": 1, "weight_bits": 1}
    per_layer = {m: sum(layer["methods"][m]["cycles"] for layer in d["layers"]) for m in totals}
    assert per_layer == totals
    m = d["layers"][0]["methods"]["vw-sdk"]
    assert set(m) == {"cycles", "windows", "pw", "ict", "oct", "ar_cycles", "ac_cycles", "n_pw", "row_split",
                      "weight_utilization", "block_occupancy", "mac_utilization", "lower_bound", "efficiency",
                      "adc_conversions", "dac_conversions", "macs", "energy_pj"}


def test_vgg13_layer1_json_fields(capsys):
    _, out, _ = run(capsys, "map", "--network", "vgg13-paper", "--format", "json", "--methods", "vw-sdk")
    layer = json.loads(out)["layers"][0]
    assert (layer["in_h"], layer["in_c"], layer["out_c"], layer["stride"], layer["padding"]) == (224, 3, 64, [1, 1], [0, 0])
    m = layer["methods"]["vw-sdk"]
    assert (m["cycles"], m["windows"], m["pw"], m["ict"], m["oct"], m["ar_cycles"], m["ac_cycles"], m["n_pw"],
            m["row_split"], m["lower_bound"]) == (6216, [1, 8], [3, 10], 3, 64, 1, 1, 6216, "channel", 6161)


def test_array_overrides_and_table(capsys):
    code, out, _ = run(capsys, "map", "--network", "vgg13-paper", "--array", "256x128", "--cell-bits", "2",
                       "--weight-bits", "4", "--methods", "im2col,vw-sdk")
    assert code == 0
    assert "vgg13-paper on 256x128 array, 2-bit cells, 4-bit weights" in out
    first = map_layer(ConvLayer("c", 224, 224, 3, 64, 3, 3), ArraySpec(256, 128, 2, 4), "vw-sdk")
    assert f"{first.cycles:,}" in out.splitlines()[4]
    assert "TOTAL" in out and "vs im2col" in out


def test_csv_output(capsys):
    code, out, _ = run(capsys, "map", "--network", "resnet18-paper", "--format", "csv")
    lines = out.strip().splitlines()
    assert code == 0 and len(lines) == 1 + 5 * 3
    assert lines[3].startswith("conv1,vw-sdk,1431,")


@pytest.mark.parametrize("args,msg", [
    (["map", "--network", "no-such-net"], "neither a preset nor an existing file"),
    (["map", "--network", "vgg13-paper", "--array", "0x512"], "array: rows: must be at least 1"),
    (["map", "--network", "vgg13-paper", "--methods", "magic"], "unknown method 'magic'"),
    (["map", "--network", "vgg13-paper", "--cell-bits", "4", "--weight-bits", "2"], "weight bits (2)"),
    (["map"], "required: --network"),
    (["frobnicate"], "invalid choice"),
])
def test_errors_exit_2_with_one_line(capsys, args, msg):
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and msg in err and "Traceback" not in err


def test_bad_file_names_file_and_line(capsys, tmp_path):
    f = tmp_path / "net.json"
    f.write_text('{"format": "xbarscope-layers", "version": 1, "layers": [{"name": "a", "type": "conv", '
                 '"in_h": 4, "in_w": 4, "in_c": 1, "out_c": 1, "k_h": 9, "k_w": 3}]}')
    code, _, err = run(capsys, "map", "--network", str(f))
    assert code == 2 and "net.json" in err and "kernel height 9" in err


def test_presets_listed(capsys):
    code, out, _ = run(capsys, "presets")
    names = [line.split()[0] for line in out.splitlines()]
    assert code == 0 and names[:2] == ["vgg13-paper", "resnet18-paper"] and "mobilenet-v2" in names


def test_verify_passes_and_says_when_cropped(capsys):
    code, out, _ = run(capsys, "verify", "--network", "resnet18-paper", "--methods", "vw-sdk")
    assert code == 0
    assert out.count("OK ") == 5 and "cropped to" in out and "exactly" in out


def test_verify_fails_on_mismatch(capsys, monkeypatch):
    import engine.cli as cli

    monkeypatch.setattr(cli, "verify", lambda *a, **k: False)
    code, out, _ = run(capsys, "verify", "--network", "resnet18-paper", "--methods", "im2col")
    assert code == 1 and "MISMATCH" in out


def test_cropping_keeps_plan_geometry():
    layer = ConvLayer("l", 58, 58, 64, 64, 3, 3, pad_h=1, pad_w=1)
    plan = map_layer(layer, ArraySpec(), "vw-sdk")
    small = cropped(plan, 3)
    assert (small.nh, small.nw, small.ict, small.oct, small.ar, small.ac) == (plan.nh, plan.nw, plan.ict, plan.oct,
                                                                              plan.ar, plan.ac)
    assert small.n_pw_h <= 3 and small.n_pw_w <= 3
    # a partial last PW is kept where the full layer has one
    assert (small.layer.out_h % plan.nh == 0) == (layer.out_h % plan.nh == 0)


def test_module_entry_point_runs():
    r = subprocess.run([sys.executable, "-m", "engine", "map", "--network", "resnet18-paper", "--format", "json"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and json.loads(r.stdout)["totals"]["vw-sdk"] == 4294
