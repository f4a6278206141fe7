"""The report's HTML from a MapResult and pictures already rendered (PNG bytes). Pure: no Qt.

Every figure comes from app.models.result_rows (the Results table's rows and texts), so the
report reads exactly like the app; every name that came from a file goes through html.escape.
"""
from __future__ import annotations

import base64
import datetime
from dataclasses import dataclass, field
from html import escape

from engine import ArraySpec, ConvLayer, __version__
from engine.batch import MapResult
from engine.chip import ChipError, ChipSpec
from engine.energy import EnergyModel

from app import method_style, numbers
from app.models.result_rows import COLUMNS, COMPRESSION_COLUMNS, ResultRow, build_rows, energy_title, rows_energy_unit

from .stylesheet import CSS

IMG_PREFIX = "data:image/png;base64,"


@dataclass(frozen=True)
class ReportInputs:
    result: MapResult
    network_name: str
    methods: tuple[str, ...]  # the methods shown (the result may hold the baselines besides)
    selected_method: str  # whose plan each layer's crossbar picture shows
    network_source: str = ""
    description: str = ""
    array: ArraySpec | None = None  # None: the request's
    options: dict = field(default_factory=dict)  # {method: {option: value}}
    energy_model: EnergyModel | None = None
    generated: str = ""  # a time stamp; '' for now
    chip: ChipSpec | None = None  # the Chip view's spec: its section; None: no chip section


def ordered_methods(methods, result: MapResult) -> tuple[str, ...]:
    """The shown methods that were mapped, in the registry's order (as the app's table and charts)."""
    from engine.methods import METHODS

    mapped = [m for m in dict.fromkeys(methods or result.request.methods) if m in result.request.methods]
    rank = {m: i for i, m in enumerate(METHODS)}
    return tuple(sorted(mapped, key=lambda m: (rank.get(m, len(rank)), mapped.index(m))))


def default_method(methods: tuple[str, ...]) -> str:
    """The plan shown when none is asked for: VW-SDK if mapped, else the last method (as the app's selection)."""
    return "vw-sdk" if "vw-sdk" in methods else methods[-1]


def data_uri(png: bytes) -> str:
    return IMG_PREFIX + base64.b64encode(png).decode("ascii")


def layer_shape(layer: ConvLayer) -> str:
    """'224×224×3 → 224×224×64 · kernel 3×3 · stride 1 · padding 1' (a linear layer by its features)."""
    if layer.kind == "linear":
        return f"linear · {numbers.count(layer.in_c)} → {numbers.count(layer.out_c)} features"
    text = (f"{numbers.dims(layer.in_h, layer.in_w)}×{layer.in_c} → {numbers.dims(layer.out_h, layer.out_w)}×"
            f"{layer.out_c} · kernel {numbers.dims(layer.k_h, layer.k_w)}")
    stride = layer.stride_h if layer.stride_h == layer.stride_w else numbers.dims(layer.stride_h, layer.stride_w)
    pad = layer.pad_h if layer.pad_h == layer.pad_w else numbers.dims(layer.pad_h, layer.pad_w)
    text += f" · stride {stride} · padding {pad}"
    return text + (f" · {layer.groups} groups" if layer.groups > 1 else "")


def _method_name(m: str) -> str:
    return f'<span class="swatch" style="background:{method_style.color(m)}"></span>{escape(method_style.label(m))}'


def options_lines(methods: tuple[str, ...], options: dict) -> list[str]:
    """One line per shown method that has options: the compression-aware methods as the app titles
    them ('PAIRS (corner4, on SDK)'), others as name = value (weights are never written out)."""
    from app.design_space import COMPRESSED, method_title

    lines = []
    for m in methods:
        given = {k: v for k, v in (options or {}).get(m, {}).items() if k != "weights"}
        if m in COMPRESSED:
            lines.append(method_title(m, given))
        elif given:
            lines.append(f"{method_style.label(m)}: " + ", ".join(f"{k} = {v}" for k, v in given.items()))
    return lines


def _setup(inp: ReportInputs, methods: tuple[str, ...]) -> str:
    array = inp.array or inp.result.request.array
    layers = inp.result.request.layers
    rows = [("Network", escape(inp.network_name)),
            ("Source", escape(inp.network_source or "—")),
            ("Layers", numbers.count(len(layers))),
            ("Array", f"{numbers.count(array.rows)} × {numbers.count(array.cols)} cells · "
                      f"{array.cell_bits}-bit cells · {array.weight_bits}-bit weights"),
            ("Methods", " &nbsp; ".join(_method_name(m) for m in methods)),
            ("Crossbar pictures", f"{_method_name(inp.selected_method)} plan of each layer, cycle 0")]
    opts = options_lines(methods, inp.options or inp.result.request.options)
    rows.append(("Method options", "<br>".join(escape(x) for x in opts) if opts else "defaults (none set)"))
    model = inp.energy_model or EnergyModel()
    rows.append(("Energy per event", f"{model.adc_pj:g} pJ per ADC conversion, {model.dac_pj:g} pJ per DAC "
                                     f"conversion, {model.mac_pj:g} pJ per cell MAC (examples, not measurements)"))
    if inp.description:
        rows.append(("Description", escape(inp.description)))
    items = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    return f'<h2 id="setup">Setup</h2>\n<dl class="setup">{items}</dl>'


def _cards(totals: list[ResultRow]) -> str:
    cards = []
    for r in totals:
        t = r.texts
        speed = " · ".join(f"{t[k]} vs {name}" for k, name in (("vs_im2col", "im2col"), ("vs_sdk", "SDK"))
                           if r.values.get(k) is not None)
        cards.append(
            f'<div class="card" style="--accent:{method_style.color(r.method)}">'
            f'<div class="name">{escape(method_style.label(r.method))}</div>'
            f'<div class="cycles">{t["cycles"]}</div><div class="line">total cycles</div>'
            f'<div class="line">{speed or "&nbsp;"}</div>'
            f'<div class="line">efficiency {t["efficiency"]} (bound / cycles)</div>'
            f'<div class="line">lower bound {t["lower_bound"]}</div>'
            "</div>")
    return '<h2 id="totals">Totals</h2>\n<div class="cards">' + "".join(cards) + "</div>"


def shown_columns(rows: list[ResultRow]) -> tuple:
    """The Results table's columns; the compression ones only when a shown method compresses."""
    compressed = any(r.values.get("rows_skipped") is not None for r in rows)
    return tuple(c for c in COLUMNS if compressed or c.key not in COMPRESSION_COLUMNS)


def _cell(row: ResultRow, key: str) -> str:
    text = escape(str(row.texts.get(key, "")))
    if key == "method":
        return f'<td class="text method" style="--accent:{method_style.color(row.method)}">{text}</td>'
    return f'<td class="text">{text}</td>' if key == "layer" else f'<td class="num">{text}</td>'


def one_line(title: str) -> str:
    """A two-line column title on one line: 'Effi-\\nciency' -> 'Efficiency', 'Lower\\nbound' -> 'Lower bound'."""
    return title.replace("-\n", "").replace("\n", " ")


LAYER_COLUMNS = ("method", "cycles", "efficiency", "vs_im2col")  # beside each layer's picture


def layer_table(rows: list[ResultRow]) -> str:
    """The layer's figures for every method, beside its crossbar (the Results table's texts)."""
    cols = [c for c in COLUMNS if c.key in LAYER_COLUMNS]
    head = "".join(f'<th class="{"text" if c.key == "method" else "num"}">{escape(one_line(c.title))}</th>'
                   for c in cols)
    body = "".join("<tr>" + "".join(_cell(r, c.key) for c in cols) + "</tr>" for r in rows)
    return f'<table class="layer-figures"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def results_table(rows: list[ResultRow], layers) -> str:
    """The Results table, one group per layer headed by its number and name (the layer column
    moves into that heading, leaving the width to the figures), then the totals."""
    cols = [c for c in shown_columns(rows) if c.key != "layer"]
    unit = rows_energy_unit(rows)
    head = "".join(f'<th class="{"text" if c.key == "method" else "num"}">'
                   f'{escape(energy_title(unit) if c.key == "energy" else c.title).replace(chr(10), "<br>")}</th>'
                   for c in cols)
    groups: dict[int, list[ResultRow]] = {}
    for r in rows:
        groups.setdefault(r.layer_index, []).append(r)
    bodies = []
    for index, group in groups.items():
        title = "Total" if index < 0 else f"{index + 1}. {escape(layers[index].name)}"
        kind = "totals" if index < 0 else "layer"
        trs = f'<tr class="group"><th class="text" colspan="{len(cols)}">{title}</th></tr>'
        trs += "".join("<tr>" + "".join(_cell(r, c.key) for c in cols) + "</tr>" for r in group)
        bodies.append(f'<tbody class="{kind}">{trs}</tbody>')
    return (f'<div class="table-wrap"><table class="results"><thead><tr>{head}</tr></thead>'
            + "".join(bodies) + "</table></div>")


def _figure(png: bytes | None, alt: str, caption: str, width: int | None = None) -> str:
    if not png:
        return f'<p class="muted">({escape(caption)}: no picture)</p>'
    w = f' width="{width}"' if width else ""
    return (f'<figure><img src="{data_uri(png)}" alt="{escape(alt)}"{w}>'
            f"<figcaption>{escape(caption)}</figcaption></figure>")


def plan_caption(row: ResultRow | None) -> str:
    """'VW-SDK · 2×1 windows on 4×3 pixels · 2 × 1 tiles (AR × AC) · 6,120 cycles · …' (the table's texts)."""
    if row is None:
        return "no plan for this method"
    t = row.texts
    return (f"{t['method']} · {t['windows']} windows on {t['pixels']} pixels · {t['arac']} tiles (AR × AC) · "
            f"{t['cycles']} cycles · lower bound {t['lower_bound']} · efficiency {t['efficiency']}")


def _layers(inp: ReportInputs, rows: list[ResultRow], pictures: list) -> str:
    chosen = {r.layer_index: r for r in rows if r.method == inp.selected_method and not r.is_total}
    per_layer: dict[int, list[ResultRow]] = {}
    for r in rows:
        per_layer.setdefault(r.layer_index, []).append(r)
    parts = ['<h2 id="layers">Crossbar of each layer</h2>']
    for i, layer in enumerate(inp.result.request.layers):
        name = escape(layer.name)
        png = pictures[i] if i < len(pictures) else None
        label = method_style.label(inp.selected_method)
        parts.append(
            f'<section class="layer" id="layer-{i + 1}"><h3>{i + 1}. {name} '
            f'<span class="muted">· {escape(layer_shape(layer))}</span></h3>'
            f'<p class="caption">{escape(plan_caption(chosen.get(i)))}</p><div class="layer-body">'
            + _figure(png, f"crossbar of {layer.name} ({label})",
                      f"{label} plan of {layer.name} on the array, cycle 0", 800)
            + layer_table(per_layer.get(i, [])) + "</div></section>")
    return "\n".join(parts)


def _chip(inp: ReportInputs, methods: tuple[str, ...]) -> str:
    """The Chip view in words: every method on the same chip (its table), then the selected
    method's figures, all from engine.chip_alloc through app.chip_figures as the view shows them."""
    from engine.chip_alloc import allocate

    from app.chip_figures import TABLE_COLUMNS, figure_lines, table_row

    spec = inp.chip
    head = ('<h2 id="chip">Chip</h2><p class="meta">'
            f"{spec.arrays:,} arrays in tiles of {spec.arrays_per_tile:,} · {spec.input_bits}-bit inputs, "
            f"{spec.dac_bits}-bit DACs, {spec.adc_bits}-bit ADCs shared by {spec.columns_per_adc:,} columns · "
            f"one read {spec.t_read_ns:g} ns, one array write {spec.reprogram_ns:,g} ns. Every method's plans "
            "on this chip, replicas spread over the spare arrays (as the app's Chip view).</p>")
    try:
        reports = {m: allocate(inp.result.chip_needs(m), spec) for m in methods}
    except ChipError as e:
        why = str(e).removeprefix("chip: ")
        return head + f'<p class="warn">The chip does not suit these plans: {escape(why)}</p>'
    kinds = ["text"] + ["num"] * (len(TABLE_COLUMNS) - 1)  # the method, then its figures
    cells = "".join(f'<th class="{k}">{escape(c)}</th>' for k, c in zip(kinds, TABLE_COLUMNS))
    body = "".join("<tr>" + "".join(f'<td class="{k}">{escape(v)}</td>' for k, v in zip(kinds, table_row(m, r)))
                   + "</tr>" for m, r in reports.items())
    table = (f'<div class="table-wrap"><table class="results chip"><thead><tr>{cells}</tr></thead>'
             f"<tbody>{body}</tbody></table></div>")
    chosen = inp.selected_method if inp.selected_method in reports else methods[-1]
    warn_class = ' class="warn"'
    lines = "".join(f"<li{warn_class if warn else ''}>{escape(text)}</li>" for text, warn in figure_lines(reports[chosen]))
    return head + table + f'<h3 class="chip">{escape(method_style.label(chosen))} on this chip</h3><ul>{lines}</ul>'


def build_html(inp: ReportInputs, charts: dict[str, bytes], layer_pictures: list) -> str:
    """The whole report. `charts`: {"comparison": png, "bound": png}; `layer_pictures`: one PNG
    (or None) per layer, the selected method's plan."""
    methods = ordered_methods(inp.methods, inp.result)
    rows = build_rows(inp.result, methods, inp.energy_model)
    totals = [r for r in rows if r.is_total]
    stamp = inp.generated or datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    title = f"XbarScope report: {inp.network_name}"
    body = [
        f"<header><h1>{escape(title)}</h1>"
        f'<div class="meta">{numbers.count(len(inp.result.request.layers))} layers · '
        f"{escape(', '.join(method_style.label(m) for m in methods))} · generated {escape(stamp)} by XbarScope "
        f"{escape(__version__)}</div></header>",
        _setup(inp, methods),
        _cards(totals),
        '<h2 id="charts">Charts</h2>',
        _figure(charts.get("comparison"), "comparison chart", "Cycles per layer (log scale), total speed-up and "
                "total energy by method"),
        _figure(charts.get("bound"), "distance to bound chart", "Distance to the lower bound: efficiency = lower "
                "bound ÷ cycles, per layer and for the network"),
        '<h2 id="results">Results per layer</h2>',
        '<p class="meta">The Results table of the app: every layer (its number and name above its rows) with '
        "every method, then the totals. "
        "Efficiency = lower bound ÷ cycles; × im2col and × SDK are speed-ups.</p>",
        results_table(rows, inp.result.request.layers),
        _chip(inp, methods) if inp.chip is not None else "",
        _layers(inp, rows, layer_pictures),
        f"<footer>Figures computed by the XbarScope engine {escape(__version__)}; energies use the "
        "per-event values listed under Setup.</footer>",
    ]
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{escape(title)}</title>"
            f"<style>{CSS}</style></head><body><main>\n" + "\n".join(body) + "\n</main></body></html>\n")
