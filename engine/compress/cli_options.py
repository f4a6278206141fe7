"""The command line's options of the compression-aware methods, and mapping with them.

Every flag is handed to every method that takes an option of that name (`--seed` is the
random pattern assignment's); flags left out keep each method's defaults. A network with
imported weights lends them to the rules that use weights (PAIRS magnitude, VWC-SDK L1).
"""
from __future__ import annotations

import argparse

from ..errors import XbarError
from ..layers import ArraySpec
from ..methods import map_many, option_names
from .kerntrol import VARIANTS
from .patterns import ASSIGN_RULES, PATTERN_SETS
from .vwc_sdk import PROPAGATE


def add_arguments(p: argparse.ArgumentParser, seed: bool = True) -> None:
    """The compression flags; `seed=False` where the command has a --seed of its own."""
    g = p.add_argument_group("compression-aware methods (vwc-sdk, pairs, kerntrol)")
    g.add_argument("--pattern-set", choices=tuple(PATTERN_SETS), help="pairs: built-in 3x3 patterns (default corner4)")
    g.add_argument("--patterns", help="pairs: own 3x3 keep masks read row by row, e.g. 000011011,110110000")
    g.add_argument("--assign", choices=ASSIGN_RULES,
                   help="pairs: pattern per input channel (default: magnitude with model weights, else first)")
    if seed:
        g.add_argument("--seed", type=int, help="pairs: seed of --assign random (default 0)")
    g.add_argument("--base", choices=("sdk", "vw-sdk"), help="pairs, kerntrol: layout compressed (default sdk)")
    g.add_argument("--threshold", type=float, help="kerntrol: omit PW rows at or under this utilization (default 0.25)")
    g.add_argument("--variant", choices=VARIANTS, help="kerntrol: mask or compensatory weights (default mask)")
    g.add_argument("--max-prune", type=float,
                   help="vwc-sdk: largest fraction of a layer's input channels it may lose (default 0.25)")
    g.add_argument("--propagate", choices=PROPAGATE,
                   help="vwc-sdk: drop pruned channels from the previous layer's outputs (default auto: "
                        "only when the layer list is a plain chain)")


_FLAGS = ("pattern_set", "patterns", "assign", "seed", "base", "threshold", "variant", "max_prune", "propagate")


def options_from_args(args, net=None) -> dict:
    """The option values given on the command line (and the network's weights, if any)."""
    values = {f: getattr(args, f) for f in _FLAGS if getattr(args, f, None) is not None}
    if net is not None and getattr(net, "weights", None) is not None and hasattr(net, "weights_for"):
        values["weights"] = net
    return values


def plans_for(layers, array: ArraySpec, method: str, values: dict) -> list:
    """The method's plans for the layer list, with the option values that method takes."""
    given = {k: v for k, v in values.items() if k in option_names(method)}
    try:
        return map_many(layers, array, method, **given)
    except XbarError as e:
        raise XbarError(f"method {method}: {e}") from e


def map_layers(layers, array: ArraySpec, methods, values: dict):
    """A MapResult (engine.batch) of every method over the layer list, options applied."""
    from ..batch import MapRequest, map_network

    options = {m: {k: v for k, v in values.items() if k in option_names(m)} for m in methods}
    return map_network(MapRequest(tuple(layers), array, tuple(methods), {m: o for m, o in options.items() if o}))
