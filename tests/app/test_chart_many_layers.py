"""Per-layer charts of a long network: bars up to BAR_LIMIT layers, one line per method beyond
(100,000 bars took 0.7 s per repaint), with the engine's values either way."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest

from engine import ArraySpec, ConvLayer
from engine.batch import MapRequest, map_network

from app.widgets.bound_chart import BoundChart
from app.widgets.chart_axes import BAR_LIMIT
from app.widgets.comparison_chart import ComparisonChart

METHODS = ("im2col", "vw-sdk")


def _result(n: int):
    layers = tuple(ConvLayer(f"l{i}", 8 + i % 5, 8, 3 + i % 7, 4 + i % 3, 3, 3) for i in range(n))
    return map_network(MapRequest(layers, ArraySpec(64, 64), METHODS))


@pytest.mark.parametrize("n,kind", [(40, pg.BarGraphItem), (BAR_LIMIT + 1, pg.PlotDataItem)])
def test_each_method_is_one_series_of_the_engine_values(qtbot, n, kind):
    result = _result(n)
    comparison, bound = ComparisonChart(), BoundChart()
    for chart in (comparison, bound):
        qtbot.addWidget(chart)
        chart.show_result(result, METHODS, "long")
    series = {"cycles": [i for i in comparison.cycles_plot.items if isinstance(i, (pg.BarGraphItem, pg.PlotDataItem))],
              "efficiency": [i for i in bound.layer_plot.items if isinstance(i, (pg.BarGraphItem, pg.PlotDataItem))]}
    for name, items in series.items():
        assert len(items) == len(METHODS) and all(isinstance(i, kind) for i in items), name
        for item, m in zip(items, METHODS):
            cycles = result.figures(m).cycles.astype(float)
            if comparison.log_scale.isChecked():  # the cycles axis is logarithmic by default
                cycles = np.log10(np.maximum(cycles, 1))
            want = cycles if name == "cycles" else 100 * result.figures(m).efficiency
            got = item.opts["height"] if kind is pg.BarGraphItem else item.yData
            assert np.allclose(got, want), (name, m)
