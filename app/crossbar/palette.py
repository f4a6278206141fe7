"""The colour tables of the crossbar view and of its exported frames: one 256-entry palette.

Pure numpy (the export workers use it off the GUI thread). Every picture of a tile is a
uint8 image of palette indices, shown by pyqtgraph as an indexed image and written into
GIF frames unchanged, so the view and its exports cannot disagree about a colour.

Layout of the palette:
  0..31     fixed colours: background, text, neutral cells, strips, IFM/OFM planes;
  32..143   the colour mode's categories (`N_CLASSES` of them, repeating beyond);
  144..255  the same categories dimmed (cells of padding rows / past-the-edge columns).

Categories laid out on a 2-D grid (kernel copies by window row and column, kernel elements
by ky and kx) use `grid_classes`: up to 12 of them the distinct base hues; more, a hue per
row and a lightness per column (`hue_lightness`), each visited in an interleaved order
so that neighbours in either direction always differ clearly, repeating beyond 12 x 9.
Long channel lists use `channel_ramp`, an ordered ramp shown as a colour bar.
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
    26: ("link", "#e67800"),  # exported frames: a line from an IFM pixel to the row it drives
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


GRID_HUES, GRID_LEVELS = 12, 9  # a 2-D category table: at most 12 hues x 9 lightness levels


def _oklch_rgb(light: np.ndarray, chroma: float, hue: np.ndarray) -> np.ndarray:
    """(..., 3) uint8 sRGB of OKLCh colours (perceptually even steps), clipped to the gamut."""
    a, b = chroma * np.cos(hue), chroma * np.sin(hue)
    lms = [light + 0.3963377774 * a + 0.2158037573 * b, light - 0.1055613458 * a - 0.0638541728 * b,
           light - 0.0894841775 * a - 1.2914855480 * b]
    l3, m3, s3 = (v ** 3 for v in lms)
    rgb = np.stack([4.0767416621 * l3 - 3.3077115913 * m3 + 0.2309699292 * s3,
                    -1.2684380046 * l3 + 2.6097574011 * m3 - 0.3413193965 * s3,
                    -0.0041960863 * l3 - 0.7034186147 * m3 + 1.7076147010 * s3], axis=-1)
    rgb = np.clip(rgb, 0.0, 1.0)
    srgb = np.where(rgb <= 0.0031308, 12.92 * rgb, 1.055 * rgb ** (1 / 2.4) - 0.055)
    return np.rint(srgb * 255).astype(np.uint8)


def interleaved(n: int) -> np.ndarray:
    """Slot visited by step 0..n-1: 0, ceil(n/2), 1, ceil(n/2)+1, ... Consecutive steps (and
    the wrap from the last to the first) land about half the range apart, so a lightness or
    hue sequence read in this order never puts two near-equal shades side by side. Four or
    fewer slots are far enough apart in plain order."""
    if n <= 4:
        return np.arange(n)
    half = (n + 1) // 2
    out = np.empty(n, dtype=np.int64)
    out[0::2] = np.arange(half)
    out[1::2] = np.arange(half, n)
    return out


def hue_lightness(n_hues: int, n_levels: int) -> np.ndarray:
    """(n_hues * n_levels, 3) uint8: category h * n_levels + v has hue slot h, lightness slot v
    (both already in display order: see `grid_classes`). No greys: every colour has chroma."""
    hues = 0.6 + 2 * np.pi * np.arange(n_hues) / max(1, n_hues)
    light = np.linspace(0.42, 0.86, n_levels) if n_levels > 1 else np.array([0.64])
    hh, ll = np.meshgrid(hues, light, indexing="ij")
    return _oklch_rgb(ll, 0.135, hh).reshape(-1, 3)


def grid_classes(n_rows: int, n_cols: int) -> tuple[np.ndarray, np.ndarray]:
    """Category numbers of the cells of an n_rows x n_cols grid of things (kernel copies by
    window, kernel elements by (ky, kx)) and the category colours: (n_rows, n_cols) int64,
    (n, 3) uint8.

    Up to 12 things: one base hue each (numbered row by row). More: hue by row and
    lightness by column, in `interleaved` order, repeating every 12 rows and 9 columns, so
    horizontal, vertical and diagonal neighbours never share a colour. A single row (or
    column) of many things folds: hue by position, lightness by the fold."""
    n_rows, n_cols = max(1, n_rows), max(1, n_cols)
    if n_rows * n_cols <= len(BASE_HUES):
        return np.arange(n_rows * n_cols).reshape(n_rows, n_cols), categorical(n_rows * n_cols)
    if n_rows == 1 or n_cols == 1:  # a line: neighbours are the previous and the next
        n = n_rows * n_cols
        nh = min(n, GRID_HUES)
        nl = min(-(-n // nh), GRID_LEVELS)
        k = np.arange(n)
        h, v = interleaved(nh)[k % nh], interleaved(nl)[(k // nh) % nl]
        return (h * nl + v).reshape(n_rows, n_cols), hue_lightness(nh, nl)
    nh, nl = min(n_rows, GRID_HUES), min(n_cols, GRID_LEVELS)
    h = interleaved(nh)[np.arange(n_rows) % nh]
    v = interleaved(nl)[np.arange(n_cols) % nl]
    return h[:, None] * nl + v[None, :], hue_lightness(nh, nl)


def channel_ramp(n: int) -> np.ndarray:
    """(min(n, N_CLASSES), 3) uint8: an ordered many-hue ramp (dark blue, cyan, green, yellow,
    red) for channel numbers, read with a colour bar."""
    return _ramp(["#30123b", "#4662d7", "#36aaf9", "#1ae4b6", "#72fe5e", "#c8ef34", "#faba39",
                  "#f66b19", "#ca2a04", "#7a0403"], max(1, min(n, N_CLASSES)))


def ramp_class(values, n: int) -> np.ndarray:
    """Category number of channel numbers 0..n-1 on `channel_ramp(n)` (binned beyond N_CLASSES)."""
    bins = max(1, min(n, N_CLASSES))
    return (np.asarray(values, dtype=np.int64) * bins) // max(1, n)


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
