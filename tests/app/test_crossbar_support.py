"""Shared by the crossbar tests: the small layer of known layout and a view factory (no tests here).

Layer: 6x6x3 -> 4 channels, 3x3 kernel, padding 1, on a 32x32 array with 2-bit weights in
1-bit cells. VW-SDK maps it with 2x2 windows on a 4x4 PW, 2 channels per row tile (AR=2),
all 4 output channels (OCt=4): row r = c*16 + y*4 + x, column (k*4 + o)*2 + q.
"""
from __future__ import annotations

import numpy as np
import pytest

from engine import ArraySpec, ConvLayer, map_layer

from app.crossbar.view import CrossbarView
from app.selection import PlanSelection

SMALL = ConvLayer("small", 6, 6, 3, 4, 3, 3, pad_h=1, pad_w=1)
ARRAY = ArraySpec(32, 32, cell_bits=1, weight_bits=2)
WEIGHTS = (np.arange(4 * 3 * 9).reshape(4, 3, 3, 3) % 4 - 2).astype(np.int8)


def small_plan(method: str = "vw-sdk"):
    return map_layer(SMALL, ARRAY, method)


@pytest.fixture
def make_view(qtbot):
    """Factory: a shown CrossbarView on `plan` of `layer`; shut down after the test."""
    views = []

    def make(layer=SMALL, plan=None, size=(1400, 850)):
        v = CrossbarView()
        qtbot.addWidget(v)
        v.resize(*size)
        v.show()
        qtbot.waitExposed(v)
        plan = plan or small_plan()
        v.show_selection(PlanSelection(0, layer, plan.method, plan))
        views.append(v)
        return v

    yield make
    for v in views:
        v.shutdown()
