"""The colour tables of the crossbar view and of its exported frames: one 256-entry palette.

Pure numpy (the export workers use it off the GUI thread). Every picture of a tile is a
uint8 image of palette indices, shown by pyqtgraph as an indexed image and written into
GIF frames unchanged, so the view and its exports cannot disagree about a colour.

Layout of the palette:
  0..31     fixed colours: background, text, neutral cells, strips, IFM/OFM planes;
  32..143   the colour mode's categories (`N_CLASSES` of them, repeating beyond);
  144..255  the same categories dimmed (cells of padding rows / past-the-edge columns).
"""
from __future__ import annotations

import colorsys

import numpy as np

FIRST_CLASS = 32
N_CLASSES = 112
DIM_OFFSET = N_CLASSES

# Fixed colours (index: name, hex). Greys stay neutral so that no hue is mistaken for them.
_FIXED = {
    0: ("background", "#ffffff"),
    1: ("text", "#1b1f24"),
    2: ("unused", "#e6e9ed"),  # cell outside the mapped block
    3: ("zero", "#a3aab4"),  # cell of the block whose kernel offset falls outside the kernel
    4: ("outline", "#1b1f24"),
    5: ("grid", "#c4cad3"),
    6: ("driven", "#009e73"),  # row driven by a real IFM pixel this cycle
    7: ("padding", "#59616d"),  # row driven with 0 (padding or past the far edge)
    8: ("active", "#e69f00"),  # column adding to a real OFM pixel this cycle
    9: ("past_edge", "#59616d"),  # column whose window lies past the OFM edge
    10: ("strip_unused", "#eef0f3"),
    11: ("ifm_pixel", "#dfe7f1"),  # real IFM pixel
    12: ("ifm_padding", "#b9c0c9"),  # zero padding
    13: ("ifm_beyond", "#8e96a1"),  # past the far edge (read only by hanging PWs)
    14: ("ofm_idle", "#eef0f3"),  # not started
    15: ("ofm_partial", "#9ecae1"),  # some row tiles added
    16: ("ofm_complete", "#08519c"),  # all row tiles added
    17: ("highlight", "#ff00b4"),
    18: ("unused_dim", "#b7bbc1"),
    19: ("zero_dim", "#7d838b"),
    20: ("pw", "#1b1f24"),  # parallel window outline on the IFM
    21: ("ifm_read", "#fff2b3"),  # IFM pixels read in this cycle
    22: ("panel", "#f4f6f8"),  # frame background around panels in exported frames
    23: ("muted_text", "#4a5462"),
    24: ("pruned", "#d9c2b8"),  # compressed plans: a weight the compression masks
    25: ("extra", "#3b2f4a"),  # compressed plans: a compensatory weight (KERNTROL-C)
}
INDEX = {name: i for i, (name, _) in _FIXED.items()}
UNUSED, ZERO = INDEX["unused"], INDEX["zero"]

# Distinct hues that survive a projector (Okabe-Ito first, then Tableau-like), no greys.
BASE_HUES = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#d55e00", "#56b4e9", "#f0e442",
             "#7e2f8e", "#8c564b", "#17becf", "#bcbd22", "#e15759")


def hex_rgb(text: str) -> tuple[int, int, int]:
    text = text.lstrip("#")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


def _golden_hues(n: int) -> list[tuple[int, int, int]]:
    """More categories: hues spread by the golden ratio, lightness alternating."""
    out = []
    for i in range(n):
        h = (0.13 + i * 0.618033988749895) % 1.0
        light = (0.42, 0.58, 0.50)[i % 3]
        r, g, b = colorsys.hls_to_rgb(h, light, 0.78)
        out.append((round(r * 255), round(g * 255), round(b * 255)))
    return out


def categorical(n: int) -> np.ndarray:
    """(n, 3) uint8: the first `n` category colours (n <= N_CLASSES)."""
    base = [hex_rgb(h) for h in BASE_HUES]
    cols = base[:n] + _golden_hues(max(0, n - len(base)))
    return np.array(cols[:n], dtype=np.uint8).reshape(-1, 3)


def _ramp(stops: list[str], n: int) -> np.ndarray:
    """(n, 3) uint8 colours interpolated along `stops`."""
    pts = np.array([hex_rgb(s) for s in stops], dtype=np.float64)
    if n == 1:
        return pts[:1].astype(np.uint8)
    x = np.linspace(0, len(stops) - 1, n)
    i = np.minimum(x.astype(int), len(stops) - 2)
    f = (x - i)[:, None]
    return np.rint(pts[i] * (1 - f) + pts[i + 1] * f).astype(np.uint8)


def sequential(n: int) -> np.ndarray:
    """Bit slices: a viridis-like ramp, least significant slice darkest."""
    return _ramp(["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"], n)


def diverging(n: int) -> np.ndarray:
    """Weight values: blue (negative) through near-white to red (positive)."""
    return _ramp(["#2166ac", "#92c5de", "#f7f7f7", "#f4a582", "#b2182b"], n)


def palette(category_colours: np.ndarray) -> np.ndarray:
    """The full (256, 3) uint8 table for one colour mode's category colours."""
    table = np.zeros((256, 3), dtype=np.uint8)
    for i, (_, hx) in _FIXED.items():
        table[i] = hex_rgb(hx)
    cats = np.asarray(category_colours, dtype=np.uint8).reshape(-1, 3)[:N_CLASSES]
    table[FIRST_CLASS:FIRST_CLASS + len(cats)] = cats
    dim = np.rint(cats.astype(np.float64) * 0.55 + 0.45 * 60).astype(np.uint8)
    table[FIRST_CLASS + DIM_OFFSET:FIRST_CLASS + DIM_OFFSET + len(cats)] = dim
    return table


def category_index(values) -> np.ndarray:
    """Palette index of category numbers (colours repeat every N_CLASSES)."""
    return (FIRST_CLASS + np.asarray(values) % N_CLASSES).astype(np.uint8)


def dim_map() -> np.ndarray:
    """(256,) uint8: the dimmed index of every palette index (exports dim with it)."""
    m = np.arange(256, dtype=np.uint8)
    m[FIRST_CLASS:FIRST_CLASS + N_CLASSES] += DIM_OFFSET
    m[UNUSED], m[ZERO] = INDEX["unused_dim"], INDEX["zero_dim"]
    return m


def luminance(table: np.ndarray) -> np.ndarray:
    """Relative luminance 0..1 of each palette entry (picks black or white label text)."""
    t = table.astype(np.float64) / 255
    return t @ np.array([0.2126, 0.7152, 0.0722])


def hex_of(table: np.ndarray, index: int) -> str:
    r, g, b = (int(v) for v in table[index])
    return f"#{r:02x}{g:02x}{b:02x}"


def category_hex(n: int) -> list[str]:
    """'#rrggbb' of the first min(n, N_CLASSES) category colours (window outlines, legends)."""
    return ["#%02x%02x%02x" % tuple(int(v) for v in rgb) for rgb in categorical(min(n, N_CLASSES))]


FIXED_TABLE = palette(np.zeros((0, 3), dtype=np.uint8))  # planes and strips use fixed colours only
