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
