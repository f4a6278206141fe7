"""Values mode of the crossbar view: the strips, the OFM and the tooltips show the engine
trace's numbers (inputs, partial sums, running sums), for any cycle, random or model weights."""
from __future__ import annotations

import numpy as np
import pytest

from engine import ArraySpec, ConvLayer, map_layer
from engine.simulate import direct_conv
from engine.trace import Trace

from app.crossbar import palette as pal
from app.crossbar.values import FADED, FULL, LEVELS, VALUE_TABLE, PlanValues, value_index

from .test_crossbar_support import SMALL, WEIGHTS, make_view, small_plan  # noqa: F401 (fixture)


def test_value_ramp_ends_and_zero():
    assert value_index([0], 10)[0] == FULL + LEVELS // 2
    top = FULL + LEVELS - 1
    assert value_index([-10, 10, 99, -99], 10).tolist() == [FULL, top, top, FULL]  # clipped at the ends
    assert value_index([0], 10, faded=True)[0] == FADED + LEVELS // 2
    mid = VALUE_TABLE[FULL + LEVELS // 2]
    assert (mid >= 240).all()  # white at zero
    assert VALUE_TABLE[FULL + LEVELS - 1][0] > VALUE_TABLE[FULL + LEVELS - 1][2]  # red for positive
    assert (VALUE_TABLE[:26] == pal.FIXED_TABLE[:26]).all()  # padding and edge greys as the grid's


@pytest.mark.parametrize("method", ["im2col", "sdk", "vw-sdk", "pairs"])
def test_strips_and_ofm_are_the_trace_of_every_cycle(method):
    plan = small_plan(method) if method != "pairs" else map_layer(SMALL, ArraySpec(32, 32, 1, 2), "pairs")
    values = PlanValues(plan, seed=3)
    trace = Trace.of(plan, values.operands)
    for t in (0, plan.cycles // 2, plan.cycles - 1):
        cv = trace.cycle(t)
        rows, cols = values.strips(t)
        real = cv.driven & ~cv.rows.padding
        assert (rows[real] == value_index(cv.row_values[real], values.x_scale)).all()
        assert (rows[cv.rows.padding] == pal.INDEX["padding"]).all()
        assert (rows[~cv.driven] == pal.INDEX["strip_unused"]).all()
        scale = max(1, int(np.abs(cv.partial[cv.feeding]).max(initial=0)))
        assert (cols[cv.feeding] == value_index(cv.partial[cv.feeding], scale)).all()
        assert (cols[cv.cols.past_edge] == pal.INDEX["past_edge"]).all()
        img, acc, state = values.ofm(t, 1)
        want, want_state = trace.accumulator(t, 1)
        assert (acc == want).all() and (state == want_state).all()
        assert (img[state == 0] == pal.INDEX["ofm_idle"]).all()
        assert (img[state == 1] >= FADED).all() and (img[state == 2] < FADED).all()
    _, final, state = values.ofm(plan.cycles - 1, 1)
    assert (state == 2).all() and (final == trace.expected()[1]).all()  # the running sums end at the output


def test_the_view_weights_are_used_as_they_are_and_sum_to_the_convolution():
    plan = small_plan()
    values = PlanValues(plan, seed=0, model_weights=WEIGHTS)
    assert values.weights_from == "model" and (values.operands.w == WEIGHTS).all()
    _, final, _ = values.ofm(plan.cycles - 1, 2)
    assert (final == direct_conv(SMALL, values.operands.x, WEIGHTS)[2]).all()
    assert "model's quantized weights" in values.caption(0) and "seed 0" in values.caption(0)


def test_hover_words_give_the_row_input_the_column_sum_and_the_weight():
    plan = small_plan()  # 2-bit weights in 1-bit cells: two columns per weight
    values = PlanValues(plan, seed=1, model_weights=WEIGHTS)
    t = 4
    cv = values.cycle(t)
    row = int(np.flatnonzero(cv.driven & ~cv.rows.padding)[0])
    col = int(np.flatnonzero(cv.feeding)[0])
    lines = values.cell_lines(t, row, col)
    assert lines[0] == (f"input: {int(cv.row_values[row])} (IFM channel {int(cv.rows.c[row])} at "
                        f"({int(cv.rows.iy[row])}, {int(cv.rows.ix[row])}))")
    assert lines[1].startswith(f"column partial sum: {int(cv.partial[col]):,} (bit slice {int(cv.col_bit[col])}")
    assert f"add up to {int(cv.recombined[col // 2]):,}" in lines[1]
    w = int(values.trace.weights(t, row, col))
    assert lines[2] == f"weight (recombined): {w}, product {w * int(cv.row_values[row]):,}"
    oc, y, x = 0, 2, 2
    text = values.ofm_text(t, oc, y, x)
    acc, _ = values.trace.accumulator(t, oc)
    assert text.startswith(f"output (channel 0, 2, 2) = {int(acc[y, x]):,} after cycle 4")


def test_values_mode_in_the_view_any_cycle_and_back(make_view):
    view = make_view()
    view.set_values(True, seed=5)
    panel = view.panel
    assert panel.values is not None and panel.values.seed == 5 and view.toolbar.values.isChecked()
    assert view.toolbar.seed.value() == 5
    last = panel.cycles.total - 1
    view.set_cycle(last)
    rows, cols = panel.values.strips(last)
    assert (view.grid._row_state == rows).all() and (view.grid._col_state == cols).all()
    assert view.grid.row_strip.lut is VALUE_TABLE
    assert view.ofm.image.lut is VALUE_TABLE and "running sums" in view.ofm.title.text()
    assert "values · random inputs" in view.grid.title.text
    view.set_values(False)
    assert panel.values is None and view.ofm.image.lut is pal.FIXED_TABLE
    assert (view.grid._row_state == panel.cycles.row_state(last)).all()


def test_a_tile_change_in_values_mode_says_reprogrammed(make_view):
    view = make_view()
    view.set_values(True)
    panel = view.panel
    change = panel.cycles.schedule.next_tile_change(0)
    view.set_cycle(change)
    assert panel.tile_marked and "reprogrammed: row tile" in view.grid.title.text


def test_ofm_hover_names_the_output(make_view):
    view = make_view()
    view.set_values(True, seed=2)
    view.set_cycle(3)
    assert view.ofm.pixel_at(2.2, 1.9) == (2, 2) and view.ofm.pixel_at(-5, 0) is None
    text = view.panel.ofm_text((2, 2))
    assert text == view.panel.values.ofm_text(3, view.panel._ofm_channel, 2, 2)
    view.set_values(False)
    assert view.panel.ofm_text((0, 0)).startswith("output (channel")


def test_weights_the_array_cannot_hold_turn_values_off_with_a_message(make_view):
    layer = ConvLayer("big", 6, 6, 3, 4, 3, 3)
    plan = map_layer(layer, ArraySpec(32, 32, 1, 1), "im2col")
    view = make_view(layer, plan)
    messages = []
    view.status.connect(messages.append)
    view.panel.weights = np.full((4, 3, 3, 3), 7, dtype=np.int64)  # 1-bit weights cannot hold 7
    view.set_values(True)
    assert view.panel.values is None and messages and messages[-1].startswith("Values mode:")


def _export(qtbot, view, kind, path, monkeypatch, cycles):
    from app.crossbar import animation_dialog

    monkeypatch.setattr(animation_dialog, "ask_cycle_range", lambda *a: cycles)
    with qtbot.waitSignal(view.exports.done, timeout=20000) as sig:
        assert view.exports.export(kind, str(path))
    qtbot.waitUntil(lambda: not view.exports.slot.busy)
    return sig.args[0]


def test_trace_export_writes_what_values_mode_shows_and_sums_to_the_convolution(qtbot, make_view, tmp_path,
                                                                                monkeypatch):
    import json

    from engine.trace_format import cycle_dict, read_trace_csv

    tmp_path = tmp_path / "out"  # tmp_path also holds the test's private home
    tmp_path.mkdir()
    view = make_view()
    view.set_values(True, seed=9)
    total = view.panel.cycles.total
    result = _export(qtbot, view, "trace_json", tmp_path / "t.json", monkeypatch, (0, total - 1))
    assert result.count == total and list(tmp_path.iterdir()) == [tmp_path / "t.json"]
    doc = json.loads((tmp_path / "t.json").read_text())
    values = view.panel.values
    assert doc["seed"] == 9 and doc["X"] == values.operands.x.tolist() and doc["W"] == values.operands.w.tolist()
    assert doc["trace"][5] == json.loads(json.dumps(cycle_dict(values.trace.cycle(5))))
    plan = view.panel.plan
    cpw, bits = plan.array.cells_per_weight, plan.array.cell_bits
    ofm = np.zeros((SMALL.out_c, SMALL.out_h, SMALL.out_w), dtype=np.int64)
    for cycle in doc["trace"]:  # every partial sum, at its reported output, times its slice's weight
        for column, _copy, oc, bit, pix, partial in cycle["columns"]:
            ofm[oc, pix[0], pix[1]] += partial * 2 ** (bit * bits)
    assert cpw == 2 and (ofm == direct_conv(SMALL, np.array(doc["X"]), np.array(doc["W"]))).all()
    _export(qtbot, view, "trace_csv", tmp_path / "t.csv", monkeypatch, (3, 7))
    back = read_trace_csv((tmp_path / "t.csv").read_text())
    assert back["seed"] == 9 and [c["cycle"] for c in back["trace"]] == [3, 4, 5, 6, 7]


def test_a_trace_too_large_is_refused_before_any_work(make_view, tmp_path, monkeypatch, dialog_script):
    from app.crossbar import animation_dialog
    from engine.trace_format import MAX_TRACE_CYCLES

    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    layer = ConvLayer("wide", 400, 400, 1, 1, 3, 3)
    plan = map_layer(layer, ArraySpec(32, 32, 1, 1), "im2col")
    view = make_view(layer, plan)
    monkeypatch.setattr(animation_dialog, "ask_cycle_range", lambda *a: (0, MAX_TRACE_CYCLES + 5))
    assert view.exports.export("trace_json", str(tmp_path / "t.json")) is False
    assert dialog_script.errors[-1][0] == "Export failed" and "a trace holds at most" in dialog_script.errors[-1][1]
    assert not view.exports.slot.busy and list(tmp_path.iterdir()) == []


def test_exported_frames_show_the_values_in_one_palette():
    """A values-mode GIF frame: the strips hold the trace's values on the compact ramps, the
    grid keeps its category colours, and the palette maps both."""
    from app.crossbar.export_frames import FrameRenderer, FrameSpec
    from app.crossbar.values import COMPACT_RAMPS

    plan = small_plan()
    renderer = FrameRenderer(FrameSpec(plan, width=640, height=360, values_seed=4))
    values = PlanValues(plan, seed=4, ramps=COMPACT_RAMPS)
    frame = renderer.render(6)
    rows, cols = values.strips(6)
    levels, full, faded = COMPACT_RAMPS
    shown = set(np.unique(frame).tolist())
    assert set(rows[rows >= full].tolist()) <= shown and set(cols[cols >= full].tolist()) <= shown
    assert (renderer.table[full + levels // 2] >= 240).all()  # white at zero, as in the view
    assert renderer.table[full + levels - 1][0] > renderer.table[full + levels - 1][2]  # red for positive
    assert (renderer.table[pal.FIRST_CLASS:pal.FIRST_CLASS + 8] == FrameRenderer(
        FrameSpec(plan, width=640, height=360)).table[pal.FIRST_CLASS:pal.FIRST_CLASS + 8]).all()
    img, _, _ = values.ofm(6, renderer.cycles.default_channels(renderer.cycles.cycle(6))[1])
    assert set(img[img >= full].tolist()) <= shown  # the running sums are drawn too


def test_hovering_an_ifm_pixel_or_an_output_outlines_its_rows_or_columns(make_view):
    view = make_view()
    panel = view.panel
    view.set_cycle(4)  # tile a=0, PW (1, 1): the PW starts at IFM (1, 1)
    src = panel.cycles.schedule.row_sources(4)
    ic = panel._ifm_channel
    want_rows = np.flatnonzero((src.c == ic) & (src.iy == 2) & (src.ix == 3))
    assert want_rows.size and (panel.rows_of_pixel((2, 3)) == want_rows).all()
    view.ifm.hovered.emit((2, 3))
    tile = panel.cycles.tile(panel.cycles.cycle(4))
    rects = panel.link_rects()
    assert {r[0] for r in rects} == set(want_rows.tolist())
    assert all((r[1], r[1] + r[3]) in [(run.start, run.stop) for run in tile.weight_cells_in_row(r[0])] for r in rects)
    assert panel._ifm_tip((2, 3)) == (f"IFM (channel {ic}, 2, 3): drives row{'s' if want_rows.size > 1 else ''} "
                                      f"{', '.join(map(str, want_rows.tolist()))} this cycle")
    view.ifm.hovered.emit(None)
    assert panel.link_rects() == []
    tg = panel.cycles.schedule.col_targets(4)
    oc = panel._ofm_channel
    want_cols = np.flatnonzero((tg.oc == oc) & (tg.oy == 3) & (tg.ox == 3))
    view.ofm.hovered.emit((3, 3))
    assert want_cols.size and sorted(r[1] for r in panel.link_rects()) == want_cols.tolist()
    assert panel._ofm_tip((3, 3)).endswith(f"fed this cycle by column{'s' if want_cols.size > 1 else ''} "
                                           f"{', '.join(map(str, want_cols.tolist()))}")
    view.set_values(True, seed=1)
    x = panel.values.operands.x[ic, 2, 3]
    assert panel._ifm_tip((2, 3)).startswith(f"IFM (channel {ic}, 2, 3) = {x}: drives row")
    assert panel.ofm_text((3, 3)).startswith(f"output (channel {oc}, 3, 3) = ")


def test_the_ofm_caption_keeps_a_third_line_in_values_mode(make_view):
    view = make_view()
    line = view.ofm.title.fontMetrics().lineSpacing()
    assert view.ofm.title.height() == 2 * line + 2
    view.set_values(True)
    assert view.ofm.title.height() == 3 * line + 2 and view.ifm.title.height() == 2 * line + 2
    view.set_values(False)
    assert view.ofm.title.height() == 2 * line + 2


def test_the_next_tiles_matrix_is_built_ahead_on_a_worker(make_view):
    view = make_view()
    view.set_values(True, seed=3)
    panel = view.panel
    values, s = panel.values, panel.cycles.schedule
    change = s.next_tile_change(0)
    assert 0 < change < s.total
    key = values.trace.tile_key(change)
    ahead = values._ahead[key]  # asked for when cycle 0 was shown
    ahead.result(timeout=30)
    assert key in values.trace._tiles and ahead.done()
    fresh = Trace.of(panel.plan, values.operands)
    view.set_cycle(change)  # the prefetched matrix gives the same numbers as one built now
    got, want = values.cycle(change), fresh.cycle(change)
    assert (got.partial == want.partial).all() and (got.row_values == want.row_values).all()
    nxt = s.next_tile_change(change)
    assert nxt >= s.total or values.trace.tile_key(nxt) in values._ahead
    view.set_values(False)
    assert values._pool is None and not values._ahead  # the worker goes with values mode
