"""Cooperative cancel of long engine jobs (issue 13 item 4, issue 18): whole-network passes
(vw-sdk, vwc-sdk, every method), the array-size sweep and the design-space grids check their
stop flag often. A flag set after the first progress report (or the first check) stops the
job: counted in layers mapped or slices computed, never timed."""
import random

import numpy as np
import pytest

from engine import ArraySpec, ConvLayer
from engine import methods as M
from engine.batch import MapRequest, SweepRequest, map_network, sweep
from engine.compress import vwc_sdk
from engine.compress.grid import compressed_grid
from engine.errors import Cancelled
from engine.methods import METHODS, map_many
from engine.methods import vw_sdk as V
from engine.methods.vw_sdk import candidate_grid

A = ArraySpec(512, 512)


def distinct_layers(n: int, seed: int = 0) -> tuple:
    rnd = random.Random(seed)
    seen: dict = {}
    while len(seen) < n:
        seen.setdefault((rnd.randint(3, 40), rnd.randint(3, 40), rnd.randint(1, 96), rnd.randint(1, 96)), None)
    return tuple(ConvLayer(f"l{i}", h, w, ic, oc, 3, 3) for i, (h, w, ic, oc) in enumerate(seen))


LAYERS = distinct_layers(5000)


class Flag:
    """progress() counts reports; the flag is set at report number `after` (1: the first)."""

    def __init__(self, after: int = 1):
        self.after, self.reports, self.set = after, 0, False

    def progress(self, done, total, text):
        self.reports += 1
        if self.reports >= self.after:
            self.set = True

    def should_stop(self) -> bool:
        return self.set


@pytest.fixture
def mapped(monkeypatch):
    """Counts the layers the batch passes of vw-sdk and the per-layer vwc-sdk step map."""
    seen = {"layers": 0}
    batch = M._BATCH["vw-sdk"]

    def counting(layers, array, *a):
        seen["layers"] += len(layers)
        return batch(layers, array, *a)

    monkeypatch.setitem(M._BATCH, "vw-sdk", counting)
    one = vwc_sdk.vwc_layer

    def counting_vwc(*a, **k):
        seen["layers"] += 1
        return one(*a, **k)

    monkeypatch.setattr(vwc_sdk, "vwc_layer", counting_vwc)
    return seen


@pytest.mark.parametrize("after", [1, 3])
def test_map_network_vw_sdk_stops_within_a_slice(mapped, after):
    flag = Flag(after)
    with pytest.raises(Cancelled):
        map_network(MapRequest(LAYERS, A, ("vw-sdk",)), flag.progress, flag.should_stop)
    # Report 1 comes before the pass, report k >= 2 before slice k-2, then the check: k-2 slices ran.
    assert flag.reports == max(after, 2)
    assert mapped["layers"] == max(0, after - 2) * M._CHUNK_LAYERS < len(LAYERS)


@pytest.mark.parametrize("after", [1, 3])
def test_map_network_vwc_sdk_stops_early(mapped, after):
    flag = Flag(after)
    with pytest.raises(Cancelled):
        map_network(MapRequest(LAYERS, A, ("vwc-sdk",)), flag.progress, flag.should_stop)
    assert flag.reports == after
    # Report 1 before the pass (the searches up front check the flag), k >= 2 every _STEP layers.
    assert mapped["layers"] == max(0, after - 2) * vwc_sdk._STEP < len(LAYERS)


def test_every_method_stops_after_the_first_report_of_its_pass():
    for m in METHODS:
        flag = Flag(2)  # the first report of map_network, then the method's first slice
        with pytest.raises(Cancelled):
            map_network(MapRequest(LAYERS[:1500], A, (m,)), flag.progress, flag.should_stop)
        assert flag.reports == 2, m


def test_map_many_of_a_per_layer_method_checks_before_every_layer(monkeypatch):
    calls = {"n": 0}
    fn = M.METHODS["sdk"]

    def counting(layer, array, *a):
        calls["n"] += 1
        return fn(layer, array, *a)

    monkeypatch.setitem(M.METHODS, "sdk", counting)
    state = {"checks": 0}

    def should_stop():
        state["checks"] += 1
        return calls["n"] >= 5

    with pytest.raises(Cancelled):
        map_many(LAYERS[:200], A, "sdk", should_stop=should_stop)
    assert calls["n"] == 5


def test_sweep_stops_inside_a_whole_network_pass(mapped):
    flag = Flag(1)
    arrays = (ArraySpec(256, 256), ArraySpec(512, 512))
    with pytest.raises(Cancelled):
        sweep(SweepRequest(LAYERS, arrays, ("vw-sdk",)), flag.progress, flag.should_stop)
    assert flag.reports == 1 and mapped["layers"] == 0  # before: the whole first pass ran


def test_uncancelled_runs_are_unchanged(mapped):
    flag = Flag(10 ** 9)
    res = map_network(MapRequest(LAYERS[:1200], A, ("vw-sdk", "vwc-sdk", "pairs")), flag.progress, flag.should_stop)
    plain = map_network(MapRequest(LAYERS[:1200], A, ("vw-sdk", "vwc-sdk", "pairs")))
    assert res.plans == plain.plans
    assert flag.reports > 3  # reports inside the passes, not only between methods


def _grids(layer, array, should_stop=None):
    oh, ow = layer.out_h, layer.out_w
    nh = np.arange(1, oh + 1, dtype=np.int64)[:, None]
    nw = np.arange(1, ow + 1, dtype=np.int64)[None, :]
    yield candidate_grid(layer, array, nh, nw, should_stop=should_stop)
    for m in ("pairs", "kerntrol", "vwc-sdk"):
        yield compressed_grid(layer, array, m, nh, nw, should_stop=should_stop)
    yield compressed_grid(layer, array, "pairs", nh, nw, should_stop=should_stop, base="vw-sdk", assign="random")


def test_sliced_grids_equal_the_whole_grid(monkeypatch):
    monkeypatch.setattr(V, "_GRID_CHUNK", 50)
    layer = ConvLayer("g", 40, 30, 37, 20, 3, 3, pad_h=1, pad_w=1)
    for whole, sliced in zip(_grids(layer, A), _grids(layer, A, lambda: False)):
        assert whole.keys() == sliced.keys()
        for k in whole:
            assert np.array_equal(np.broadcast_to(whole[k], sliced[k].shape), sliced[k]), k


def test_design_grid_stops_between_slices(monkeypatch):
    monkeypatch.setattr(V, "_GRID_CHUNK", 1 << 12)
    layer = ConvLayer("big", 512, 512, 64, 64, 3, 3, pad_h=1, pad_w=1)  # 512 x 512 candidates: 64 slices
    for i in range(5):
        checks = {"n": 0}

        def should_stop():
            checks["n"] += 1
            return checks["n"] > 2  # set after the first slice

        with pytest.raises(Cancelled):
            list(_grids(layer, A, should_stop))[i]  # noqa: B018
        assert checks["n"] == 3


@pytest.mark.parametrize("fmt", ["csv", "neurosim", "scalesim"])
def test_a_layer_list_import_stops_between_rows(tmp_path, fmt):
    """A cancelled import of a long CSV list stops within STOP_EVERY rows (it ran on to the
    end: 1.4 s for 100,000 rows); so does a project that references it."""
    from engine.formats import load_network, save_network
    from engine.formats.csvrows import STOP_EVERY
    from engine.network import Network

    n = 5 * STOP_EVERY
    layers = tuple(ConvLayer(f"l{i}", 8 + i % 7, 8 + i % 7, 4, 4, 3, 3) for i in range(n))
    path = tmp_path / f"big.{fmt}.csv"
    save_network(Network("big", layers), path, fmt)
    assert len(load_network(path, fmt, should_stop=lambda: False).layers) == n  # unchanged when not stopped

    asked = []

    def stop():
        asked.append(1)
        return len(asked) >= 2

    with pytest.raises(Cancelled):
        load_network(path, fmt, should_stop=stop)
    assert len(asked) == 2  # the second check, about 2 * STOP_EVERY rows in: not the end of the file

    project = tmp_path / "p.xbarscope.json"
    project.write_text('{"format": "xbarscope-project", "version": 1, "network_file": "%s", '
                       '"array": {"rows": 64, "cols": 64}}' % path.name)
    asked.clear()
    from engine.formats.project import load_project

    with pytest.raises(Cancelled):
        load_project(project, should_stop=stop)
    assert len(asked) == 2
