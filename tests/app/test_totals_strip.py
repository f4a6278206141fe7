"""The totals cards: numbers never cut, compact height, efficiency the right way round, and
the methods in one fixed order everywhere (cards, table rows, chart legends)."""
from __future__ import annotations

from PySide6.QtGui import QFontMetricsF

from engine import ArraySpec
from engine.batch import MapRequest, map_network
from engine.presets import load_preset

from app import method_style
from app.widgets.totals_strip import TotalsStrip

from .conftest import wait_for_charts

SCRAMBLED = ("kerntrol", "im2col", "pairs", "vw-sdk", "sdk", "xbar-opt", "vwc-sdk", "vw-flat")


def _result(methods):
    net = load_preset("vgg13-paper")
    return map_network(MapRequest(tuple(net.layers), ArraySpec(512, 512), method_style.ordered(methods)))


def test_ordered_is_one_fixed_order():
    assert method_style.ordered(SCRAMBLED) == method_style.ORDER
    assert method_style.ordered(("vw-sdk", "sdk", "sdk")) == ("sdk", "vw-sdk")
    assert method_style.ordered(("zz", "vw-sdk", "aa")) == ("vw-sdk", "zz", "aa")  # unknown last, as given


def test_numbers_fit_narrow_cards_and_the_strip_stays_compact(qtbot):
    strip = TotalsStrip()
    qtbot.addWidget(strip)
    strip.resize(900, 100)  # 8 methods in the width left beside the docks at 1280×720
    strip.show_result(_result(SCRAMBLED), SCRAMBLED, "vgg13-paper")
    strip.show()
    qtbot.waitExposed(strip)
    assert list(strip.cards) == list(method_style.ORDER)
    assert [strip._lay.itemAt(i).widget().method for i in range(len(method_style.ORDER))] == list(method_style.ORDER)
    sizes = set()
    for card in strip.cards.values():
        v = card.value
        assert "," in v.text()
        assert QFontMetricsF(v.font()).horizontalAdvance(v.text()) <= v.contentsRect().width(), card.method
        sizes.add(round(v.font().pointSizeF(), 2))
    assert len(sizes) == 1  # one size for all the numbers
    assert strip.sizeHint().height() <= 115


def test_efficiency_is_bound_over_cycles(qtbot):
    strip = TotalsStrip()
    qtbot.addWidget(strip)
    result = _result(("im2col", "sdk", "vw-sdk"))
    strip.resize(1200, 100)
    strip.show_result(result, ("im2col", "sdk", "vw-sdk"))
    strip.show()
    qtbot.waitExposed(strip)
    text = strip.cards["im2col"].detail.text()
    bound, cycles = result.lower_bound_total("im2col"), result.totals()["im2col"]
    assert f"efficiency {100 * bound / cycles:.1f} % (bound / cycles)" in text
    assert "of the lower bound" not in text
    assert "3.16× vs im2col" in strip.cards["vw-sdk"].detail.text()
    # Wide cards show the whole wording; the full one is in the card's tooltip whatever the width.
    assert strip.cards["vw-sdk"].bound.text() == strip.cards["vw-sdk"].bound.full_text
    assert "(bound / cycles)" in strip.cards["sdk"].toolTip()


def test_scrambled_ticks_give_one_order_in_cards_rows_and_legends(qtbot, open_app_window):
    w = open_app_window("vgg13-paper")
    qtbot.waitUntil(lambda: w.mapping.result is not None, timeout=20000)
    ed = w.array_editor
    for m in ed.method_boxes:
        ed.method_boxes[m].setChecked(False)
    with qtbot.waitSignal(w.mapping.result_ready, timeout=30000):
        for m in ("vw-flat", "kerntrol", "im2col", "vw-sdk"):  # ticked out of order
            ed.method_boxes[m].setChecked(True)
        w.mapping.run()
    qtbot.waitUntil(lambda: set(w.central.totals.cards) >= {"vw-flat", "kerntrol", "im2col", "vw-sdk"}, timeout=5000)
    want = [m for m in method_style.ORDER if m in w.mapping.result.request.methods and m in ed.methods()]
    assert list(w.central.totals.cards) == want
    rows = w.results_model.rows
    assert [r.method for r in rows if r.layer_index == 0] == want
    assert [r.method for r in rows if r.is_total] == want
    labels = [method_style.label(m) for m in want]
    wait_for_charts(qtbot, w)  # they redraw on a turn of their own
    for chart in (w.comparison.widget, w.bound_panel.widget):
        assert [label.text for _, label in chart.legend.items] == labels
        assert chart.methods == tuple(want)


def test_sorted_table_breaks_ties_in_method_order(qapp):
    from PySide6.QtCore import Qt

    from app.models.result_rows import COLUMN_INDEX
    from app.models.results_model import ROW_ROLE, ResultsModel, TotalsLastProxy

    model = ResultsModel()
    model.set_result(_result(("vw-sdk", "vw-flat", "im2col")), ("vw-sdk", "vw-flat", "im2col"))
    proxy = TotalsLastProxy()
    proxy.setSourceModel(model)
    proxy.sort(COLUMN_INDEX["layer"], Qt.AscendingOrder)  # every row of a layer ties on its name
    first = [proxy.index(r, 0).data(ROW_ROLE) for r in range(proxy.rowCount())]
    conv1 = [r.method for r in first if r.layer_index == 0]
    assert conv1 == ["im2col", "vw-sdk", "vw-flat"]


def test_the_order_does_not_depend_on_which_module_was_imported_first():
    """engine.methods.METHODS fills as modules import (vw_sdk imports flat): not a fixed order."""
    import subprocess
    import sys

    code = ("import app.models.results_model\nfrom app import method_style\n"
            "print(','.join(method_style.ordered(['vw-flat', 'kerntrol', 'vw-sdk', 'im2col'])))")
    from pathlib import Path

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2]).stdout
    assert out.strip() == "im2col,vw-sdk,vw-flat,kerntrol"


def test_eight_narrow_cards_show_every_title_and_detail_whole(qtbot):
    """At 1280x720 with all 8 methods the cards cut 'KERNTROL' and '1.43× im2col': a line that
    no wording fits is drawn up to 20 % smaller before it is elided, at its own height."""
    strip = TotalsStrip()
    qtbot.addWidget(strip)
    strip.resize(880, 100)
    strip.show_result(_result(SCRAMBLED), SCRAMBLED, "vgg13-paper")
    strip.show()
    qtbot.waitExposed(strip)
    for card in strip.cards.values():
        for label in (card.title, card.speedup, card.bound):
            assert "…" not in label.text() and label.text() in label.wordings, (card.method, label.text())
            assert QFontMetricsF(label.font()).horizontalAdvance(label.text()) <= label.width()
            assert label.font().pointSizeF() >= 0.8 * label._base.pointSizeF() - 1e-6
            assert label.height() >= QFontMetricsF(label._base).height() - 1
    assert strip.cards["kerntrol"].title.text() == "KERNTROL"
    assert any(label.font().pointSizeF() < label._base.pointSizeF() for card in strip.cards.values()
               for label in (card.title, card.speedup))  # drawn smaller, not cut
    strip.resize(1800, 100)  # room again: the label's own font
    qtbot.waitUntil(lambda: strip.cards["kerntrol"].title.font() == strip.cards["kerntrol"].title._base)
