"""The Compression panel: its figures, patterns, kernel shapes and PW map read the engine's."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from engine.compress.candidates import candidate_plan
from engine.compress.views import kernel_masks, omitted_pixels, row_utilization
from engine.layers import ArraySpec, ConvLayer
from engine.methods import map_layer, map_many
from engine.presets import load_preset

from app import numbers
from app.widgets.compression_panel import NO_COMPRESSION, CompressionPanel
from app.widgets.pattern_grid import id_ranges

LAYER = ConvLayer("conv", 16, 16, 32, 32, 3, 3, 1, 1, 1, 1)  # the done-when layer
ARRAY = ArraySpec(128, 128)


@pytest.fixture
def panel(qtbot):
    w = CompressionPanel()
    qtbot.addWidget(w)
    w.resize(420, 700)
    w.show()
    return w


def _item_rect(widget, kind, index=None):
    """Rectangle of the first painted item of `kind` (and `index`) in a PatternGrid."""
    for item in widget._items_for_width():
        if item[0] == kind and (index is None or item[2] == index):
            rect = item[1].rect if kind == "strip" else item[1]
            return rect
    raise AssertionError(f"no {kind} item")


def test_pairs_figures_patterns_and_skipped_rows(panel):
    plan = map_layer(LAYER, ARRAY, "pairs", pattern_set="corner4", assign="round-robin")
    comp = plan.compression
    panel.show_plan(plan)
    f = panel.figures()
    # corner 4-entry patterns on a 3x3 PW: 2P-1 = 5 of 9 rows skipped per channel
    assert (comp.dense_rows, comp.kept_rows, comp.base.ar, plan.ar) == (288, 128, 3, 1)
    assert f["rows"] == f"{comp.dense_rows} → {comp.kept_rows}"
    assert f["skipped"].startswith(numbers.count(comp.rows_skipped))
    assert f["rate"] == numbers.ratio(comp.compression_rate) == "2.25×"
    assert f["tiles"] == f"{comp.base.ar} → {plan.ar}"
    assert f["cycles"].startswith(f"{numbers.count(comp.base.cycles)} → {numbers.count(plan.cycles)}")
    assert "round-robin" in f["rule"] and f["base"].startswith("SDK")
    assert "channels" not in f and "lost" not in f and not panel.hint.isVisible()

    grid = panel.grid
    assert grid.mode == "pairs" and grid.patterns == comp.patterns
    np.testing.assert_array_equal(grid.counts, np.bincount(comp.pattern_of))
    strip = _item_rect(grid, "strip")
    first = QPointF(strip.left() + 2, strip.top() + 2)
    assert grid.hover_text(first) == f"channel 0: pattern p{comp.pattern_of[0]} {comp.patterns[comp.pattern_of[0]]}"
    glyph = _item_rect(grid, "pattern", 1)
    assert grid.hover_text(glyph.center()).startswith(f"pattern p1 {comp.patterns[1]}: 8 channels")

    m = panel.map
    assert m.isVisible() and panel.reading_row.isVisible()
    np.testing.assert_array_equal(m.skipped, (~comp.row_keep).sum(axis=0))
    assert m.reading == "skipped"  # PAIRS opens on the channels skipping each PW pixel
    assert int(m.skipped.sum()) == comp.rows_skipped
    panel.reading.button(0).click()
    assert m.reading == "utilization" and m.cell_text(0, 0) == "1"


def test_kerntrol_corners_omitted_and_copy_shapes(panel, qtbot):
    plan = candidate_plan(LAYER, ARRAY, "kerntrol", 2, 2, threshold=0.25)
    comp = plan.compression
    panel.show_plan(plan)
    m = panel.map
    corners = np.zeros((4, 4), dtype=bool)
    corners[[0, 0, 3, 3], [0, 3, 0, 3]] = True
    np.testing.assert_array_equal(m.omitted, corners)
    np.testing.assert_array_equal(m.omitted, omitted_pixels(plan, 0.25))
    np.testing.assert_array_equal(m.utilization, row_utilization(plan))
    assert m.cell_text(0, 0) == "1/4" and m.cell_text(1, 1) == "1" and m.cell_text(0, 1) == "1/2"
    assert "omitted" in m.pixel_hover(0, 0) and m.pixel_hover(1, 1).endswith("kept")
    assert not panel.reading_row.isVisible()

    grid = panel.grid
    assert grid.mode == "kerntrol" and grid.shapes.shape == (4, 3, 3)
    assert grid.shapes.sum(axis=(1, 2)).tolist() == [8] * 4
    np.testing.assert_array_equal(grid.shapes, kernel_masks(plan)[:, 0])
    lost = comp.to_dict(plan)["compression"]["kernel_elements_lost_per_copy"]
    assert panel.figures()["lost"] == f"{lost[0]} of 9 in each of 4 copies"
    rect, cs = next((it[1], it[3]) for it in grid._items_for_width() if it[0] == "copy" and it[2] == 0)
    assert grid.hover_text(QPointF(rect.left() + cs / 2, rect.top() + cs / 2)).endswith("its row is omitted")

    r = m._grid_rect(m.width())
    pos = QPointF(r.left() + 3, r.top() + 3)
    with qtbot.waitSignal(panel.hovered) as sig:  # hovering the map names the pixel
        QApplication.sendEvent(m, QMouseEvent(QMouseEvent.MouseMove, pos, m.mapToGlobal(pos),
                                              Qt.NoButton, Qt.NoButton, Qt.NoModifier))
    assert sig.args[0].startswith("PW pixel (0,0): covered by 1 of 4 windows")


def test_kerntrol_compensatory_extra_weights(panel):
    plan = candidate_plan(LAYER, ARRAY, "kerntrol", 3, 3, threshold=0.25, variant="compensatory")
    panel.show_plan(plan)
    c = plan.compression.to_dict(plan)["compression"]
    f = panel.figures()
    assert f["extra"].startswith(", ".join(str(v) for v in c["extra_weights_per_copy"]))
    assert f["lost"].startswith(", ".join(str(v) for v in c["kernel_elements_lost_per_copy"]))
    assert panel.grid.extra is not None and panel.grid.extra.any()


def test_vwc_sdk_lists_removed_channels_of_a_preset_chain(panel):
    plans = map_many(load_preset("vgg13-paper").layers, ArraySpec(512, 512), "vwc-sdk")
    plan = next(p for p in plans if p.compression.channels_removed.size and p.compression.out_channels_removed(p).size)
    comp = plan.compression
    panel.show_plan(plan)
    f = panel.figures()
    removed, out_removed = comp.channels_removed, comp.out_channels_removed(plan)
    assert f["channels"] == f"{removed.size} of {plan.group.in_c}: {id_ranges(removed, limit=6)}"
    assert panel.values["channels"].toolTip() == id_ranges(removed)
    assert f["out_channels"].startswith(f"{out_removed.size} of {plan.group.out_c}")
    np.testing.assert_array_equal(panel.grid.in_removed, removed)
    np.testing.assert_array_equal(panel.grid.out_removed, out_removed)
    assert f["note"] == comp.note


def test_no_compression_hint_and_map(panel):
    panel.show_plan(None)
    assert panel.hint.isVisible() and panel.hint.text() == NO_COMPRESSION
    assert not panel.map.isVisible() and not panel.grid.isVisible() and panel.figures() == {}

    plan = map_layer(LAYER, ARRAY, "vw-sdk")
    panel.show_plan(plan)
    assert panel.hint.isVisible() and "pick PAIRS, KERNTROL or VWC-SDK" in panel.hint.text()
    assert panel.map.isVisible() and not panel.grid.isVisible()  # the PW map means something for any PW
    np.testing.assert_array_equal(panel.map.utilization, row_utilization(plan))

    regions = map_layer(ConvLayer("odd", 17, 17, 32, 32, 3, 3, 1, 1, 1, 1), ARRAY, "xbar-opt")
    assert regions.regions
    panel.show_plan(regions)
    assert not panel.map.isVisible()  # several PWs: no single map


def test_thousands_of_channels_are_one_image(panel):
    layer = ConvLayer("wide", 8, 8, 4096, 16, 3, 3, 1, 1, 1, 1)
    plan = map_layer(layer, ArraySpec(512, 512), "pairs", pattern_set="edge6", assign="random")
    panel.show_plan(plan)
    grid = panel.grid
    strip = next(it[1] for it in grid._items_for_width() if it[0] == "strip")
    assert strip.rows * strip.cols >= 4096 and strip.rect.width() <= grid.width()
    assert grid.findChildren(type(grid)) == [] and grid.height() >= strip.rect.bottom()
    last = strip.rect.left() + (4095 % strip.cols + 0.5) * strip.cell, strip.rect.top() + (4095 // strip.cols + 0.5) * strip.cell
    assert grid.hover_text(QPointF(*last)).startswith("channel 4095: pattern p")
    grid.grab()  # paints without error
