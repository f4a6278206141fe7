"""MapResult.figures: one method's per-layer figures as columns, equal to the plans' own."""
import numpy as np
import pytest

from engine import ArraySpec
from engine.energy import EnergyModel
from engine.batch import MapRequest, map_network
from engine.compress.views import compression_fields
from engine.methods import METHODS
from engine.presets import load_preset


@pytest.fixture(scope="module")
def result():
    net = load_preset("resnet18-paper")
    return map_network(MapRequest(net.layers, ArraySpec(256, 256, 2, 4), tuple(METHODS)))


@pytest.mark.parametrize("method", METHODS)
def test_columns_are_the_plans_figures_and_sums_are_exact(result, method):
    plans = [p[method] for p in result.plans]
    before = (result.totals()[method], result.lower_bound_total(method))
    f = result.figures(method)
    assert f is result.figures(method)  # made once
    assert f.cycles.tolist() == [p.cycles for p in plans]
    assert f.lower_bound.tolist() == [p.lower_bound for p in plans]
    assert f.efficiency.tolist() == [p.efficiency for p in plans]
    assert [f.adc.tolist(), f.dac.tolist(), f.macs.tolist()] == [
        [p.conversions().adc for p in plans], [p.conversions().dac for p in plans],
        [p.conversions().macs for p in plans]]
    assert (result.totals()[method], result.lower_bound_total(method)) == before  # the columns' sums
    model = EnergyModel(3.0, 0.5, 0.01)
    assert f.conversions_total().energy_pj(model) == pytest.approx(sum(p.conversions().energy_pj(model) for p in plans))
    assert f.mac_utilization_total() == pytest.approx(sum(p.mac_utilization * p.cycles for p in plans) / before[0])
    fields = [compression_fields(p) for p in plans]
    assert f.compressed == (fields[0] is not None) and f.removes_channels == (method == "vwc-sdk")
    if f.compressed:
        assert f.compression["rows_skipped"] == sum(x["rows_skipped"] for x in fields)
        assert f.compression["cycles_before"] == sum(x["cycles_before"] for x in fields)
        assert f.compression["compression_rate"] == (sum(x["rows_before"] for x in fields)
                                                     / sum(x["rows_after"] for x in fields))
    else:
        assert f.compression is None
    assert f.layout.T.tolist() == [[p.nh * p.nw, p.pix_h * p.pix_w, p.ict, p.oct, p.ar, p.ac] for p in plans]
    assert f.utilization.T.tolist() == [[p.weight_utilization, p.block_occupancy] for p in plans]
    if f.compressed:
        assert f.per_layer_compression[0].tolist() == [x["rows_skipped"] for x in fields]
        assert f.per_layer_compression[1].tolist() == [x["compression_rate"] for x in fields]
    else:
        assert np.isnan(f.per_layer_compression).all()


def test_chip_needs_are_made_once_and_equal_the_plans_needs(result):
    from engine.chip_needs import layer_needs

    for m in ("vw-sdk", "pairs", "xbar-opt"):
        n = result.chip_needs(m)
        assert n is result.chip_needs(m)
        want = layer_needs([p[m] for p in result.plans], m)
        assert (n.tiles == want.tiles).all() and (n.steps == want.steps).all() and n.names == want.names
    assert set(result.totals()) == set(result.request.methods)  # the chip keys are not methods
