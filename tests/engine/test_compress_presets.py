"""Functional proof of every compressed method on every preset that has 3x3 layers
(large layers on a cropped IFM, same plan geometry), with the option variants."""
import io

import pytest

from engine.cli import run_verify
from engine.layers import ArraySpec
from engine.presets import load_preset, preset_names

VARIANTS = [
    {},  # defaults: pairs corner4 on SDK, kerntrol mask 0.25 on SDK, vwc-sdk max 0.25 propagated on chains
    {"base": "vw-sdk", "pattern_set": "edge6", "assign": "round-robin", "variant": "compensatory", "threshold": 0.3,
     "max_prune": 0.5},
]
PRESETS = [n for n in preset_names() if any((x.k_h, x.k_w) == (3, 3) for x in load_preset(n).layers)]


@pytest.mark.slow
@pytest.mark.parametrize("variant", range(len(VARIANTS)))
@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_verifies_compressed(name, variant):
    net = load_preset(name)
    methods = ("pairs", "kerntrol", "vwc-sdk")
    out = io.StringIO()
    ok = run_verify(net, net.array or ArraySpec(), methods, seed=1, max_pw=3, out=out, options=VARIANTS[variant])
    text = out.getvalue()
    assert ok, text
    assert text.count("OK ") == len(net.layers) * len(methods) and "MISMATCH" not in text
