"""3x3 keep patterns for PAIRS: named sets, user masks, one pattern per input channel.

A pattern is a 9-bit keep mask over a 3x3 kernel, bit `ky*3 + kx`; written as nine
characters read row-major ("110110000": the top-left 2x2 block).
"""
from __future__ import annotations

import numpy as np

from ..errors import XbarError

PATTERN_SETS: dict[str, tuple[str, ...]] = {
    # the four 2x2 corner blocks
    "corner4": ("110110000", "011011000", "000110110", "000011011"),
    # drop one edge row or column: top, bottom, left, right
    "edge6": ("000111111", "111111000", "011011011", "110110110"),
    # drop one corner: top-left, top-right, bottom-left, bottom-right
    "corner8": ("011111111", "110111111", "111111011", "111111110"),
}
ASSIGN_RULES = ("first", "round-robin", "random", "magnitude")


def parse_patterns(text) -> tuple[str, ...]:
    """'000011011,110110000' (or a sequence of such strings) -> the masks, checked."""
    parts = str(text).split(",") if isinstance(text, str) else [str(t) for t in text]
    out = []
    for p in (p.strip() for p in parts):
        if not p:
            continue
        if len(p) != 9 or set(p) - {"0", "1"}:
            raise XbarError(f"pattern '{p}': must be 9 characters 0/1, the 3x3 keep mask read row by row")
        if "1" not in p:
            raise XbarError(f"pattern '{p}' keeps no weight")
        if p not in out:
            out.append(p)
    if not out:
        raise XbarError("no pattern given")
    return tuple(out)


def resolve_patterns(pattern_set: str = "corner4", patterns=None) -> tuple[str, ...]:
    """User patterns when given, else the named set."""
    if patterns:
        return parse_patterns(patterns)
    if pattern_set not in PATTERN_SETS:
        raise XbarError(f"unknown pattern set '{pattern_set}'; known: {', '.join(PATTERN_SETS)}")
    return PATTERN_SETS[pattern_set]


def pattern_masks(patterns) -> np.ndarray:
    """(n, 3, 3) bool masks of pattern strings."""
    return np.array([[c == "1" for c in p] for p in patterns], dtype=bool).reshape(-1, 3, 3)


def assign_patterns(masks: np.ndarray, ic: int, rule: str, seed: int = 0, weights=None) -> np.ndarray:
    """Pattern index of each of `ic` input channels (shared by all output channels).

    first: pattern 0 everywhere; round-robin: channel c takes c mod n; random: uniform,
    seeded; magnitude: the pattern keeping the largest sum of |w| over the channel's
    kernels (`weights` (OC, IC, 3, 3); ties go to the earlier pattern)."""
    n = len(masks)
    if rule == "first":
        return np.zeros(ic, dtype=np.int64)
    if rule == "round-robin":
        return np.arange(ic, dtype=np.int64) % n
    if rule == "random":
        return np.random.default_rng(seed).integers(0, n, size=ic).astype(np.int64)
    if rule == "magnitude":
        if weights is None:
            raise XbarError("pattern assignment 'magnitude' needs the layer's weights (import an ONNX model)")
        w = np.abs(np.asarray(weights, dtype=np.float64))
        scores = np.einsum("ocij,pij->cp", w, masks.astype(np.float64))
        return np.argmax(scores, axis=1).astype(np.int64)
    raise XbarError(f"unknown pattern assignment '{rule}'; known: {', '.join(ASSIGN_RULES)}")
