"""The crossbar view's pure core: tile classes, colour modes, hover mapping, cell meaning.

Checked against the engine's full cell maps (TileLayout) and schedule vectors, which the
engine's own tests prove against direct convolution.
"""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from engine import ArraySpec, ConvLayer, map_layer
from engine.layout import tile_layout
from engine.schedule import Schedule

from app.crossbar import palette as pal
from app.crossbar.cells import cell_at, describe_cell
from app.crossbar.modes import legend, tile_image
from app.crossbar.tile import Tile, display_stride

from .test_crossbar_support import ARRAY, SMALL  # two bit slices per weight


def plans():
    yield map_layer(SMALL, ARRAY, "vw-sdk")  # 2x2 windows, channel split, 2 row tiles
    yield map_layer(SMALL, ArraySpec(64, 48, 1, 2), "sdk")  # flat split, 2x2 windows
    yield map_layer(SMALL, ArraySpec(16, 16, 1, 1), "im2col")  # flat, 2 row tiles
    yield map_layer(ConvLayer("s2", 9, 7, 4, 6, 3, 2, stride_h=2, stride_w=1, groups=2), ArraySpec(40, 30, 2, 4), "vw-sdk")


def test_the_small_layer_has_the_documented_plan():
    p = map_layer(SMALL, ARRAY, "vw-sdk")
    assert (p.nh, p.nw, p.pix_h, p.pix_w, p.ict, p.oct, p.ar, p.ac) == (2, 2, 4, 4, 2, 4, 2, 1)
    assert p.row_split == "channel" and p.cycles == 18


@pytest.mark.parametrize("plan", list(plans()), ids=lambda p: f"{p.method}-{p.array.rows}")
def test_tile_classes_match_the_engine_layout(plan):
    for a, b in itertools.product(range(plan.ar), range(plan.ac)):
        ref, tile = tile_layout(plan, a, b), Tile(plan, a, b)
        copy = tile_image(tile, "copy")
        assert np.array_equal(copy == pal.UNUSED, ref.copy == -1)
        assert np.array_equal(copy == pal.ZERO, ref.copy == -2)
        assert np.array_equal(copy[ref.weight], pal.category_index(ref.copy[ref.weight]))
        el = tile_image(tile, "element")
        assert np.array_equal(el[ref.weight], pal.category_index(ref.ky * plan.layer.k_w + ref.kx)[ref.weight])
        for mode, ref_map in (("oc", ref.oc), ("bit", ref.bit), ("ic", ref.ic)):
            img = tile_image(tile, mode)
            assert np.array_equal(img[ref.weight], pal.category_index(ref_map[ref.weight])), mode
            assert np.array_equal(img[~ref.weight], copy[~ref.weight]), mode  # neutral cells agree
        for r, c in [(0, 0), (plan.array.rows - 1, plan.array.cols - 1), (3, 5)]:
            k = tile.kernel_at(r, c)
            assert (k or (-1, -1)) == (int(ref.ky[r, c]), int(ref.kx[r, c]))


def test_weight_mode_colours_known_values():
    plan = map_layer(SMALL, ARRAY, "vw-sdk")
    w = np.arange(4 * 3 * 9).reshape(4, 3, 3, 3) % 4 - 2  # 2-bit weights: -2..1
    tile = Tile(plan, 0, 0)
    img = tile_image(tile, "weight", w)
    ref = tile_layout(plan, 0, 0)
    r, c = np.nonzero(ref.weight)
    values = w[ref.oc[r, c], ref.ic[r, c], ref.ky[r, c], ref.kx[r, c]]
    # Four values on a 4-step diverging ramp: -2 -> first class, +1 -> fourth.
    assert np.array_equal(img[r, c], pal.FIRST_CLASS + values + 2)
    lg = legend(tile, "weight")
    assert tuple(lg.table[pal.FIRST_CLASS]) == pal.hex_rgb("#2166ac")  # most negative: blue
    assert tuple(lg.table[pal.FIRST_CLASS + 3]) == pal.hex_rgb("#b2182b")  # most positive: red


def test_copy_colours_are_distinct_hues_and_neutrals_are_grey():
    plan = map_layer(SMALL, ARRAY, "vw-sdk")
    lg = legend(Tile(plan, 0, 0), "copy")
    hues = [tuple(lg.table[i]) for i, _ in lg.entries[:plan.copies]]
    assert len(set(hues)) == plan.copies == 4
    assert hues[0] == pal.hex_rgb("#0072b2") and hues[1] == pal.hex_rgb("#e69f00")
    for idx in (pal.UNUSED, pal.ZERO):
        r, g, b = (int(v) for v in lg.table[idx])
        assert max(r, g, b) - min(r, g, b) < 20  # neutral grey
    assert lg.entries[0][1] == "copy 0 · window (0, 0)" and lg.entries[-1][1] == "unused cell"


def test_cell_at_rounds_to_cell_centres():
    assert cell_at(0.0, 0.0, 4, 5) == (0, 0)
    assert cell_at(-0.49, 0.49, 4, 5) == (0, 0)
    assert cell_at(0.5, 0.0, 4, 5) == (0, 1)
    assert cell_at(4.4, 3.4, 4, 5) == (3, 4)
    assert cell_at(4.6, 0, 4, 5) is None and cell_at(0, -0.6, 4, 5) is None
    assert cell_at(float("nan"), 0, 4, 5) is None


@pytest.mark.parametrize("plan", list(plans()), ids=lambda p: f"{p.method}-{p.array.rows}")
def test_described_cells_agree_with_layout_and_schedule(plan):
    sched = Schedule(plan)
    rng = np.random.default_rng(1)
    for t in sorted(set(rng.integers(0, sched.total, 6).tolist()) | {0, sched.total - 1}):
        cyc = sched.cycle(t)
        tile, ref = Tile(plan, cyc.a, cyc.b), tile_layout(plan, cyc.a, cyc.b)
        rs, ct = sched.row_sources(t), sched.col_targets(t)
        for r, c in zip(rng.integers(0, plan.array.rows, 25), rng.integers(0, plan.array.cols, 25)):
            info, cell = describe_cell(tile, cyc, int(r), int(c)), ref.cell(int(r), int(c))
            assert info.kind == {-1: "unused", -2: "zero"}.get(cell["copy"], "weight")
            if cell["ic"] >= 0:
                assert info.channel == rs.c[r] and info.pw_pixel == (cell["y"], cell["x"])
                assert info.padding == bool(rs.padding[r])
                assert info.ifm == (None if rs.padding[r] else (int(rs.iy[r]), int(rs.ix[r])))
            if cell["col_copy"] >= 0:
                assert info.copy == cell["col_copy"] and info.bit == cell["bit"]
                assert info.past_edge == bool(ct.past_edge[c])
                if not ct.past_edge[c]:
                    assert info.ofm == (int(ct.oy[c]), int(ct.ox[c])) and info.oc == ct.oc[c]
            if info.kind == "weight":
                assert info.kernel == (cell["ky"], cell["kx"])


def test_known_cells_of_the_small_layer():
    """Hand-checked against section 5: rows c*16 + y*4 + x, columns (k*4 + o)*2 + q."""
    plan = map_layer(SMALL, ARRAY, "vw-sdk")
    sched = Schedule(plan)
    w = np.arange(4 * 3 * 9).reshape(4, 3, 3, 3) % 4 - 2
    # Cycle 4: tile a=0, PW position (1, 1): the PW starts at IFM (2*1-1, 2*1-1) = (1, 1).
    cyc = sched.cycle(4)
    assert (cyc.a, cyc.b, cyc.py, cyc.px) == (0, 0, 1, 1)
    tile = Tile(plan, 0, 0)
    # Row 16 + 1*4 + 2 = channel 1, PW pixel (1, 2); column (3*4 + 2)*2 + 1 = copy 3, oc 2, slice 1.
    info = describe_cell(tile, cyc, 22, 29, w)
    assert (info.channel, info.pw_pixel, info.ifm) == (1, (1, 2), (2, 3))
    assert (info.copy, info.window, info.oc, info.bit, info.ofm) == (3, (1, 1), 2, 1, (3, 3))
    assert info.kernel == (0, 1) and info.weight == w[2, 1, 0, 1] and info.kind == "weight"
    assert info.label() == "k3 c1 (0,1)"
    assert "IFM (2, 3)" in info.tooltip() and "OFM (3, 3)" in info.tooltip()
    # Cycle 0, row 0 (channel 0, PW pixel (0, 0)) reads IFM (-1, -1): padding.
    info0 = describe_cell(tile, sched.cycle(0), 0, 0)
    assert info0.padding and info0.ifm is None and "padding" in info0.row_text()
    # Copy 3 at PW pixel (0, 0) is off its kernel: a zero cell.
    assert describe_cell(tile, cyc, 0, 24).kind == "zero"
    # The second row tile holds channel 2 only: rows 16.. are unused there.
    assert describe_cell(Tile(plan, 1, 0), sched.cycle(9), 20, 0).kind == "unused"


def test_cells_of_one_weight():
    plan = map_layer(SMALL, ARRAY, "vw-sdk")
    tile, ref = Tile(plan, 0, 0), tile_layout(plan, 0, 0)
    r, c = tile.cells_of_weight(2, 1, 0, 1)
    want = np.nonzero(ref.weight & (ref.oc == 2) & (ref.ic == 1) & (ref.ky == 0) & (ref.kx == 1))
    assert sorted(zip(r.tolist(), c.tolist())) == sorted(zip(*(v.tolist() for v in want)))
    assert len(r) == plan.copies * ARRAY.cells_per_weight


def test_display_stride():
    assert display_stride(4096, 4096) == 1 and display_stride(8192, 8192) == 1
    assert display_stride(65536, 32768) == 6


def test_region_plans_place_cells_in_the_whole_layer():
    """An edge-aware plan (xbar-opt) runs one plan per OFM rectangle; cells name global pixels."""
    from app.crossbar.cycles import PlanCycles

    layer = ConvLayer("reg", 7, 7, 2, 4, 3, 3, pad_h=1, pad_w=1)
    plan = map_layer(layer, ArraySpec(32, 32), "xbar-opt")
    assert len(plan.regions) == 3
    pc = PlanCycles(plan)
    rng = np.random.default_rng(2)
    for t in range(pc.total):
        cyc = pc.cycle(t)
        rs, ct = pc.schedule.row_sources(t), pc.schedule.col_targets(t)
        part = pc.part(cyc)
        ref = tile_layout(part, cyc.a, cyc.b)
        for r, c in zip(rng.integers(0, 32, 40), rng.integers(0, 32, 40)):
            info = pc.describe(cyc, int(r), int(c))
            if rs.c[r] >= 0:
                assert info.channel == rs.c[r] and info.padding == bool(rs.padding[r])
                assert info.ifm == (None if rs.padding[r] else (int(rs.iy[r]), int(rs.ix[r])))
            if ref.cols.used[c]:
                assert info.past_edge == bool(ct.past_edge[c])
                assert info.ofm == (None if ct.past_edge[c] else (int(ct.oy[c]), int(ct.ox[c])))
            assert (info.kind == "weight") == bool(ref.weight[r, c])
        # The OFM rectangle of this cycle's PW lies inside its region.
        region = plan.regions[cyc.region]
        y, x, h, w = pc.ofm_block(cyc)
        assert region.oy <= y and y + h <= region.oy + region.h and region.ox <= x and x + w <= region.ox + region.w
    assert pc.index_of(pc.cycle(pc.total - 1)) == pc.total - 1
    assert "region 3 / 3" in pc.status(pc.total - 1)
    assert (pc.ofm_image(pc.total - 1, 0) == pal.INDEX["ofm_complete"]).all()


@pytest.mark.parametrize("method", ["pairs", "kerntrol", "vwc-sdk"])
def test_compressed_plans_show_pruned_and_compensatory_cells(method):
    """Compression-aware plans (engine.compress): cells follow the engine's own cell maps."""
    from engine import layout
    from engine.methods import METHODS

    from app.crossbar.cycles import PlanCycles

    if method not in METHODS or not hasattr(layout, "PRUNED"):
        pytest.skip(f"{method} is not available in this engine")
    layer = ConvLayer("cmp", 8, 8, 4, 4, 3, 3, pad_h=1, pad_w=1)
    plan = map_layer(layer, ArraySpec(64, 64), method)
    assert plan.compression is not None
    pc = PlanCycles(plan)
    lut = {layout.UNUSED: pal.UNUSED, layout.ZERO: pal.ZERO, layout.PRUNED: pal.INDEX["pruned"],
           layout.EXTRA: pal.INDEX["extra"]}
    for t in sorted({0, pc.total // 2, pc.total - 1}):
        cyc = pc.cycle(t)
        ref = tile_layout(plan, cyc.a, cyc.b)
        img = pc.tile_image(cyc, "copy")
        want = np.where(ref.copy >= 0, pal.category_index(np.maximum(ref.copy, 0)), 0).astype(np.uint8)
        for code, index in lut.items():
            want[ref.copy == code] = index
        assert np.array_equal(img, want)
        rs = pc.schedule.row_sources(t)
        for r, c in [(0, 0), (5, 17), (20, 3), (63, 63)]:
            info = pc.describe(cyc, r, c)
            code = int(ref.copy[r, c])
            assert info.kind == ("weight" if code >= 0 else {-1: "unused", -2: "zero", -3: "pruned", -4: "extra"}[code])
            if rs.c[r] >= 0:
                assert info.channel == rs.c[r]
