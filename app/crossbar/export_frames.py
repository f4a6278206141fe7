"""Frames of the crossbar playback as numpy palette-index images, for GIF and MP4 export.

No Qt: runs on a worker thread. Draws with the view's own palette, tile images and
per-cycle states (`PlanCycles`), so a frame shows what the view shows: the grid with its
strips, darkened padding rows and past-the-edge columns, kernel-copy outlines and the
hatched skipped rows of a compressed plan shown with its rows in place, the
legend (category rows, or the swatch grid of many kernel copies / elements, or the colour
bar of many channels, as the view's legend draws them), the IFM around the parallel window
with each kernel copy's window in its grid colour, and the OFM channel filling in, and the
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
from .modes import ColourBar, Legend, SwatchGrid, copy_classes

DIM = pal.dim_map()
IX = pal.INDEX
MAX_WINDOWS = 64  # as the view (plane_view.MAX_WINDOWS): more windows than this are not outlined


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
    values_seed: int | None = None  # values mode (app.crossbar.values) with this seed; None: off
    lines: bool = False  # the link lines from the IFM pixels to the rows they drive (app.crossbar.link_lines)


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


def _width(font, text: str) -> int:
    """Pixel width of `text` in `font` (Pillow's FreeType or bitmap font)."""
    if not isinstance(font, ImageFont.FreeTypeFont):
        text = text.replace("…", "...").encode("latin-1", "replace").decode("latin-1")
    try:
        return int(np.ceil(font.getlength(text)))
    except AttributeError:  # very old bitmap fonts
        box = font.getbbox(text)
        return int(box[2] - box[0])


def _wrap(font, text: str, width: int) -> list[str]:
    """`text` broken at spaces into lines at most `width` pixels wide (a long word stays whole)."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and _width(font, f"{lines[-1]} {word}") <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines or [""]


def _grid_caption(grid: SwatchGrid) -> str:
    """The line above a swatch grid saying what its rows and columns are (as the view's
    legend_item writes it)."""
    if not grid.rows_label:
        return f"{grid.cols_label} 0 … {len(grid.col_names) - 1}" if grid.cols_label else ""
    if grid.cols_label == "+":
        return f"{grid.rows_label} = row + column"
    return f"rows: {grid.rows_label} · columns: {grid.cols_label}"


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
        lh = min(int((bottom - top) * 0.55), self._legend_height(first, rw))
        half = (rw - m) // 2
        self.legend_area = (top, rx, lh, rw)
        self.ifm_area = (top + lh, rx, bottom - top - lh, half)
        self.ofm_area = (top + lh, rx + half + m, bottom - top - lh, rw - half - m)
        self._ifm_view = None  # (y, x, size) of the IFM crop, re-centred when the PW leaves it
        self.table = self.cycles.legend(self.cycles.cycle(0), spec.mode).table
        self.values = None
        if spec.values_seed is not None:
            from .values import COMPACT_RAMPS, PlanValues, write_ramps

            self.values = PlanValues(spec.plan, spec.order, spec.values_seed, spec.weights, COMPACT_RAMPS)
            self.table = write_ramps(self.table.copy(), COMPACT_RAMPS)

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
        lines = self._links(t, ic) if spec.lines else []
        p = spec.plan
        title = spec.title or f"{p.layer.name} · {method_style.label(p.method)} · {p.array.rows}×{p.array.cols} array"
        if not spec.title and p.compression is not None:
            title += " · skipped rows in place (hatched)" if not p.compression.repacked else " · repacked array"
        texts.append((self.header[0], self.header[1], f"{title} · colour: {legend.title.lower()}", self.font, IX["text"]))
        if self.values is not None:  # under the title, above the grid
            texts.append((self.header[0] + max(10, spec.height // 34) + 3, self.header[1], self.values.caption(t),
                          self.small, IX["muted_text"]))
        texts.append((self.footer[0], self.footer[1], c.status(t), self.font, IX["text"]))
        return self._text(frame, texts, lines)

    def _text(self, frame, texts, lines=()) -> np.ndarray:
        im = Image.fromarray(frame, mode="P")
        draw = ImageDraw.Draw(im)
        for xy in lines:  # under the text
            draw.line(xy, fill=IX["link"], width=1)
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
        if self.values is None:
            rstate, cstate = c.row_state(t)[ri], c.col_state(t)[ci]
            dim_r, dim_c = rstate == IX["padding"], cstate == IX["past_edge"]
            block[dim_r] = DIM[block[dim_r]]
            block[:, dim_c] = DIM[block[:, dim_c]]
        else:  # the strips carry the values; the dimmed colours' entries hold the value ramps
            rs, cs = self.values.strips(t)
            rstate, cstate = rs[ri], cs[ci]
        frame[y0:y0 + gh, x0:x0 + gw] = block
        self._grid_at = (y0, x0, f, gw)  # where the link lines end
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

    def _legend_height(self, legend: Legend, width: int) -> int:
        """Pixels the legend wants: title, its block or category rows, note, greys, hatching."""
        size, step = self.line, int(self.line * 1.5)
        if legend.grid is None and legend.bar is None:
            return int(size * (2.4 + 1.5 * (len(legend.entries) + len(legend.hatched) + 1)))
        notes = len(_wrap(self.small, legend.note, width)) if legend.note else 0
        h = int(size * 2.4) + step * (legend.neutral + len(legend.hatched) + notes)
        if legend.grid is not None:
            h += self._grid_height(legend.grid, int(size * 1.2))
        if legend.bar is not None:
            h += self._bar_height()
        return h

    def _grid_height(self, grid: SwatchGrid, cell: int) -> int:
        step = int(self.line * 1.5)
        return (step if _grid_caption(grid) else 0) + int(self.line * 1.3) + len(grid.cells) * cell + self.line // 2

    def _bar_height(self) -> int:
        step = int(self.line * 1.5)
        return step + 2 + self.line + 4 + step

    def _legend(self, frame, legend) -> list:
        ly, lx, lh, lw = self.legend_area
        size = self.line
        step = int(size * 1.5)
        texts = [(ly, lx, legend.title, self.font, IX["text"])]
        y = ly + int(size * 2.2)
        n = legend.neutral
        cats, greys = list(legend.entries[:-n]), list(legend.entries[-n:])
        note = legend.note
        notes = [note] if note else []
        if legend.grid is not None or legend.bar is not None:  # a block replaces the category rows
            cats = []
            notes = _wrap(self.small, note, lw) if note else []
            tail = step * (len(greys) + len(legend.hatched) + len(notes))
            if legend.grid is not None:
                y = self._swatch_grid(frame, texts, legend.grid, y, ly + lh - tail)
            if legend.bar is not None:
                y = self._colour_bar(frame, texts, legend.bar, y)
        else:
            room = max(n + 2, (lh - int(size * 2.2)) // step)
            if len(cats) + n > room or (legend.total > len(cats)):  # categories, a note, the greys
                cats = cats[:room - n - 1]
                hidden = legend.total - len(cats)
                if hidden > 0 and legend.title != "Weight value":
                    notes = [f"… and {hidden:,} more" + ("; colours repeat" if legend.total > pal.N_CLASSES else "")]
        entries = cats + [("note", t) for t in notes] + greys + [("hatch", t) for t in legend.hatched]
        for e in entries:
            if e[0] == "note":
                texts.append((y, lx, e[1], self.small, IX["muted_text"]))
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

    def _swatch_grid(self, frame, texts, grid: SwatchGrid, y: int, bottom: int) -> int:
        """Draw the swatch grid from y, its cells shrunk to end above `bottom` and to fit the
        legend's width; returns the y below it."""
        _, lx, _, lw = self.legend_area
        size, step, small, muted = self.line, int(self.line * 1.5), self.small, IX["muted_text"]
        caption = _grid_caption(grid)
        if caption:
            texts.append((y, lx, caption, small, muted))
            y += step
        n_r, n_c = len(grid.cells), max(len(r) for r in grid.cells)
        names = max((_width(small, t) for t in grid.row_names), default=0)
        gx = lx + (names + max(3, size // 3) if names else 0)
        name_w = max((_width(small, t) for t in grid.col_names), default=0)
        cw = max(3, min(max(int(size * 1.2), name_w + 4), (lx + lw - gx) // n_c))
        top = y + int(size * 1.3)  # the column names above the cells
        ch = max(3, min(int(size * 1.2), (bottom - top - size // 2) // n_r))
        every = 1  # label every `every`-th column where the names would touch
        while every < n_c and name_w + 2 > cw * every:
            every += 1
        for j, text in enumerate(grid.col_names):
            if j % every == 0:
                texts.append((y, gx + j * cw + (cw - _width(small, text)) // 2, text, small, muted))
        gap = 1 if min(cw, ch) >= 6 else 0  # a thin background gap keeps neighbouring swatches apart
        every_r = max(1, -(-int(size * 0.9) // ch))  # likewise for the row names
        for i, row in enumerate(grid.cells):
            cy = top + i * ch
            if i % every_r == 0 and i < len(grid.row_names) and grid.row_names[i]:
                texts.append((cy + (ch - size) // 2 - 1, gx - max(3, size // 3) - _width(small, grid.row_names[i]),
                              grid.row_names[i], small, muted))
            for j, idx in enumerate(row):
                frame[cy:cy + ch - gap, gx + j * cw:gx + (j + 1) * cw - gap] = idx
        draw_box(frame, top - 1, gx - 1, n_r * ch - gap + 2, n_c * cw - gap + 2, muted)
        return top + n_r * ch + size // 2

    def _colour_bar(self, frame, texts, bar: ColourBar, y: int) -> int:
        """Draw the colour bar from y (label, ramp, this tile's span outlined, ticks); returns
        the y below it."""
        _, lx, _, lw = self.legend_area
        size, step, small = self.line, int(self.line * 1.5), self.small
        texts.append((y, lx, bar.label, small, IX["muted_text"]))
        by = y + step + 2
        n = len(bar.indices)
        bw = max(2, min(lw - 4, max(n, size * 16)))
        frame[by:by + size, lx:lx + bw] = np.asarray(bar.indices, dtype=np.uint8)[_sample(n, bw)][None, :]
        draw_box(frame, by - 1, lx - 1, size + 2, bw + 2, IX["muted_text"])
        if bar.span is not None:  # the part of the range this tile holds
            a, b = bar.span
            sx = lx + int(round(a * bw))
            sw = max(2, int(round((b - a) * bw)))
            draw_box(frame, by - 3, sx - 3, size + 6, sw + 6, IX["outline"], 2)
        ty = by + size + 4
        for pos, text in bar.ticks:
            tw = _width(small, text)
            tx = min(max(lx, lx + int(pos * bw) - tw // 2), lx + bw - tw)
            texts.append((ty, tx, text, small, IX["text"]))
        return ty + step

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
        self._ifm_at = (y0, x0, f, vy, vx, vh, vw)  # where the link lines start
        copy_mode = self.spec.mode == "copy"
        classes = copy_classes(c.part(cyc))  # the copy colours of the grid (palette.grid_classes)
        boxes = c.window_boxes(cyc)
        for k, (wy, wx, h, w) in enumerate(boxes if len(boxes) <= MAX_WINDOWS else ()):
            colour = int(pal.category_index(classes[k])) if copy_mode else IX["muted_text"]
            draw_box(frame, y0 + int((wy - vy) * f) + 1, x0 + int((wx - vx) * f) + 1,
                     max(1, int(h * f) - 2), max(1, int(w * f) - 2), colour, 1)
        draw_box(frame, y0 + int((py - vy) * f), x0 + int((px - vx) * f), max(1, int(ph * f)),
                 max(1, int(pw_ * f)), IX["pw"], 2)
        return [(self.ifm_area[0], self.ifm_area[1], f"IFM ch. {ic} · PW at ({py}, {px})", self.small, IX["text"])]

    def _links(self, t: int, ic: int) -> list:
        """((x, y) on the IFM pixel, (x, y) at the right end of its row) for each row IFM
        channel ic drives in cycle t, as the view's link lines (every k-th past MAX_LINKS)."""
        pixels, rows, _, _ = self.cycles.ifm_links(t, ic)
        iy0, ix0, fi, vy, vx, vh, vw = self._ifm_at
        gy0, gx0, fg, gw = self._grid_at
        seen = (pixels[:, 0] >= vy) & (pixels[:, 0] < vy + vh) & (pixels[:, 1] >= vx) & (pixels[:, 1] < vx + vw)
        out = []
        for (iy, ix), r in zip(pixels[seen].tolist(), rows[seen].tolist()):
            out.append(((ix0 + (ix - vx + 0.5) * fi, iy0 + (iy - vy + 0.5) * fi), (gx0 + gw, gy0 + (r + 0.5) * fg)))
        return out

    def _ofm(self, frame, t, cyc, oc) -> list:
        c = self.cycles
        if self.values is None:
            img = c.ofm_image(t, oc)
            done = int(np.count_nonzero(img == IX["ofm_complete"]))
        else:
            img, _, state = self.values.ofm(t, oc)
            done = int(np.count_nonzero(state == 2))
        f, y0, x0 = self._fit(self.ofm_area, *img.shape)
        self._plane(frame, self.ofm_area, img, f, y0, x0)
        by, bx, bh, bw = c.ofm_block(cyc)
        draw_box(frame, y0 + int(by * f), x0 + int(bx * f), max(2, int(bh * f)), max(2, int(bw * f)), IX["pw"], 1)
        return [(self.ofm_area[0], self.ofm_area[1], f"OFM ch. {oc} · {done:,} / {img.size:,} done",
                 self.small, IX["text"])]
