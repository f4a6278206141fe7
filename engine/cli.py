"""xbarscope-cli: map, verify and list networks without a display.

Errors exit 2 with one line on stderr; a failed functional proof exits 1.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from dataclasses import replace

import numpy as np

from . import __version__
from .batch import MapRequest, map_network
from .errors import XbarError
from .layers import ArraySpec, ConvLayer, parse_array_size
from .methods import DEFAULT_METHODS, parse_methods
from .plan import Plan
from .simulate import verify


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2 (argparse prints the usage too)
        raise XbarError(message)


def _network_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--network", required=True, help="preset name or layer-list file (json, csv)")
    p.add_argument("--array", help="ROWSxCOLS, e.g. 512x512 (overrides the file's spec)")
    p.add_argument("--cell-bits", type=int, help="bits stored per cell")
    p.add_argument("--weight-bits", type=int, help="bits per weight")
    p.add_argument("--methods", default=",".join(DEFAULT_METHODS), help="comma-separated method names")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="xbarscope-cli", description="Map CNN layers onto crossbar arrays.")
    p.add_argument("--version", action="version", version=f"xbarscope {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    m = sub.add_parser("map", help="cycles, windows, tiles and utilization per layer and method")
    _network_args(m)
    m.add_argument("--format", choices=("table", "json", "csv"), default="table")
    v = sub.add_parser("verify", help="functional proof: the mapped crossbar equals a direct convolution")
    _network_args(v)
    v.add_argument("--seed", type=int, default=0, help="seed of the random weights and inputs")
    v.add_argument("--max-pw", type=int, default=3,
                   help="verify large layers on an IFM cropped to this many PW positions per axis")
    sub.add_parser("presets", help="list the built-in networks")
    return p


def resolve_array(net_array: ArraySpec | None, args) -> ArraySpec:
    base = net_array or ArraySpec()
    rows, cols = parse_array_size(args.array) if args.array else (base.rows, base.cols)
    return ArraySpec(rows, cols, args.cell_bits if args.cell_bits is not None else base.cell_bits,
                     args.weight_bits if args.weight_bits is not None else base.weight_bits)


def _load(args):
    from .presets import resolve_network

    net = resolve_network(args.network)
    return net, resolve_array(net.array, args), tuple(parse_methods(args.methods))


def layer_fields(layer: ConvLayer) -> dict:
    return {"name": layer.name, "type": layer.kind, "in_h": layer.in_h, "in_w": layer.in_w,
            "in_c": layer.in_c, "out_c": layer.out_c, "k_h": layer.k_h, "k_w": layer.k_w,
            "stride": [layer.stride_h, layer.stride_w], "padding": [layer.pad_h, layer.pad_w],
            "groups": layer.groups, "out_h": layer.out_h, "out_w": layer.out_w}


def map_json(result, array: ArraySpec) -> dict:
    layers = []
    for layer, plans in zip(result.request.layers, result.plans):
        d = layer_fields(layer)
        d["methods"] = {m: plans[m].to_dict() for m in result.request.methods}
        layers.append(d)
    return {"array": array.to_dict(), "layers": layers, "totals": result.totals()}


def _pw(p: Plan) -> str:
    return f"{p.nh}x{p.nw} ({p.pix_h}x{p.pix_w})"


def map_table(result, array: ArraySpec, net_name: str) -> str:
    methods = result.request.methods
    base = "im2col" if "im2col" in methods else None
    head = ["layer", "method", "cycles", "PW win (px)", "ICt", "OCt", "AR", "AC", "w.util", "LB", "eff"]
    if base:
        head.append("vs im2col")
    rows = []
    for layer, plans in zip(result.request.layers, result.plans):
        for m in methods:
            p = plans[m]
            row = [layer.name, m, f"{p.cycles:,}", _pw(p), str(p.ict), str(p.oct), str(p.ar), str(p.ac),
                   f"{p.weight_utilization:.1%}", f"{p.lower_bound:,}", f"{p.efficiency:.1%}"]
            if base:
                row.append(f"{plans[base].cycles / p.cycles:.2f}x")
            rows.append(row)
    totals = result.totals()
    lb = result.lower_bound_total()
    for m in methods:
        row = ["TOTAL", m, f"{totals[m]:,}", "", "", "", "", "", "", f"{lb:,}", f"{lb / totals[m]:.1%}"]
        if base:
            row.append(f"{totals[base] / totals[m]:.2f}x")
        rows.append(row)
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
    fmt = lambda r: "  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))  # noqa: E731
    lines = [f"{net_name} on {array.label()} array, {array.cell_bits}-bit cells, {array.weight_bits}-bit weights",
             fmt(head), fmt(["-" * w for w in widths])]
    for i, r in enumerate(rows):
        if r[0] == "TOTAL" and rows[i - 1][0] != "TOTAL":
            lines.append(fmt(["-" * w for w in widths]))
        lines.append(fmt(r))
    return "\n".join(lines)


def map_csv(result) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["layer", "method", "cycles", "nh", "nw", "ph", "pw", "ict", "oct", "ar", "ac", "n_pw",
                "row_split", "weight_utilization", "block_occupancy", "mac_utilization", "lower_bound"])
    for layer, plans in zip(result.request.layers, result.plans):
        for m in result.request.methods:
            p = plans[m]
            w.writerow([layer.name, m, p.cycles, p.nh, p.nw, p.pix_h, p.pix_w, p.ict, p.oct, p.ar, p.ac, p.n_pw,
                        p.row_split, f"{p.weight_utilization:.6f}", f"{p.block_occupancy:.6f}",
                        f"{p.mac_utilization:.6f}", p.lower_bound])
    return out.getvalue()


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


def run_verify(net, array, methods, seed: int, max_pw: int, out) -> bool:
    ok_all = True
    rng = np.random.default_rng(seed)
    for layer in net.layers:
        for m in methods:
            from .batch import map_one

            plan = map_one(layer, array, m)
            small = cropped(plan, max_pw)
            ok = verify(small.layer, array, small, rng)
            ok_all &= ok
            note = "" if small is plan else f"  (IFM cropped to {small.layer.in_h}x{small.layer.in_w}, same PW and tiles)"
            print(f"{'OK ' if ok else 'MISMATCH'}  {layer.name:<24} {m:<8} {plan.cycles:>12,} cycles{note}", file=out)
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
        net, array, methods = _load(args)
        if args.command == "map":
            result = map_network(MapRequest(tuple(net.layers), array, methods))
            if args.format == "json":
                print(json.dumps(map_json(result, array), indent=2))
            elif args.format == "csv":
                sys.stdout.write(map_csv(result))
            else:
                print(map_table(result, array, net.name))
            return 0
        return 0 if run_verify(net, array, methods, args.seed, args.max_pw, sys.stdout) else 1
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
