"""xbarscope-cli: map, verify and list networks without a display.

Errors exit 2 with one line on stderr; a failed functional proof exits 1.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
from dataclasses import replace

import numpy as np

from . import __version__
from .batch import SweepRequest, sweep
from .errors import XbarError
from .formats.csvrows import spreadsheet_safe
from .layers import ArraySpec, ConvLayer, parse_array_size
from .energy import EnergyModel
from .compress.cli_options import add_arguments as add_compress_args, map_layers, options_from_args, plans_for
from .compress.views import COMPRESSION_FIELDS, compression_fields
from .methods import DEFAULT_METHODS, DESCRIPTIONS, METHODS, parse_methods
from .plan import Plan
from .simulate import verify
from .trace_cli import add_parser as add_trace_parser, run as run_trace


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2 (argparse prints the usage too)
        raise XbarError(message)


def _network_args(p: argparse.ArgumentParser, array: bool = True) -> None:
    p.add_argument("--network", required=True,
                   help="preset name, layer-list file (json, csv, NeuroSim, SCALE-Sim, Timeloop YAML), ONNX model, "
                        "or a folder of numbered Timeloop/CiMLoop layer files")
    p.add_argument("--input-size", metavar="HxW",
                   help="input height x width, for an ONNX model that leaves its input size open")
    if array:
        p.add_argument("--array", help="ROWSxCOLS, e.g. 512x512 (overrides the file's spec)")
    p.add_argument("--cell-bits", type=int, help="bits stored per cell")
    p.add_argument("--weight-bits", type=int, help="bits per weight")
    p.add_argument("--methods", default=",".join(DEFAULT_METHODS),
                   help=f"comma-separated, from: {', '.join(METHODS)} (default: %(default)s)")


def _energy_args(p: argparse.ArgumentParser) -> None:
    d = EnergyModel()
    p.add_argument("--e-adc", type=float, default=d.adc_pj, help="pJ per ADC conversion (example default %(default)s)")
    p.add_argument("--e-dac", type=float, default=d.dac_pj, help="pJ per DAC conversion (example default %(default)s)")
    p.add_argument("--e-mac", type=float, default=d.mac_pj, help="pJ per cell MAC (example default %(default)s)")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="xbarscope-cli", description="Map CNN layers onto crossbar arrays.")
    p.add_argument("--version", action="version", version=f"xbarscope {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    m = sub.add_parser("map", help="cycles, windows, tiles and utilization per layer and method")
    _network_args(m)
    add_compress_args(m)
    m.add_argument("--format", choices=("table", "json", "csv"), default="table")
    _energy_args(m)
    v = sub.add_parser("verify", help="functional proof: the mapped crossbar equals a direct convolution")
    _network_args(v)
    v.add_argument("--seed", type=int, default=0,
                   help="seed of the random weights and inputs (and of pairs' --assign random)")
    add_compress_args(v, seed=False)
    v.add_argument("--max-pw", type=int, default=3,
                   help="verify large layers on an IFM cropped to this many PW positions per axis")
    v.add_argument("--weights", choices=("auto", "model", "random"), default="auto",
                   help="model: the imported model's weights, quantized to --weight-bits; "
                        "auto (default): model weights when the network has them, else random")
    sw = sub.add_parser("sweep", help="total cycles of a network for every method over a range of arrays")
    _network_args(sw, array=False)
    sw.add_argument("--arrays", default="64..4096",
                    help="sizes: '64..4096' (13 square sizes, steps x1.5 and x2), '128x256..1024x2048', "
                         "or a list '128,256x512,512' (default %(default)s)")
    sw.add_argument("--format", choices=("table", "json", "csv"), default="table")
    add_trace_parser(sub)
    sub.add_parser("presets", help="list the built-in networks")
    sub.add_parser("methods", help="list the mapping methods")
    from .chip_cli import add_commands as add_chip_commands  # here: chip_cli imports this module

    add_chip_commands(sub)
    return p


def resolve_array(net_array: ArraySpec | None, args) -> ArraySpec:
    base = net_array or ArraySpec()
    rows, cols = parse_array_size(args.array) if args.array else (base.rows, base.cols)
    return ArraySpec(rows, cols, args.cell_bits if args.cell_bits is not None else base.cell_bits,
                     args.weight_bits if args.weight_bits is not None else base.weight_bits)


def _resolve(args):
    """The network; an ONNX import's report goes to stderr (stdout stays table, JSON or CSV)."""
    from .presets import preset_names, resolve_network

    size = None
    if args.input_size is not None:
        from .onnx import parse_input_size

        size = parse_input_size(args.input_size)
    if os.path.isdir(args.network) and args.network not in preset_names():
        from .formats import load_network, timeloop  # a folder of Timeloop/CiMLoop layer files

        if not timeloop.is_layer_folder(args.network):
            raise XbarError(f"'{args.network}' is a folder, not a network file; only a folder of numbered "
                            f"Timeloop/CiMLoop layer files (0.yaml, 1.yaml, ...) opens as a network")
        net = load_network(args.network, input_size=size)
    else:
        net = resolve_network(args.network, input_size=size)
    for note in net.notes:
        print(f"note: {note}", file=sys.stderr)
    return net


def _load(args):
    net = _resolve(args)
    return net, resolve_array(net.array, args), tuple(parse_methods(args.methods))


def layer_fields(layer: ConvLayer) -> dict:
    return {"name": layer.name, "type": layer.kind, "in_h": layer.in_h, "in_w": layer.in_w,
            "in_c": layer.in_c, "out_c": layer.out_c, "k_h": layer.k_h, "k_w": layer.k_w,
            "stride": [layer.stride_h, layer.stride_w], "padding": [layer.pad_h, layer.pad_w],
            "groups": layer.groups, "out_h": layer.out_h, "out_w": layer.out_w}


def map_json(result, array: ArraySpec, energy: EnergyModel | None = None) -> dict:
    energy = energy or EnergyModel()
    layers = []
    for layer, plans in zip(result.request.layers, result.plans):
        d = layer_fields(layer)
        d["methods"] = {m: plans[m].to_dict(energy) for m in result.request.methods}
        layers.append(d)
    methods = result.request.methods
    return {"array": array.to_dict(), "layers": layers, "totals": result.totals(),
            "energy_model_pj": {"adc": energy.adc_pj, "dac": energy.dac_pj, "mac": energy.mac_pj},
            "energy_totals_pj": {m: sum(d["methods"][m]["energy_pj"] for d in layers) for m in methods}}


def _pw(p: Plan) -> str:
    text = f"{p.nh}x{p.nw} ({p.pix_h}x{p.pix_w})"
    return text + f" +{len(p.regions) - 1} regions" if p.regions else text


def text_table(head: list[str], rows: list[list[str]], title: str, left: int = 2) -> str:
    """Columns padded for a terminal; the first `left` columns left-aligned; a rule before totals."""
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]

    def fmt(r):
        return "  ".join(c.ljust(w) if i < left else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))).rstrip()

    rule = fmt(["-" * w for w in widths])
    lines = [title, fmt(head), rule]
    for i, r in enumerate(rows):
        if r[0] == "TOTAL" and i and rows[i - 1][0] != "TOTAL":
            lines.append(rule)
        lines.append(fmt(r))
    return "\n".join(lines)


def _compression_cells(p: Plan) -> list[str]:
    f = compression_fields(p)
    if f is None:
        return ["", "", ""]
    removed = "" if f["channels_removed"] is None else f"{f['channels_removed']:,}"
    return [f"{f['rows_skipped']:,}", f"{f['compression_rate']:.2f}x", removed]


def map_table(result, array: ArraySpec, net_name: str, energy: EnergyModel | None = None) -> str:
    energy = energy or EnergyModel()
    methods = result.request.methods
    base = "im2col" if "im2col" in methods else None
    compressed = any(p[m].compression is not None for p in result.plans for m in methods)
    head = ["layer", "method", "cycles", "PW win (px)", "ICt", "OCt", "AR", "AC", "w.util", "LB", "eff", "energy nJ"]
    if compressed:
        head += ["rows skipped", "compr.", "ch. removed"]
    if base:
        head.append("vs im2col")
    rows, energies = [], {m: 0.0 for m in methods}
    for layer, plans in zip(result.request.layers, result.plans):
        for m in methods:
            p = plans[m]
            e = p.conversions().energy_pj(energy)
            energies[m] += e
            row = [layer.name, m, f"{p.cycles:,}", _pw(p), str(p.ict), str(p.oct), str(p.ar), str(p.ac),
                   f"{p.weight_utilization:.1%}", f"{p.lower_bound:,}", f"{p.efficiency:.1%}", f"{e / 1000:,.1f}"]
            if compressed:
                row += _compression_cells(p)
            if base:
                row.append(f"{plans[base].cycles / p.cycles:.2f}x")
            rows.append(row)
    totals = result.totals()
    for m in methods:
        lb = result.lower_bound_total(m)
        row = ["TOTAL", m, f"{totals[m]:,}", "", "", "", "", "", "", f"{lb:,}", f"{lb / totals[m]:.1%}",
               f"{energies[m] / 1000:,.1f}"]
        if compressed:
            row += ["", "", ""]
        if base:
            row.append(f"{totals[base] / totals[m]:.2f}x")
        rows.append(row)
    title = (f"{net_name} on {array.label()} array, {array.cell_bits}-bit cells, {array.weight_bits}-bit weights; "
             f"energy with ADC {energy.adc_pj} pJ, DAC {energy.dac_pj} pJ, MAC {energy.mac_pj} pJ")
    return text_table(head, rows, title)


def map_csv(result, energy: EnergyModel | None = None) -> str:
    energy = energy or EnergyModel()
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["layer", "method", "cycles", "nh", "nw", "ph", "pw", "ict", "oct", "ar", "ac", "n_pw", "regions",
                "row_split", "weight_utilization", "block_occupancy", "mac_utilization", "lower_bound",
                "adc_conversions", "dac_conversions", "macs", "energy_pj", *COMPRESSION_FIELDS])
    for layer, plans in zip(result.request.layers, result.plans):
        for m in result.request.methods:
            p = plans[m]
            c = p.conversions()
            w.writerow([spreadsheet_safe(layer.name), m, p.cycles, p.nh, p.nw, p.pix_h, p.pix_w, p.ict, p.oct, p.ar, p.ac, p.n_pw,
                        max(1, len(p.regions)), p.row_split, f"{p.weight_utilization:.6f}",
                        f"{p.block_occupancy:.6f}", f"{p.mac_utilization:.6f}", p.lower_bound, c.adc, c.dac,
                        c.macs, f"{c.energy_pj(energy):.3f}", *_compression_csv(p)])
    return out.getvalue()


def _compression_csv(p: Plan) -> list:
    """Empty cells for plans without compression, so every row has the same columns."""
    f = compression_fields(p)
    if f is None:
        return [""] * len(COMPRESSION_FIELDS)
    return [("" if f[k] is None else f"{f[k]:.6f}" if k == "compression_rate" else f[k]) for k in COMPRESSION_FIELDS]


def parse_arrays(text: str, cell_bits: int = 1, weight_bits: int = 1) -> tuple[ArraySpec, ...]:
    """'64..4096' -> 64, 96, 128, 192, ... 4096 (x1.5 and x2 steps); 'RxC..RxC' likewise on
    both sides; or a comma-separated list of sizes."""
    specs = []
    for part in str(text).split(","):
        part = part.strip()
        if ".." in part:
            lo, hi = (parse_array_size(x) for x in part.split("..", 1))
            if lo[0] > hi[0] or lo[1] > hi[1]:
                raise XbarError(f"--arrays: '{part}' runs from a larger to a smaller size")
            r, c = lo
            while r <= hi[0] and c <= hi[1]:
                specs.append((r, c))
                half = (r + r // 2, c + c // 2)
                if half[0] <= hi[0] and half[1] <= hi[1] and r % 2 == 0 and c % 2 == 0:
                    specs.append(half)
                r, c = r * 2, c * 2
        elif part:
            specs.append(parse_array_size(part))
    if not specs:
        raise XbarError(f"--arrays: no array size in '{text}'")
    if len(specs) > 200:
        raise XbarError(f"--arrays: {len(specs)} sizes; at most 200 per sweep")
    return tuple(ArraySpec(r, c, cell_bits, weight_bits) for r, c in specs)


def sweep_output(result, fmt: str, net_name: str) -> str:
    arrays, methods = result.request.arrays, result.request.methods
    if fmt == "json":
        return json.dumps({"network": net_name,
                           "arrays": [a.to_dict() for a in arrays],
                           "totals": {m: list(result.totals[m]) for m in methods},
                           "lower_bound": list(result.lower_bounds)}, indent=2)
    if fmt == "csv":
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["rows", "cols", "cell_bits", "weight_bits", *methods, "lower_bound"])
        for i, a in enumerate(arrays):
            w.writerow([a.rows, a.cols, a.cell_bits, a.weight_bits, *(result.totals[m][i] for m in methods),
                        result.lower_bounds[i]])
        return out.getvalue().rstrip("\n")
    rows = [[a.label(), *(f"{result.totals[m][i]:,}" for m in methods), f"{result.lower_bounds[i]:,}"]
            for i, a in enumerate(arrays)]
    return text_table(["array", *methods, "lower bound"], rows, f"{net_name}: total cycles per array size", left=1)


def cropped(plan: Plan, max_pw: int) -> Plan:
    """The same plan (PW, tiles, channels) on an IFM cropped to at most `max_pw` PW positions
    per axis, keeping a partial last PW where the full OFM has one."""
    L = plan.layer

    def crop(out, n, k, s, pad, size):
        keep = min(out, n * (max_pw - 1) + (out % n or n))
        new = (keep - 1) * s + k - 2 * pad
        return new if 1 <= new <= size and k <= new + 2 * pad else size

    h = crop(L.out_h, plan.nh, L.k_h, L.stride_h, L.pad_h, L.in_h)
    w = crop(L.out_w, plan.nw, L.k_w, L.stride_w, L.pad_w, L.in_w)
    if (h, w) == (L.in_h, L.in_w):
        return plan
    return replace(plan, layer=replace(L, in_h=h, in_w=w))


def _verify_plan(plan: Plan, array: ArraySpec, max_pw: int, check) -> tuple[bool, str]:
    """Verify one plan with `check(layer, array, plan)`, cropped where large; a region plan
    small enough is verified whole (regions assembled into one OFM), otherwise region by
    region, each cropped."""
    if plan.regions:
        if plan.cycles_per_group * plan.layer.groups <= 4 * max_pw * max_pw * len(plan.regions):
            return check(plan.layer, array, plan), f"  ({len(plan.regions)} regions, whole layer)"
        oks = [check(c.layer, array, c) for c in (cropped(r.plan, max_pw) for r in plan.regions)]
        return all(oks), f"  ({len(plan.regions)} regions, each verified on its own cropped IFM)"
    small = cropped(plan, max_pw)
    note = "" if small is plan else f"  (IFM cropped to {small.layer.in_h}x{small.layer.in_w}, same PW and tiles)"
    return check(small.layer, array, small), note


def _model_weights(net, layer: ConvLayer, array: ArraySpec, out):
    """The layer's weights quantized to the array's weight bits (scale printed), or None."""
    from .weights import quantize

    w = net.weights_for(layer.name)
    if w is None:
        print(f"weights  {layer.name:<24} none imported for this layer: random weights", file=out)
        return None
    q = quantize(w, array.weight_bits, f"layer '{layer.name}'")
    print(f"weights  {layer.name:<24} model weights as {q.describe()}", file=out)
    return q.values


def run_verify(net, array, methods, seed: int, max_pw: int, out, weights: str = "auto",
               options: dict | None = None) -> bool:
    """Verify every layer and method; `weights` "model" (or "auto" on a network that has
    weights) proves the layout with the model's own weights quantized to the array's bits.
    `options`: method option values by name (compression-aware methods)."""
    from .weights import verify_weights

    from .onnx import weights_unavailable

    shape_only = weights_unavailable(net)
    if weights == "model" and net.weights is None:
        if shape_only:
            raise XbarError("--weights model: the model's weights are not available (its external data "
                            "file is missing; the layers came from the declared shapes); use --weights random")
        raise XbarError("--weights model: this network has no weights (ONNX models bring theirs)")
    use_model = weights == "model" or (weights == "auto" and net.weights is not None)
    if shape_only and weights != "random":
        print("note: the model's weights are not available (shape-only ONNX: its external data file is "
              "missing): layers without weights are verified with random weights", file=out)
    if use_model and array.weight_bits == 1:
        print("note: 1-bit weights keep only the large negative weights (-1) and zero; "
              "give --weight-bits 8 for a faithful copy of the model", file=out)
    ok_all = True
    rng = np.random.default_rng(seed)
    width = max((len(m) for m in methods), default=8)
    plans = {m: plans_for(net.layers, array, m, options or {}) for m in methods}  # vwc-sdk sees the chain
    for i, layer in enumerate(net.layers):
        w = _model_weights(net, layer, array, out) if use_model else None
        if w is None:
            def check(L, A, P):
                return verify(L, A, P, rng)
        else:
            def check(L, A, P, w=w):
                return verify_weights(L, A, P, w, rng)
        for m in methods:
            plan = plans[m][i]
            ok, note = _verify_plan(plan, array, max_pw, check)
            ok_all &= ok
            print(f"{'OK ' if ok else 'MISMATCH'}  {layer.name:<24} {m:<{width}} {plan.cycles:>12,} cycles{note}", file=out)
    print("all layouts compute the direct convolution exactly" if ok_all else "MISMATCH: see above", file=out)
    return ok_all


def main(argv=None) -> int:
    try:
        args = build_parser().parse_args(argv)
        if args.command == "presets":
            from .presets import list_presets

            for name, desc in list_presets():
                print(f"{name:<16} {desc}")
            return 0
        if args.command == "methods":
            for name, desc in DESCRIPTIONS.items():
                print(f"{name:<10} {desc}")
            return 0
        if args.command in ("chip", "chip-sweep"):
            from .chip_cli import run as run_chip

            return run_chip(args)
        if args.command == "sweep":
            net = _resolve(args)
            base = net.array or ArraySpec()
            arrays = parse_arrays(args.arrays, args.cell_bits or base.cell_bits, args.weight_bits or base.weight_bits)
            result = sweep(SweepRequest(tuple(net.layers), arrays, tuple(parse_methods(args.methods))))
            print(sweep_output(result, args.format, net.name))
            return 0
        if args.command == "trace":
            return run_trace(args)
        net, array, methods = _load(args)
        if args.command == "map":
            energy = EnergyModel(args.e_adc, args.e_dac, args.e_mac)
            result = map_layers(net.layers, array, methods, options_from_args(args, net))
            if args.format == "json":
                print(json.dumps(map_json(result, array, energy), indent=2))
            elif args.format == "csv":
                sys.stdout.write(map_csv(result, energy))
            else:
                print(map_table(result, array, net.name, energy))
            return 0
        return 0 if run_verify(net, array, methods, args.seed, args.max_pw, sys.stdout, args.weights,
                                options_from_args(args, net)) else 1
    except XbarError as e:
        print(f"xbarscope-cli: error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"xbarscope-cli: error: {e.strerror or e}: {e.filename or ''}".rstrip(": "), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
