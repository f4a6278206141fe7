"""The design-space view for compression-aware methods (issue 7): the compressed grid, the
uncompressed and rows-saved readings, the method's plan vs the best compressed PW, what-if plans."""
import numpy as np
import pytest
from PySide6.QtCore import QPointF

from engine import ArraySpec, ConvLayer, map_layer
from engine.compress import candidate_plan
from engine.errors import Cancelled, XbarError

from app import design_space as ds
from app.background_jobs import DesignSpaceController
from app.widgets.design_space_view import DesignSpaceView, cycle_span, heat_rgba, saved_rgba

# The done-when layer: SDK's 3x3-pixel PW drops from 3 row tiles to 1 with PAIRS.
LAYER, ARRAY = ConvLayer("l", 16, 16, 32, 32, 3, 3), ArraySpec(128, 128)
CASES = [("pairs", {"pattern_set": "corner4", "base": "sdk"}), ("pairs", {"base": "vw-sdk"}),
         ("kerntrol", {"threshold": 0.25}), ("vwc-sdk", {})]
SAMPLES = [(1, 1), (1, 3), (2, 2), (3, 5), (4, 1), (7, 7), (14, 14)]


def space_of(method, options=None, layer=LAYER, array=ARRAY):
    return ds.compute(ds.DesignSpaceRequest.make(layer, array, method, options))


def test_done_when_layer_pairs_grid_at_1x1():
    space = space_of("pairs", {"pattern_set": "corner4", "base": "sdk"})
    c = space.candidate(1, 1)
    assert (c["cycles"], c["cycles_before"]) == (196, 588)
    assert (c["rows_before"], c["rows_after"], c["ar_before"], c["ar"]) == (288, 128, 3, 1)
    assert map_layer(LAYER, ARRAY, "sdk").cycles == 588  # the base layout, as the engine maps it
    assert space.optimum == map_layer(LAYER, ARRAY, "pairs", pattern_set="corner4")
    assert (space.optimum.nh, space.optimum.nw, space.optimum.cycles) == (1, 1, 196)
    assert space.rows_saved()[0, 0] == pytest.approx(1 - 128 / 288)


@pytest.mark.parametrize("method,options", CASES)
def test_candidates_are_the_engine_candidate_plans(method, options):
    space = space_of(method, options)
    for nh, nw in SAMPLES:
        c = space.candidate(nh, nw)
        try:
            plan = candidate_plan(LAYER, ARRAY, method, nh, nw, **options)
        except XbarError:
            assert c is None
            continue
        assert (c["cycles"], c["ar"], c["ac"]) == (plan.cycles, plan.ar, plan.ac)
        comp = plan.compression
        assert (c["cycles_before"], c["ar_before"]) == (comp.base.cycles, comp.base.ar)
        assert (c["rows_before"], c["rows_after"]) == (comp.dense_rows, comp.kept_rows)
        what_if = ds.what_if_plan(space, nh, nw)
        assert what_if == plan and what_if.what_if and what_if.method == method
    assert space.optimum == map_layer(LAYER, ARRAY, method, **options)


def test_grouped_strided_layer_counts_every_group():
    layer = ConvLayer("g", 29, 29, 32, 32, 3, 3, stride_h=2, stride_w=2, groups=4)
    space = space_of("kerntrol", {"threshold": 0.25, "base": "vw-sdk"}, layer, ArraySpec(64, 64))
    for nh, nw in [(1, 1), (2, 3), (4, 4), (14, 14)]:
        c = space.candidate(nh, nw)
        try:
            plan = candidate_plan(layer, ArraySpec(64, 64), "kerntrol", nh, nw, threshold=0.25, base="vw-sdk")
        except XbarError:
            assert c is None and ds.what_if_plan(space, nh, nw) is None
            continue
        assert (c["cycles"], c["cycles_before"]) == (plan.cycles, plan.compression.base.cycles)


def test_best_compressed_candidate_against_the_methods_plan():
    pairs = space_of("pairs", {"pattern_set": "corner4"})
    nh, nw, cycles = pairs.better_than_optimum()
    assert (nh, nw) == (1, 3) and cycles == candidate_plan(LAYER, ARRAY, "pairs", 1, 3).cycles == 140
    assert cycles == pairs.cycles()[pairs.cycles() > 0].min() < pairs.optimum.cycles == 196
    vwc = space_of("vwc-sdk")
    assert vwc.optimum.cycles == vwc.best()[2] and vwc.better_than_optimum() is None
    assert space_of("vw-sdk").better_than_optimum() is None


def test_vw_sdk_space_unchanged_for_uncompressed_methods():
    request = ds.DesignSpaceRequest.make(LAYER, ARRAY, "sdk", {"threshold": 0.5})
    assert request == ds.DesignSpaceRequest(LAYER, ARRAY) and not request.compressed
    space = ds.compute(request)
    assert space.optimum == map_layer(LAYER, ARRAY, "vw-sdk")
    assert "rows_before" not in space.candidate(1, 1)
    assert (space.cycles("uncompressed") == space.cycles()).all()
    plan = ds.what_if_plan(space, 2, 2)
    assert plan.method == "vw-sdk" and plan.what_if and plan.cycles == space.candidate(2, 2)["cycles"]


def test_requests_are_hashable_and_compare_weights_by_identity():
    w = np.ones((32, 32, 3, 3))
    a = ds.DesignSpaceRequest.make(LAYER, ARRAY, "pairs", {"weights": w, "seed": 1, "threshold": 0.3})
    assert hash(a) == hash(ds.DesignSpaceRequest.make(LAYER, ARRAY, "pairs", {"seed": 1, "weights": w}))
    assert a == ds.DesignSpaceRequest.make(LAYER, ARRAY, "pairs", {"seed": 1, "weights": w})
    assert a != ds.DesignSpaceRequest.make(LAYER, ARRAY, "pairs", {"seed": 1, "weights": w.copy()})
    assert a != ds.DesignSpaceRequest.make(LAYER, ARRAY, "pairs", {"seed": 1})
    assert a.option_values() == {"seed": 1, "weights": w}  # threshold is KERNTROL's: left out
    assert ds.compute(a).optimum == map_layer(LAYER, ARRAY, "pairs", seed=1, weights=w)


def test_titles_name_the_method_and_its_options():
    assert ds.title_for("vw-sdk") == ds.title_for("sdk") == "Design space (VW-SDK)"
    assert ds.title_for("pairs") == "Design space: PAIRS (corner4, on SDK)"
    assert ds.method_title("pairs", {"pattern_set": "edge6", "base": "vw-sdk"}) == "PAIRS (edge6, on VW-SDK)"
    assert ds.method_title("kerntrol", {"threshold": 0.25}) == "KERNTROL (threshold 0.25, mask, on SDK)"
    assert ds.method_title("vwc-sdk", {"max_prune": 0.1, "weights": None}) == "VWC-SDK (max prune 10%, on VW-SDK)"


def test_guard_and_cancellation(monkeypatch):
    request = ds.DesignSpaceRequest.make(LAYER, ARRAY, "pairs")
    with pytest.raises(Cancelled):
        ds.compute(request, should_stop=lambda: True)
    monkeypatch.setattr(ds, "MAX_CANDIDATES", 100)
    with pytest.raises(XbarError, match="196 candidates, too many"):
        ds.compute(request)


@pytest.mark.parametrize("method", ["vw-sdk", "pairs", "kerntrol"])
def test_the_stop_flag_is_read_inside_every_grid(monkeypatch, method):
    """A 2048x2048 design space takes seconds: the flag is checked between slices of each grid
    (the candidates, the compressed figures and the uncompressed baseline), not only after it."""
    from engine.methods import vw_sdk

    monkeypatch.setattr(vw_sdk, "_GRID_CHUNK", 14)  # one row of LAYER's 14x14 candidates per slice
    calls = []
    request = ds.DesignSpaceRequest.make(LAYER, ARRAY, method)
    ds.compute(request, should_stop=lambda: calls.append(1) and False)
    grids = 1 if method == "vw-sdk" else 2
    assert len(calls) >= grids * 14  # every slice of every grid checked
    for stop_at in (1, 7, 20):
        seen = []
        with pytest.raises(Cancelled):
            ds.compute(request, should_stop=lambda: seen.append(1) or len(seen) >= stop_at)
        assert len(seen) == stop_at  # nothing ran on after the flag


def test_one_colour_scale_for_both_cycle_readings():
    space = space_of("pairs")
    lo, hi = cycle_span(space)
    assert (lo, hi) == (140, 16 * 140)  # the fewest cycles of both readings, up to SPREAD times them
    before = heat_rgba(space.cycles("uncompressed"), (lo, hi))
    after = heat_rgba(space.cycles(), (lo, hi))
    assert (after[0, 0, :3].astype(int).sum() > before[0, 0, :3].astype(int).sum())  # 196 brighter than 588
    saved = saved_rgba(np.array([[0.5, 0.0], [-1.0, 0.25]]))
    assert saved[0, 1, 3] == 0 and saved[0, 0, :3].astype(int).sum() > saved[1, 1, :3].astype(int).sum()


def test_view_readings_markers_and_hover(qtbot):
    view = DesignSpaceView()
    qtbot.addWidget(view)
    view.resize(900, 500)
    view.show()
    space = space_of("pairs", {"pattern_set": "corner4"})
    view.show_space(space)
    assert view.readings.isVisible()
    title = view.title.text()
    assert "PAIRS (corner4, on SDK): 196 candidates" in title and "compressed cycles" in title
    assert ("★ PAIRS's plan (SDK's best PW, compressed): 1×1 windows (3×3 pixels), "
            "196 cycles (588 uncompressed)") in title
    assert "◆ A compression-aware search would pick 1×3 windows (3×5 pixels): 140 cycles, 56 (29%) fewer" in title
    assert view.search_marker.data["x"].tolist() == [3] and view.best_marker.data["x"].tolist() == [1]
    compressed = view.image.image.copy()
    view.reading_buttons["uncompressed"].click()
    assert view.reading == "uncompressed" and "uncompressed (SDK) cycles" in view.title.text()
    assert not np.array_equal(view.image.image, compressed)
    view.set_reading("rows saved")
    assert view.reading_buttons["rows saved"].isChecked() and "rows saved" in view.title.text()
    assert view.describe(1, 1) == ("1 × 1 windows (3 × 3 pixels) · rows 288 → 128 · AR 3 → 1 · AC 1 · "
                                   "cycles 588 → 196")
    qtbot.waitUntil(lambda: view.plot.vb.width() > 50, timeout=2000)
    view._mouse_moved(view.plot.vb.mapViewToScene(QPointF(3.1, 0.9)))
    assert view.hover.text().startswith("1 × 3 windows (3 × 5 pixels) · rows 480")
    view.show_space(space_of("vw-sdk"))
    assert not view.readings.isVisible() and "optimum 2×2 windows" in view.title.text()
    assert view.search_marker.data.size == 0


def test_controller_computes_the_methods_space_once(qtbot, runner):
    ctl = DesignSpaceController(runner)
    with qtbot.waitSignal(ctl.slot.result, timeout=5000):
        ctl.show(LAYER, ARRAY, "kerntrol", {"threshold": 0.25})
    assert ctl.space.request.method == "kerntrol" and ctl.space.candidate(1, 1)["cycles"] == 588
    job = ctl.slot.job
    ctl.show(LAYER, ARRAY, "kerntrol", {"threshold": 0.25})
    assert ctl.slot.job is job  # same request: nothing recomputed
    with qtbot.waitSignal(ctl.slot.result, timeout=5000):
        ctl.show(LAYER, ARRAY)  # the two-argument call the window makes today
    assert not ctl.space.request.compressed
    with qtbot.waitSignal(ctl.message, timeout=1000):
        ctl.show(None, None)
    assert ctl.space is None


def test_window_click_on_a_compressed_space_shows_its_what_if_plan(qtbot, open_app_window):
    from app import window_wiring

    w = open_app_window("vgg13-paper")
    with qtbot.waitSignal(w.mapping.result_ready, timeout=20000):  # its selection change would
        assert w.mapping.run()  # ask for VW-SDK's space again while we wait below
    w.selection.select(4)  # conv3_1, 56x56 outputs
    layer, array = w.selection.current.layer, w.array_editor.spec()
    with qtbot.waitSignal(w.design.slot.result, timeout=10000):
        w.design.show(layer, array, "pairs", {"pattern_set": "corner4"})
    window_wiring._candidate_clicked(w, 2, 3)  # what the view's click does
    sel = w.selection.current
    assert sel.what_if and sel.plan == candidate_plan(layer, array, "pairs", 2, 3, pattern_set="corner4")


def test_colour_bar_reads_in_cycles_and_in_rows_saved(qtbot):
    from app.widgets.design_space_view import log_ticks

    assert log_ticks(140, 2240) == [140, 500, 1000, 2240]  # 200 would crowd 140
    assert log_ticks(6216, 6216) == [6216]
    view = DesignSpaceView()
    qtbot.addWidget(view)
    view.resize(900, 500)
    space = space_of("pairs", {"pattern_set": "corner4"})
    view.show_space(space)
    lo, hi = cycle_span(space)
    labels = [t for _, t in view.bar_ticks]
    assert labels[0] == f"{lo:,}" and labels[-1] == f"{hi:,}+"  # beyond the span the colour saturates
    assert view.bar.levels() == pytest.approx((np.log10(lo), np.log10(hi)))
    view.set_reading("rows saved")
    saved = space.rows_saved()
    assert view.bar.levels() == pytest.approx((0.0, saved.max()))
    assert [t for _, t in view.bar_ticks][-1] == f"{saved.max():.0%}"
    view.show_space(space_of("vw-sdk"))  # VW-SDK's own space: from its fewest to its most cycles
    c = space_of("vw-sdk").cycles()
    assert [t for _, t in view.bar_ticks][-1] == f"{c.max():,}"
