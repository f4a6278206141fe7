"""One method's per-layer figures of a MapResult as numpy columns, for network sums and charts.

A table, a totals row or a chart of a 100,000-layer network reads the same few figures of
every plan; walking 100,000 Plan objects for each of them takes seconds on the GUI thread.
`figures(result, method)` walks them once (a mapping worker does it before the result
reaches the window) and keeps the columns with the result; sums of them are exact (int64
columns: the counts of any network the guards accept stay far below 2**63).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .energy import Conversions, EnergyModel


@dataclass(frozen=True)
class MethodFigures:
    cycles: np.ndarray  # int64, one per layer
    lower_bound: np.ndarray  # int64
    mac_cycles: np.ndarray  # float64: MAC utilization x cycles (its network figure is their sum / cycles)
    adc: np.ndarray  # int64
    dac: np.ndarray  # int64
    macs: np.ndarray  # int64
    layout: np.ndarray  # int64 (6, layers): windows (nh*nw), PW pixels, ICt, OCt, AR, AC
    utilization: np.ndarray  # float64 (2, layers): weight utilization, block occupancy
    per_layer_compression: np.ndarray  # float64 (3, layers): rows skipped, rate, channels removed; NaN: none
    compressed: bool  # any plan compressed (its compression columns mean something)
    removes_channels: bool  # any plan prunes channels (vwc-sdk)
    compression: dict | None  # network compression sums (engine.compress.views keys), or None

    @property
    def efficiency(self) -> np.ndarray:
        return self.lower_bound / np.maximum(self.cycles, 1)

    def energy_pj(self, model: EnergyModel) -> np.ndarray:
        return self.adc * model.adc_pj + self.dac * model.dac_pj + self.macs * model.mac_pj

    def conversions_total(self) -> Conversions:
        return Conversions(int(self.adc.sum()), int(self.dac.sum()), int(self.macs.sum()))

    def mac_utilization_total(self) -> float | None:
        """Useful work over all cell-cycles spent, over the whole network."""
        cycles = int(self.cycles.sum())
        return float(self.mac_cycles.sum()) / cycles if cycles else None


def _compression_sums(f: list) -> dict | None:
    """The plans' compression fields (engine.compress.views) summed: rows and channels, rate =
    rows before / after (None unless every plan is compressed)."""
    if not f or any(x is None for x in f):
        return None
    before, after = sum(x["rows_before"] for x in f), sum(x["rows_after"] for x in f)
    removed = [x["channels_removed"] for x in f]
    return {"rows_before": before, "rows_after": after, "rows_skipped": sum(x["rows_skipped"] for x in f),
            "compression_rate": before / after if after else None,
            "channels_removed": None if None in removed else sum(removed),
            "cycles_before": sum(x["cycles_before"] for x in f)}


def method_figures(plans) -> MethodFigures:
    """The columns of one method's plans (a sequence of Plan, network order)."""
    n = len(plans)

    def column(values, dtype=np.int64):
        return np.fromiter(values, dtype, n)

    conv = [p.conversions() for p in plans]
    kinds = {p.compression.kind for p in plans if p.compression is not None}
    layout = np.array([(p.nh * p.nw, p.pix_h * p.pix_w, p.ict, p.oct, p.ar, p.ac) for p in plans],
                      dtype=np.int64).reshape(n, 6).T
    util = np.array([(p.weight_utilization, p.block_occupancy) for p in plans], dtype=np.float64).reshape(n, 2).T
    comp, sums = np.full((3, n), np.nan), None
    if kinds:
        from .compress.views import compression_fields
        fields = [compression_fields(p) for p in plans]
        for i, f in enumerate(fields):
            if f is not None:
                comp[:, i] = (f["rows_skipped"], f["compression_rate"] or np.nan,
                              np.nan if f["channels_removed"] is None else f["channels_removed"])
        sums = _compression_sums(fields)
    return MethodFigures(column(p.cycles for p in plans), column(p.lower_bound for p in plans),
                         column((p.mac_utilization * p.cycles for p in plans), np.float64),
                         column(c.adc for c in conv), column(c.dac for c in conv), column(c.macs for c in conv),
                         layout, util, comp, bool(kinds), "vwc-sdk" in kinds, sums)
