"""Number formatting for tables, charts and the clipboard: one place, one style."""
from __future__ import annotations


def count(n) -> str:
    """77102 -> '77,102' (thousands separators read well on a projector)."""
    return "–" if n is None else f"{int(n):,}"


def percent(x) -> str:
    return "–" if x is None else f"{100 * x:.1f} %"


def ratio(x) -> str:
    """A speed-up: 3.1612 -> '3.16×'."""
    return "–" if x is None else f"{x:.2f}×"


def dims(a, b) -> str:
    return f"{a}×{b}"


def compact(n: float) -> str:
    """Axis labels: 1200000 -> '1.2M'."""
    for div, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(n) >= div:
            return f"{n / div:.3g}{suffix}"
    return f"{n:.3g}"


ENERGY_UNITS = {"nJ": 1e3, "µJ": 1e6}  # picojoules per unit


def energy_unit(max_pj: float) -> str:
    """The unit a column of energies reads best in: µJ once a value reaches 1 µJ, else nJ."""
    return "µJ" if max_pj >= 1e6 else "nJ"


def energy(pj, unit: str) -> str:
    """Picojoules shown in `unit`: 809209.856 pJ, 'nJ' -> '809.2'."""
    if pj is None:
        return "–"
    v = pj / ENERGY_UNITS[unit]
    return f"{v:,.1f}" if abs(v) >= 10 else f"{v:.3g}"
