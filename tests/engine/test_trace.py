"""engine.trace (issue 15): the values of every cycle, by random access, add up to the OFM."""
import numpy as np
import pytest

from engine import ArraySpec, ConvLayer, METHODS, map_layer
from engine.compress import dense_plan
from engine.layout import tile_layout
from engine.schedule import Schedule
from engine.simulate import direct_conv
from engine.trace import Trace, trace_operands
from engine.weights import quantize

CASES = [
    ConvLayer("stride2_pad", 11, 9, 5, 7, 3, 3, 2, 2, 1, 1),
    ConvLayer("rect_kernel", 10, 13, 6, 5, 2, 4, 1, 2, 0, 1),
    ConvLayer("grouped", 8, 8, 8, 12, 3, 3, 1, 1, 1, 1, groups=4),
    ConvLayer("residual_tiles", 7, 7, 37, 45, 3, 3, 1, 1, 1, 1),
    ConvLayer.linear("fc", 70, 33),
]
ARRAYS = [ArraySpec(64, 48, 1, 1), ArraySpec(50, 40, 3, 4), ArraySpec(96, 64, 2, 8)]
OPTIONS = {"kerntrol": {"variant": "compensatory", "threshold": 0.3}, "vwc-sdk": {"max_prune": 0.5}}


def plan_of(layer, array, method):
    return map_layer(layer, array, method, **OPTIONS.get(method, {}))


def add_cycle(out, cv, cell_bits):
    """Add one cycle's partial sums into the OFM at the reported coordinates."""
    f = cv.feeding
    np.add.at(out, (cv.cols.oc[f], cv.cols.oy[f], cv.cols.ox[f]),
              cv.partial[f] * (1 << (cv.col_bit[f].astype(np.int64) * cell_bits)))


def summed(trace, last=None):
    L = trace.plan.layer
    out = np.zeros((L.out_c, L.out_h, L.out_w), dtype=np.int64)
    for t in range(trace.total if last is None else last + 1):
        add_cycle(out, trace.cycle(t), trace.plan.array.cell_bits)
    return out


@pytest.mark.parametrize("array", ARRAYS, ids=["1bit", "4bit_3bitcells", "8bit_2bitcells"])
@pytest.mark.parametrize("method", list(METHODS))
@pytest.mark.parametrize("layer", CASES, ids=lambda l: l.name)
def test_partial_sums_of_all_cycles_are_the_convolution(layer, method, array):
    plan = plan_of(layer, array, method)
    ops = trace_operands(layer, array, plan, seed=5)
    trace = Trace.of(plan, ops)
    out = summed(trace)
    if plan.compression is None:
        assert np.array_equal(out, direct_conv(layer, ops.x, ops.w))
    assert np.array_equal(out, trace.expected())  # compressed: the pruned layer's reference


def test_the_cases_cover_regions_compression_and_residual_tiles():
    a = ARRAYS[1]
    assert plan_of(CASES[2], a, "xbar-opt").regions  # a region plan
    kern = plan_of(CASES[2], a, "kerntrol")  # compensatory weights, on a grouped layer
    assert kern.compression.extra is not None and kern.copies > 1
    p = plan_of(CASES[3], ARRAYS[0], "pairs")
    assert p.compression.rows_skipped and p.ar > 1
    v = plan_of(CASES[3], ARRAYS[0], "vwc-sdk")
    assert v.compression.channels_removed.size
    assert plan_of(CASES[3], ARRAYS[0], "vw-sdk").group.in_c % plan_of(CASES[3], ARRAYS[0], "vw-sdk").ict


@pytest.mark.parametrize("method", ["kerntrol", "pairs", "vwc-sdk"])
def test_compressed_extra_weights_and_dense_view(method):
    layer, array = ConvLayer("c", 8, 8, 3, 4, 3, 3, 1, 1, 1, 1), ArraySpec(256, 64, 1, 4)
    plan = plan_of(layer, array, method)
    ops = trace_operands(layer, array, plan, seed=2)
    if method == "kerntrol":
        assert ops.extra is not None
    want = Trace.of(plan, ops).expected()
    assert np.array_equal(summed(Trace.of(plan, ops)), want)
    assert np.array_equal(summed(Trace(dense_plan(plan), ops.x, ops.w, ops.extra)), want)


def fields(cv):
    c = cv.cycle
    return ((c.index, c.group, c.b, c.a, c.py, c.px, c.region, cv.tile_change), cv.in_channels, cv.out_channels,
            cv.rows.c, cv.rows.iy, cv.rows.ix, cv.rows.padding, cv.row_values, cv.cols.oc, cv.cols.oy, cv.cols.ox,
            cv.col_copy, cv.col_bit, cv.partial, cv.recombined)


def same(a, b):
    return all(np.array_equal(x, y) for x, y in zip(fields(a), fields(b)))


@pytest.mark.parametrize("method,order", [("vw-sdk", "weight"), ("im2col", "input"), ("xbar-opt", "weight"),
                                          ("pairs", "weight"), ("sdk", "input")])
def test_random_access_equals_sequential_walk(method, order):
    layer, array = CASES[2], ARRAYS[1]
    plan = plan_of(layer, array, method)
    ops = trace_operands(layer, array, plan, seed=1)
    walk = Trace(plan, ops.x, ops.w, ops.extra, order)
    seq = [walk.cycle(t) for t in range(walk.total)]
    jumper = Trace(plan, ops.x, ops.w, ops.extra, order, keep_tiles=1)
    for t in np.random.default_rng(0).permutation(walk.total):
        assert same(jumper.cycle(int(t)), seq[t])
    keys = [(c.cycle.region, c.cycle.group, c.cycle.b, c.cycle.a) for c in seq]
    changes = [t for t, cv in enumerate(seq) if cv.tile_change]
    assert changes == [t for t in range(len(keys)) if t == 0 or keys[t] != keys[t - 1]]
    if order == "weight":  # weight-stationary: each tile is loaded once
        assert len(changes) == len(set(keys))


@pytest.mark.parametrize("method,order", [("vw-sdk", "weight"), ("im2col", "weight"), ("xbar-opt", "weight"),
                                          ("xbar-opt", "input"), ("vwc-sdk", "input"), ("kerntrol", "weight"),
                                          ("sdk", "input")])
def test_accumulator_is_the_sum_of_the_cycles_so_far(method, order):
    layer, array = CASES[3], ARRAYS[1]
    if method == "xbar-opt":
        layer = CASES[2]
    plan = plan_of(layer, array, method)
    ops = trace_operands(layer, array, plan, seed=4)
    trace = Trace(plan, ops.x, ops.w, ops.extra, order)
    L, cb = layer, array.cell_bits
    out = np.zeros((L.out_c, L.out_h, L.out_w), dtype=np.int64)
    check = set(np.linspace(0, trace.total - 1, 7).astype(int).tolist())
    sched = Schedule(plan, order)
    for t in range(trace.total):
        add_cycle(out, trace.cycle(t), cb)
        if t in check:
            for oc in range(0, L.out_c, 4):
                values, state = trace.accumulator(t, oc)
                assert np.array_equal(values, out[oc]), (t, oc)
                assert np.array_equal(state, sched.ofm_state(t, oc))
    assert np.array_equal(out, trace.expected())
    assert (trace.accumulator(trace.total - 1, 0)[1] == 2).all() or plan.compression is not None


def test_accumulator_of_a_late_cycle_needs_no_replay():
    layer = ConvLayer("long", 64, 64, 16, 8, 3, 3, pad_h=1, pad_w=1)
    array = ArraySpec(32, 32, 1, 2)
    plan = map_layer(layer, array, "im2col")
    assert plan.cycles > 10 ** 4
    ops = trace_operands(layer, array, plan, seed=0)
    trace = Trace.of(plan, ops)
    values, state = trace.accumulator(trace.total - 1, 3)
    assert np.array_equal(values, direct_conv(layer, ops.x, ops.w)[3]) and (state == 2).all()
    t = trace.total // 2 + 17  # the accumulator table holds, per row tile, the cycle that adds it
    tab = trace._table(0, 3)
    assert np.array_equal(trace.accumulator(t, 3)[0], np.where(tab.cycle <= t, tab.value, 0).sum(0))


def test_recombined_weights_and_partials():
    layer, array = CASES[0], ArraySpec(50, 40, 3, 8)  # 3 slices per weight
    plan = map_layer(layer, array, "vw-sdk")
    ops = trace_operands(layer, array, plan, seed=9)
    trace = Trace.of(plan, ops)
    cv = trace.cycle(0)
    lay = tile_layout(plan, cv.cycle.a, cv.cycle.b)
    r, c = np.nonzero(lay.kernel & (lay.bit == 0))
    want = ops.w[lay.cols.oc[c], lay.rows.c[r], lay.ky[r, c], lay.kx[r, c]]
    assert r.size and np.array_equal(trace.weights(0, r, c), want)
    assert np.array_equal(trace.weights(0, r, c + 1), want)  # any slice column names its weight
    zr, zc = np.nonzero(~lay.kernel)
    assert (trace.weights(0, zr, zc) == 0).all()
    cpw = array.cells_per_weight
    logical = (cv.partial[: array.logical_cols * cpw].reshape(-1, cpw) << (np.arange(cpw) * 3)).sum(1)
    assert np.array_equal(cv.recombined, logical)


def test_rows_carry_the_ifm_values_and_padding():
    layer, array = CASES[0], ARRAYS[0]
    plan = map_layer(layer, array, "sdk")
    ops = trace_operands(layer, array, plan, seed=3)
    cv = Trace.of(plan, ops).cycle(0)  # the corner PW: padding rows
    pad = cv.rows.padding
    assert pad.any() and (cv.row_values[pad] == 0).all() and (cv.rows.iy[pad] == -1).all()
    ok = cv.driven & ~pad
    assert np.array_equal(cv.row_values[ok], ops.x[cv.rows.c[ok], cv.rows.iy[ok], cv.rows.ix[ok]])
    assert cv.tile_change and set(cv.in_channels.tolist()) == set(cv.rows.c[cv.driven].tolist())


def test_operands_are_seeded_and_model_weights_quantized():
    layer, array = CASES[1], ArraySpec(64, 48, 2, 6)
    plan = map_layer(layer, array, "vw-sdk")
    a, b = trace_operands(layer, array, plan, 11), trace_operands(layer, array, plan, 11)
    assert np.array_equal(a.x, b.x) and np.array_equal(a.w, b.w) and a.seed == 11 and a.weights == "random"
    assert not np.array_equal(a.x, trace_operands(layer, array, plan, 12).x)
    fw = np.random.default_rng(0).normal(size=a.w.shape).astype(np.float32)
    m = trace_operands(layer, array, plan, 11, fw)
    q = quantize(fw, 6)
    assert m.weights == "model" and np.array_equal(m.w, q.values) and m.scale == q.scale
    assert np.array_equal(m.x, a.x)
    assert np.array_equal(summed(Trace.of(plan, m)), direct_conv(layer, m.x, m.w))


def test_bad_requests_are_refused():
    layer, array = CASES[0], ARRAYS[0]
    plan = map_layer(layer, array, "vw-sdk")
    ops = trace_operands(layer, array, plan)
    trace = Trace.of(plan, ops)
    with pytest.raises(IndexError):
        trace.cycle(trace.total)
    with pytest.raises(IndexError):
        trace.accumulator(0, layer.out_c)
    with pytest.raises(ValueError, match="weight shape"):
        Trace(plan, ops.x, ops.w[:, :1])


def test_small_blocks_give_the_same_values(monkeypatch):
    """Tile matrices and accumulator tables are built in blocks bounded by _CHUNK: any block
    size gives the same numbers."""
    import engine.trace_accumulate as acc
    import engine.trace_tiles as tiles

    layer, array = CASES[3], ARRAYS[2]
    plan = map_layer(layer, array, "vw-sdk")
    ops = trace_operands(layer, array, plan, seed=6)
    big = Trace.of(plan, ops)
    want = [big.cycle(t) for t in (0, big.total // 2, big.total - 1)]
    tables = [big.accumulator(t, 5)[0] for t in (3, big.total - 1)]
    monkeypatch.setattr(acc, "_CHUNK", 7)
    monkeypatch.setattr(tiles, "_CHUNK", 5)
    small = Trace.of(plan, ops)
    assert all(same(small.cycle(cv.cycle.index), cv) for cv in want)
    assert all(np.array_equal(small.accumulator(t, 5)[0], v) for t, v in zip((3, big.total - 1), tables))


@pytest.mark.parametrize("method", ["vw-sdk", "xbar-opt", "sdk"])
def test_contributions_of_an_output_are_its_cycles(method):
    layer, array = CASES[2], ARRAYS[1]
    plan = plan_of(layer, array, method)
    ops = trace_operands(layer, array, plan, seed=8)
    trace = Trace.of(plan, ops)
    want = trace.expected()
    for oc, y, x in ((0, 0, 0), (7, 3, 5), (11, layer.out_h - 1, layer.out_w - 1)):
        cycles, values = trace.contributions(oc, y, x)
        assert cycles.size == plan.parts[0].ar or plan.regions
        assert values.sum() == want[oc, y, x]
        for c, v in zip(cycles, values):
            cv = trace.cycle(int(c))
            hit = (cv.cols.oc == oc) & (cv.cols.oy == y) & (cv.cols.ox == x)
            assert hit.any() and (cv.partial[hit] << (cv.col_bit[hit] * array.cell_bits)).sum() == v


@pytest.mark.parametrize("order", ["weight", "input"])
@pytest.mark.parametrize("method", list(METHODS))
@pytest.mark.parametrize("layer", CASES[:4], ids=lambda l: l.name)
def test_contributing_cycles_are_the_cycles_whose_columns_feed_the_output(layer, method, order):
    """Schedule.contributing_cycles (the OFM timeline, no values needed) against a scan of
    every cycle's column targets, and against the trace's own contributions."""
    array = ARRAYS[1]
    plan = plan_of(layer, array, method)
    s = Schedule(plan, order)
    fed = {}
    for t in range(s.total):
        tg = s.col_targets(t)
        for key in set(zip(tg.oc[tg.oc >= 0].tolist(), tg.oy[tg.oc >= 0].tolist(), tg.ox[tg.oc >= 0].tolist())):
            fed.setdefault(key, []).append(t)
    trace = Trace.of(plan, trace_operands(layer, array, plan, seed=2), order)
    for oc in range(layer.out_c):
        for y in range(layer.out_h):
            for x in range(layer.out_w):
                got = s.contributing_cycles(oc, y, x)
                assert np.array_equal(got, trace.contributions(oc, y, x)[0])
                real = sorted(set(got[got < s.total].tolist()))
                assert real == fed.get((oc, y, x), [])
