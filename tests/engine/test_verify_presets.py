"""Functional proof on every preset and method (large layers on a cropped IFM, same plan geometry)."""
import io

import pytest

from engine.cli import run_verify
from engine.layers import ArraySpec
from engine.methods import DEFAULT_METHODS
from engine.presets import load_preset, preset_names


@pytest.mark.slow
@pytest.mark.parametrize("name", preset_names())
def test_every_preset_verifies(name):
    net = load_preset(name)
    out = io.StringIO()
    assert run_verify(net, net.array or ArraySpec(), DEFAULT_METHODS, seed=1, max_pw=3, out=out), out.getvalue()
    text = out.getvalue()
    assert text.count("OK ") == len(net.layers) * len(DEFAULT_METHODS) and "MISMATCH" not in text
