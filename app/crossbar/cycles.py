"""What changes from cycle to cycle, as palette-index vectors and boxes. Pure numpy.

The grid itself changes only when the tile (group, row tile, column tile) changes; within
a tile a cycle only changes which rows read real pixels or padding, which columns feed
real outputs, where the parallel window sits on the IFM and how far the OFM has filled.
The view and the export workers both draw from this class.
"""
from __future__ import annotations

from collections import OrderedDict

import numpy as np

from engine.plan import Plan
from engine.schedule import Cycle, Schedule

from . import palette as pal
from .cells import describe_cell
from .compressed import Fates
from .modes import legend, tile_image
from .tile import Tile, display_stride

MAX_LINKS = 400  # link lines drawn at most (app.crossbar.link_lines, exported frames)
_CACHE_BYTES = 160 << 20  # tile images kept for revisits (input-stationary order, stepping back)


def _states(live: np.ndarray, idle: np.ndarray, live_name: str, idle_name: str) -> np.ndarray:
    out = np.full(live.shape, pal.INDEX["strip_unused"], dtype=np.uint8)
    out[live] = pal.INDEX[live_name]
    out[idle] = pal.INDEX[idle_name]
    return out


class PlanCycles:
    def __init__(self, plan: Plan, order: str = "weight", source: Plan | None = None):
        """`source`: the compressed plan when `plan` is its dense view (skipped rows in place);
        cell descriptions then say where each row goes in the repacked array."""
        self.plan = plan
        self.source = source
        dense_view = plan.compression is not None and not plan.compression.repacked
        self.fates = Fates(source) if dense_view and source is not None and source.compression.repacked else None
        self.schedule = Schedule(plan, order)
        self.stride = display_stride(plan.array.rows, plan.array.cols)
        s = self.stride
        self.rsel = None if s == 1 else np.arange(0, plan.array.rows, s)
        self.csel = None if s == 1 else np.arange(0, plan.array.cols, s)
        self._tiles: OrderedDict = OrderedDict()
        self._images: OrderedDict = OrderedDict()
        self._ofm: OrderedDict = OrderedDict()

    @property
    def total(self) -> int:
        return self.schedule.total

    def cycle(self, t: int) -> Cycle:
        return self.schedule.cycle(t)

    # --- regions (edge-aware plans run one plan per OFM rectangle) -------------------------
    def region(self, cyc: Cycle):
        return self.plan.regions[cyc.region] if self.plan.regions else None

    def part(self, cyc: Cycle) -> Plan:
        """The plan this cycle runs: the region's own plan, or the plan itself."""
        return self.plan.regions[cyc.region].plan if self.plan.regions else self.plan

    def _offsets(self, cyc: Cycle) -> tuple[int, int, int, int]:
        """(dy, dx) from the part's padded IFM to the layer's IFM; (oy, ox) of its OFM rectangle."""
        region = self.region(cyc)
        if region is None:
            return 0, 0, 0, 0
        L = self.plan.layer
        return region.oy * L.stride_h - L.pad_h, region.ox * L.stride_w - L.pad_w, region.oy, region.ox

    def index_of(self, cyc: Cycle) -> int:
        """Cycle index of the same (region, group, tile, PW position) in this schedule's order."""
        args = (cyc.group, cyc.b, cyc.a, cyc.py, cyc.px)
        if self.plan.regions:
            return int(self.schedule.index(*args, region=cyc.region))
        return int(self.schedule.index(*args))

    def describe(self, cyc: Cycle, r: int, col: int, weights=None):
        note = self.fates.text(cyc.a, r) if self.fates is not None and self.tile(cyc).rows.used[r] else ""
        return describe_cell(self.tile(cyc), cyc, r, col, weights, self.plan.layer, self.region(cyc), note)

    # --- tiles ----------------------------------------------------------------------------
    def tile(self, cyc: Cycle) -> Tile:
        key = (cyc.region, cyc.a, cyc.b)
        if key not in self._tiles:
            self._tiles[key] = Tile(self.part(cyc), cyc.a, cyc.b)
            while len(self._tiles) > 8:
                self._tiles.popitem(last=False)
        self._tiles.move_to_end(key)
        return self._tiles[key]

    def tile_image(self, cyc: Cycle, mode: str, weights=None) -> np.ndarray:
        """The tile's palette-index image in `mode` (sampled when the array is huge)."""
        group = cyc.group if mode == "weight" else 0
        key = (cyc.region, cyc.a, cyc.b, mode, group, id(weights) if mode == "weight" else None)
        img = self._images.get(key)
        if img is None:
            img = tile_image(self.tile(cyc), mode, weights, group, self.rsel, self.csel)
            self._images[key] = img
            while sum(v.nbytes for v in self._images.values()) > _CACHE_BYTES and len(self._images) > 1:
                self._images.popitem(last=False)
        self._images.move_to_end(key)
        return img

    def legend(self, cyc: Cycle, mode: str):
        return legend(self.tile(cyc), mode, cyc.group)

    # --- per cycle --------------------------------------------------------------------------
    def row_state(self, t: int) -> np.ndarray:
        """Palette index per row: driven by a real pixel, driven with 0 (padding), unused."""
        src = self.schedule.row_sources(t)
        return _states(src.c >= 0, src.padding, "driven", "padding")

    def col_state(self, t: int) -> np.ndarray:
        """Palette index per column: feeds a real output, past the OFM edge, unused."""
        tg = self.schedule.col_targets(t)
        return _states(tg.oc >= 0, tg.past_edge, "active", "past_edge")

    def ifm_links(self, t: int, channel: int, hot: tuple[int, int] | None = None, most: int = MAX_LINKS):
        """The rows IFM channel `channel` drives in cycle t (padding rows left out), as the
        link lines draw them: (pixels (n, 2) of (iy, ix), rows (n,), hot (n,), step). Past
        `most` rows every step-th is kept; those of the pixel `hot` always are."""
        src = self.schedule.row_sources(t)
        rows = np.flatnonzero((src.c == channel) & (src.iy >= 0))
        pixels = np.stack([src.iy[rows], src.ix[rows]], axis=1).astype(np.int64)
        is_hot = np.zeros(rows.size, dtype=bool) if hot is None else \
            (pixels[:, 0] == hot[0]) & (pixels[:, 1] == hot[1])
        step = max(1, -(-rows.size // most))
        keep = (np.arange(rows.size) % step == 0) | is_hot
        return pixels[keep], rows[keep], is_hot[keep], step

    def pw_origin(self, cyc: Cycle) -> tuple[int, int]:
        """IFM coordinates (padding included, may be negative) of the PW's top-left pixel."""
        p = self.part(cyc)
        S = p.layer
        dy, dx, _, _ = self._offsets(cyc)
        return cyc.py * p.nh * S.stride_h - S.pad_h + dy, cyc.px * p.nw * S.stride_w - S.pad_w + dx

    def pw_size(self, cyc: Cycle) -> tuple[int, int]:
        p = self.part(cyc)
        return p.pix_h, p.pix_w

    def window_boxes(self, cyc: Cycle) -> np.ndarray:
        """(copies, 4) int: y, x, height, width of each window of the PW on the IFM."""
        p, L = self.part(cyc), self.plan.layer
        y0, x0 = self.pw_origin(cyc)
        k = np.arange(p.copies)
        return np.stack([y0 + k // p.nw * L.stride_h, x0 + k % p.nw * L.stride_w,
                         np.full_like(k, L.k_h), np.full_like(k, L.k_w)], axis=1)

    def ofm_block(self, cyc: Cycle) -> tuple[int, int, int, int]:
        """OFM y, x, height, width of the outputs this cycle's PW computes (clipped to the OFM)."""
        p = self.part(cyc)
        S = p.layer
        _, _, oy, ox = self._offsets(cyc)
        y, x = cyc.py * p.nh, cyc.px * p.nw
        return y + oy, x + ox, min(p.nh, S.out_h - y), min(p.nw, S.out_w - x)

    # --- planes ------------------------------------------------------------------------------
    def ifm_extent(self) -> tuple[int, int, int, int]:
        """y0, x0, height, width of the IFM plane drawn: padding and hanging PWs included."""
        L = self.plan.layer
        need_h, need_w = L.in_h + 2 * L.pad_h, L.in_w + 2 * L.pad_w
        for part, (oy, ox) in self._parts():
            S = part.layer
            need_h = max(need_h, oy * L.stride_h + (part.n_pw_h - 1) * part.nh * S.stride_h + part.pix_h)
            need_w = max(need_w, ox * L.stride_w + (part.n_pw_w - 1) * part.nw * S.stride_w + part.pix_w)
        return -L.pad_h, -L.pad_w, need_h, need_w

    def _parts(self):
        if self.plan.regions:
            return [(r.plan, (r.oy, r.ox)) for r in self.plan.regions]
        return [(self.plan, (0, 0))]

    def ifm_image(self) -> np.ndarray:
        """Palette indices of the padded IFM plane: real pixels, padding, past the far edge."""
        L = self.plan.layer
        y0, x0, h, w = self.ifm_extent()
        out = np.full((h, w), pal.INDEX["ifm_beyond"], dtype=np.uint8)
        out[:L.in_h + 2 * L.pad_h, :L.in_w + 2 * L.pad_w] = pal.INDEX["ifm_padding"]
        out[L.pad_h:L.pad_h + L.in_h, L.pad_w:L.pad_w + L.in_w] = pal.INDEX["ifm_pixel"]
        return out

    def ofm_image(self, t: int, oc: int) -> np.ndarray:
        """Palette indices of OFM channel `oc` (global) after cycle t: idle, partial, complete."""
        lut = np.array([pal.INDEX["ofm_idle"], pal.INDEX["ofm_partial"], pal.INDEX["ofm_complete"]], np.uint8)
        if self.plan.regions:  # region plans have no per-output cycle table: ask per cycle
            return lut[self.schedule.ofm_state(t, oc)]
        first_last = self._ofm.get(oc)
        if first_last is None:
            first_last = self.schedule.output_cycles(oc)
            self._ofm[oc] = first_last
            while len(self._ofm) > 16:
                self._ofm.popitem(last=False)
        first, last = first_last
        return lut[(first <= t).astype(np.uint8) + (last <= t).astype(np.uint8)]

    def default_channels(self, cyc: Cycle) -> tuple[int, int]:
        """Global (input, output) channel shown on the planes when no cell is chosen."""
        tile = self.tile(cyc)
        ic = tile.rows.c[tile.rows.used]
        oc = tile.cols.oc[tile.cols.used]
        g = self.plan.group
        return (cyc.group * g.in_c + (int(ic[0]) if ic.size else 0),
                cyc.group * g.out_c + (int(oc[0]) if oc.size else 0))

    def status(self, t: int) -> str:
        """`cycle t / total · row tile a / AR · column tile b / AC · PW · outputs complete`."""
        s = self.schedule
        cyc = s.cycle(t)
        p = self.part(cyc)
        groups = f"group {cyc.group + 1} / {p.layer.groups} · " if p.layer.groups > 1 else ""
        if self.plan.regions:
            groups = f"region {cyc.region + 1} / {len(self.plan.regions)} · " + groups
        return (f"cycle {t:,} / {s.total:,} · {groups}row tile {cyc.a + 1} / {p.ar} · "
                f"column tile {cyc.b + 1} / {p.ac} · PW ({cyc.py}, {cyc.px}) of "
                f"{p.n_pw_h}×{p.n_pw_w} · outputs complete {s.outputs_complete(t):,} / {s.outputs_total:,}")
