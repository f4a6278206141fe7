"""Energy on the chip: the energy proxy's counts (engine.energy) with bit-serial inputs.

engine.energy counts one conversion per column read and one per driven row in each
computing cycle, an activation being applied whole. Its definitions, and every figure
`map` reports from them, are unchanged. On a chip (engine.chip) the activation is applied
in `ceil(input_bits / dac_bits)` slices, each a read of its own, so:

- ADC conversions: each read column is converted once per slice: existing ADC x slices.
  An ADC shared by `columns_per_adc` columns makes those conversions one after the other
  (that is the time in `ChipSpec.cycle_ns`); the columns converted, and so the count, stay
  those the proxy counts (columns with no output inside the OFM are not converted);
- DAC conversions: each driven row is driven once per slice, `dac_bits` at a time:
  existing DAC x slices;
- cell MACs: each weight cell multiplies every slice: existing MACs x slices.

Replicas do not change any count: they split the same PW positions between more arrays.
Writing the weights (the not-fit case) is not an energy the proxy counts.
"""
from __future__ import annotations

from .chip import ChipSpec
from .energy import Conversions
from .plan import Plan


def chip_conversions(plan: Plan, spec: ChipSpec) -> Conversions:
    """The conversions and MACs of `plan`'s whole schedule on the chip `spec`."""
    c, k = plan.conversions(), spec.input_slices
    return Conversions(c.adc * k, c.dac * k, c.macs * k)


def chip_conversions_total(plans, spec: ChipSpec) -> Conversions:
    total = Conversions(0, 0, 0)
    for p in plans:
        total = total + chip_conversions(p, spec)
    return total
