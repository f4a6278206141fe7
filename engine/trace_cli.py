"""`xbarscope-cli trace`: the values of a range of cycles of one layer (engine.trace_format).

    xbarscope-cli trace --network N --layer L --method M [--cycles 0..99] [--seed S] [--format json|csv]

`--layer` is a layer name, or else its 0-based index in the network's layer list (the
order of `map --format json`); a name wins where a name is also a number. `--cycles A..B`
is inclusive, `N` one cycle; the end is clipped to the layer's last cycle.
"""
from __future__ import annotations

import sys

from .errors import XbarError


def add_parser(sub) -> None:
    """Register the `trace` command on the CLI's subparsers."""
    from .compress.cli_options import add_arguments as add_compress_args

    t = sub.add_parser("trace", help="per-cycle values of one layer: rows driven, partial sums, operands (JSON/CSV)")
    t.add_argument("--network", required=True, help="preset name or network file, as for map")
    t.add_argument("--input-size", metavar="HxW", help="input height x width, for an ONNX model that leaves it open")
    t.add_argument("--layer", required=True, help="layer name, or its 0-based index in the layer list")
    t.add_argument("--method", required=True, help="mapping method (see the methods command)")
    t.add_argument("--array", help="ROWSxCOLS, e.g. 512x512 (overrides the file's spec)")
    t.add_argument("--cell-bits", type=int, help="bits stored per cell")
    t.add_argument("--weight-bits", type=int, help="bits per weight")
    t.add_argument("--cycles", default="0..99", help="inclusive range A..B or one cycle N (default %(default)s)")
    t.add_argument("--seed", type=int, default=0, help="seed of the random inputs and weights (default %(default)s)")
    t.add_argument("--weights", choices=("auto", "model", "random"), default="auto",
                   help="model: the imported model's weights quantized to --weight-bits; auto (default): "
                        "model weights when the layer has them, else random")
    t.add_argument("--order", choices=("weight", "input"), default="weight", help="loop order (default weight-stationary)")
    t.add_argument("--format", choices=("json", "csv"), default="json")
    add_compress_args(t, seed=False)


def parse_cycles(text: str, total: int) -> tuple[int, int]:
    """'A..B' (inclusive) or 'N' -> (first, last), the end clipped to the last cycle."""
    parts = str(text).split("..")
    try:
        if len(parts) == 1:
            first = last = int(parts[0])
        elif len(parts) == 2:
            first, last = int(parts[0]), int(parts[1])
        else:
            raise ValueError
    except ValueError:
        raise XbarError(f"--cycles: '{text}' is not a range A..B or a cycle number") from None
    if first < 0 or last < first:
        raise XbarError(f"--cycles: '{text}' must run from a cycle >= 0 up to a later one")
    if first >= total:
        raise XbarError(f"--cycles: the layer has {total:,} cycles (0..{total - 1}); {first:,} is past its end")
    return first, min(last, total - 1)


def find_layer(layers, key: str) -> int:
    """Index of the layer named `key`, else of the 0-based index `key`."""
    for i, layer in enumerate(layers):
        if layer.name == key:
            return i
    try:
        i = int(key)
    except ValueError:
        i = -1
    if 0 <= i < len(layers):
        return i
    shown = ", ".join(x.name for x in layers[:8]) + (", ..." if len(layers) > 8 else "")
    raise XbarError(f"--layer: no layer '{key}' (names: {shown}; or an index 0..{len(layers) - 1})")


def _model_weights(net, layer, mode: str):
    if mode == "random":
        return None
    w = net.weights_for(layer.name) if net.weights is not None else None
    if w is None and mode == "model":
        raise XbarError(f"--weights model: no imported weights for layer '{layer.name}'")
    return w


def run(args, out=None) -> int:
    from .cli import _resolve, resolve_array
    from .compress.cli_options import options_from_args, plans_for
    from .methods import get
    from .trace import Trace, trace_operands
    from .trace_format import operand_values, size_problem, write_trace_csv, write_trace_json
    from .trace_tiles import check_trace_array

    out = out or sys.stdout
    get(args.method)
    net = _resolve(args)
    array = resolve_array(net.array, args)
    check_trace_array(array)
    i = find_layer(net.layers, args.layer)
    layer = net.layers[i]
    plan = plans_for(net.layers, array, args.method, options_from_args(args, net))[i]  # vwc-sdk sees the chain
    first, last = parse_cycles(args.cycles, plan.cycles)
    problem = size_problem(plan, first, last, operand_values(plan))  # before drawing anything
    if problem:
        raise XbarError(problem)
    ops = trace_operands(layer, array, plan, args.seed, _model_weights(net, layer, args.weights))
    if ops.weights == "model":
        print(f"note: layer '{layer.name}': model weights as {array.weight_bits}-bit integers, "
              f"scale {ops.scale:.6g} per step", file=sys.stderr)
    trace = Trace.of(plan, ops, args.order)
    if args.format == "csv":
        write_trace_csv(out, trace, ops, first, last)
    else:
        from .cli import layer_fields

        head = {"network": net.name, "layer_index": i, "layer": layer_fields(layer), "method": args.method,
                "array": array.to_dict(), "plan": plan.to_dict()}
        write_trace_json(out, trace, ops, first, last, head)
    return 0


__all__ = ["add_parser", "find_layer", "parse_cycles", "run"]
