"""Drives one grid (and optionally its IFM and OFM planes) for one plan through the cycles.

Holds what the user chose (colour mode, hovered and pinned cell, highlight) and renders
only what a change needs: a new tile or mode re-colours the grid; a cycle step within a
tile updates the strips, the IFM windows, the OFM plane and the cell description.

The grid's title names the tile on its second line ("row tile 2/3 · input channels 64–127
· column tile 1/1 · output channels 0–63"), marked for a moment after the tile changes,
because two tiles in kernel-copy colours can look alike; the block is framed meanwhile. Hovering a cell shows what it
means in a tooltip, updated only when the cell (or the cycle) changes.
"""
from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QToolTip

from engine.plan import Plan

from app import method_style

from . import palette as pal
from . import plane_links as links
from .cells import CellInfo
from .cycles import PlanCycles
from .grid_widget import GridWidget
from .link_lines import LinkLines
from .modes import copy_colours
from .output_timeline import OutputTimeline
from .plane_view import PlaneView
from .values import VALUE_TABLE, PlanValues, weights_fit

FLASH_S = 1.2  # the tile line stays marked at least this long after a change (and until the next step)
FLASH_STYLE = "background-color:#ffe08a"

HIGHLIGHTS = {"none": "No highlight", "weight": "Same weight", "copy": "Same kernel copy",
              "pixel": "Same input pixel"}


def _legend_text(legend) -> tuple:
    return legend.key()


def _span(values: np.ndarray, offset: int) -> str:
    if values.size == 0:
        return "none"
    lo, hi = offset + int(values.min()), offset + int(values.max())
    return f"{lo}" if lo == hi else f"{lo}–{hi}"


class PlanPanel(QObject):
    cell_changed = Signal(object)  # CellInfo of the pinned (else hovered) cell, or None
    status_changed = Signal(str)
    tile_rendered = Signal(object)  # (region, group, a, b, mode) after a re-colour (tests, benchmarks)

    def __init__(self, grid: GridWidget, ifm: PlaneView | None = None, ofm: PlaneView | None = None,
                 parent=None, timeline: OutputTimeline | None = None, lines: LinkLines | None = None):
        super().__init__(parent)
        self.grid, self.ifm, self.ofm = grid, ifm, ofm
        self.timeline, self.lines = timeline, lines
        self.timeline_output: tuple[int, int, int] | None = None  # (oc, y, x) the timeline shows
        self.cycles: PlanCycles | None = None
        self.t = 0
        self.mode = "copy"
        self.weights: np.ndarray | None = None
        self.highlight = "none"
        self.hover: tuple[int, int] | None = None
        self.pin: tuple[int, int] | None = None
        self.pinned_pixel: tuple[int, int, int] | None = None  # global channel, iy, ix
        self.tooltip_text = ""
        self._tile_key = None
        self._legend = None
        self._last_info = None
        self.tile_text = ""  # the title's tile line (plain text), e.g. "row tile 2/3 · input channels 64–127 · …"
        self._title_head = ""
        self._where = None  # (region, group, a, b) last shown
        self._flash: tuple[float, int] | None = None  # (when, cycle) of the last tile change, while marked
        self.values_on, self.seed = False, 0
        self.values: PlanValues | None = None  # the numbers of the cycles, in values mode
        self.values_problem = ""  # why values mode could not start for this plan
        self.ofm_hover: tuple[int, int] | None = None
        self.ifm_hover: tuple[int, int] | None = None
        self._ofm_channel = self._ifm_channel = 0
        grid.hovered.connect(self._hovered)
        grid.clicked.connect(self._clicked)
        if ofm is not None:
            ofm.hovered.connect(self._ofm_hovered)
        if ifm is not None:
            ifm.hovered.connect(self._ifm_hovered)

    @property
    def plan(self) -> Plan | None:
        return self.cycles.plan if self.cycles else None

    # --- inputs ---------------------------------------------------------------------------
    def set_plan(self, plan: Plan | None, order: str = "weight", t: int = 0, source: Plan | None = None) -> None:
        """`source`: the compressed plan whose dense view `plan` is (see PlanCycles)."""
        self.pin = self.hover = self.pinned_pixel = None
        self._legend = None
        self.grid.set_pin(None)
        self._tile_key = None
        self._where = self._flash = None
        self._hide_tooltip()
        self.timeline_output = None
        if self.timeline is not None:
            self.timeline.set_output(None)
        if plan is None:
            self.cycles = None
            self.grid.set_highlight([])
            return
        if self.mode == "weight" and not weights_fit(plan, self.weights):
            self.mode = "copy"
        self.cycles = PlanCycles(plan, order, source)
        self._make_values()
        self.grid.set_shape(plan.array.rows, plan.array.cols)
        if self.ifm is not None:
            y0, x0, _, _ = self.cycles.ifm_extent()
            self.ifm.set_plane(self.cycles.ifm_image(), pal.FIXED_TABLE, y0, x0)
        self.set_cycle(t, force=True)

    def set_order(self, order: str) -> None:
        """Switch loop order and stay on the same (group, tile, PW position)."""
        if self.cycles is None or order == self.cycles.schedule.order:
            return
        cyc = self.cycles.cycle(self.t)
        self.cycles = PlanCycles(self.cycles.plan, order, self.cycles.source)
        self._make_values()
        self.set_cycle(self.cycles.index_of(cyc), force=True)

    def set_mode(self, mode: str) -> None:
        if mode == "weight" and not weights_fit(self.plan, self.weights):
            raise ValueError("colour by weight value needs the layer's weights")
        self.mode = mode
        self._tile_key = None
        if self.cycles is not None:
            self.set_cycle(self.t, force=True)

    def set_weights(self, weights: np.ndarray | None) -> None:
        self.weights = None if weights is None else np.asarray(weights)
        if self.mode == "weight" and not weights_fit(self.plan, self.weights):
            self.mode = "copy"
        self._tile_key = None
        self._make_values()
        if self.cycles is not None:
            self.set_cycle(self.t, force=True)

    # --- values mode ----------------------------------------------------------------------
    def set_values(self, on: bool, seed: int | None = None) -> None:
        """Values mode on or off (`seed`: of the random inputs, and weights when the layer has
        none): the strips show each row's input and each column's partial sum, the OFM the
        running sums, the tooltips the numbers."""
        self.values_on = bool(on)
        if seed is not None:
            self.seed = int(seed)
        self._make_values()
        self._tile_key = None
        if self.cycles is not None:
            self.set_cycle(self.t, force=True)

    def _make_values(self) -> None:
        from engine.errors import XbarError

        if self.values is not None:
            self.values.close()
        self.values, self.values_problem = None, ""
        if self.values_on and self.cycles is not None:
            try:
                self.values = PlanValues(self.cycles.plan, self.cycles.schedule.order, self.seed, self.weights)
            except XbarError as e:  # e.g. model weights that the array's weight bits cannot hold
                self.values_problem = str(e)
        self.grid.set_strip_table(VALUE_TABLE if self.values is not None else None)
        if self.ofm is not None:  # its caption adds the running sums' scale
            self.ofm.set_title_lines(3 if self.values is not None else 2)
        shown, self.timeline_output = self.timeline_output, None
        if shown is not None:  # with (or without) the partial sums each cycle adds
            self.set_timeline_output(shown)

    def set_highlight(self, kind: str) -> None:
        if kind not in HIGHLIGHTS:
            raise ValueError(f"unknown highlight {kind!r}")
        self.highlight = kind
        self._update_highlight()

    # --- cycles ---------------------------------------------------------------------------
    def set_cycle(self, t: int, force: bool = False) -> None:
        if self.cycles is None:
            return
        t = min(max(0, int(t)), self.cycles.total - 1)
        if t == self.t and not force:
            return
        self.t = t
        cyc = self.cycles.cycle(t)
        # Channel legends name channels globally: a new group is a new legend there.
        key = (cyc.region, cyc.group if self.mode in ("weight", "ic", "oc") else 0, cyc.a, cyc.b, self.mode)
        if key != self._tile_key:
            self._render_tile(cyc, key)
        self._render_cycle(cyc)

    def _render_tile(self, cyc, key) -> None:
        c = self.cycles
        img = c.tile_image(cyc, self.mode, self.weights)
        legend = c.legend(cyc, self.mode)
        old = self._legend
        self._legend = legend
        self.grid.set_image(img, legend.table)
        tile = c.tile(cyc)
        self.grid.set_hatch(tile.skipped_rows, tile.removed_cols, tile.block_span)
        # A new legend or title re-lays out the scene: only when its text really changes
        # (kernel copies, elements and bit slices are the same in every tile).
        if old is None or _legend_text(old) != _legend_text(legend):
            self.grid.legend.set_legend(legend)
        self.grid.overlay.mode = self.mode
        self.grid.overlay.set_tile(tile, cyc.group, img, legend.table, self.weights)
        self._tile_key = key
        p = c.plan
        kind = "what-if plan (not the optimum)" if p.what_if else "plan"
        tiles = f"{p.ar}×{p.ac} tiles" if not p.regions else f"{len(p.regions)} regions"
        shown = ""
        if p.compression is not None:
            shown = " · repacked array" if p.compression.repacked else " · skipped rows in place (hatched)"
        self._title_head = (f"<b>{p.layer.name}</b> · {method_style.label(p.method)} {kind}{shown} · "
                            f"{p.array.rows}×{p.array.cols} array · {tiles}")
        self.tile_rendered.emit(key)

    # --- the title's tile line ----------------------------------------------------------------
    def describe_tile(self, cyc) -> str:
        """'row tile 2/3 · input channels 64–127 · column tile 1/1 · output channels 0–63' (with
        the region and group first when the plan has several)."""
        c = self.cycles
        p, tile = c.part(cyc), c.tile(cyc)
        g = c.plan.group
        ics = tile.rows.c[tile.rows.used]
        ocs = tile.cols.oc[tile.cols.used]
        head = ""
        if c.plan.regions:
            head += f"region {cyc.region + 1}/{len(c.plan.regions)} · "
        if p.layer.groups > 1:
            head += f"group {cyc.group + 1}/{p.layer.groups} · "
        return (f"{head}row tile {cyc.a + 1}/{p.ar} · input channels {_span(ics, cyc.group * g.in_c)} · "
                f"column tile {cyc.b + 1}/{p.ac} · output channels {_span(ocs, cyc.group * g.out_c)}")

    def _update_title(self, cyc) -> None:
        """Title = plan line + tile line; the tile line is marked from a tile change until at
        least FLASH_S later and a step further (no timer: it clears on a later render)."""
        where = (cyc.region, cyc.group, cyc.a, cyc.b)
        if where != self._where:
            if self._where is not None:
                self._flash = (time.monotonic(), self.t)
            self._where = where
            self.tile_text = self.describe_tile(cyc)
        elif self._flash is not None and self.t != self._flash[1] and time.monotonic() - self._flash[0] >= FLASH_S:
            self._flash = None
        self.grid.overlay.set_marked(self._flash is not None)
        style = f" style='{FLASH_STYLE}'" if self._flash is not None else ""
        changed = "reprogrammed: " if self._flash is not None and self.values is not None else ""
        title = f"{self._title_head}<br><span{style}>&nbsp;{changed}{self.tile_text}&nbsp;</span>"
        if self.values is not None:
            title += f"<br>&nbsp;{self.values.caption(self.t)}"
        if title != self.grid.title.text:
            self.grid.title.setText(title)

    @property
    def tile_marked(self) -> bool:
        """Whether the title's tile line is marked as just changed."""
        return self._flash is not None

    def _render_cycle(self, cyc) -> None:
        c, t = self.cycles, self.t
        self._update_title(cyc)
        self.grid.set_cycle_state(*(self.values.strips(t) if self.values is not None else
                                    (c.row_state(t), c.col_state(t))))
        info = self.current_info()
        self._update_tooltip(info if self.pin is None else self.info_at(self.hover))
        ic, oc = c.default_channels(cyc)
        if info is not None:
            ic = info.channel if info.channel is not None else ic
            oc = info.oc if info.oc is not None else oc
        if self.ifm is not None:
            self._draw_ifm(cyc, ic, info)
        if self.ofm is not None:
            self._draw_ofm(cyc, oc, info)
        self._update_highlight()
        self._update_lines()
        if self.values is not None:
            self.values.prefetch_after(t)
        self.status_changed.emit(c.status(t))
        if info != self._last_info:  # the inspector re-lays itself out: only on a change
            self._last_info = info
            self.cell_changed.emit(info)
            if info is not None and info.ofm is not None and info.oc is not None:
                self.set_timeline_output((info.oc, *info.ofm))
        if self.timeline is not None:
            self.timeline.set_cycle(t)

    def _draw_ifm(self, cyc, ic, info) -> None:
        c = self.cycles
        self._ifm_channel = ic
        y0, x0 = c.pw_origin(cyc)
        ph, pw = c.pw_size(cyc)
        self.ifm.set_frame(y0, x0, ph, pw)
        self.ifm.follow(y0, x0, ph, pw)
        colours = copy_colours(c.part(cyc)) if self.mode == "copy" else pal.category_hex(c.part(cyc).copies)
        self.ifm.set_windows(c.window_boxes(cyc), colours, info.copy if info is not None else None)
        self.ifm.set_marker(info.ifm if info is not None else None)
        L = c.plan.layer
        self.ifm.set_title(f"<b>IFM</b> channel {ic} · {L.in_h}×{L.in_w} + padding {L.pad_h}, {L.pad_w} · "
                           f"PW at ({y0}, {x0})")

    def _draw_ofm(self, cyc, oc, info) -> None:
        c = self.cycles
        self._ofm_channel = oc
        if self.values is not None:
            img, _, state = self.values.ofm(self.t, oc)
            self.ofm.set_plane(img, VALUE_TABLE)
            done, part = int(np.count_nonzero(state == 2)), int(np.count_nonzero(state == 1))
            sums = f" · running sums ±{self.values.ofm_scale(oc):,} (faded: partial)"
        else:
            img = c.ofm_image(self.t, oc)
            self.ofm.set_plane(img, pal.FIXED_TABLE)
            done = int(np.count_nonzero(img == pal.INDEX["ofm_complete"]))
            part = int(np.count_nonzero(img == pal.INDEX["ofm_partial"]))
            sums = ""
        self.ofm.set_frame(*c.ofm_block(cyc))
        self.ofm.set_marker(info.ofm if info is not None else None)
        self.ofm.set_title(f"<b>OFM</b> channel {oc} · {done:,} complete, {part:,} partial of {img.size:,}{sums}")
        if self.ofm_hover is not None:  # its value changes with the cycle (the outline follows _update_highlight)
            self._show_tip(self.ofm_hover, self.ofm, self._ofm_tip)

    def ofm_text(self, pixel: tuple[int, int]) -> str:
        """The hovered OFM output: its value and contributing cycles (values mode), else its state."""
        oc, (y, x) = self._ofm_channel, pixel
        if self.values is not None:
            return self.values.ofm_text(self.t, oc, y, x)
        state = int(self.cycles.schedule.ofm_state(self.t, oc)[y, x])
        return f"output (channel {oc}, {y}, {x}): {('not started', 'partial', 'complete')[state]} after cycle {self.t:,}"

    def _ofm_hovered(self, pixel) -> None:
        """An OFM output under the mouse: its value or state, the columns feeding it outlined, its
        contributing cycles on the timeline (which keeps it when the mouse moves on)."""
        self.ofm_hover = pixel
        if pixel is not None and self.cycles is not None:
            self.set_timeline_output((self._ofm_channel, *pixel))
        self._update_highlight()
        self._show_tip(pixel, self.ofm, self._ofm_tip)

    def _ifm_hovered(self, pixel) -> None:
        """An IFM pixel under the mouse: the rows it drives this cycle outlined on the grid."""
        self.ifm_hover = pixel
        self._update_highlight()
        self._update_lines()
        self._show_tip(pixel, self.ifm, self._ifm_tip)

    def _show_tip(self, pixel, plane, text_of) -> None:
        if pixel is None or self.cycles is None:
            QToolTip.hideText()
            return
        text = text_of(pixel)
        if text != QToolTip.text():
            QToolTip.showText(QCursor.pos(), text, plane)

    def _ofm_tip(self, pixel) -> str:
        return self.ofm_text(pixel) + links.fed_text(self.columns_of_output(pixel))

    def _ifm_tip(self, pixel) -> str:
        y, x = pixel
        value = ""
        if self.values is not None and 0 <= y < self.plan.layer.in_h and 0 <= x < self.plan.layer.in_w:
            value = f" = {int(self.values.operands.x[self._ifm_channel, y, x])}"
        return f"IFM (channel {self._ifm_channel}, {y}, {x}){value}: {links.drives_text(self.rows_of_pixel(pixel))}"

    def set_timeline_output(self, output: tuple[int, int, int] | None) -> None:
        """The OFM output (oc, y, x) whose contributing cycles the timeline shows."""
        if output == self.timeline_output or self.timeline is None or self.cycles is None:
            return
        self.timeline_output = output
        if output is None:
            self.timeline.set_output(None)
            return
        oc, y, x = (int(v) for v in output)
        s = self.cycles.schedule
        values = None
        if self.values is not None:
            cycles, values = self.values.trace.contributions(oc, y, x)
        else:
            cycles = s.contributing_cycles(oc, y, x)
        self.timeline.set_output(f"output (channel {oc}, {y}, {x})", cycles, s.total, values,
                                 short=f"ch {oc} ({y}, {x})")
        self.timeline.set_cycle(self.t)

    def set_lines(self, on: bool) -> None:
        """The overlay of lines from the IFM pixels to the rows they drive (app.crossbar.link_lines)."""
        if self.lines is None:
            return
        self.lines.set_enabled(on)
        self._update_lines()

    def _update_lines(self) -> None:
        """This cycle's links of the IFM channel shown, the hovered pixel's marked."""
        if self.lines is None or not self.lines.enabled_lines:
            return
        if self.cycles is None:
            self.lines.set_lines(np.zeros((0, 2), np.int64), np.zeros(0, np.int64), np.zeros(0, bool))
            return
        self.lines.set_lines(*self.cycles.ifm_links(self.t, self._ifm_channel, self.ifm_hover))

    def rows_of_pixel(self, pixel: tuple[int, int]) -> np.ndarray:
        """Rows the IFM pixel (of the channel shown) drives in the current cycle."""
        return links.rows_of_pixel(self.cycles.schedule, self.t, self._ifm_channel, *pixel)

    def columns_of_output(self, pixel: tuple[int, int]) -> np.ndarray:
        """Columns adding to the OFM output (of the channel shown) in the current cycle."""
        return links.columns_of_output(self.cycles.schedule, self.t, self._ofm_channel, *pixel)

    def link_rects(self) -> list[tuple[int, int, int, int]]:
        """Cells linked to the hovered IFM pixel (its rows' weight cells) and OFM output (its columns)."""
        if self.cycles is None:
            return []
        tile = self.cycles.tile(self.cycles.cycle(self.t))
        rects = []
        if self.ifm_hover is not None:
            rects += links.row_cells(tile, self.rows_of_pixel(self.ifm_hover))
        if self.ofm_hover is not None:
            rects += links.column_cells(tile, self.columns_of_output(self.ofm_hover))
        return rects

    # --- cells -----------------------------------------------------------------------------
    def info_at(self, cell: tuple[int, int] | None) -> CellInfo | None:
        if cell is None or self.cycles is None:
            return None
        return self.cycles.describe(self.cycles.cycle(self.t), cell[0], cell[1], self.weights)

    def current_info(self) -> CellInfo | None:
        return self.info_at(self.pin if self.pin is not None else self.hover)

    def _hovered(self, cell) -> None:
        """The grid reports a new hovered cell (only when it changes, not per mouse move)."""
        self.hover = cell
        if self.pin is None and self.cycles is not None:
            self._render_cycle(self.cycles.cycle(self.t))  # planes, inspector and tooltip
        else:
            self._update_tooltip(self.info_at(cell))

    def _update_tooltip(self, info: CellInfo | None) -> None:
        """Show the hovered cell's meaning at the cursor; hide it off the array and on unused
        cells. Unchanged text is not shown again (no flicker while the cursor rests)."""
        text = info.tooltip() if info is not None and info.kind != "unused" else ""
        if text and self.values is not None:
            text = "\n".join([text, *self.values.cell_lines(self.t, info.row, info.col)])
        if text == self.tooltip_text:
            return
        self.tooltip_text = text
        if text:
            QToolTip.showText(QCursor.pos(), text, self.grid)
        else:
            QToolTip.hideText()

    def _hide_tooltip(self) -> None:
        if self.tooltip_text:
            self.tooltip_text = ""
            QToolTip.hideText()

    def _clicked(self, cell) -> None:
        self.set_pin(None if cell == self.pin else cell)

    def set_pin(self, cell: tuple[int, int] | None) -> None:
        self.pin = cell
        self.grid.set_pin(cell)
        info = self.info_at(cell)
        self.pinned_pixel = (info.channel, *info.ifm) if info is not None and info.ifm is not None else None
        if self.cycles is not None:
            self._render_cycle(self.cycles.cycle(self.t))

    def _update_highlight(self) -> None:
        self.grid.set_highlight(self.highlight_rects() + self.link_rects())

    def highlight_rects(self) -> list[tuple[int, int, int, int]]:
        """(row, col, height, width) rectangles of the highlighted cells in this cycle."""
        if self.highlight == "none" or self.pin is None or self.cycles is None:
            return []
        c = self.cycles
        cyc = c.cycle(self.t)
        tile = c.tile(cyc)
        info = self.info_at(self.pin)
        g = c.plan.group
        if self.highlight == "weight" and info.kernel is not None:
            rr, cc = tile.cells_of_weight(info.oc - cyc.group * g.out_c, info.channel - cyc.group * g.in_c,
                                          *info.kernel)
            return [(int(r), int(col), 1, 1) for r, col in zip(rr, cc)]
        if self.highlight == "copy" and info.copy is not None:
            top, bottom = tile.used_row_span
            return [(top, run.start, bottom - top, run.stop - run.start) for run in tile.copy_runs
                    if run.value == info.copy]
        if self.highlight == "pixel" and self.pinned_pixel is not None:
            return links.row_cells(tile, links.rows_of_pixel(c.schedule, self.t, *self.pinned_pixel)[:1])
        return []
