"""Compressed plans in the crossbar view (engine.compress): cell kinds from the engine's cell
tables checked against its full cell maps, the repacked / skipped-rows-in-place toggle,
hatched rows and columns, playback lengths and the inspector's words."""
from __future__ import annotations

import numpy as np
import pytest

from engine import ArraySpec, ConvLayer, map_layer
from engine import layout
from engine.compress import dense_plan, row_fate, vwc_layer

from app.crossbar.tile import EXTRA_CELL, PRUNED_CELL, UNUSED_CELL, WEIGHT_CELL, ZERO_CELL, Tile

from .test_crossbar_support import make_view  # noqa: F401 (fixture)

CODE_KIND = {layout.UNUSED: UNUSED_CELL, layout.ZERO: ZERO_CELL, layout.PRUNED: PRUNED_CELL,
             layout.EXTRA: EXTRA_CELL}


def kinds_of_engine(plan, a, b) -> np.ndarray:
    """Cell kinds derived from the engine's full cell maps (TileLayout.copy), independently."""
    code = layout.TileLayout(plan, a, b).copy
    out = np.full(code.shape, 255, dtype=np.uint8)
    out[code >= 0] = WEIGHT_CELL
    for c, k in CODE_KIND.items():
        out[code == c] = k
    assert (out != 255).all()
    return out


LAYER = ConvLayer("cmp", 8, 8, 5, 6, 3, 3, pad_h=1, pad_w=1)
STRIDE2 = ConvLayer("s2", 11, 11, 4, 5, 3, 3, stride_h=2, stride_w=2, pad_h=1, pad_w=1)
A64 = ArraySpec(64, 64)


def _plans():
    yield "pairs-corner4-sdk", map_layer(LAYER, A64, "pairs", pattern_set="corner4", base="sdk")
    yield "pairs-edge6-vw", map_layer(LAYER, A64, "pairs", pattern_set="edge6", base="vw-sdk", assign="round-robin")
    yield "pairs-corner4-2bit", map_layer(LAYER, ArraySpec(48, 40, cell_bits=1, weight_bits=2), "pairs",
                                          assign="random", seed=3)
    yield "kerntrol-mask", map_layer(LAYER, A64, "kerntrol", threshold=0.25, base="vw-sdk")
    yield "kerntrol-comp", map_layer(LAYER, A64, "kerntrol", threshold=0.25, base="vw-sdk", variant="compensatory")
    yield "kerntrol-comp-s2", map_layer(STRIDE2, ArraySpec(128, 128), "kerntrol", threshold=0.25, base="sdk",
                                        variant="compensatory")
    yield "pairs-s2", map_layer(STRIDE2, ArraySpec(32, 32), "pairs", base="vw-sdk", assign="round-robin")
    yield "vwc-sdk", map_layer(LAYER, A64, "vwc-sdk")
    yield "vwc-sdk-oc", vwc_layer(LAYER, A64, out_removed=(1, 4))


PLANS = dict(_plans())


@pytest.mark.parametrize("view", ["repacked", "dense"])
@pytest.mark.parametrize("name", list(PLANS))
def test_cell_kinds_equal_the_engine_cell_maps_on_every_tile(name, view):
    plan = PLANS[name]
    assert plan.compression is not None
    if view == "dense":
        plan = dense_plan(plan)
        assert not plan.compression.repacked
    kinds_seen = set()
    for a in range(plan.ar):
        for b in range(plan.ac):
            want = kinds_of_engine(plan, a, b)
            tile = Tile(plan, a, b)
            got = tile.kinds()
            assert np.array_equal(got, want), (name, view, a, b)
            kinds_seen |= set(np.unique(got).tolist())
            # sampled rows / columns and single cells agree with the full picture
            rsel, csel = np.arange(0, got.shape[0], 3), np.arange(1, got.shape[1], 2)
            assert np.array_equal(tile.kinds(rsel=rsel, csel=csel), want[rsel][:, csel])
            assert np.array_equal(tile.kinds(5, 17), want[5:17])
            rng = np.random.default_rng(a * 7 + b)
            for r, c in zip(rng.integers(0, got.shape[0], 40), rng.integers(0, got.shape[1], 40)):
                assert tile.kind_at(int(r), int(c)) == want[r, c]
    assert WEIGHT_CELL in kinds_seen
    if name.startswith("kerntrol") or (name.startswith("pairs") and plan.copies > 1) or view == "dense":
        # dense view: skipped rows hold pruned weights; repacked: a kept row may still lose
        # a weight in another copy (PAIRS patterns); KERNTROL's omitted pixels lose them all
        assert (PRUNED_CELL in kinds_seen) == (view == "dense" or name.startswith("pairs")), (name, view)
    if "comp" in name:
        assert EXTRA_CELL in kinds_seen


@pytest.mark.parametrize("view", ["repacked", "dense"])
@pytest.mark.parametrize("name", ["pairs-edge6-vw", "pairs-corner4-2bit", "kerntrol-comp", "vwc-sdk-oc"])
def test_colour_modes_follow_the_engine_cell_maps(name, view):
    """Every colour mode, full and sampled, against colours worked out from TileLayout."""
    from app.crossbar import palette as pal
    from app.crossbar.modes import tile_image

    plan = PLANS[name] if view == "repacked" else dense_plan(PLANS[name])
    L = plan.layer
    w = (np.arange(L.out_c * L.in_c * 9).reshape(L.out_c, L.in_c, 3, 3) % 4 - 2).astype(np.int8)
    lut = {UNUSED_CELL: pal.UNUSED, ZERO_CELL: pal.ZERO, PRUNED_CELL: pal.INDEX["pruned"],
           EXTRA_CELL: pal.INDEX["extra"]}
    lo, hi = -2, 1  # 2-bit weights
    for a in range(plan.ar):
        ref = layout.TileLayout(plan, a, 0)
        kinds = kinds_of_engine(plan, a, 0)
        on = kinds == WEIGHT_CELL
        cat = {"copy": ref.copy, "ic": ref.ic, "oc": ref.oc, "bit": ref.bit, "element": ref.ky * 3 + ref.kx}
        tile = Tile(plan, a, 0)
        for mode in ("copy", "ic", "oc", "bit", "element", "weight"):
            if mode == "weight":
                if plan.array.weight_bits != 2:
                    continue
                vals = w[np.maximum(ref.oc, 0), np.maximum(ref.ic, 0), np.maximum(ref.ky, 0), np.maximum(ref.kx, 0)]
                colour = pal.FIRST_CLASS + np.rint((vals.astype(float) - lo) * 3 / (hi - lo)).astype(np.uint8)
            else:
                colour = pal.category_index(np.maximum(cat[mode], 0))
            want = np.where(on, colour, 0).astype(np.uint8)
            for k, idx in lut.items():
                want[kinds == k] = idx
            got = tile_image(tile, mode, w if mode == "weight" else None)
            assert np.array_equal(got, want), (name, view, a, mode)
            rsel, csel = np.arange(1, want.shape[0], 3), np.arange(0, want.shape[1], 2)
            sampled = tile_image(tile, mode, w if mode == "weight" else None, rsel=rsel, csel=csel)
            assert np.array_equal(sampled, want[rsel][:, csel]), (name, view, a, mode)


def test_the_plans_cover_what_they_claim():
    """Residual (partly used) row tiles, removed output channels, stride 2, another PW."""
    assert PLANS["vwc-sdk-oc"].compression.oc_keep is not None
    assert (PLANS["vwc-sdk-oc"].pix_h, PLANS["vwc-sdk-oc"].pix_w) != (dense_plan(PLANS["vwc-sdk-oc"]).pix_h,
                                                                     dense_plan(PLANS["vwc-sdk-oc"]).pix_w)
    s2 = PLANS["kerntrol-comp-s2"]
    assert s2.layer.stride_h == 2 and s2.compression.extra.any() and s2.compression.rows_skipped == 64
    residual = [n for n, p in PLANS.items() if not Tile(p, p.ar - 1, 0).rows.used.all()]
    assert len(residual) >= 5
    assert any(p.ar > 1 for p in PLANS.values()) and any(dense_plan(p).ar > p.ar for p in PLANS.values())


@pytest.mark.parametrize("name", ["pairs-corner4-sdk", "kerntrol-comp", "vwc-sdk-oc"])
def test_cells_of_a_weight_are_the_engine_kernel_cells(name):
    for plan in (PLANS[name], dense_plan(PLANS[name])):
        L = plan.layer
        for a in range(plan.ar):
            ref = layout.TileLayout(plan, a, 0)
            tile = Tile(plan, a, 0)
            for oc, c, ky, kx in [(0, 0, 0, 0), (2, 1, 1, 1), (3, 4, 2, 0), (5, 3, 0, 2)]:
                if oc >= plan.group.out_c or c >= plan.group.in_c:
                    continue
                want = set(zip(*np.nonzero(ref.kernel & (ref.ic == c) & (ref.oc == oc) & (ref.ky == ky)
                                           & (ref.kx == kx))))
                got = set(zip(*tile.cells_of_weight(oc, c, ky, kx)))
                assert {(int(r), int(q)) for r, q in got} == {(int(r), int(q)) for r, q in want}
        assert L.k_h == 3


def test_dense_view_hatch_masks_follow_the_engine():
    plan = PLANS["vwc-sdk-oc"]
    dense = dense_plan(plan)
    removed = np.setdiff1d(np.arange(dense.group.out_c), plan.compression.oc_keep)
    for a in range(dense.ar):
        tile = Tile(dense, a, 0)
        rv, cv = layout.row_vectors(dense, a), layout.col_vectors(dense, 0)
        want_rows = rv.used & ~rv.kept
        assert np.array_equal(tile.skipped_rows if tile.skipped_rows is not None else np.zeros_like(want_rows),
                              want_rows)
        assert np.array_equal(tile.removed_cols, cv.used & np.isin(cv.oc, removed))
    assert Tile(plan, 0, 0).skipped_rows is None and Tile(plan, 0, 0).removed_cols is None
    fate = row_fate(plan, dense.ar - 1)
    assert (fate.tile[fate.kept] == -1).all()  # VWC-SDK searched another PW: no row-for-row fate


# --- the view ------------------------------------------------------------------------------------
def pairs_case(pad: int):
    """The issue's case: 16x16, 32 -> 32, 3x3 on a 128x128 array, PAIRS corner4 on SDK (PW 3x3)."""
    layer = ConvLayer("pairs16", 16, 16, 32, 32, 3, 3, pad_h=pad, pad_w=pad)
    return layer, map_layer(layer, ArraySpec(128, 128), "pairs", pattern_set="corner4", base="sdk")


def hatched_rows(view) -> np.ndarray:
    """The rows the grid's hatch item covers, as a mask."""
    mask = np.zeros(view.grid.rows, dtype=bool)
    for a, b in view.grid.hatch.row_runs:
        mask[a:b] = True
    return mask


def shown_tiles(view):
    """Step the playback to the first cycle of every row tile; yield (a, tile)."""
    p = view.panel.plan
    for a in range(p.ar):
        view.set_cycle(view.panel.cycles.schedule.index(0, 0, a, 0, 0))
        cyc = view.panel.cycles.cycle(view.panel.t)
        assert (cyc.a, cyc.b) == (a, 0)
        yield a, view.panel.cycles.tile(cyc)


@pytest.mark.parametrize("pad, dense_cycles, repacked_cycles", [(0, 588, 196), (1, 768, 256)])
def test_pairs_dense_view_hatches_the_skipped_rows(qtbot, make_view, pad, dense_cycles, repacked_cycles):
    layer, plan = pairs_case(pad)
    assert (plan.pix_h, plan.pix_w, plan.ar) == (3, 3, 1)
    view = make_view(layer=layer, plan=plan)
    tb = view.toolbar
    assert tb.compressed.isEnabled() and tb.compressed.currentData() == "repacked"
    assert view.playback.total == repacked_cycles and view.panel.plan is plan
    assert not view.grid.hatch.active and view.grid.legend.legend.hatched == ()
    view.set_mode("ic")

    tb.compressed.activated.emit(tb.compressed.findData("dense"))  # as a user's pick does
    assert view.compressed_view == "dense" and tb.compressed.currentData() == "dense"
    dense = view.panel.plan
    assert dense == dense_plan(plan) and dense.ar == 3 and not dense.compression.repacked
    assert view.playback.total == dense_cycles == dense.cycles
    assert view.panel.mode == "ic" and tb.mode.currentData() == "ic"  # the colour mode stays
    assert (f"PAIRS · skipped rows in place: 160 of 288 rows skipped · repacked: 3 → 1 row tiles, "
            f"{dense_cycles} → {repacked_cycles} cycles") in view.text.text()
    assert "skipped rows in place (hatched)" in view.grid.title.text

    skipped_per_channel = np.zeros(32, dtype=int)
    for a, tile in shown_tiles(view):
        rv = layout.row_vectors(dense, a)  # the engine's own flags
        want = rv.used & ~rv.kept
        assert want.any()
        assert np.array_equal(hatched_rows(view), want)
        assert np.array_equal(tile.skipped_rows, want)
        assert view.grid.legend.legend.hatched == ("skipped row (hatched)",)
        np.add.at(skipped_per_channel, rv.c[want], 1)
        # a hatched row holds nothing: every cell of it in the block is pruned or zero
        k = tile.kinds()[want]
        assert not (k == WEIGHT_CELL).any()
    assert (skipped_per_channel == 2 * 3 - 1).all()  # corner pattern: 2P-1 of P*P = 9 rows

    view.set_compressed_view("repacked")
    assert view.playback.total == repacked_cycles and view.panel.plan is plan
    assert not view.grid.hatch.active and view.panel.mode == "ic"
    assert "PAIRS · repacked array: 160 of 288 rows skipped" in view.text.text()


def test_inspector_says_where_a_dense_row_goes(qtbot, make_view):
    layer, plan = pairs_case(0)
    view = make_view(layer=layer, plan=plan)
    view.set_compressed_view("dense")
    infos = []
    view.cell_changed.connect(infos.append)
    dense = view.panel.plan
    fate = row_fate(plan, 0)
    skipped, kept = int(np.flatnonzero(~fate.kept)[0]), int(np.flatnonzero(fate.kept)[3])
    assert (fate.tile[kept], fate.row[kept]) == (0, 3)
    view.panel.set_pin((skipped, 0))
    info = infos[-1]
    assert info.row == skipped and info.kind == "pruned"
    assert "skipped by the compression" in info.row_text()
    assert "skipped by the compression" in view.panel.current_info().tooltip()
    view.panel.set_pin((kept, 0))
    info = infos[-1]
    assert "kept: row 3 of row tile 1 / 1 in the repacked array" in info.row_text()
    # the repacked array's row 3 is that same (channel, PW pixel)
    rv_d, rv_r = layout.row_vectors(dense, 0), layout.row_vectors(plan, 0)
    assert (rv_d.c[kept], rv_d.y[kept], rv_d.x[kept]) == (rv_r.c[3], rv_r.y[3], rv_r.x[3])
    # the repacked view adds nothing to the row's words
    view.set_compressed_view("repacked")
    view.panel.set_pin((3, 0))
    assert "repacked array" not in view.panel.current_info().row_text()
    assert "skipped" not in view.panel.current_info().row_text()


def test_toggle_keeps_the_place_and_playing(qtbot, make_view):
    layer, plan = pairs_case(0)
    view = make_view(layer=layer, plan=plan)
    view.set_cycle(57)  # PW (4, 1) of 14x14
    view.set_compressed_view("dense")
    cyc = view.panel.cycles.cycle(view.panel.t)
    assert (cyc.a, cyc.py, cyc.px) == (0, 4, 1) and view.playback.t == 57
    view.set_cycle(2 * 196 + 30)  # row tile 3, PW (2, 2)
    view.playback.play()
    view.set_compressed_view("repacked")
    assert view.playback.playing
    view.playback.pause()
    cyc = view.panel.cycles.cycle(view.panel.t)
    assert (cyc.a, cyc.py, cyc.px) == (0, 2, 2)


def test_the_choice_stays_across_layers_and_methods(qtbot, make_view):
    layer, plan = pairs_case(0)
    view = make_view(layer=layer, plan=plan)
    view.set_compressed_view("dense")
    other = ConvLayer("k", 16, 16, 8, 16, 3, 3, pad_h=1, pad_w=1)
    kern = map_layer(other, ArraySpec(128, 128), "kerntrol", threshold=0.25)
    from app.selection import PlanSelection

    view.show_selection(PlanSelection(1, other, "kerntrol", kern))
    assert view.panel.plan == dense_plan(kern) and view.toolbar.compressed.currentData() == "dense"
    sdk = map_layer(other, ArraySpec(128, 128), "sdk")
    view.show_selection(PlanSelection(1, other, "sdk", sdk))
    assert view.panel.plan is sdk and not view.toolbar.compressed.isEnabled()
    assert not view.grid.hatch.active and view.grid.legend.legend.hatched == ()
    view.set_compressed_view("repacked")  # harmless on an ordinary plan
    view.set_compressed_view("dense")
    assert view.panel.plan is sdk and view.playback.total == sdk.cycles
    view.show_selection(PlanSelection(0, layer, "pairs", plan))
    assert view.panel.plan == dense_plan(plan) and view.toolbar.compressed.isEnabled()
    assert view.playback.total == 588
    with pytest.raises(ValueError):
        view.set_compressed_view("sideways")


def test_kerntrol_omits_the_four_corner_rows_of_a_4x4_pw(qtbot, make_view):
    layer = ConvLayer("k", 16, 16, 8, 16, 3, 3, pad_h=1, pad_w=1)
    plan = map_layer(layer, ArraySpec(128, 128), "kerntrol", threshold=0.25, base="sdk")
    assert (plan.nh, plan.nw, plan.pix_h, plan.pix_w) == (2, 2, 4, 4)
    assert plan.compression.rows_skipped == 8 * 4 and plan.compression.kept_rows == 8 * 12
    view = make_view(layer=layer, plan=plan)
    view.set_compressed_view("dense")
    dense = view.panel.plan
    assert dense.ar == 1 and view.playback.total == dense.cycles == 64 == plan.cycles
    rv = layout.row_vectors(dense, 0)
    hatched = hatched_rows(view)
    assert np.array_equal(hatched, rv.used & ~rv.kept)
    for c in range(8):
        pix = {(int(y), int(x)) for y, x in zip(rv.y[hatched & (rv.c == c)], rv.x[hatched & (rv.c == c)])}
        assert pix == {(0, 0), (0, 3), (3, 0), (3, 3)}
    assert "KERNTROL · skipped rows in place: 32 of 128 rows skipped · repacked: 1 → 1 row tiles, 64 → 64 cycles" \
        in view.text.text()


def test_vwc_sdk_hatches_removed_channels_and_output_columns(qtbot, make_view):
    plan = PLANS["vwc-sdk-oc"]
    view = make_view(layer=LAYER, plan=plan)
    view.set_compressed_view("dense")
    dense = view.panel.plan
    last = dense.ar - 1
    view.set_cycle(view.panel.cycles.schedule.index(0, 0, last, 0, 0))
    cv = layout.col_vectors(dense, 0)
    cols = np.zeros(view.grid.cols, dtype=bool)
    for a, b in view.grid.hatch.col_runs:
        cols[a:b] = True
    assert np.array_equal(cols, cv.used & ~cv.kept) and set(cv.oc[cols]) == {1, 4}
    rv = layout.row_vectors(dense, last)
    assert np.array_equal(hatched_rows(view), rv.used & ~rv.kept) and set(rv.c[hatched_rows(view)]) == {4}
    assert view.grid.legend.legend.hatched == ("skipped row (hatched)", "removed output channel (hatched)")
    text = view.text.text()
    assert "(1 input channel removed)" in text and "2 output channels removed" in text
    view.panel.set_pin((0, 0))
    assert "skipped by the compression" in view.panel.current_info().row_text()  # channel 4
    view.set_cycle(view.panel.cycles.schedule.index(0, 0, last - 1, 0, 0))  # channels 2, 3
    view.panel.set_pin((dense.pix_h * dense.pix_w, 0))
    assert plan.ar == 2 and (plan.pix_h, plan.pix_w) == (5, 6)  # VWC-SDK searched again: 2 channels a tile
    assert ("kept: channel 3 is in row tile 2 / 2 of the repacked array (another parallel window: 5×6 pixels)"
            in view.panel.current_info().row_text())


def test_exports_include_the_hatching(qtbot, make_view, tmp_path):
    from PIL import Image

    layer, plan = pairs_case(0)
    view = make_view(layer=layer, plan=plan)
    view.set_compressed_view("dense")
    assert view.exports.export_image(str(tmp_path / "hatched.png"))
    view.grid.hatch.setVisible(False)
    assert view.exports.export_image(str(tmp_path / "plain.png"))
    view.grid.hatch.setVisible(True)
    a = np.asarray(Image.open(tmp_path / "hatched.png").convert("L"), dtype=int)
    b = np.asarray(Image.open(tmp_path / "plain.png").convert("L"), dtype=int)
    assert a.shape == b.shape
    diff = np.abs(a - b) > 40
    assert diff.sum() > 5000  # the hatch lines, over the skipped rows only
    cols = np.flatnonzero(diff.any(axis=0))
    assert cols.size and cols.max() - cols.min() < a.shape[1] * 0.3  # the 32 used columns, not all 128
    assert view.exports.export_image(str(tmp_path / "hatched.svg"))
    svg = (tmp_path / "hatched.svg").read_text()
    view.grid.hatch.setVisible(False)
    assert view.exports.export_image(str(tmp_path / "plain.svg"))
    assert len(svg) > len((tmp_path / "plain.svg").read_text()) + 20000  # the hatch lines


def test_animation_frames_hatch_the_skipped_rows(monkeypatch):
    from app.crossbar import export_frames
    from app.crossbar import palette as pal
    from app.crossbar.export_frames import FrameRenderer, FrameSpec

    layer, plan = pairs_case(0)
    frames = {}
    for p, on in ((dense_plan(plan), True), (dense_plan(plan), False), (plan, True), (plan, False)):
        with monkeypatch.context() as m:
            if not on:
                m.setattr(export_frames, "_hatch", lambda *a: None)
            r = FrameRenderer(FrameSpec(p, width=640, height=400))
            frames[p.compression.repacked, on] = (r, r.render(0))
    r, hatched = frames[False, True]
    diff = hatched != frames[False, False][1]
    ay, ax, ah, aw = r.grid_area
    assert diff.sum() > 2000 and diff.sum() == diff[ay:ay + ah, ax:ax + aw].sum()  # in the grid only
    assert (hatched[diff] == pal.INDEX["outline"]).all()
    assert np.array_equal(frames[True, True][1], frames[True, False][1])  # the repacked array: nothing hatched
    assert r.cycles.legend(r.cycles.cycle(0), "copy").hatched == ("skipped row (hatched)",)


def test_legend_lists_the_kinds_the_tile_holds():
    from app.crossbar.modes import legend

    def texts(plan):
        tile = Tile(plan, 0, 0)
        lg = legend(tile, "copy")
        names = [t for _, t in lg.entries[-lg.neutral:]]
        assert {KIND_TEXT[k] for k in tile.kinds_present() if k in KIND_TEXT} == set(names)
        return names, lg.hatched

    _, pairs = pairs_case(0)
    assert texts(pairs) == (["unused cell"], ())  # one copy per row, every kept row full
    assert texts(dense_plan(pairs)) == (["pruned weight (masked by the compression)", "unused cell"],
                                        ("skipped row (hatched)",))
    kern = map_layer(ConvLayer("k", 16, 16, 8, 16, 3, 3, pad_h=1, pad_w=1), ArraySpec(128, 128), "kerntrol",
                     threshold=0.25, variant="compensatory")
    assert texts(kern) == (["compensatory weight (off the kernel)", "unused cell"], ())


KIND_TEXT = {PRUNED_CELL: "pruned weight (masked by the compression)", ZERO_CELL: "zero cell (off the kernel)",
             EXTRA_CELL: "compensatory weight (off the kernel)", UNUSED_CELL: "unused cell"}


def test_compare_mode_and_screenshot_state_follow_the_toggle(qtbot, make_view):
    from engine.errors import XbarError

    from app.crossbar.screenshot import apply_state

    layer, plan = pairs_case(0)
    view = make_view(layer=layer, plan=plan)
    view.toolbar.other.setCurrentIndex(view.toolbar.other.findData("sdk"))
    view.set_comparing(True)
    left = view.compare.sides[0]
    assert left.panel.plan is plan and not left.grid.hatch.active
    view.set_compressed_view("dense")
    assert left.panel.plan == dense_plan(plan) and left.grid.hatch.active
    assert view.playback.total == max(588, view.compare.sides[1].total)
    view.set_comparing(False)
    view.set_compressed_view("repacked")
    apply_state(view, cycle=400, compressed="dense")  # 400 only exists in the dense plan's 588 cycles
    assert view.compressed_view == "dense" and view.panel.t == 400
    with pytest.raises(XbarError):
        apply_state(view, compressed="flat")
