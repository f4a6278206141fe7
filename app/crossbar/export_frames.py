"""Frames of the crossbar playback as numpy palette-index images, for GIF and MP4 export.

No Qt: runs on a worker thread. Draws with the view's own palette, tile images and
per-cycle states (`PlanCycles`), so a frame shows what the view shows: the grid with its
strips, darkened padding rows and past-the-edge columns, kernel-copy outlines and the
hatched skipped rows of a compressed plan shown with its rows in place, the
legend, the IFM around the parallel window and the OFM channel filling in, and the
status line. Text comes from Pillow (no antialiasing: every pixel stays a palette index).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from engine.plan import Plan

from app import method_style

from . import palette as pal
from .cycles import PlanCycles

DIM = pal.dim_map()
IX = pal.INDEX


@dataclass(frozen=True, eq=False)
class FrameSpec:
    plan: Plan
    order: str = "weight"
    mode: str = "copy"
    weights: np.ndarray | None = field(default=None, repr=False)
    width: int = 1280
    height: int = 720
    title: str = ""
    channels: tuple[int, int] | None = None  # (input, output) channel of the planes; None: per tile


def _font(size: int):
    """DejaVu Sans where installed (it has '×' and '·'), else Pillow's own font; without
    FreeType (a bundle may leave PIL._imagingft out) Pillow's small bitmap font."""
    for name in ("DejaVuSans.ttf", "Arial.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except (OSError, ImportError):
            continue
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError, ImportError):
        return getattr(ImageFont, "load_default_imagefont", ImageFont.load_default)()


def draw_box(frame: np.ndarray, y: int, x: int, h: int, w: int, index: int, thick: int = 1) -> None:
    """Outline of a box (clipped to the frame)."""
    H, W = frame.shape
    y1, x1 = y + h, x + w
    for t in range(thick):
        for yy in (y + t, y1 - 1 - t):
            if 0 <= yy < H:
                frame[yy, max(0, x):max(0, min(W, x1))] = index
        for xx in (x + t, x1 - 1 - t):
            if 0 <= xx < W:
                frame[max(0, y):max(0, min(H, y1)), xx] = index


HATCH_PERIOD, HATCH_WIDTH = 6, 2  # pixels: the view's diagonal hatching, in palette pixels


def hatch_pixels(area: np.ndarray, y0: int, x0: int, rows=None, cols=None) -> None:
    """Draw '/' diagonals into `area` (a view of the frame whose top-left pixel is (y0, x0) of
    the hatch lattice), on the given rows (all if None) and columns (all if None)."""
    h, w = area.shape
    yy = np.arange(h)[:, None] + y0
    xx = np.arange(w)[None, :] + x0
    on = (xx + yy) % HATCH_PERIOD < HATCH_WIDTH
    if rows is not None:
        on &= rows[:, None]
    if cols is not None:
        on &= cols[None, :]
    area[on] = IX["outline"]


def _hatch(block: np.ndarray, tile, ri: np.ndarray, ci: np.ndarray) -> None:
    """Hatch the skipped rows / removed columns (dense view of a compressed plan) of a grid
    drawn with rows ri and columns ci of the tile, within the mapped block."""
    r0, r1, c0, c1 = tile.block_span
    in_r, in_c = (ri >= r0) & (ri < r1), (ci >= c0) & (ci < c1)
    if tile.skipped_rows is not None:
        hatch_pixels(block, 0, 0, tile.skipped_rows[ri] & in_r, in_c)
    if tile.removed_cols is not None:
        hatch_pixels(block, 0, 0, in_r, tile.removed_cols[ci] & in_c)


def _sample(n_cells: int, n_px: int) -> np.ndarray:
    """Cell index under each of n_px pixels (nearest, pixel centres)."""
    return np.minimum(((np.arange(n_px) + 0.5) * n_cells / n_px).astype(np.int64), n_cells - 1)


class FrameRenderer:
    def __init__(self, spec: FrameSpec):
        self.spec = spec
        self.cycles = PlanCycles(spec.plan, spec.order)
        W, H = spec.width, spec.height
        self.font = _font(max(10, H // 34))
        self.small = _font(max(9, H // 44))
        self.line = max(9, H // 44)  # legend row size
        m = max(8, W // 100)
        self.header = (m, m)  # y, x of the title line
        self.footer = (H - m - H // 20, m)  # y, x of the status line
        top, bottom = m + H // 14, H - m - H // 20 - m // 2
        # The grid takes the room its shape needs (at most 62 % of the width), the rest is
        # the legend above the IFM and OFM planes side by side.
        rows, cols = spec.plan.array.rows, spec.plan.array.cols
        gw = min(int(W * 0.62), m + int((bottom - top) * cols / rows) + 2 * m)
        self.grid_area = (top, m, bottom - top, gw - m)
        rx, rw = gw + 2 * m, W - gw - 3 * m
        first = self.cycles.legend(self.cycles.cycle(0), spec.mode)
        n_rows = len(first.entries) + len(first.hatched) + 1
        lh = min(int((bottom - top) * 0.55), int(self.line * (2.4 + 1.5 * n_rows)))
        half = (rw - m) // 2
        self.legend_area = (top, rx, lh, rw)
        self.ifm_area = (top + lh, rx, bottom - top - lh, half)
        self.ofm_area = (top + lh, rx + half + m, bottom - top - lh, rw - half - m)
        self._ifm_view = None  # (y, x, size) of the IFM crop, re-centred when the PW leaves it
        self.table = self.cycles.legend(self.cycles.cycle(0), spec.mode).table

    def palette_bytes(self) -> bytes:
        return self.table.astype(np.uint8).tobytes()

    def rgb(self, frame: np.ndarray) -> np.ndarray:
        return self.table[frame]

    def render(self, t: int) -> np.ndarray:
        """(height, width) uint8 palette indices of cycle t."""
        spec, c = self.spec, self.cycles
        frame = np.full((spec.height, spec.width), IX["background"], dtype=np.uint8)
        cyc = c.cycle(t)
        ic, oc = spec.channels or c.default_channels(cyc)
        texts = []
        self._grid(frame, cyc, t)
        legend = c.legend(cyc, spec.mode)
        texts += self._legend(frame, legend)
        texts += self._ifm(frame, cyc, ic)
        texts += self._ofm(frame, t, cyc, oc)
        p = spec.plan
        title = spec.title or f"{p.layer.name} · {method_style.label(p.method)} · {p.array.rows}×{p.array.cols} array"
        if not spec.title and p.compression is not None:
            title += " · skipped rows in place (hatched)" if not p.compression.repacked else " · repacked array"
        texts.append((self.header[0], self.header[1], f"{title} · colour: {legend.title.lower()}", self.font, IX["text"]))
        texts.append((self.footer[0], self.footer[1], c.status(t), self.font, IX["text"]))
        return self._text(frame, texts)

    def _text(self, frame, texts) -> np.ndarray:
        im = Image.fromarray(frame, mode="P")
        draw = ImageDraw.Draw(im)
        draw.fontmode = "1"  # no antialiasing: text pixels stay one palette index
        for y, x, text, font, index in texts:
            if not isinstance(font, ImageFont.FreeTypeFont):  # the bitmap font knows Latin-1 only
                text = text.replace("…", "...").encode("latin-1", "replace").decode("latin-1")
            draw.text((x, y), text, fill=int(index), font=font)
        return np.asarray(im, dtype=np.uint8)

    # --- parts ---------------------------------------------------------------------------------
    def _grid(self, frame, cyc, t) -> None:
        c = self.cycles
        rows, cols = c.plan.array.rows, c.plan.array.cols
        ay, ax, ah, aw = self.grid_area
        s = max(5, min(ah, aw) // 70)
        gap = 2
        f = min((aw - s - gap) / cols, (ah - s - gap) / rows)
        gh, gw = max(1, int(rows * f)), max(1, int(cols * f))
        y0, x0 = ay + s + gap, ax + s + gap
        ri, ci = _sample(rows, gh), _sample(cols, gw)
        img = c.tile_image(cyc, self.spec.mode, self.spec.weights)
        block = img[(ri * img.shape[0]) // rows][:, (ci * img.shape[1]) // cols]
        rstate, cstate = c.row_state(t)[ri], c.col_state(t)[ci]
        dim_r, dim_c = rstate == IX["padding"], cstate == IX["past_edge"]
        block[dim_r] = DIM[block[dim_r]]
        block[:, dim_c] = DIM[block[:, dim_c]]
        frame[y0:y0 + gh, x0:x0 + gw] = block
        frame[y0:y0 + gh, ax:ax + s] = rstate[:, None]
        frame[ay:ay + s, x0:x0 + gw] = cstate[None, :]
        tile = c.tile(cyc)
        _hatch(frame[y0:y0 + gh, x0:x0 + gw], tile, ri, ci)
        top, bottom = tile.used_row_span
        by, bh = y0 + int(top * f), max(1, int((bottom - top) * f))
        thick = 2 if f >= 0.5 else 1
        runs = tile.channel_runs
        if runs and min(r.stop - r.start for r in runs) * f >= 4 and tile.copy_runs:
            left, right = x0 + int(tile.copy_runs[0].start * f), x0 + int(tile.copy_runs[-1].stop * f)
            for r in runs[1:]:
                frame[y0 + int(r.start * f), left:right] = IX["outline"]
        for r in tile.copy_runs:
            draw_box(frame, by, x0 + int(r.start * f), bh, max(1, int((r.stop - r.start) * f)), IX["outline"], thick)

    def _legend(self, frame, legend) -> list:
        ly, lx, lh, lw = self.legend_area
        size = self.line
        step = int(size * 1.5)
        texts = [(ly, lx, legend.title, self.font, IX["text"])]
        y = ly + int(size * 2.2)
        n = legend.neutral
        cats, greys = list(legend.entries[:-n]), list(legend.entries[-n:])
        room = max(n + 2, (lh - int(size * 2.2)) // step)
        note = legend.note
        if len(cats) + n > room or (legend.total > len(cats)):  # categories, a note, the greys
            cats = cats[:room - n - 1]
            hidden = legend.total - len(cats)
            if hidden > 0 and legend.title != "Weight value":
                note = f"… and {hidden:,} more" + ("; colours repeat" if legend.total > pal.N_CLASSES else "")
        entries = cats + ([None] if note else []) + greys + [("hatch", t) for t in legend.hatched]
        for e in entries:
            if e is None:
                texts.append((y, lx, note, self.small, IX["muted_text"]))
            elif e[0] == "hatch":
                box = frame[y + 1:y + 1 + size, lx:lx + size]
                box[:] = IX["pruned"]
                hatch_pixels(box, 0, 0)
                draw_box(frame, y + 1, lx, size, size, IX["muted_text"])
                texts.append((y, lx + int(size * 1.6), e[1], self.small, IX["text"]))
            else:
                frame[y + 1:y + 1 + size, lx:lx + size] = e[0]
                draw_box(frame, y + 1, lx, size, size, IX["muted_text"])
                texts.append((y, lx + int(size * 1.6), e[1], self.small, IX["text"]))
            y += step
        return texts

    def _fit(self, area, h: int, w: int):
        """Scale and top-left of an h x w plane fitted below a caption line in `area`."""
        ay, ax, ah, aw = area
        cap = int(self.line * 2.2)
        f = min(aw / w, (ah - cap) / h)
        return f, ay + cap, ax

    def _plane(self, frame, area, img, f, y0, x0) -> tuple[int, int]:
        h, w = max(1, int(img.shape[0] * f)), max(1, int(img.shape[1] * f))
        frame[y0:y0 + h, x0:x0 + w] = img[_sample(img.shape[0], h)][:, _sample(img.shape[1], w)]
        return h, w

    def _ifm(self, frame, cyc, ic) -> list:
        c = self.cycles
        ey, ex, eh, ew = c.ifm_extent()
        py, px = c.pw_origin(cyc)
        ph, pw_ = c.pw_size(cyc)
        size = max(3 * max(ph, pw_), 24)
        if size >= max(eh, ew):
            vy, vx, vh, vw = ey, ex, eh, ew
        else:
            v = self._ifm_view
            if v is None or not (v[0] <= py and py + ph <= v[0] + v[2] and v[1] <= px and px + pw_ <= v[1] + v[2]):
                vy0 = min(max(py + ph // 2 - size // 2, ey), ey + eh - size)  # stay on the plane
                vx0 = min(max(px + pw_ // 2 - size // 2, ex), ex + ew - size)
                v = (vy0, vx0, size)
                self._ifm_view = v
            vy, vx, vh, vw = v[0], v[1], v[2], v[2]
        plane = np.full((vh, vw), IX["background"], dtype=np.uint8)
        full = c.ifm_image()
        sy0, sx0 = max(vy, ey), max(vx, ex)
        sy1, sx1 = min(vy + vh, ey + eh), min(vx + vw, ex + ew)
        if sy1 > sy0 and sx1 > sx0:
            plane[sy0 - vy:sy1 - vy, sx0 - vx:sx1 - vx] = full[sy0 - ey:sy1 - ey, sx0 - ex:sx1 - ex]
        pw = plane[max(0, py - vy):max(0, py - vy + ph), max(0, px - vx):max(0, px - vx + pw_)]
        pw[pw == IX["ifm_pixel"]] = IX["ifm_read"]  # the pixels this cycle reads
        f, y0, x0 = self._fit(self.ifm_area, vh, vw)
        self._plane(frame, self.ifm_area, plane, f, y0, x0)
        copy_mode = self.spec.mode == "copy"
        for k, (wy, wx, h, w) in enumerate(c.window_boxes(cyc)[:64]):
            colour = int(pal.category_index(k)) if copy_mode else IX["muted_text"]
            draw_box(frame, y0 + int((wy - vy) * f) + 1, x0 + int((wx - vx) * f) + 1,
                     max(1, int(h * f) - 2), max(1, int(w * f) - 2), colour, 1)
        draw_box(frame, y0 + int((py - vy) * f), x0 + int((px - vx) * f), max(1, int(ph * f)),
                 max(1, int(pw_ * f)), IX["pw"], 2)
        return [(self.ifm_area[0], self.ifm_area[1], f"IFM ch. {ic} · PW at ({py}, {px})", self.small, IX["text"])]

    def _ofm(self, frame, t, cyc, oc) -> list:
        c = self.cycles
        img = c.ofm_image(t, oc)
        f, y0, x0 = self._fit(self.ofm_area, *img.shape)
        self._plane(frame, self.ofm_area, img, f, y0, x0)
        by, bx, bh, bw = c.ofm_block(cyc)
        draw_box(frame, y0 + int(by * f), x0 + int(bx * f), max(2, int(bh * f)), max(2, int(bw * f)), IX["pw"], 1)
        done = int(np.count_nonzero(img == IX["ofm_complete"]))
        return [(self.ofm_area[0], self.ofm_area[1], f"OFM ch. {oc} · {done:,} / {img.size:,} done",
                 self.small, IX["text"])]
