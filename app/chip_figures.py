"""The chip figures in words, for the Chip view's figure block and its table of methods.

Qt-free. Every number comes from an engine.chip_alloc.ChipReport unchanged; this only
formats them (app.numbers style: separators, and times in the unit they read best in).
"""
from __future__ import annotations

import numpy as np

from engine.chip_alloc import ChipReport

from app import method_style, numbers

MAX_NAMED = 3  # layers named in the ADC line; the rest are counted


def duration(ns: float) -> str:
    """640 -> '640 ns', 12_345 -> '12.3 µs', 4.5e6 -> '4.5 ms'."""
    for div, unit in ((1e9, "s"), (1e6, "ms"), (1e3, "µs")):
        if ns >= div:
            return f"{ns / div:,.3g} {unit}" if ns / div < 1000 else f"{ns / div:,.0f} {unit}"
    return f"{ns:.3g} ns"


def rate(per_s: float) -> str:
    return f"{per_s:,.0f}" if per_s >= 100 else f"{per_s:.3g}"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def fit_line(r: ChipReport) -> str:
    if r.fits:
        return (f"Fits: {r.arrays_needed:,} arrays needed, {r.spec.arrays:,} on the chip; "
                f"{r.spec.arrays - r.arrays_needed:,} spare for replicas")
    return (f"Does not fit: {r.arrays_needed:,} arrays needed, {r.spec.arrays:,} on the chip (short by "
            f"{r.shortfall:,}); time-multiplexed in {r.rounds:,} rounds, {r.reprogrammings:,} array writes "
            f"per image ({duration(r.reprogram_ns)})")


def adc_line(r: ChipReport) -> str:
    lost = np.flatnonzero(r.precision_loss)
    if lost.size == 0:
        return f"ADC: {r.spec.adc_bits} bits read every layer losslessly"
    names = ", ".join(r.needs.names[i] for i in lost[:MAX_NAMED].tolist())
    more = f" and {lost.size - MAX_NAMED:,} more" if lost.size > MAX_NAMED else ""
    return (f"ADC precision loss in {lost.size:,} layer{'s' if lost.size > 1 else ''} ({names}{more}): they need up "
            f"to {int(r.adc_bits_needed.max())} bits, the chip's ADC has {r.spec.adc_bits}")


def figure_lines(r: ChipReport) -> list[tuple[str, bool]]:
    """(text, is a warning) lines of the figure block, in reading order."""
    s = r.spec
    b = r.bottleneck
    lines = [
        (fit_line(r), not r.fits),
        (f"Arrays used: {r.arrays_used:,} of {s.arrays:,} in {r.tiles_used:,} of {s.tiles:,} tiles of "
         f"{s.arrays_per_tile:,} · utilization {numbers.percent(r.chip_utilization)}", False),
        (f"One cycle: {s.input_slices} input slice{'s' if s.input_slices > 1 else ''} × {s.columns_per_adc:,} "
         f"columns per ADC = {s.reads_per_cycle:,} reads = {duration(r.cycle_ns)}", False),
        (f"Latency: {numbers.count(r.latency_cycles)} cycles = {duration(r.latency_ns)} · interval: "
         f"{numbers.count(r.interval_cycles)} cycles = {duration(r.interval_ns)} · {rate(r.images_per_s)} images/s",
         False),
        (f"Bottleneck (outlined in the pipeline): {b + 1}. {r.needs.names[b]}, {numbers.count(int(r.cycles[b]))} cycles "
         f"({_plural(int(r.replicas[b]), 'replica')} of {_plural(int(r.needs.tiles[b]), 'array')})",
         False),
        (adc_line(r), bool(r.precision_loss.any())),
    ]
    return lines


TABLE_COLUMNS = ("Method", "Arrays needed", "Fits", "Latency (cycles)", "Interval (cycles)", "Images/s",
                 "Utilization")


def table_row(method: str, r: ChipReport) -> list[str]:
    """One method's row of the side-by-side table (the same chip for every method)."""
    return [method_style.label(method), numbers.count(r.arrays_needed),
            "yes" if r.fits else f"short by {r.shortfall:,}", numbers.count(r.latency_cycles),
            numbers.count(r.interval_cycles), rate(r.images_per_s), numbers.percent(r.chip_utilization)]
