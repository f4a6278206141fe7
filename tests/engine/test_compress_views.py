"""The view API of compressed plans: dense view, row fates, patterns, cells; and the CLI."""
import json

import numpy as np
import pytest

from engine import ArraySpec, ConvLayer, map_layer
from engine.cli import main
from engine.compress import dense_plan, kernel_masks, prune_network, row_fate, row_slots
from engine.layout import EXTRA, PRUNED, ZERO, tile_layout

LAYER, ARRAY = ConvLayer("l", 12, 12, 7, 5, 3, 3, 1, 1, 1, 1), ArraySpec(40, 64, 1, 2)


@pytest.mark.parametrize("method,opts,layer,array", [
    ("pairs", {"assign": "round-robin", "base": "vw-sdk"}, LAYER, ARRAY),
    ("kerntrol", {"threshold": 0.5, "variant": "compensatory", "base": "vw-sdk"}, LAYER, ARRAY),
    ("vwc-sdk", {"max_prune": 0.5}, LAYER, ARRAY),
    ("vwc-sdk", {"max_prune": 0.5}, ConvLayer("w", 8, 8, 7, 8, 3, 3, 1, 1, 1, 1), ArraySpec(64, 64)),  # new PW
])
def test_dense_view_and_row_fates(method, opts, layer, array):
    plan = map_layer(layer, array, method, **opts)
    comp = plan.compression
    assert comp.rows_skipped > 0
    dense = dense_plan(plan)
    assert dense.cycles == comp.base.cycles and dense.ar == comp.base.ar and dense_plan(dense) is dense
    same_pw = (dense.nh, dense.nw) == (plan.nh, plan.nw)
    kept_total = 0
    for a in range(dense.ar):
        lay = tile_layout(dense, a)
        fate = row_fate(plan, a)
        assert (fate.kept == lay.rows.kept).all()
        kept_total += int(fate.kept.sum())
        skipped = lay.rows.used & ~lay.rows.kept
        assert not lay.weight[skipped].any()  # nothing is lost by skipping
        for r in np.flatnonzero(fate.kept):
            if not same_pw:
                assert fate.tile[r] == -1
                continue
            rv = tile_layout(plan, int(fate.tile[r])).rows
            t = int(fate.row[r])
            assert (rv.c[t], rv.y[t], rv.x[t]) == (lay.rows.c[r], lay.rows.y[r], lay.rows.x[r])
    assert kept_total == comp.kept_rows if same_pw else kept_total > 0
    slots = row_slots(plan)
    assert sorted(slots[slots >= 0].tolist()) == list(range(comp.kept_rows))


def test_pattern_cells_and_codes():
    plan = map_layer(LAYER, ARRAY, "pairs", assign="round-robin")
    masks = kernel_masks(plan)
    comp = plan.compression
    for c in range(7):
        assert "".join("1" if v else "0" for v in masks[0, c].ravel()) == comp.patterns[comp.pattern_of[c]]
    lay = tile_layout(dense_plan(plan))
    assert (lay.copy == PRUNED).any() and not (lay.copy == EXTRA).any()
    r, col = map(int, np.argwhere(lay.copy == PRUNED)[0])
    cell = lay.cell(r, col)
    assert cell["copy"] == PRUNED and cell["ky"] == -1 and cell["row_kept"] in (True, False) and cell["col_kept"]
    assert "row_kept" not in tile_layout(map_layer(LAYER, ARRAY, "sdk")).cell(r, col)
    k = map_layer(ConvLayer("k", 8, 8, 3, 4, 3, 3), ArraySpec(256, 64, 1, 4), "kerntrol", threshold=0.3,
                  variant="compensatory")
    lk = tile_layout(k)
    assert (lk.copy == EXTRA).sum() == lk.extra.sum() > 0 and not (lk.kernel & lk.extra).any()
    assert ((lk.copy >= 0) == lk.kernel).all() and (lk.copy[lk.block & ~lk.weight & ~lk.pruned] == ZERO).all()


def test_removed_output_columns_in_the_dense_view():
    layers = [ConvLayer("a", 6, 6, 3, 19, 3, 3), ConvLayer("b", 4, 4, 19, 8, 3, 3)]
    pa = prune_network(layers, ArraySpec(64, 64))[0]
    gone = pa.compression.out_channels_removed(pa)
    lay = tile_layout(dense_plan(pa))
    cols = lay.cols.used & np.isin(lay.cols.oc, gone)
    assert cols.any() and not lay.cols.kept[cols].any() and not lay.weight[:, cols].any()
    assert not np.isin(tile_layout(pa).cols.oc, gone).any()  # the repacked array has no such column


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_json_fields_and_options(capsys):
    code, out, _ = run(capsys, "map", "--network", "vgg13-paper", "--methods", "sdk,pairs,kerntrol,vwc-sdk",
                       "--format", "json", "--pattern-set", "edge6", "--assign", "random", "--seed", "3",
                       "--threshold", "0.5", "--variant", "compensatory", "--max-prune", "0.1")
    assert code == 0
    d = json.loads(out)
    m = d["layers"][3]["methods"]
    assert {"rows_skipped", "compression_rate", "compression"} <= set(m["pairs"])
    assert "channels_removed" not in m["pairs"]
    edge6 = "000111111,111111000,011011011,110110110"
    assert m["pairs"]["compression"]["options"] == {"base": "sdk", "patterns": edge6, "assign": "random", "seed": 3}
    assert m["kerntrol"]["compression"]["options"]["variant"] == "compensatory"
    assert m["vwc-sdk"]["compression"]["options"]["max_prune"] == 0.1 and "channels_removed" in m["vwc-sdk"]
    assert "rows_skipped" not in m["sdk"]
    assert d["totals"]["pairs"] <= d["totals"]["sdk"]
    code, out, _ = run(capsys, "map", "--network", "resnet18-paper", "--methods", "pairs", "--patterns",
                       "000011011,110110000", "--format", "json")
    first = json.loads(out)["layers"][1]["methods"]["pairs"]["compression"]
    assert first["patterns"] == ["000011011", "110110000"] and set(first["pattern_of_channel"]) == {0}


def test_cli_table_and_csv_have_compression_columns(capsys):
    import csv
    import io

    from engine.presets import load_preset

    net = load_preset("vgg13-paper")
    array = ArraySpec(256, 256)
    args = ("map", "--network", "vgg13-paper", "--array", "256x256", "--methods", "sdk,pairs,vwc-sdk")
    code, out, _ = run(capsys, *args, "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    by = {(r["layer"], r["method"]): r for r in rows}
    layer = net.layers[1]
    pairs = map_layer(layer, array, "pairs")
    r = by[(layer.name, "pairs")]
    comp = pairs.compression
    assert (int(r["rows_before"]), int(r["rows_after"]), int(r["rows_skipped"]), int(r["cycles_before"])) == \
        (comp.dense_rows, comp.kept_rows, comp.rows_skipped, comp.base.cycles)
    assert (int(r["rows_before"]), int(r["rows_after"])) == (64 * 9, 64 * 4)  # corner4 on a 3x3 PW keeps 4 of 9
    assert float(r["compression_rate"]) == pytest.approx(2.25) and r["channels_removed"] == ""
    assert by[(layer.name, "sdk")]["rows_skipped"] == ""
    vwc = [r for r in rows if r["method"] == "vwc-sdk"]
    assert all(r["channels_removed"].isdigit() for r in vwc)
    code, out, _ = run(capsys, *args)
    lines = out.splitlines()
    assert "rows skipped" in lines[1] and "compr." in lines[1] and "ch. removed" in lines[1]
    line = next(x for x in lines if x.startswith(layer.name) and " pairs " in x)
    assert line.split()[-2:] == ["320", "2.25x"]  # no channel removed: the last cell is empty


@pytest.mark.parametrize("args,msg", [
    (["--methods", "pairs", "--patterns", "0101"], "9 characters"),
    (["--methods", "kerntrol", "--threshold", "1.5"], "threshold must be"),
    (["--methods", "vwc-sdk", "--max-prune", "2"], "max_prune must be"),
    (["--methods", "pairs", "--assign", "magnitude"], "needs the layer's weights"),
])
def test_cli_option_errors(capsys, args, msg):
    code, out, err = run(capsys, "map", "--network", "resnet18-paper", *args)
    assert code == 2 and out == "" and msg in err and len(err.strip().splitlines()) == 1


def test_cli_verify_compressed(capsys):
    code, out, _ = run(capsys, "verify", "--network", "cnn8-svhn", "--methods", "pairs,kerntrol,vwc-sdk",
                       "--variant", "compensatory", "--threshold", "0.3", "--base", "vw-sdk")
    assert code == 0 and out.count("OK ") == 3 * 7 and "MISMATCH" not in out


@pytest.mark.parametrize("method,opts", [("pairs", {"assign": "random", "seed": 2}),
                                         ("kerntrol", {"threshold": 0.3, "variant": "compensatory"}),
                                         ("vwc-sdk", {"max_prune": 0.5}), ("pairs", {"pattern_set": "corner8"})])
@pytest.mark.parametrize("dense", [False, True])
def test_cell_tables_reproduce_the_layout(method, opts, dense):
    from engine.compress.views import cell_tables

    layer, array = ConvLayer("t", 9, 9, 11, 6, 3, 3, 1, 1, 1, 1), ArraySpec(64, 96, 1, 2)
    plan = map_layer(layer, array, method, **opts)
    plan = dense_plan(plan) if dense else plan
    t = cell_tables(plan)
    for a in range(plan.ar):
        lay = tile_layout(plan, a)
        rows, cols = lay.rows.used, lay.cols.used
        got = np.take_along_axis(t.codes[t.channel_class[lay.rows.c[rows]]],
                                 (lay.rows.y * plan.pix_w + lay.rows.x)[rows][:, None, None], axis=1)[:, 0]
        got = got[:, lay.cols.copy[cols]]
        assert (got == lay.copy[np.ix_(rows, cols)]).all()


@pytest.mark.parametrize("net", ["vgg13-paper", "resnet18-paper"])
def test_network_bound_is_a_bound_for_every_method(net):
    """A compressed method computes a pruned layer: its network bound is its own, never above its cycles."""
    from engine.batch import MapRequest, map_network
    from engine.presets import load_preset

    layers = load_preset(net).layers
    array = ArraySpec(256, 256)
    methods = ("im2col", "sdk", "vw-sdk", "pairs", "kerntrol", "vwc-sdk")
    result = map_network(MapRequest(layers, array, methods))
    totals = result.totals()
    plain = result.lower_bound_total()
    assert plain == sum(result.plans[i]["sdk"].lower_bound for i in range(len(layers)))
    for m in methods:
        assert result.lower_bound_total(m) <= totals[m], m
        assert result.lower_bound_total(m) == sum(p[m].lower_bound for p in result.plans)
    assert result.lower_bound_total("pairs") < plain  # pruned weights: fewer products to add
    assert plain > totals["pairs"]  # the dense bound would have read as more than 100 %
