"""xbarscope-cli's chip commands: `chip` (one network on one chip) and `chip-sweep` (latency and
interval against the array budget and the array size, for every method).

engine.cli registers them (`add_commands`) and hands them their parsed arguments (`run`).
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import sys

import numpy as np

from .chip import ChipSpec
from .chip_alloc import ChipReport, allocate
from .chip_energy import chip_conversions
from .chip_needs import layer_needs
from .cli import _energy_args, _network_args, _resolve, parse_arrays, resolve_array, text_table
from .compress.cli_options import add_arguments as add_compress_args, options_from_args, plans_for
from .energy import EnergyModel
from .errors import XbarError
from .formats.csvrows import spreadsheet_safe
from .methods import METHODS, parse_methods

COMMANDS = ("chip", "chip-sweep")
_MAX_BUDGETS = 1000  # budgets per array size and method in one sweep
_LISTED_LOSSES = 5  # ADC warnings a table lists one by one before it sums them up


def _chip_args(p: argparse.ArgumentParser, budget: bool = True) -> None:
    d = ChipSpec()
    g = p.add_argument_group("chip (defaults are examples, not measurements)")
    if budget:
        g.add_argument("--arrays", type=int, required=True, help="arrays on the chip (A)")
    g.add_argument("--arrays-per-tile", type=int, default=d.arrays_per_tile,
                   help="arrays per chip tile, for the report (example default %(default)s)")
    g.add_argument("--input-bits", type=int, default=d.input_bits, help="activation bits (example default %(default)s)")
    g.add_argument("--dac-bits", type=int, default=d.dac_bits,
                   help="input bits applied per read; 1 = bit-serial (example default %(default)s)")
    g.add_argument("--adc-bits", type=int, default=d.adc_bits, help="ADC resolution (example default %(default)s)")
    g.add_argument("--columns-per-adc", type=int, default=d.columns_per_adc,
                   help="columns multiplexed onto one ADC (example default %(default)s)")
    g.add_argument("--t-read-ns", type=float, default=d.t_read_ns,
                   help="time of one array read, ns (example default %(default)s)")
    g.add_argument("--reprogram-ns", type=float, default=d.reprogram_ns,
                   help="time to write one array when the network does not fit, ns (example default %(default)s)")


def add_commands(sub) -> None:
    """Register `chip` and `chip-sweep` on engine.cli's subparsers."""
    c = sub.add_parser("chip", help="one network on a chip of many arrays: replicas, latency, interval, ADC check")
    _network_args(c)
    c.add_argument("--method", dest="methods", help="mapping method (default vw-sdk); --methods a,b reports several")
    c.set_defaults(methods="vw-sdk")
    _chip_args(c)
    add_compress_args(c)
    c.add_argument("--format", choices=("table", "json", "csv"), default="table")
    _energy_args(c)
    s = sub.add_parser("chip-sweep", help="chip latency and interval against the array budget and array size, "
                                          "for every method")
    _network_args(s, array=False)
    s.set_defaults(methods=",".join(METHODS))
    s.add_argument("--sizes", default="128..1024",
                   help="array sizes, as sweep's --arrays: '128..1024', '256,512x256' (default %(default)s)")
    s.add_argument("--points", type=int, default=8,
                   help="budgets per size and method, from arrays_needed to 8x it, evenly on a log scale "
                        "(default %(default)s)")
    s.add_argument("--budgets", help="fixed array budgets instead, e.g. 100,200,400 (then some may not fit)")
    _chip_args(s, budget=False)
    add_compress_args(s)
    s.add_argument("--format", choices=("table", "json", "csv"), default="csv")


def spec_from_args(args, arrays: int) -> ChipSpec:
    return ChipSpec(arrays=arrays, arrays_per_tile=args.arrays_per_tile, input_bits=args.input_bits,
                    dac_bits=args.dac_bits, adc_bits=args.adc_bits, columns_per_adc=args.columns_per_adc,
                    t_read_ns=args.t_read_ns, reprogram_ns=args.reprogram_ns)


def chip_json(report: ChipReport, plans, energy: EnergyModel) -> dict:
    """`report.to_dict()` with the energies: the proxy's (engine.energy, unchanged) and the chip's
    (engine.chip_energy: bit-serial slices)."""
    d = report.to_dict()
    total = chip_total = 0.0
    for layer, p in zip(d["layers"], plans):
        c = chip_conversions(p, report.spec)
        layer["adc_conversions"] = c.adc
        layer["chip_energy_pj"] = e = c.energy_pj(energy)
        chip_total += e
        total += p.conversions().energy_pj(energy)
    d["energy_pj"], d["chip_energy_pj"] = total, chip_total
    return d


def _fmt_ns(ns: float) -> str:
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("us", 1e3)):
        if ns >= scale:
            return f"{ns / scale:,.3f} {unit}"
    return f"{ns:,.1f} ns"


def chip_table(d: dict, net_name: str) -> str:
    """A terminal table of one `chip_json` report: the layers, then the chip figures."""
    chip, arr = d["chip"], d["array"]
    rows = [[L["name"], f"{L['tiles']:,}", f"{L['steps']:,}", f"{L['replicas']:,}", f"{L['cycles']:,}",
             ("* " if L["name"] == d["bottleneck"] else "") + f"{L['cycles'] / d['latency_cycles']:.1%}",
             f"{L['adc_bits_needed']}" + (" (loss)" if L["precision_loss"] else ""),
             f"{L['chip_energy_pj'] / 1000:,.1f}"] for L in d["layers"]]
    rows.append(["TOTAL", f"{d['arrays_needed']:,}", "", f"{d['arrays_used']:,}", f"{d['latency_cycles']:,}", "",
                 "", f"{d['chip_energy_pj'] / 1000:,.1f}"])
    title = (f"{net_name}, {d['method']}: {chip['arrays']:,} arrays of {arr['rows']}x{arr['cols']} "
             f"({chip['arrays_per_tile']} per tile), {chip['input_bits']}-bit inputs {chip['dac_bits']} bit(s) per "
             f"read, {chip['adc_bits']}-bit ADC per {chip['columns_per_adc']} columns, read {chip['t_read_ns']:g} ns")
    table = text_table(["layer", "tiles", "steps", "replicas", "cycles", "share", "ADC bits", "energy nJ"],
                       rows, title, left=1)
    fit = ("fits" if d["fits"] else
           f"DOES NOT FIT: short by {d['shortfall']:,} arrays; {d['rounds']:,} rounds, "
           f"{d['reprogrammings']:,} array writes per image ({_fmt_ns(d['reprogram_ns'])})")
    lines = [table, "",
             f"arrays needed {d['arrays_needed']:,}, used {d['arrays_used']:,} of {chip['arrays']:,} "
             f"in {d['tiles_used']:,} tiles ({d['chip_utilization']:.1%}): {fit}",
             f"cycle {_fmt_ns(d['cycle_ns'])}; latency {d['latency_cycles']:,} cycles = {_fmt_ns(d['latency_ns'])}; "
             f"interval {d['interval_cycles']:,} cycles = {_fmt_ns(d['interval_ns'])} (bottleneck {d['bottleneck']}, "
             f"marked *); {d['images_per_s']:,.1f} images/s",
             f"energy {d['chip_energy_pj'] / 1e6:,.3f} uJ per image on the chip "
             f"(proxy with whole activations: {d['energy_pj'] / 1e6:,.3f} uJ)"]
    lost = [L for L in d["layers"] if L["precision_loss"]]
    if len(lost) > _LISTED_LOSSES:  # the ADC bits column marks them all; JSON and CSV list them
        worst = max(lost, key=lambda L: L["adc_bits_needed"])
        lines += [f"warning: {w}" for w in d["warnings"][:len(d["warnings"]) - len(lost)]]
        lines.append(f"warning: {len(lost)} layers lose precision on the {chip['adc_bits']}-bit ADC (marked "
                     f"'loss' above); the most bits a lossless read needs: {worst['adc_bits_needed']} "
                     f"(layer '{worst['name']}')")
    else:
        lines += [f"warning: {w}" for w in d["warnings"]]
    return "\n".join(lines)


_CSV_LAYER = ("method", "layer", "tiles", "steps", "replicas", "cycles", "adc_bits_needed", "precision_loss",
              "adc_conversions", "chip_energy_pj")


def chip_csv(reports: list[dict]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(_CSV_LAYER)
    for d in reports:
        for L in d["layers"]:
            w.writerow([d["method"], spreadsheet_safe(L["name"]), L["tiles"], L["steps"], L["replicas"], L["cycles"],
                        L["adc_bits_needed"], int(L["precision_loss"]), L["adc_conversions"],
                        f"{L['chip_energy_pj']:.3f}"])
    return out.getvalue()


def run_chip(args) -> int:
    net = _resolve(args)
    array = resolve_array(net.array, args)
    spec = spec_from_args(args, args.arrays)
    energy = EnergyModel(args.e_adc, args.e_dac, args.e_mac)
    options = options_from_args(args, net)
    reports = []
    for m in parse_methods(args.methods):
        plans = plans_for(net.layers, array, m, options)
        reports.append(chip_json(allocate(layer_needs(plans, m), spec), plans, energy))
    if args.format == "json":
        print(json.dumps(reports[0] if len(reports) == 1 else {"reports": reports}, indent=2))
    elif args.format == "csv":
        sys.stdout.write(chip_csv(reports))
    else:
        print("\n\n".join(chip_table(d, net.name) for d in reports))
    return 0


def budgets_for(needed: int, points: int) -> list[int]:
    """`points` budgets from `needed` to 8x it, evenly on a log scale (rounded, distinct)."""
    if not 1 <= points <= _MAX_BUDGETS:
        raise XbarError(f"--points: must be from 1 to {_MAX_BUDGETS}, got {points}")
    return sorted({int(round(needed * 8 ** (i / max(points - 1, 1)))) for i in range(points)})


def parse_budgets(text: str) -> list[int]:
    try:
        values = [int(x) for x in str(text).split(",") if x.strip()]
    except ValueError:
        raise XbarError(f"--budgets: '{text}' is not a list of array counts, e.g. 100,200,400") from None
    if not values or len(values) > _MAX_BUDGETS:
        raise XbarError(f"--budgets: give 1 to {_MAX_BUDGETS} array counts, got {len(values)}")
    return values


SWEEP_FIELDS = ("method", "rows", "cols", "cell_bits", "weight_bits", "arrays_needed", "arrays", "fits",
                "arrays_used", "latency_cycles", "interval_cycles", "latency_ns", "interval_ns", "images_per_s",
                "chip_utilization", "bottleneck")


def chip_sweep(layers, arrays, methods, args, options) -> list[dict]:
    """One row of SWEEP_FIELDS per method, array size and budget (each method mapped once per size)."""
    fixed = parse_budgets(args.budgets) if args.budgets else None
    rows = []
    for array in arrays:
        for m in methods:
            needs = layer_needs(plans_for(layers, array, m, options), m)
            for budget in fixed or budgets_for(needs.arrays_needed, args.points):
                r = allocate(needs, spec_from_args(args, budget))
                rows.append({"method": m, "rows": array.rows, "cols": array.cols, "cell_bits": array.cell_bits,
                             "weight_bits": array.weight_bits, "arrays_needed": r.arrays_needed, "arrays": budget,
                             "fits": r.fits, "arrays_used": r.arrays_used, "latency_cycles": r.latency_cycles,
                             "interval_cycles": r.interval_cycles, "latency_ns": r.latency_ns,
                             "interval_ns": r.interval_ns, "images_per_s": r.images_per_s,
                             "chip_utilization": r.chip_utilization, "bottleneck": needs.names[r.bottleneck]})
    return rows


def run_sweep(args) -> int:
    net = _resolve(args)
    base = resolve_array(net.array, argparse.Namespace(array=None, cell_bits=args.cell_bits,
                                                       weight_bits=args.weight_bits))
    arrays = parse_arrays(args.sizes, base.cell_bits, base.weight_bits)
    spec_from_args(args, 1)  # a bad chip field is refused before any mapping
    rows = chip_sweep(net.layers, arrays, parse_methods(args.methods), args, options_from_args(args, net))
    if args.format == "json":
        print(json.dumps({"network": net.name, "chip": {k: v for k, v in spec_from_args(args, 1).to_dict().items()
                                                       if k != "arrays"}, "rows": rows}, indent=2))
    elif args.format == "csv":
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(SWEEP_FIELDS)
        for r in rows:
            w.writerow([spreadsheet_safe(str(r[k])) if k == "bottleneck" else int(r[k]) if k == "fits" else r[k]
                        for k in SWEEP_FIELDS])
        sys.stdout.write(out.getvalue())
    else:
        table = [[r["method"], f"{r['rows']}x{r['cols']}", f"{r['arrays_needed']:,}", f"{r['arrays']:,}",
                  "yes" if r["fits"] else "no", f"{r['latency_cycles']:,}", f"{r['interval_cycles']:,}",
                  _fmt_ns(r["latency_ns"]), f"{r['images_per_s']:,.1f}", f"{r['chip_utilization']:.1%}"] for r in rows]
        print(text_table(["method", "array", "needed", "arrays", "fits", "latency cyc", "interval cyc", "latency",
                          "images/s", "util"], table, f"{net.name}: chip latency and interval per budget", left=2))
    return 0


def run(args) -> int:
    """Run `chip` or `chip-sweep` (engine.cli.main catches the errors)."""
    return run_chip(args) if args.command == "chip" else run_sweep(args)
