"""Layers and the array spec: frozen dataclasses, validated on construction.

A fully connected layer is a 1x1 convolution on a 1x1 IFM (mapping model, section 1).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, fields, replace

from .errors import ArrayError, LayerError

# Guards. Memory is protected by the work and cell guards (MAX_LAYER_WORK, MAX_TILE_CELLS);
# the side guard is what exact arithmetic needs. The searches compute a PW's pixels times its
# channels, Ph*Pw*IC, in float64 and int64: a PW spans at most the padded input, under 3 sides
# (pad <= side), so Ph*Pw*IC < 9 * MAX_SPATIAL**2 * MAX_CHANNELS = 9 * 2**48 < 2**53, exact
# in float64 (and far inside int64). Sides of 16384 (Transformer and DeepSpeech GEMM rows:
# 8448, 10000, 12544, 16384) map; larger sides are refused with the limit in the message.
MAX_SPATIAL = 1 << 14  # IFM height/width, kernel size, stride, padding (16384)
MAX_CHANNELS = 1 << 20  # channels, features
MAX_TILE_CELLS = 1 << 31  # cells in one array tile
MAX_BITS = 32
MAX_NAME = 200  # characters in a layer name: a table cell, not a paragraph
# Characters a name may not hold: they break terminals, tables and CSV rows, or reorder text
# (bidirectional controls) so that what is shown is not what is stored.
_BIDI = {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}
MAX_LAYER_WORK = 1 << 50  # OH*OW*IC*OC*Kh*Kw: keeps every cycle count exact in int64


def ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _check_int(owner: str, field: str, value, minimum: int, maximum: int, err) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise err(owner, field, f"must be a whole number, got {value!r}")
    if value < minimum:
        raise err(owner, field, f"must be at least {minimum}, got {value}")
    if value > maximum:
        raise err(owner, field, f"{value} is larger than the supported maximum {maximum:,}")


@dataclass(frozen=True)
class ConvLayer:
    """A 2-D convolution. `kind` is "conv" or "linear" (linear: 1x1 IFM and kernel)."""

    name: str
    in_h: int
    in_w: int
    in_c: int
    out_c: int
    k_h: int
    k_w: int
    stride_h: int = 1
    stride_w: int = 1
    pad_h: int = 0
    pad_w: int = 0
    groups: int = 1
    kind: str = "conv"

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name.strip():
            raise LayerError(repr(self.name) if not isinstance(self.name, str) else "?", "name",
                             "must be a non-empty text")
        problem = name_problem(self.name)
        if problem:
            raise LayerError(shown_name(self.name), "name", problem)
        name = self.name  # safe to show from here on
        if self.kind not in ("conv", "linear"):
            raise LayerError(name, "type", f"must be 'conv' or 'linear', got {self.kind!r}")
        for f, lo, hi in (
            ("in_h", 1, MAX_SPATIAL), ("in_w", 1, MAX_SPATIAL),
            ("in_c", 1, MAX_CHANNELS), ("out_c", 1, MAX_CHANNELS),
            ("k_h", 1, MAX_SPATIAL), ("k_w", 1, MAX_SPATIAL),
            ("stride_h", 1, MAX_SPATIAL), ("stride_w", 1, MAX_SPATIAL),
            ("pad_h", 0, MAX_SPATIAL), ("pad_w", 0, MAX_SPATIAL),
            ("groups", 1, MAX_CHANNELS),
        ):
            _check_int(name, f, getattr(self, f), lo, hi, LayerError)
        if self.kind == "linear" and (self.in_h, self.in_w, self.k_h, self.k_w) != (1, 1, 1, 1):
            raise LayerError(name, "type", "a linear layer has a 1x1 input and a 1x1 kernel")
        if self.k_h > self.in_h + 2 * self.pad_h:
            raise LayerError(name, "k_h", f"kernel height {self.k_h} is larger than the padded "
                             f"input height {self.in_h + 2 * self.pad_h}")
        if self.k_w > self.in_w + 2 * self.pad_w:
            raise LayerError(name, "k_w", f"kernel width {self.k_w} is larger than the padded "
                             f"input width {self.in_w + 2 * self.pad_w}")
        if self.in_c % self.groups:
            raise LayerError(name, "groups", f"{self.groups} groups do not divide {self.in_c} input channels")
        if self.out_c % self.groups:
            raise LayerError(name, "groups", f"{self.groups} groups do not divide {self.out_c} output channels")
        work = self.out_h * self.out_w * self.in_c * self.out_c * self.k_h * self.k_w
        if work > MAX_LAYER_WORK:
            raise LayerError(name, "in_c", f"the layer is too large to map ({work:.3g} multiply-"
                             f"accumulates per image; the limit is {MAX_LAYER_WORK:.3g})")

    @classmethod
    def linear(cls, name: str, in_features: int, out_features: int) -> "ConvLayer":
        return cls(name, 1, 1, in_features, out_features, 1, 1, kind="linear")

    @property
    def out_h(self) -> int:
        return (self.in_h + 2 * self.pad_h - self.k_h) // self.stride_h + 1

    @property
    def out_w(self) -> int:
        return (self.in_w + 2 * self.pad_w - self.k_w) // self.stride_w + 1

    @property
    def group_in_c(self) -> int:
        return self.in_c // self.groups

    @property
    def group_out_c(self) -> int:
        return self.out_c // self.groups

    def per_group(self) -> "ConvLayer":
        """The layer one group maps: `g` groups are `g` independent `IC/g -> OC/g` layers."""
        if self.groups == 1:
            return self
        return replace(self, in_c=self.group_in_c, out_c=self.group_out_c, groups=1)

    @property
    def macs(self) -> int:
        return self.out_h * self.out_w * self.k_h * self.k_w * self.group_in_c * self.out_c

    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class ArraySpec:
    """One crossbar: `rows` word lines (inputs) x `cols` bit lines (outputs)."""

    rows: int = 512
    cols: int = 512
    cell_bits: int = 1
    weight_bits: int = 1

    def __post_init__(self):
        def err(_owner, field, message):
            return ArrayError(field, message)

        _check_int("array", "rows", self.rows, 1, MAX_TILE_CELLS, err)
        _check_int("array", "cols", self.cols, 1, MAX_TILE_CELLS, err)
        _check_int("array", "cell_bits", self.cell_bits, 1, MAX_BITS, err)
        _check_int("array", "weight_bits", self.weight_bits, 1, MAX_BITS, err)
        if self.weight_bits < self.cell_bits:
            raise ArrayError("weight_bits", f"weight bits ({self.weight_bits}) must be at least "
                             f"the cell bits ({self.cell_bits})")
        if self.rows * self.cols > MAX_TILE_CELLS:
            raise ArrayError("rows", f"{self.rows}x{self.cols} is {self.rows * self.cols} cells, "
                             f"more than the supported {MAX_TILE_CELLS} in one array")
        if self.cols < self.cells_per_weight:
            raise ArrayError("cols", f"{self.cols} columns cannot hold one {self.weight_bits}-bit "
                             f"weight in {self.cell_bits}-bit cells ({self.cells_per_weight} columns)")

    @property
    def cells_per_weight(self) -> int:
        return ceil_div(self.weight_bits, self.cell_bits)

    @property
    def logical_cols(self) -> int:
        return self.cols // self.cells_per_weight

    def label(self) -> str:
        return f"{self.rows}x{self.cols}"

    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def parse_array_size(text: str) -> tuple[int, int]:
    """'512x256' -> (512, 256); '512' -> (512, 512). Raises ArrayError."""
    parts = str(text).lower().replace("*", "x").split("x")
    try:
        nums = [int(p) for p in parts]
    except ValueError:
        raise ArrayError("size", f"'{text}' is not ROWSxCOLS (e.g. 512x512)") from None
    if len(nums) == 1:
        nums = nums * 2
    if len(nums) != 2:
        raise ArrayError("size", f"'{text}' is not ROWSxCOLS (e.g. 512x512)")
    return nums[0], nums[1]


def _bad_char(ch: str) -> bool:
    cat = unicodedata.category(ch)
    return cat in ("Cc", "Cs", "Zl", "Zp") or ord(ch) in _BIDI


def name_problem(name: str) -> str | None:
    """Why `name` cannot be a layer name (control characters, lone surrogates, direction
    marks, too long), or None."""
    if len(name) > MAX_NAME:
        return f"has {len(name):,} characters; at most {MAX_NAME} are allowed"
    bad = next((ch for ch in name if _bad_char(ch)), None)
    if bad is not None:
        return (f"holds the character U+{ord(bad):04X} ({unicodedata.name(bad, 'a control or unpaired code')}); "
                "names may not hold control characters, line breaks, direction marks or unpaired surrogates")
    return None


def shown_name(name: str, limit: int = 60) -> str:
    """`name` safe to print anywhere: offending characters as \\uXXXX escapes, cut at `limit`."""
    text = "".join(f"\\u{ord(ch):04x}" if _bad_char(ch) else ch for ch in name)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def safe_name(name: str) -> str:
    """A valid layer name made from any text (imported node names): escaped and shortened."""
    text = shown_name(name, MAX_NAME).strip()
    return text or "layer"
