"""The results table's rows, built from a MapResult without Qt (easy to test, to copy, to export)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.batch import MapResult
from engine.compress.views import COMPRESSION_FIELDS, compression_fields
from engine.energy import Conversions, EnergyModel
from engine.formats.csvrows import spreadsheet_safe

from app import method_style, numbers

TOTAL = -1  # layer_index of a totals row


@dataclass(frozen=True)
class ResultColumn:
    key: str
    title: str
    help: str  # key into app.metric_help.HELP ("" for none)


COLUMNS = (
    ResultColumn("layer", "Layer", ""),
    ResultColumn("method", "Method", ""),
    ResultColumn("cycles", "Cycles", "cycles"),
    ResultColumn("windows", "Windows", "windows"),
    ResultColumn("pixels", "PW\npixels", "pixels"),
    ResultColumn("tiles", "ICt /\nOCt", "tiles"),
    ResultColumn("arac", "AR ×\nAC", "arac"),
    ResultColumn("weight_util", "Weight\nutil.", "weight_util"),
    ResultColumn("block_occ", "Block\nocc.", "block_occ"),
    ResultColumn("mac_util", "MAC\nutil.", "mac_util"),
    ResultColumn("lower_bound", "Lower\nbound", "lower_bound"),
    ResultColumn("efficiency", "Effi-\nciency", "efficiency"),
    ResultColumn("vs_im2col", "×\nim2col", "vs_im2col"),
    ResultColumn("vs_sdk", "×\nSDK", "vs_sdk"),
    ResultColumn("adc", "ADC\nconv.", "adc"),
    ResultColumn("dac", "DAC\nconv.", "dac"),
    ResultColumn("energy", "Energy\n(nJ)", "energy"),  # the unit follows the values: see energy_title
    # Compression-aware methods only (the table hides them when no such method is shown).
    ResultColumn("rows_skipped", "Rows\nskipped", "rows_skipped"),
    ResultColumn("compression_rate", "Compr.\nrate", "compression_rate"),
    ResultColumn("channels_removed", "Channels\nremoved", "channels_removed"),
)
COMPRESSION_COLUMNS = ("rows_skipped", "compression_rate", "channels_removed")
COLUMN_INDEX = {c.key: i for i, c in enumerate(COLUMNS)}


@dataclass(frozen=True)
class ResultRow:
    layer_index: int  # TOTAL for a totals row
    method: str
    values: dict  # column key -> raw value (number, text or None)
    texts: dict  # column key -> display text

    @property
    def is_total(self) -> bool:
        return self.layer_index == TOTAL


def _speedup(base, cycles):
    return None if base is None or not cycles else base / cycles


def energy_title(unit: str) -> str:
    return f"Energy\n({unit})"


def _energy_values(conv: Conversions, model: EnergyModel) -> dict:
    return {"adc": conv.adc, "dac": conv.dac, "macs": conv.macs, "energy": conv.energy_pj(model)}


def _row(index: int, name: str, method: str, plan, base: dict, energy: dict, unit: str) -> ResultRow:
    v = {
        "layer": name, "method": method_style.label(method), "cycles": plan.cycles,
        "windows": plan.nh * plan.nw, "pixels": plan.pix_h * plan.pix_w,
        "window_dims": (plan.nh, plan.nw), "pixel_dims": (plan.pix_h, plan.pix_w),
        "regions": len(plan.regions) or 1,
        "tiles": (plan.ict, plan.oct), "arac": (plan.ar, plan.ac),
        "weight_util": plan.weight_utilization, "block_occ": plan.block_occupancy,
        "mac_util": plan.mac_utilization, "lower_bound": plan.lower_bound,
        "efficiency": plan.efficiency,
        "vs_im2col": _speedup(base.get("im2col"), plan.cycles),
        "vs_sdk": _speedup(base.get("sdk"), plan.cycles),
        **energy,
        **(compression_fields(plan) or {}),
    }
    t = _texts(v, unit)
    t["windows"] = numbers.dims(plan.nh, plan.nw) + (" *" if plan.regions else "")
    t["pixels"] = numbers.dims(plan.pix_h, plan.pix_w)
    t["tiles"] = f"{plan.ict:,} / {plan.oct:,}"
    t["arac"] = f"{plan.ar:,} × {plan.ac:,}"
    return ResultRow(index, method, v, t)


def _texts(v: dict, unit: str) -> dict:
    t = {"layer": v["layer"], "method": v["method"]}
    t["energy"] = "" if v.get("energy") is None else numbers.energy(v["energy"], unit)
    for k in ("cycles", "lower_bound", "windows", "pixels", "adc", "dac"):
        t[k] = "" if v.get(k) is None else numbers.count(v[k])
    for k in ("weight_util", "block_occ", "mac_util", "efficiency"):
        t[k] = "" if v.get(k) is None else numbers.percent(v[k])
    for k in ("vs_im2col", "vs_sdk", "compression_rate"):
        t[k] = "" if v.get(k) is None else numbers.ratio(v[k])
    for k in ("rows_skipped", "channels_removed"):
        t[k] = "" if v.get(k) is None else numbers.count(v[k])
    return t


def rows_energy_unit(rows) -> str:
    """The energy column's unit: nJ, or µJ when a layer reaches 1 µJ (totals follow the layers)."""
    if isinstance(rows, ResultRows):
        return rows.unit
    return numbers.energy_unit(max((r.values["energy"] for r in rows if not r.is_total), default=0.0))


def column_used(rows, key: str) -> bool:
    """Whether any layer row has a figure in column `key` (the compression columns hide otherwise)."""
    if isinstance(rows, ResultRows):
        return rows.column_used(key)
    return any(r.values.get(key) is not None for r in rows)


class ResultRows(Sequence):
    """The rows of `build_rows`: layer rows first (network order, then method order), then one
    totals row per method. A layer row is built when first read: a view reads a screenful and a
    sample for its column widths, not all 300,000 rows of a 100,000-layer network. The totals
    and the energy unit, which need every layer, are computed at once."""

    def __init__(self, result: MapResult, shown: tuple[str, ...], model: EnergyModel):
        self.result, self.shown, self.model = result, shown, model
        self._layers = len(result.plans) * len(shown)
        self._built: list[ResultRow | None] = [None] * self._layers
        self._rank = {m: i for i, m in enumerate(shown)}
        figures = {m: result.figures(m) for m in shown}  # made by the mapping worker
        self.unit = numbers.energy_unit(max((float(f.energy_pj(model).max(initial=0.0)) for f in figures.values()),
                                            default=0.0))
        totals = result.totals()  # every method's, once
        self._totals = [self._total_row(m, totals, figures[m]) for m in shown]
        self._figures = figures

    def _total_row(self, m: str, totals: dict[str, int], f) -> ResultRow:
        cycles = totals[m]
        bound = self.result.lower_bound_total(m)
        v = {"layer": "Total", "method": method_style.label(m), "cycles": cycles,
             "mac_util": f.mac_utilization_total(), "lower_bound": bound,
             "efficiency": bound / cycles if cycles else None,
             "vs_im2col": _speedup(totals.get("im2col"), cycles),
             "vs_sdk": _speedup(totals.get("sdk"), cycles)}
        v.update(_energy_values(f.conversions_total(), self.model))
        v.update(f.compression or {})
        return ResultRow(TOTAL, m, v, _texts(v, self.unit))

    def __len__(self) -> int:
        return self._layers + len(self._totals)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        if i >= self._layers:
            return self._totals[i - self._layers]
        row = self._built[i]
        if row is None:
            row = self._built[i] = self._layer_row(*divmod(i, len(self.shown)))
        return row

    def _layer_row(self, index: int, j: int) -> ResultRow:
        plans, m = self.result.plans[index], self.shown[j]
        base = {b: plans[b].cycles for b in ("im2col", "sdk") if b in plans}
        energy = _energy_values(plans[m].conversions(), self.model)
        return _row(index, self.result.request.layers[index].name, m, plans[m], base, energy, self.unit)

    def index_of(self, layer_index: int, method: str) -> int | None:
        """The position of a layer's row for `method`, or None if that method is not shown."""
        j = self._rank.get(method)
        if j is None or not 0 <= layer_index < len(self.result.plans):
            return None
        return layer_index * len(self.shown) + j

    def sort_order(self, key: str, descending: bool = False) -> np.ndarray:
        """Row positions sorted by column `key` (the values the rows show), totals last in method
        order; ties and empty cells keep network order, then method order; empty cells first
        ascending, last descending. From the worker's figure columns, so a 300,000-row table
        sorts in milliseconds instead of building every row."""
        keys = self._sort_keys(key)  # primary first, each (layers * methods,) in row order
        missing = np.isnan(keys[0]) if keys[0].dtype.kind == "f" else np.zeros(keys[0].shape, bool)
        sign = -1 if descending else 1
        cols = [sign * np.where(missing, 0, k) for k in keys]
        order = np.lexsort([*reversed(cols), missing if descending else ~missing])
        return np.concatenate([order, np.arange(self._layers, len(self))])

    def _sort_keys(self, key: str) -> list[np.ndarray]:
        n, shown = len(self.result.plans), self.shown
        figs = [self._figures[m] for m in shown]

        def per_method(values) -> np.ndarray:  # one (layers,) array per shown method -> row order
            return np.stack([np.asarray(v) for v in values], axis=1).reshape(-1)

        if key == "layer":
            names = np.array([layer.name for layer in self.result.request.layers])
            rank = np.unique(names, return_inverse=True)[1]
            return [np.repeat(rank, len(shown))]
        if key == "method":
            labels = [method_style.label(m) for m in shown]
            rank = np.unique(labels, return_inverse=True)[1]
            return [np.tile(rank, n)]
        simple = {"cycles": lambda f: f.cycles, "lower_bound": lambda f: f.lower_bound,
                  "efficiency": lambda f: f.efficiency, "adc": lambda f: f.adc, "dac": lambda f: f.dac,
                  "energy": lambda f: f.energy_pj(self.model),
                  "mac_util": lambda f: f.mac_cycles / np.maximum(f.cycles, 1),
                  "windows": lambda f: f.layout[0], "pixels": lambda f: f.layout[1],
                  "weight_util": lambda f: f.utilization[0], "block_occ": lambda f: f.utilization[1],
                  "rows_skipped": lambda f: f.per_layer_compression[0],
                  "compression_rate": lambda f: f.per_layer_compression[1],
                  "channels_removed": lambda f: f.per_layer_compression[2]}
        if key in simple:
            return [per_method(simple[key](f) for f in figs)]
        if key in ("tiles", "arac"):
            a = 2 if key == "tiles" else 4
            return [per_method(f.layout[a] for f in figs), per_method(f.layout[a + 1] for f in figs)]
        if key in ("vs_im2col", "vs_sdk"):
            base = key[3:]
            if base not in self.result.request.methods:
                return [np.full(n * len(shown), np.nan)]
            b = self.result.figures(base).cycles
            return [per_method(np.where(f.cycles > 0, b / np.maximum(f.cycles, 1), np.nan) for f in figs)]
        raise KeyError(key)

    def column_used(self, key: str) -> bool:
        if key == "channels_removed":
            return any(f.removes_channels for f in self._figures.values())
        if key in ("rows_skipped", "compression_rate"):
            return any(f.compressed for f in self._figures.values())
        return any(r.values.get(key) is not None for r in self)


def build_rows(result: MapResult, methods: tuple[str, ...] | None = None,
               energy_model: EnergyModel | None = None) -> ResultRows:
    """One row per layer and shown method, then one totals row per method (methods in
    method_style.ORDER, whatever order they were ticked in, as the cards and charts).

    Energies use `energy_model` (the example defaults when None); `values["energy"]` is in
    picojoules, its text in the unit of rows_energy_unit."""
    shown = method_style.ordered(m for m in (methods or result.request.methods) if m in result.request.methods)
    return ResultRows(result, tuple(shown), energy_model or EnergyModel())


EXPORT_COLUMNS = ("layer", "method", "cycles", "nh", "nw", "ph", "pw", "ict", "oct", "ar", "ac", "regions",
                  "weight_util", "block_occ", "mac_util", "lower_bound", "efficiency", "vs_im2col", "vs_sdk",
                  "adc_conversions", "dac_conversions", "macs", "energy_pj", *COMPRESSION_FIELDS)


def _export_values(row: ResultRow) -> dict:
    v = dict(row.values)
    v["layer"], v["method"] = row.values["layer"], row.method
    v["adc_conversions"], v["dac_conversions"] = row.values.get("adc"), row.values.get("dac")
    v["energy_pj"] = row.values.get("energy")
    if not row.is_total:  # exports keep every figure in a column of its own
        v["nh"], v["nw"] = row.values["window_dims"]
        v["ph"], v["pw"] = row.values["pixel_dims"]
        v["ict"], v["oct"] = row.values["tiles"]
        v["ar"], v["ac"] = row.values["arac"]
    return v


def to_delimited(rows, sep: str = ",") -> str:
    """Raw numbers (no separators), one figure per column, so spreadsheets read them as numbers.
    Text (layer names) that a spreadsheet would run as a formula is quoted (engine's CSV rule)."""
    def cell(x):
        if x is None:
            return ""
        s = f"{x:.6g}" if isinstance(x, float) else str(x) if not isinstance(x, str) else spreadsheet_safe(x)
        return '"' + s.replace('"', '""') + '"' if sep in s or '"' in s or "\n" in s else s

    lines = [sep.join(EXPORT_COLUMNS)]
    for r in rows:
        v = _export_values(r)
        lines.append(sep.join(cell(v.get(c)) for c in EXPORT_COLUMNS))
    return "\n".join(lines) + "\n"
