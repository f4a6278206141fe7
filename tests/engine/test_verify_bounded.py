"""verify in bounded memory (issue 13 item 3): a tile is simulated in blocks of cells, so a
layer on a 32768 x 32768 array needs no more memory than the blocks, and the result is the
same; a layer whose operands alone are too large is refused with a message."""
import tracemalloc

import numpy as np
import pytest

from engine import ArraySpec, ConvLayer, map_layer
from engine import simulate as sim
from engine.errors import XbarError
from engine.methods import METHODS
from engine.simulate import random_operands, simulate, verify, verify_size_problem

BIG = ArraySpec(32768, 32768)


def test_a_big_tile_verifies_in_a_small_memory_budget(monkeypatch):
    # 4608 used rows x 1024 used columns: the unblocked cell maps (several int64 arrays of
    # rows x columns) took over 300 MB; with blocks of 2**16 cells the whole proof fits in 48 MB.
    layer = ConvLayer("big", 2, 2, 512, 1024, 3, 3, pad_h=1, pad_w=1)
    plan = map_layer(layer, BIG, "im2col")
    assert (plan.ar, plan.ac) == (1, 1)
    monkeypatch.setattr(sim, "_CHUNK", 1 << 16)
    tracemalloc.start()
    try:
        ok = verify(layer, BIG, plan)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert ok
    assert peak < 48 * 2 ** 20, f"peak {peak / 2 ** 20:.0f} MB"


@pytest.mark.parametrize("method", list(METHODS))
@pytest.mark.parametrize("chunk", [1, 7, 64])
def test_blocked_simulation_equals_the_direct_convolution(monkeypatch, method, chunk):
    """Tiny blocks (down to one row and one column at a time) change nothing in the result."""
    monkeypatch.setattr(sim, "_CHUNK", chunk)
    rng = np.random.default_rng(3)
    for layer, array in ((ConvLayer("a", 6, 7, 5, 6, 3, 3, 1, 2, 1, 0), ArraySpec(40, 48, 2, 4)),
                         (ConvLayer("g", 5, 5, 8, 4, 3, 3, groups=2, pad_h=1, pad_w=1), ArraySpec(64, 32))):
        plan = map_layer(layer, array, method)
        x, w = random_operands(layer, array, rng)
        monkeypatch.setattr(sim, "_CHUNK", 1 << 22)
        want = simulate(layer, array, plan, x, w)
        monkeypatch.setattr(sim, "_CHUNK", chunk)
        assert np.array_equal(simulate(layer, array, plan, x, w), want)
        assert verify(layer, array, plan)


def test_a_layer_too_large_to_verify_says_so():
    layer = ConvLayer("huge", 3, 3, 16384, 16384, 3, 3, pad_h=1, pad_w=1)  # 2.4e9 weights
    plan = map_layer(layer, BIG, "im2col")
    assert "too large to verify" in verify_size_problem(layer, plan)
    with pytest.raises(XbarError, match="huge.*too large to verify.*weights"):
        verify(layer, BIG, plan)
    small = ConvLayer("s", 3, 3, 16, 16, 3, 3)
    assert verify_size_problem(small, map_layer(small, BIG, "im2col")) is None
