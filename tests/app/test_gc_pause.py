"""Background jobs run with the cyclic garbage collector off, and what exists when the last
one ends is frozen out of later collections (app.workers.GC_PAUSE): a collection holds the
interpreter lock, and at 100,000 layers one froze the window for 100-200 ms. Freezing keeps
nothing a collection would have freed only because mapping leaves no reference cycles."""
from __future__ import annotations

import gc

from app import workers
from engine import ArraySpec, ConvLayer
from engine.batch import MapRequest, MapResult, map_network
from engine.network import Network
from engine.plan import Plan


def test_a_job_runs_without_the_collector_and_freezes_what_it_leaves(qtbot, runner):
    seen = []

    def job(request, progress, should_stop):
        seen.append(gc.isenabled())
        return [object() for _ in range(request)]

    gc.unfreeze()
    assert gc.isenabled() and gc.get_freeze_count() == 0
    ends = []
    runner.ended.connect(ends.append)
    runner.start(job, 1000)
    qtbot.waitUntil(lambda: bool(ends), timeout=10000)
    try:
        assert seen == [False] and gc.isenabled()
        assert gc.get_freeze_count() > 0  # the objects alive at the job's end
    finally:
        gc.unfreeze()


def test_nested_jobs_turn_the_collector_back_on_once_both_end():
    pause = workers._GcPause()
    try:
        with pause:
            with pause:
                assert not gc.isenabled()
            assert not gc.isenabled()  # one job still runs
        assert gc.isenabled()
        gc.disable()  # a collector the app had off stays off
        with pause:
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
        gc.unfreeze()


def test_mapping_again_and_again_leaves_no_cyclic_garbage():
    layers = tuple(ConvLayer(f"c{i}", 14 + i % 5, 14, 16 * (1 + i % 3), 32, 3, 3, pad_h=1, pad_w=1)
                   for i in range(300))
    net = Network("cycles", layers)
    request = MapRequest(net.layers, ArraySpec(128, 128), ("im2col", "sdk", "vw-sdk", "vw-flat", "xbar-opt"), {})
    result = map_network(request)  # once first: one-off caches (e.g. inspect's signature parsing) may make cycles
    for m in request.methods:
        result.figures(m), result.chip_needs(m), result.totals()
    del result
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)  # what a collection finds is kept in gc.garbage to look at
    try:
        for _ in range(3):
            result = map_network(request)
            for m in request.methods:
                result.figures(m), result.chip_needs(m), result.totals()
            del result
        gc.collect()
        ours = [o for o in gc.garbage if isinstance(o, (Plan, MapResult, ConvLayer, Network))]
        assert ours == [] and len(gc.garbage) == 0  # nothing a collection would free: safe to freeze
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
