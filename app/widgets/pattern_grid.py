"""What a compression keeps of each kernel, drawn with QPainter.

- PAIRS: the pattern set as 3x3 glyphs (kept weights dark, pruned ones light and crossed),
  each with the count of input channels using it, and a strip of the input channels
  coloured by pattern;
- KERNTROL: each kernel copy drawn over the PW at its window position (nh x nw glyphs of
  Ph x Pw pixels): kept weights dark, lost ones crossed, compensatory ones (variant C)
  purple;
- VWC-SDK: the input channels (and the producer's output channels) kept or removed.

Strips of channels are one image each (thousands of channels cost one draw call); hover
names what is under the mouse through the tooltip and the `hovered` signal.
"""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from engine.compress.model import footprints
from engine.compress.views import kernel_masks

from app.crossbar.palette import categorical, hex_rgb

TEXT = "#1b1f24"
MUTED = "#4a5462"
KEPT = "#1b1f24"  # a weight the compression keeps
PRUNED = "#e6e9ed"  # a weight it prunes (PAIRS pattern) or loses (KERNTROL omitted row)
CROSS = "#b3261e"
EXTRA = "#cc79a7"  # compensatory weight (KERNTROL-C)
OUTSIDE = "#ffffff"  # PW pixel outside a copy's window
GRID = "#c4cad3"
CH_KEPT = "#0072b2"
CH_REMOVED = "#d55e00"
GAP = 12


def draw_cross(p: QPainter, r: QRectF, color: str = CROSS) -> None:
    d = r.width() * 0.22
    p.setPen(QPen(QColor(color), max(1.2, r.width() / 9)))
    p.drawLine(QPointF(r.left() + d, r.top() + d), QPointF(r.right() - d, r.bottom() - d))
    p.drawLine(QPointF(r.left() + d, r.bottom() - d), QPointF(r.right() - d, r.top() + d))


def draw_grid(p: QPainter, rect: QRectF, rows: int, cols: int, cell: float, lines: str | None) -> None:
    """Lines between `rows` x `cols` cells of `rect` (colour `lines`, None: none) and a frame."""
    if lines:
        p.setPen(QPen(QColor(lines), 1))
        for i in range(1, cols):
            p.drawLine(QPointF(rect.left() + i * cell, rect.top()), QPointF(rect.left() + i * cell, rect.bottom()))
        for j in range(1, rows):
            p.drawLine(QPointF(rect.left(), rect.top() + j * cell), QPointF(rect.right(), rect.top() + j * cell))
    p.setPen(QPen(QColor("#5b6470"), 1))
    p.setBrush(Qt.NoBrush)
    p.drawRect(rect)


def draw_swatches(p: QPainter, fm: QFontMetrics, top: float, width: float, items, paint: bool = True) -> float:
    """A legend line of (painter function on a square, text) entries, wrapped to `width`;
    returns its bottom."""
    h = fm.height()
    x, y = 0.0, top
    for fill, text in items:
        w = h + 6 + fm.horizontalAdvance(text) + 14
        if x > 0 and x + w > width:
            x, y = 0.0, y + h + 4
        if paint:
            box = QRectF(x + 1, y + 2, h - 4, h - 4)
            fill(p, box)
            p.setPen(QColor("#5b6470"))
            p.setBrush(Qt.NoBrush)
            p.drawRect(box)
            p.setPen(QColor(TEXT))
            p.drawText(QRectF(x + h + 2, y, w, h), Qt.AlignLeft | Qt.AlignVCenter, text)
        x += w
    return y + h


def filler(color: str, crossed: bool = False):
    def fill(p: QPainter, r: QRectF) -> None:
        p.fillRect(r, QColor(color))
        if crossed:
            draw_cross(p, r)
    return fill


def mask_text(mask: np.ndarray) -> str:
    return "".join("1" if v else "0" for v in np.asarray(mask).ravel())


def id_ranges(ids, limit: int = 0) -> str:
    """[0, 1, 2, 5] -> '0–2, 5'; with `limit` > 0, at most that many runs and then '…'."""
    ids = np.asarray(ids, dtype=np.int64)
    if ids.size == 0:
        return "none"
    breaks = np.flatnonzero(np.diff(ids) != 1) + 1
    runs = [(int(r[0]), int(r[-1])) for r in np.split(ids, breaks)]
    parts = [f"{a}" if a == b else (f"{a}, {b}" if b == a + 1 else f"{a}–{b}") for a, b in runs]
    if limit and len(parts) > limit:
        return ", ".join(parts[:limit]) + ", …"
    return ", ".join(parts)


class ChannelStrip:
    """`colors` (n, 3) uint8, one per channel, as cells of one image wrapped into rows."""

    def __init__(self, colors: np.ndarray, left: float, top: float, width: float,
                 max_height: float = 110, max_cell: int = 16):
        n = len(colors)
        width = max(8, int(width))
        if width // n >= 8:
            s = min(max_cell, width // n)
        else:
            s = int(min(max_cell, max(2, math.sqrt(width * max_height / n))))
        self.n, self.cell = n, s
        self.cols = max(1, min(n, width // s))
        self.rows = -(-n // self.cols)
        self.rect = QRectF(left, top, self.cols * s, self.rows * s)
        rgb = np.full((self.rows * self.cols, 3), 255, dtype=np.uint8)
        rgb[:n] = colors
        self._rgb = np.ascontiguousarray(rgb.reshape(self.rows, self.cols, 3))

    def image(self) -> QImage:
        return QImage(self._rgb.data, self.cols, self.rows, 3 * self.cols, QImage.Format_RGB888).copy()

    def paint(self, p: QPainter) -> None:
        p.save()
        p.setRenderHint(QPainter.SmoothPixmapTransform, False)
        p.drawImage(self.rect, self.image())
        # cell borders only when cells can be told apart
        draw_grid(p, self.rect, self.rows, self.cols, self.cell, "#ffffff" if self.cell >= 8 else None)
        p.restore()

    def index_at(self, pos: QPointF) -> int | None:
        if not self.rect.contains(pos):
            return None
        i = int((pos.y() - self.rect.top()) // self.cell) * self.cols + int((pos.x() - self.rect.left()) // self.cell)
        return i if 0 <= i < self.n else None


class HoverCanvas(QWidget):
    """A painted widget whose height follows its width (`heightForWidth`) and which names
    what is under the mouse (`hover_text(pos)`) in a tooltip and the `hovered` signal."""

    hovered = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Preferred)

    def hover_text(self, pos: QPointF) -> str:
        return ""

    def hasHeightForWidth(self) -> bool:
        return True

    def sizeHint(self) -> QSize:
        return QSize(360, self.heightForWidth(360))

    def minimumSizeHint(self) -> QSize:
        return QSize(120, self.heightForWidth(self.width()))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        h = self.heightForWidth(self.width())
        if self.minimumHeight() != h:  # a scroll area's layout then gives the height it needs
            self.setMinimumHeight(h)

    def mouseMoveEvent(self, event) -> None:
        text = self.hover_text(event.position())
        self.hovered.emit(text)
        if text:
            QToolTip.showText(event.globalPosition().toPoint(), text, self)
        else:
            QToolTip.hideText()
        super().mouseMoveEvent(event)

    def leaveEvent(self, event) -> None:
        self.hovered.emit("")
        super().leaveEvent(event)


class PatternGrid(HoverCanvas):
    """`show_plan(plan)`; the model read by tests and hover: `mode` ('', 'pairs', 'kerntrol',
    'vwc-sdk'), `patterns`/`counts`/`pattern_of` (PAIRS), `shapes` (copies, Kh, Kw) and
    `extra` (copies, Ph, Pw) (KERNTROL), `in_removed`/`out_removed` (VWC-SDK)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.clear()

    # --- model -------------------------------------------------------------------------
    def clear(self) -> None:
        self.mode = ""
        self.plan = None
        self.patterns: tuple[str, ...] = ()
        self.counts = np.zeros(0, dtype=np.int64)
        self.pattern_of = np.zeros(0, dtype=np.int64)
        self.shapes = np.zeros((0, 0, 0), dtype=bool)
        self.footprint = np.zeros((0, 0, 0), dtype=bool)
        self.extra = None
        self.in_removed = np.zeros(0, dtype=np.int64)
        self.out_removed = np.zeros(0, dtype=np.int64)
        self._items: list = []
        self._laid_width = -1
        self.updateGeometry()
        self.update()

    def show_plan(self, plan) -> bool:
        """Draw `plan`'s compression; False (and nothing drawn) for a plan without one."""
        self.clear()
        comp = getattr(plan, "compression", None)
        if comp is None:
            return False
        self.plan = plan
        if comp.kind == "pairs" and comp.pattern_of is not None:
            self.mode = "pairs"
            self.patterns = tuple(comp.patterns)
            self.pattern_of = comp.pattern_of
            self.counts = np.bincount(comp.pattern_of, minlength=len(self.patterns))
        elif comp.kind == "kerntrol":
            self.mode = "kerntrol"
            self.shapes = np.array(kernel_masks(plan)[:, 0])
            self.footprint = footprints(plan)
            if comp.extra is not None:
                self.extra = np.array(np.broadcast_to(comp.extra[:, 0], self.footprint.shape))
        elif comp.kind == "vwc-sdk":
            self.mode = "vwc-sdk"
            self.in_removed = comp.channels_removed
            self.out_removed = comp.out_channels_removed(plan)
        else:  # PAIRS left unchanged (kernel not 3x3): nothing to draw
            self.plan = None
            return False
        self.updateGeometry()
        self.update()
        return True

    # --- geometry ----------------------------------------------------------------------
    def _layout(self, width: int) -> tuple[list, float]:
        """Items to paint and hit-test, and the height they take at `width`."""
        fm = QFontMetrics(self.font())
        build = {"pairs": self._layout_pairs, "kerntrol": self._layout_kerntrol,
                 "vwc-sdk": self._layout_vwc}.get(self.mode)
        if build is None:
            return [], 0.0
        items: list = []
        bottom = build(items, fm, max(120, width - 2))
        return items, bottom + 2

    def _items_for_width(self) -> list:
        if self._laid_width != self.width():
            self._items = self._layout(self.width())[0]
            self._laid_width = self.width()
        return self._items

    def _caption(self, items, fm, top, text, width, bold=False) -> float:
        lines = max(1, math.ceil(fm.horizontalAdvance(text) / max(1, width)))
        rect = QRectF(0, top, width, lines * fm.height() + 2)
        items.append(("text", rect, text, bold))
        return rect.bottom() + 3

    def _layout_pairs(self, items, fm, width) -> float:
        cs = max(10, min(22, round(fm.height() * 1.1)))  # glyph cell: readable from the back of a room
        glyph = 3 * cs
        block = max(glyph, max(fm.horizontalAdvance(f"p{i}: {c:,} ch") for i, c in enumerate(self.counts))) + GAP
        colors = categorical(len(self.patterns))
        x, top = 0.0, 0.0
        for i, pat in enumerate(self.patterns):
            if x > 0 and x + block - GAP > width:
                x, top = 0.0, top + glyph + 2 * fm.height() + 14
            rect = QRectF(x + (block - GAP - glyph) / 2, top, glyph, glyph)
            items.append(("pattern", rect, i, pat, colors[i]))
            items.append(("text", QRectF(x, top + glyph + 8, block - GAP, fm.height()),
                          f"p{i}: {int(self.counts[i]):,} ch", False))
            x += block
        top += glyph + fm.height() + 14
        n = self.pattern_of.size
        top = self._caption(items, fm, top, f"Input channels 0–{n - 1}, coloured by pattern", width)
        strip = ChannelStrip(colors[self.pattern_of], 0, top, width)
        items.append(("strip", strip, "pattern"))
        return strip.rect.bottom()

    def _layout_kerntrol(self, items, fm, width) -> float:
        plan = self.plan
        nh, nw, ph, pw = plan.nh, plan.nw, plan.pix_h, plan.pix_w
        kk = plan.layer.k_h * plan.layer.k_w
        label_w = fm.horizontalAdvance(f"copy {plan.copies - 1}: {kk}/{kk}") + 6
        cs = int(max(3, min(18, (width - (nw - 1) * GAP) / (nw * pw))))
        gw, gh = pw * cs, ph * cs
        captions = nw * (max(gw, label_w) + GAP) - GAP <= width
        step_x, step_y = max(gw, label_w if captions else 0) + GAP, gh + GAP + (fm.height() + 4 if captions else 0)
        sizes = self.shapes.sum(axis=(1, 2))
        for k in range(plan.copies):
            i, j = divmod(k, nw)
            rect = QRectF(j * step_x, i * step_y, gw, gh)
            items.append(("copy", rect, k, cs))
            if captions:
                items.append(("text", QRectF(rect.left(), rect.bottom() + 3, step_x, fm.height()),
                              f"copy {k}: {int(sizes[k])}/{kk}", False))
        top = nh * step_y
        legend = [(filler(KEPT), "kept weight"), (filler(PRUNED, True), "lost (row omitted)")]
        if self.extra is not None:
            legend.append((filler(EXTRA), "extra weight"))
        legend.append((filler(OUTSIDE), "outside the window"))
        items.append(("legend", top, width, legend))
        return draw_swatches(None, fm, top, width, legend, paint=False)

    def _layout_vwc(self, items, fm, width) -> float:
        plan = self.plan
        top = 0.0
        for what, n, removed in (("Input channels", plan.group.in_c, self.in_removed),
                                 ("Output channels", plan.group.out_c, self.out_removed)):
            if what == "Output channels" and removed.size == 0:
                continue
            colors = np.tile(np.array(hex_rgb(CH_KEPT), dtype=np.uint8), (n, 1))
            colors[removed] = hex_rgb(CH_REMOVED)
            top = self._caption(items, fm, top, f"{what}: {n - removed.size:,} kept, {removed.size:,} removed", width)
            strip = ChannelStrip(colors, 0, top, width)
            items.append(("strip", strip, "in" if what.startswith("Input") else "out"))
            top = strip.rect.bottom() + 10
        legend = [(filler(CH_KEPT), "kept"), (filler(CH_REMOVED), "removed")]
        items.append(("legend", top, width, legend))
        return draw_swatches(None, fm, top, width, legend, paint=False)

    def heightForWidth(self, width: int) -> int:
        return int(math.ceil(self._layout(width)[1]))

    def resizeEvent(self, event) -> None:
        self._laid_width = -1
        super().resizeEvent(event)

    # --- painting ----------------------------------------------------------------------
    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing, True)
        fm = QFontMetrics(self.font())
        for item in self._items_for_width():
            kind = item[0]
            if kind == "text":
                _, rect, text, bold = item
                f = QFont(self.font())
                f.setBold(bold)
                p.setFont(f)
                p.setPen(QColor(TEXT))
                p.drawText(rect, Qt.AlignLeft | Qt.AlignTop | Qt.TextWordWrap, text)
                p.setFont(self.font())
            elif kind == "pattern":
                self._paint_pattern(p, *item[1:])
            elif kind == "copy":
                self._paint_copy(p, *item[1:])
            elif kind == "strip":
                item[1].paint(p)
            elif kind == "legend":
                draw_swatches(p, fm, item[1], item[2], item[3])
        p.end()

    def _paint_pattern(self, p: QPainter, rect: QRectF, i: int, pat: str, color) -> None:
        cs = rect.width() / 3
        for n, ch in enumerate(pat):
            r = QRectF(rect.left() + (n % 3) * cs, rect.top() + (n // 3) * cs, cs, cs)
            p.fillRect(r, QColor(KEPT if ch == "1" else PRUNED))
            if ch != "1":
                draw_cross(p, r, "#8a929c")
        draw_grid(p, rect, 3, 3, cs, GRID)
        p.fillRect(QRectF(rect.left(), rect.bottom() + 2, rect.width(), 5), QColor(*[int(v) for v in color]))

    def _paint_copy(self, p: QPainter, rect: QRectF, k: int, cs: float) -> None:
        foot, keep = self.footprint[k], self._copy_keep(k)
        ph, pw = foot.shape
        for y in range(ph):
            for x in range(pw):
                r = QRectF(rect.left() + x * cs, rect.top() + y * cs, cs, cs)
                state = self._copy_cell(k, y, x, foot, keep)
                p.fillRect(r, QColor({"kept": KEPT, "lost": PRUNED, "extra": EXTRA}.get(state, OUTSIDE)))
                if state == "lost":
                    draw_cross(p, r)
        draw_grid(p, rect, ph, pw, cs, GRID)
        ys, xs = np.nonzero(foot)  # the copy's window, outlined
        p.setPen(QPen(QColor(TEXT), 2))
        p.setBrush(Qt.NoBrush)
        p.drawRect(QRectF(rect.left() + xs.min() * cs, rect.top() + ys.min() * cs,
                          (xs.max() - xs.min() + 1) * cs, (ys.max() - ys.min() + 1) * cs))

    def _copy_keep(self, k: int) -> np.ndarray:
        """(Ph, Pw) bool: copy k's kept kernel weights at their PW pixels."""
        plan = self.plan
        out = np.zeros(self.footprint.shape[1:], dtype=bool)
        y0, x0 = (k // plan.nw) * plan.layer.stride_h, (k % plan.nw) * plan.layer.stride_w
        out[y0:y0 + plan.layer.k_h, x0:x0 + plan.layer.k_w] = self.shapes[k]
        return out

    def _copy_cell(self, k, y, x, foot=None, keep=None) -> str:
        foot = self.footprint[k] if foot is None else foot
        keep = self._copy_keep(k) if keep is None else keep
        if foot[y, x]:
            return "kept" if keep[y, x] else "lost"
        if self.extra is not None and self.extra[k, y, x]:
            return "extra"
        return "outside"

    # --- hover -------------------------------------------------------------------------
    def hover_text(self, pos: QPointF) -> str:
        for item in self._items_for_width():
            kind = item[0]
            if kind == "pattern" and item[1].contains(pos):
                i, pat = item[2], item[3]
                return f"pattern p{i} {pat}: {int(self.counts[i]):,} channels, keeps {pat.count('1')} of 9"
            if kind == "copy" and item[1].contains(pos):
                return self._copy_hover(item[2], item[1], item[3], pos)
            if kind == "strip":
                c = item[1].index_at(pos)
                if c is None:
                    continue
                if item[2] == "pattern":
                    pi = int(self.pattern_of[c])
                    return f"channel {c}: pattern p{pi} {self.patterns[pi]}"
                removed = self.in_removed if item[2] == "in" else self.out_removed
                what = "input" if item[2] == "in" else "output"
                return f"{what} channel {c}: {'removed' if c in removed else 'kept'}"
        return ""

    def _copy_hover(self, k: int, rect: QRectF, cs: float, pos: QPointF) -> str:
        plan = self.plan
        y, x = int((pos.y() - rect.top()) // cs), int((pos.x() - rect.left()) // cs)
        y, x = min(y, plan.pix_h - 1), min(x, plan.pix_w - 1)
        i, j = divmod(k, plan.nw)
        head = f"copy {k} (window {i},{j}), PW pixel ({y},{x})"
        state = self._copy_cell(k, y, x)
        ky, kx = y - i * plan.layer.stride_h, x - j * plan.layer.stride_w
        return head + {"kept": f": kernel weight ({ky},{kx}) kept",
                       "lost": f": kernel weight ({ky},{kx}) lost, its row is omitted",
                       "extra": ": extra (compensatory) weight",
                       "outside": ": outside the copy's window"}[state]
