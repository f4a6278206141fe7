"""xbarscope-cli chip and chip-sweep: the issue's done-when check, formats, errors."""
import csv
import io
import json
from math import ceil

from engine.cli import main


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_done_when_resnet18_on_200_arrays(capsys):
    code, out, _ = run(capsys, "chip", "--network", "resnet18-paper", "--array", "512x512", "--method", "vw-sdk",
                       "--arrays", "200", "--format", "json")
    assert code == 0
    d = json.loads(out)
    code, mapped, _ = run(capsys, "map", "--network", "resnet18-paper", "--array", "512x512", "--methods", "vw-sdk",
                          "--format", "json")
    layers = json.loads(mapped)["layers"]
    tiles = [L["groups"] * L["methods"]["vw-sdk"]["ar_cycles"] * L["methods"]["vw-sdk"]["ac_cycles"] for L in layers]
    assert d["arrays_needed"] == sum(tiles) == 23
    assert [L["tiles"] for L in d["layers"]] == tiles
    assert [L["steps"] for L in d["layers"]] == [L["methods"]["vw-sdk"]["n_pw"] for L in layers]
    assert sum(L["replicas"] * L["tiles"] for L in d["layers"]) <= 200
    assert all(L["cycles"] == ceil(L["steps"] / L["replicas"]) for L in d["layers"])
    assert {"chip", "method", "arrays_needed", "fits", "layers", "latency_cycles", "interval_cycles", "latency_ns",
            "images_per_s", "chip_utilization"} <= set(d)
    assert {"name", "tiles", "steps", "replicas", "cycles", "adc_bits_needed"} <= set(d["layers"][0])
    # Hand-checked: a bottleneck of 23 cycles needs 63+64+32+28+18 = 205 arrays, 24 needs 193; the 7 left
    # give conv4_x its 4th replica (6 cycles for 7 arrays, the best saving per array that fits).
    assert [L["replicas"] for L in d["layers"]] == [60, 31, 8, 4, 2]
    assert [L["cycles"] for L in d["layers"]] == [24, 24, 22, 18, 13]
    assert (d["interval_cycles"], d["latency_cycles"], d["fits"], d["method"]) == (24, 101, True, "vw-sdk")
    assert d["latency_ns"] == 101 * 8 * 8 * 10.0 and d["images_per_s"] == 1e9 / (24 * 640.0)
    assert d["chip_utilization"] == 1.0 and d["chip"]["arrays"] == 200


def test_not_fit_reports_shortfall_and_rounds(capsys):
    code, out, _ = run(capsys, "chip", "--network", "resnet18-paper", "--arrays", "10", "--format", "json",
                       "--reprogram-ns", "1000")
    d = json.loads(out)
    assert code == 0 and not d["fits"] and d["shortfall"] == 13
    # tiles 1, 2, 4, 7, 9 on 10 arrays: rounds [1, 2, 4], [7], [9]
    assert (d["rounds"], d["reprogrammings"], d["reprogram_ns"]) == (3, 23, 23000.0)
    assert d["latency_cycles"] == d["interval_cycles"] == 1431 + 729 + 169 + 72 + 25
    assert d["latency_ns"] == d["latency_cycles"] * 640.0 + 23000.0
    assert "does not fit" in d["warnings"][0]


def test_table_and_csv(capsys):
    code, out, _ = run(capsys, "chip", "--network", "resnet18-paper", "--arrays", "200", "--adc-bits", "10")
    assert code == 0 and "interval 24 cycles" in out and "fits" in out and "warning" not in out
    assert "* 23.8%" in out  # the bottleneck marked
    code, out, _ = run(capsys, "chip", "--network", "resnet18-paper", "--arrays", "200", "--format", "csv",
                       "--methods", "im2col,vw-sdk")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 10 and rows[5]["method"] == "vw-sdk"
    assert (rows[5]["layer"], rows[5]["replicas"], rows[5]["cycles"]) == ("conv1", "60", "24")


def test_adc_check_per_layer(capsys):
    # conv1 of resnet18-paper drives 7*7*... 240 rows in its fullest tile: 8 + 1 + 1 - 1 = 9 bits
    _, out, _ = run(capsys, "chip", "--network", "resnet18-paper", "--arrays", "200", "--adc-bits", "9",
                    "--format", "json")
    d = json.loads(out)
    assert [L["adc_bits_needed"] for L in d["layers"]] == [9, 10, 10, 10, 10]
    assert [L["precision_loss"] for L in d["layers"]] == [False, True, True, True, True]
    assert len(d["warnings"]) == 4 and "conv2_x" in d["warnings"][0]


def test_chip_sweep_csv(capsys):
    code, out, _ = run(capsys, "chip-sweep", "--network", "resnet18-paper", "--sizes", "256,512",
                       "--methods", "im2col,vw-sdk", "--points", "4")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 2 * 2 * 4
    vw = [r for r in rows if r["method"] == "vw-sdk" and r["rows"] == "512"]
    assert [int(r["arrays"]) for r in vw] == [23, 46, 92, 184]
    assert all(int(r["arrays_needed"]) == 23 and r["fits"] == "1" for r in vw)
    intervals = [int(r["interval_cycles"]) for r in vw]
    assert intervals[0] == 1431 and intervals == sorted(intervals, reverse=True)


def test_chip_sweep_fixed_budgets_json(capsys):
    code, out, _ = run(capsys, "chip-sweep", "--network", "resnet18-paper", "--sizes", "512", "--methods", "vw-sdk",
                       "--budgets", "10,200", "--format", "json")
    d = json.loads(out)
    assert code == 0 and [r["fits"] for r in d["rows"]] == [False, True]
    assert d["rows"][1]["interval_cycles"] == 24 and "arrays" not in d["chip"]


def test_errors_name_the_field(capsys):
    code, _, err = run(capsys, "chip", "--network", "resnet18-paper", "--arrays", "0")
    assert code == 2 and "chip: arrays: must be from 1" in err
    code, _, err = run(capsys, "chip", "--network", "resnet18-paper", "--arrays", "9", "--dac-bits", "9")
    assert code == 2 and "chip: dac_bits:" in err
    code, _, err = run(capsys, "chip", "--network", "resnet18-paper", "--arrays", "9", "--columns-per-adc", "1024")
    assert code == 2 and "chip: columns_per_adc: 1024 columns per ADC on a 512-column array" in err
    code, _, err = run(capsys, "chip", "--network", "resnet18-paper")
    assert code == 2 and "--arrays" in err
    code, _, err = run(capsys, "chip-sweep", "--network", "resnet18-paper", "--budgets", "1,x")
    assert code == 2 and "--budgets" in err


def test_compressed_and_region_methods_take_their_tiles_from_map(capsys):
    for method, extra in (("pairs", ["--pattern-set", "edge6"]), ("vwc-sdk", []), ("kerntrol", []),
                          ("xbar-opt", [])):
        _, out, _ = run(capsys, "chip", "--network", "resnet18-paper", "--arrays", "300", "--method", method,
                        "--format", "json", *extra)
        d = json.loads(out)
        _, mapped, _ = run(capsys, "map", "--network", "resnet18-paper", "--methods", method, "--format", "json",
                           *extra)
        want = []
        for L in json.loads(mapped)["layers"]:
            m = L["methods"][method]
            parts = m.get("regions") or [m]
            want.append(L["groups"] * sum(p["ar_cycles"] * p["ac_cycles"] for p in parts))
        assert [L["tiles"] for L in d["layers"]] == want and d["arrays_needed"] == sum(want)
        assert d["method"] == method and sum(L["replicas"] * L["tiles"] for L in d["layers"]) <= 300
