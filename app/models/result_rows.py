"""The results table's rows, built from a MapResult without Qt (easy to test, to copy, to export)."""
from __future__ import annotations

from dataclasses import dataclass

from engine.batch import MapResult
from engine.compress.views import COMPRESSION_FIELDS, compression_fields
from engine.energy import Conversions, EnergyModel

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


def _compression_total(plans: list) -> dict:
    """Network figures of a compressed method: rows and channels summed, rate = rows before / after."""
    f = [compression_fields(p) for p in plans]
    if any(x is None for x in f):
        return {}
    before, after = sum(x["rows_before"] for x in f), sum(x["rows_after"] for x in f)
    removed = [x["channels_removed"] for x in f]
    return {"rows_before": before, "rows_after": after, "rows_skipped": sum(x["rows_skipped"] for x in f),
            "compression_rate": before / after if after else None,
            "channels_removed": None if None in removed else sum(removed),
            "cycles_before": sum(x["cycles_before"] for x in f)}


def rows_energy_unit(rows: list[ResultRow]) -> str:
    """The energy column's unit: nJ, or µJ when a layer reaches 1 µJ (totals follow the layers)."""
    return numbers.energy_unit(max((r.values["energy"] for r in rows if not r.is_total), default=0.0))


def build_rows(result: MapResult, methods: tuple[str, ...] | None = None,
               energy_model: EnergyModel | None = None) -> list[ResultRow]:
    """One row per layer and shown method, then one totals row per method (methods in
    engine.methods.METHODS order).

    Energies use `energy_model` (the example defaults when None); `values["energy"]` is in
    picojoules, its text in the unit of rows_energy_unit."""
    model = energy_model or EnergyModel()
    # The registry's order, whatever order the methods were ticked in (as the cards and charts).
    shown = method_style.ordered(m for m in (methods or result.request.methods) if m in result.request.methods)
    conv = [{m: p[m].conversions() for m in shown} for p in result.plans]
    energy = [{m: _energy_values(c[m], model) for m in shown} for c in conv]
    unit = numbers.energy_unit(max((e[m]["energy"] for e in energy for m in shown), default=0.0))
    rows = []
    for i, (layer, plans) in enumerate(zip(result.request.layers, result.plans)):
        base = {m: plans[m].cycles for m in ("im2col", "sdk") if m in plans}
        rows += [_row(i, layer.name, m, plans[m], base, energy[i][m], unit) for m in shown]
    totals = result.totals()
    for m in shown:
        cycles = totals[m]
        bound = result.lower_bound_total(m)
        # MAC utilization over the whole network: useful work over all cell-cycles spent.
        mac = sum(p[m].mac_utilization * p[m].cycles for p in result.plans) / cycles if cycles else None
        v = {"layer": "Total", "method": method_style.label(m), "cycles": cycles,
             "mac_util": mac, "lower_bound": bound, "efficiency": bound / cycles if cycles else None,
             "vs_im2col": _speedup(totals.get("im2col"), cycles),
             "vs_sdk": _speedup(totals.get("sdk"), cycles)}
        total = sum((c[m] for c in conv), Conversions(0, 0, 0))
        v.update(_energy_values(total, model))
        v.update(_compression_total([p[m] for p in result.plans]))
        rows.append(ResultRow(TOTAL, m, v, _texts(v, unit)))
    return rows


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


def to_delimited(rows: list[ResultRow], sep: str = ",") -> str:
    """Raw numbers (no separators), one figure per column, so spreadsheets read them as numbers."""
    def cell(x):
        if x is None:
            return ""
        s = f"{x:.6g}" if isinstance(x, float) else str(x)
        return f'"{s}"' if sep in s or '"' in s else s

    lines = [sep.join(EXPORT_COLUMNS)]
    for r in rows:
        v = _export_values(r)
        lines.append(sep.join(cell(v.get(c)) for c in EXPORT_COLUMNS))
    return "\n".join(lines) + "\n"
