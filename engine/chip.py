"""The chip: many identical crossbar arrays, bit-serial inputs, ADCs shared between columns.

A `ChipSpec` says how many arrays of the array spec of today (`ArraySpec`, R x C) a chip
has and how they are read; engine.chip_alloc places a network's plans on it and
engine.chip_energy counts its conversions. Every default below is an *example*, a round
figure of the kind published for ReRAM designs (NeuroSim-like PEs of 8 arrays, 8-bit
activations fed one bit at a time, one 8-bit ADC per 8 columns, 10 ns per array read),
not a measurement: set your own.

Time of one computing cycle = ceil(input_bits / dac_bits) * columns_per_adc array reads:
the input is applied in slices of `dac_bits` bits, and for each slice every ADC converts
its `columns_per_adc` columns one after the other.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields

from .errors import XbarError
from .layers import MAX_BITS, ceil_div

MAX_ARRAYS = 1 << 40  # arrays on a chip: far past any design, keeps every product exact in int64
MAX_NS = 1e15  # times in ns (11 days): keeps latencies finite and meaningful


class ChipError(XbarError):
    """A chip spec field is invalid; `field` names it (for editors that mark the field)."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(f"chip: {field}: {message}")


_INT_FIELDS = {  # field: (minimum, maximum)
    "arrays": (1, MAX_ARRAYS),
    "arrays_per_tile": (1, MAX_ARRAYS),
    "input_bits": (1, MAX_BITS),
    "dac_bits": (1, MAX_BITS),
    "adc_bits": (1, MAX_BITS),
    "columns_per_adc": (1, 1 << 31),
}
_TIME_FIELDS = {"t_read_ns": False, "reprogram_ns": True}  # field: zero allowed


@dataclass(frozen=True)
class ChipSpec:
    """A chip of `arrays` identical arrays. Defaults are examples, not measurements.

    - `arrays`: A, the arrays on the chip (example 256);
    - `arrays_per_tile`: arrays grouped in one tile (a NeuroSim PE), for display and the
      report only (example 8);
    - `input_bits`: activation precision (example 8);
    - `dac_bits`: bits applied per activation per read; 1 is bit-serial (example 1);
    - `adc_bits`: ADC resolution (example 8);
    - `columns_per_adc`: columns multiplexed onto one ADC (example 8);
    - `t_read_ns`: time of one array read, ns (example 10);
    - `reprogram_ns`: time to write one array's weights, ns, used only when the network
      does not fit (example 50,000: 512 rows at about 100 ns a row).
    """

    arrays: int = 256
    arrays_per_tile: int = 8
    input_bits: int = 8
    dac_bits: int = 1
    adc_bits: int = 8
    columns_per_adc: int = 8
    t_read_ns: float = 10.0
    reprogram_ns: float = 50_000.0

    def __post_init__(self):
        for f, (lo, hi) in _INT_FIELDS.items():
            v = getattr(self, f)
            if isinstance(v, bool) or not isinstance(v, int):
                raise ChipError(f, f"must be a whole number, got {v!r}")
            if not lo <= v <= hi:
                raise ChipError(f, f"must be from {lo:,} to {hi:,}, got {v:,}")
        if self.dac_bits > self.input_bits:
            raise ChipError("dac_bits", f"{self.dac_bits} DAC bits are more than the {self.input_bits} "
                            f"input bits they apply")
        for f, zero_ok in _TIME_FIELDS.items():
            v = getattr(self, f)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise ChipError(f, f"must be a number of nanoseconds, got {v!r}")
            if v < 0 or (v == 0 and not zero_ok) or v > MAX_NS:
                least = "0" if zero_ok else "more than 0"
                raise ChipError(f, f"must be {least} and at most {MAX_NS:g} ns, got {v!r}")
            object.__setattr__(self, f, float(v))  # 10 and 10.0 are one spec (saved and loaded alike)

    @property
    def input_slices(self) -> int:
        """Reads of the input per computing cycle: ceil(input_bits / dac_bits)."""
        return ceil_div(self.input_bits, self.dac_bits)

    @property
    def reads_per_cycle(self) -> int:
        """Array reads per computing cycle: input slices times the columns each ADC serves."""
        return self.input_slices * self.columns_per_adc

    @property
    def cycle_ns(self) -> float:
        return self.reads_per_cycle * self.t_read_ns

    @property
    def tiles(self) -> int:
        """Tiles of `arrays_per_tile` arrays on the chip (the last may be partly filled)."""
        return ceil_div(self.arrays, self.arrays_per_tile)

    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, d) -> "ChipSpec":
        """A spec from `to_dict`'s form (a project file); missing fields take the examples.
        Unknown or ill-typed fields are refused, naming the field."""
        if not isinstance(d, dict):
            raise ChipError("spec", f"must be a mapping of field to value, got {type(d).__name__}")
        names = [f.name for f in fields(cls)]
        unknown = sorted(str(k) for k in d if k not in names)
        if unknown:
            raise ChipError(unknown[0], f"unknown field; a chip spec has {', '.join(names)}")
        return cls(**d)


def adc_bits_lossless(rows: int, cell_bits: int, dac_bits: int) -> int:
    """Bits a lossless read of a column summing `rows` products of `cell_bits` x `dac_bits`
    bits needs: ceil(log2(rows)) + cell_bits + dac_bits, one less when both are 1 (the
    products are then 0 or 1 and the sum is at most `rows`)."""
    return (rows - 1).bit_length() + cell_bits + dac_bits - (cell_bits == 1 and dac_bits == 1)
