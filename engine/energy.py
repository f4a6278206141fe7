"""Energy proxy: data conversions and MACs counted exactly from the schedule.

Most PIM energy goes into analog-digital conversions. Per cycle (section 6):

- ADC conversions: every column that adds a partial sum to an output inside the OFM is
  read, one conversion per bit-slice column. Columns whose window lies past the OFM edge
  are not read.
- DAC conversions: every row driven with a real input pixel. Rows that fall on padding
  or past the far edge are held at zero without a conversion.
- MACs: weight cells (bit slices) multiplying a real input into an output inside the OFM.

Each output is computed at exactly one PW position in one column tile, and every row of
the unrolled input vector sits in exactly one row tile; summing over the schedule this
gives closed forms (checked against a cycle-by-cycle count in the tests):

    ADC = AR * cpw * OH*OW*OC
    DAC = AC * IC * SY * SX,  SY = sum over PW rows y of #{py : 0 <= py*nh*sh - ph + y < H}
    MAC = cpw * IC/g * OC * sum over (wy, ky) and (wx, kx) of the PW positions at which
          copy (wy, wx)'s output is inside the OFM and its kernel tap reads a real pixel
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .plan import Plan


@dataclass(frozen=True)
class EnergyModel:
    """Energy per event, in picojoules. The defaults are examples, not measurements:
    an 8-bit SAR ADC conversion ~2 pJ, a 1-bit input driver (DAC) ~0.05 pJ, an analog
    cell multiply-accumulate ~0.001 pJ. Set your own."""

    adc_pj: float = 2.0
    dac_pj: float = 0.05
    mac_pj: float = 0.001

    def __post_init__(self):
        for f in ("adc_pj", "dac_pj", "mac_pj"):
            v = getattr(self, f)
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not np.isfinite(v) or v < 0:
                from .errors import XbarError

                raise XbarError(f"energy: {f} must be a non-negative number of picojoules, got {v!r}")


@dataclass(frozen=True)
class Conversions:
    adc: int
    dac: int
    macs: int

    def energy_pj(self, model: EnergyModel) -> float:
        return self.adc * model.adc_pj + self.dac * model.dac_pj + self.macs * model.mac_pj

    def __add__(self, other: "Conversions") -> "Conversions":
        return Conversions(self.adc + other.adc, self.dac + other.dac, self.macs + other.macs)


@lru_cache(maxsize=1 << 16)  # plain integers in, two integers out: layers of a network share axes
def _axis(n_pos: int, n_win: int, stride: int, k: int, span: int, out: int, own: int, shift: int,
          size_in: int) -> tuple[int, int]:
    """Along one axis of a single-region plan: (SY, taps).

    A pixel at coordinate u of the plan's own input (padding included) is real when
    u < own (inside the plan's own input: a region's window) and 0 <= u + shift < size_in
    (inside the layer's IFM). SY counts (position, PW pixel) pairs reading a real pixel;
    taps counts (position, window, kernel tap) triples whose output is inside and read one.
    """
    def real(u):
        return (u < own) & (u + shift >= 0) & (u + shift < size_in)

    u = np.arange(n_pos)[:, None] * n_win * stride + np.arange(span)[None, :]
    pos, w, t = np.ix_(np.arange(n_pos), np.arange(n_win), np.arange(k))
    outputs = pos * n_win + w
    return int(real(u).sum()), int(((outputs < out) & real(outputs * stride + t)).sum())


def _single(plan: Plan, layer, oy: int = 0, ox: int = 0) -> Conversions:
    """Counts of one single-region plan; `layer` is the layer whose IFM bounds are real
    (the plan's own layer, or the full layer of which the plan maps a region)."""
    S, g, cpw = plan.layer, plan.group, plan.array.cells_per_weight
    adc = plan.ar * cpw * S.out_h * S.out_w * g.out_c
    if S is layer:  # the plan's own input is the padded IFM
        shift_y, shift_x, own_h, own_w = -S.pad_h, -S.pad_w, 1 << 62, 1 << 62
    else:  # a region reads a window of the layer's padded IFM, and nothing past it
        shift_y, shift_x = oy * layer.stride_h - layer.pad_h, ox * layer.stride_w - layer.pad_w
        own_h, own_w = S.in_h, S.in_w
    sy, ty = _axis(plan.n_pw_h, plan.nh, S.stride_h, S.k_h, plan.pix_h, S.out_h, own_h, shift_y, layer.in_h)
    sx, tx = _axis(plan.n_pw_w, plan.nw, S.stride_w, S.k_w, plan.pix_w, S.out_w, own_w, shift_x, layer.in_w)
    dac = plan.ac * g.in_c * sy * sx
    macs = cpw * g.in_c * g.out_c * ty * tx
    return Conversions(adc * S.groups, dac * S.groups, macs * S.groups)


def conversions(plan: Plan) -> Conversions:
    """ADC and DAC conversions and MACs of the whole schedule of `plan`."""
    if plan.compression is not None:  # kept rows, kept weights and compensatory cells only
        return plan.compression.conversions(plan)
    if not plan.regions:
        return _single(plan, plan.layer)
    total = Conversions(0, 0, 0)
    for r in plan.regions:
        total = total + _single(r.plan, plan.layer, r.oy, r.ox)
    return total
