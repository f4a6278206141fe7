"""How each mapping method is named and coloured everywhere in the app (tables, charts)."""
from __future__ import annotations

# Okabe-Ito colours: distinguishable with colour-blindness and on a washed-out projector.
_COLORS = {"im2col": "#7f7f7f", "sdk": "#0072B2", "vw-sdk": "#D55E00"}
# Further methods: dark enough to read as text on white, apart from the three above.
_SPARE = ("#009E73", "#CC79A7", "#6A3D9A", "#2B8CBE", "#8C564B", "#B8860B", "#17A2B8")
_LABELS = {"im2col": "im2col", "sdk": "SDK", "vw-sdk": "VW-SDK", "vw-flat": "VW-flat",
           "xbar-opt": "Xbar-opt", "kerntrol": "KERNTROL", "pairs": "PAIRS", "vwc-sdk": "VWC-SDK"}


def label(method: str) -> str:
    return _LABELS.get(method, method)


# The one order methods are listed in everywhere (cards, table rows, bars, legends): the
# order engine/methods/__init__.py imports them in. Not METHODS' own order: that dict fills
# as modules are imported, and one method module importing another (vw_sdk -> flat) can
# register them in another order depending on what was imported first.
ORDER = ("im2col", "sdk", "vw-sdk", "vw-flat", "xbar-opt", "vwc-sdk", "pairs", "kerntrol")


def color(method: str) -> str:
    if method in _COLORS:
        return _COLORS[method]
    others = [m for m in _all_methods() if m not in _COLORS]
    i = others.index(method) if method in others else len(method)
    return _SPARE[i % len(_SPARE)]


def _all_methods() -> tuple[str, ...]:
    from engine.methods import METHODS

    return ORDER + tuple(m for m in METHODS if m not in ORDER)


def ordered(methods) -> tuple[str, ...]:
    """`methods` in the canonical order (ORDER, then any other registered method), whatever
    order they were ticked or stored in. Unknown names keep their order, after the known ones."""
    rank = {m: i for i, m in enumerate(_all_methods())}
    seen = list(dict.fromkeys(methods))  # drop repeats, keep first
    return tuple(sorted(seen, key=lambda m: (rank.get(m, len(rank)), seen.index(m))))
