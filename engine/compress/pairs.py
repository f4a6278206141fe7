"""PAIRS: pattern pruning with row skipping, on an SDK or VW-SDK layout (3x3 kernels).

Each input channel keeps one 3x3 pattern, shared by all its output channels. An array row
(channel c, PW pixel (y, x)) whose cells are zero in every column, because no copy's
pattern covers (y, x), is skipped; the kept rows are repacked, `AR = ceil(kept / R)`.
Rows are shared by every column tile of a row tile, so a row is skipped only where it is
zero for all copies (not per column tile). For a square PW of side P at stride 1 a
channel skips 2P-1 rows with a corner 4-entry pattern, P with a 6-entry edge pattern and
1 with an 8-entry one. Grouped layers: channel c of every group shares one pattern (the
groups share one array layout). Other kernel sizes keep the base layout, with a note.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import XbarError
from ..layers import ArraySpec, ConvLayer
from ..methods import map_many, register
from ..plan import Plan
from .build import base_plan, check_base, compressed, layer_weights, unchanged
from .model import base_key, place_kernels, shared_plan
from .patterns import ASSIGN_RULES, assign_patterns, pattern_masks, resolve_patterns


@dataclass(frozen=True)
class PairsOptions:
    """pattern_set: corner4 | edge6 | corner8; patterns: user masks ('000011011,110110000'),
    used instead of the set; assign: first | round-robin | random | magnitude (None:
    magnitude when weights are known, else first); seed: of random; base: sdk | vw-sdk;
    weights: the layer's weights, or a lookup by layer name (see build.layer_weights)."""

    pattern_set: str = "corner4"
    patterns: str | tuple[str, ...] | None = None
    assign: str | None = None
    seed: int = 0
    base: str = "sdk"
    weights: object = field(default=None, compare=False, repr=False)

    def __post_init__(self):
        resolve_patterns(self.pattern_set, self.patterns)
        if self.assign is not None and self.assign not in ASSIGN_RULES:
            raise XbarError(f"unknown pattern assignment '{self.assign}'; known: {', '.join(ASSIGN_RULES)}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise XbarError(f"seed must be a whole number, got {self.seed!r}")
        check_base(self.base)


def pairs_plan(base: Plan, options: PairsOptions | None = None, weights=None) -> Plan:
    """PAIRS on any single-region plan `base` (its PW and column tiles are kept)."""
    o = options or PairsOptions()
    # Without weights the masks follow from the options, the PW and the channels: shared.
    key = ("pairs", o, base_key(base)) if weights is None and not base.regions and base.compression is None else None
    return shared_plan(key, base, base.layer, base, lambda: _pairs_plan(base, o, weights))


def _pairs_plan(base: Plan, o: PairsOptions, weights) -> Plan:
    pats = resolve_patterns(o.pattern_set, o.patterns)
    rule = o.assign or ("magnitude" if weights is not None else "first")
    params = (("base", base.method), ("patterns", ",".join(pats)), ("assign", rule), ("seed", o.seed))
    L = base.layer
    if (L.k_h, L.k_w) != (3, 3):
        return unchanged(base, "pairs", f"kernel {L.k_h}x{L.k_w} is not 3x3: no pattern pruning, "
                         f"the {base.method} layout unchanged", params=params)
    masks = pattern_masks(pats)
    pattern_of = assign_patterns(masks, base.group.in_c, rule, o.seed, weights)
    rows_of_pattern = place_kernels(masks[None], base).any(axis=0)  # (patterns, Ph, Pw)
    source = "the layer's weights" if rule == "magnitude" else "no weights used"
    return compressed(base, "pairs", rows_of_pattern[pattern_of], masks[pattern_of][None],
                      rule=f"{rule} ({source})", patterns=pats, pattern_of=pattern_of, params=params)


@register("pairs", "pattern pruning (3x3 keep patterns per input channel) with row skipping and "
          "repacking, on the SDK or VW-SDK layout", options=PairsOptions,
          batch=lambda layers, array, options=None: pairs_many(layers, array, options), batch_per_layer=True)
def pairs(layer: ConvLayer, array: ArraySpec, options: PairsOptions | None = None) -> Plan:
    o = options or PairsOptions()
    return pairs_plan(base_plan(layer, array, o.base), o, layer_weights(o.weights, layer))


def pairs_many(layers, array: ArraySpec, options: PairsOptions | None = None) -> list[Plan]:
    """`pairs` of every layer, the base plans mapped in one pass (engine.methods.map_many)."""
    o = options or PairsOptions()
    bases = map_many(layers, array, o.base)
    return [pairs_plan(b, o, layer_weights(o.weights, layer)) for layer, b in zip(layers, bases)]
