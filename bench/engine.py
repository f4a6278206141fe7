"""Engine benchmark: prints timings (never asserted in tests).

    .venv/bin/python bench/engine.py [--quick]

- all three methods on every preset, for square arrays 64 ... 4096;
- one 1024x1024 cell layout (all six cell maps);
- one functional verify of a 56x56x64->64 layer;
- the vectorized VW-SDK search against the scalar oracle (tests/engine/oracle.py) on resnet50
  over the array sweep;
- at the guard limits (`--guards` runs only this): one 8192x8192x4096->4096 1x1 layer (and one
  16384x16384x2048->2048, the largest sides the guards accept) with every
  registered method, each in a fresh subprocess (time, peak RSS), and 100,000-layer lists
  (repeated shapes, and all distinct) mapped by map_network with their conversions counted
  (`--per-method`: also each method alone on the distinct list); one verify on a
  32768x32768 array (time, peak memory). `--root DIR` measures another checkout (e.g. a git
  worktree of an older commit). Cancel latency: bench/cancel.py.
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine import ArraySpec, ConvLayer, DEFAULT_METHODS, map_layer  # noqa: E402
from engine.layout import tile_layout  # noqa: E402
from engine.methods import map_many  # noqa: E402
from engine.methods.vw_sdk import _search_one  # noqa: E402
from engine.presets import load_preset, preset_names  # noqa: E402
from engine.simulate import verify  # noqa: E402
from tests.engine.oracle import scalar_vw_sdk  # noqa: E402

SIZES = (64, 128, 256, 512, 1024, 2048, 4096)


def timed(fn, repeat=3):
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


# Run in a fresh interpreter so the peak RSS is this method's alone. VmHWM, not ru_maxrss:
# after fork+exec ru_maxrss still holds the parent's peak.
_PEAK = r"""
def peak_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
"""
_HUGE = _PEAK + r"""
import sys, time
sys.path.insert(0, sys.argv[1])
from engine import ArraySpec, ConvLayer
from engine.methods import map_layer
side, chans = int(sys.argv[3]), int(sys.argv[4])
layer = ConvLayer("huge", side, side, chans, chans, 1, 1)
t = time.perf_counter()
plan = map_layer(layer, ArraySpec(512, 512), sys.argv[2])
plan.to_dict()
print(time.perf_counter() - t, peak_mb(), plan.cycles)
"""

_MANY = _PEAK + r"""
import random, sys, time
sys.path.insert(0, sys.argv[1])
from engine import ArraySpec, ConvLayer
from engine.batch import MapRequest, map_network
from engine.methods import DEFAULT_METHODS, METHODS
rnd = random.Random(0)
if sys.argv[2] == "repeated":  # a few shapes, as real networks repeat blocks
    shapes = [(rnd.choice([7, 14, 28, 56]), rnd.choice([16, 32, 64]), rnd.choice([16, 32, 64])) for _ in range(100)]
    layers = [ConvLayer(f"l{i}", s[0], s[0], s[1], s[2], 3, 3, pad_h=1, pad_w=1)
              for i, s in enumerate(rnd.choice(shapes) for _ in range(100_000))]
else:  # every layer a shape of its own
    seen = {}
    while len(seen) < 100_000:
        seen.setdefault((rnd.randint(3, 64), rnd.randint(3, 64), rnd.randint(1, 128), rnd.randint(1, 128)), None)
    layers = [ConvLayer(f"l{i}", h, w, ic, oc, 3, 3) for i, (h, w, ic, oc) in enumerate(seen)]
methods = (tuple(DEFAULT_METHODS) if sys.argv[3] == "default" else tuple(METHODS) if sys.argv[3] == "all"
           else (sys.argv[3],))
t = time.perf_counter()
res = map_network(MapRequest(tuple(layers), ArraySpec(512, 512), methods))
t_map = time.perf_counter() - t
for row in res.plans:  # what a results table or the CLI reads next
    for p in row.values():
        p.conversions()
print(t_map, time.perf_counter() - t, peak_mb())
"""


_VERIFY = _PEAK + r"""
import sys, time
sys.path.insert(0, sys.argv[1])
from engine import ArraySpec, ConvLayer
from engine.methods import map_layer
from engine.cli import cropped
from engine.simulate import verify
a = ArraySpec(32768, 32768)
c = int(sys.argv[3])
plan = cropped(map_layer(ConvLayer("big", 64, 64, c, c, 3, 3, pad_h=1, pad_w=1), a, sys.argv[2]), 3)
t = time.perf_counter()
ok = verify(plan.layer, a, plan)
print(time.perf_counter() - t, peak_mb(), int(ok), plan.layer.in_h)
"""


def guards(root: Path, timeout: float = 120, per_method: bool = False) -> None:
    from engine.methods import METHODS

    def run(code, *args):
        try:
            out = subprocess.run([sys.executable, "-c", code, str(root), *args], capture_output=True, text=True,
                                 timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        return out.stdout.split() if out.returncode == 0 else None

    print(f"\nAt the guard limits ({root}):")
    # The layer, and the largest the side guard (16,384) and the work guard (2**50 MACs) accept.
    for side, chans in ((8192, 4096), (16384, 2048)):
        print(f"one {side}x{side}x{chans}->{chans} 1x1 layer on 512x512, fresh process per method "
              f"(targets: 2 s, 300 MB)")
        for m in METHODS:
            r = run(_HUGE, m, str(side), str(chans))
            print(f"  {m:<10}" + (f"{float(r[0]):8.2f} s {int(r[1]):6d} MB peak  {int(r[2]):,} cycles" if r
                                  else f"  failed or over {timeout:.0f} s"))
    print("verify of a 64x64xC->C 3x3 layer on a 32768x32768 array, IFM cropped as the CLI does "
          "(bounded memory)")
    for m, c in (("im2col", 1024), ("vw-sdk", 128)):
        r = run(_VERIFY, m, str(c))
        print(f"  {m:<8} C={c:<5}" + (f"{float(r[0]):8.2f} s {int(r[1]):6d} MB peak  {'exact' if r[2] == '1' else 'MISMATCH'}"
                              f" (IFM cropped to {r[3]} rows)" if r else f"  failed or over {timeout:.0f} s"))
    print("100,000 layers, map_network + every plan's conversions (target: 20 s)")
    for kind in ("repeated", "distinct"):
        for methods in ("default", "all") + (tuple(METHODS) if per_method and kind == "distinct" else ()):
            r = run(_MANY, kind, methods)
            print(f"  {kind:<9}{methods + (' methods' if methods in ('default', 'all') else ''):<16}" + (
                f"map {float(r[0]):6.2f} s, with conversions {float(r[1]):6.2f} s, {int(r[2])} MB peak" if r
                else f"failed or over {timeout:.0f} s"))


def main(quick: bool = False) -> None:
    sizes = SIZES[2:5] if quick else SIZES
    print(f"All three methods ({', '.join(DEFAULT_METHODS)}) per network, ms per array size")
    print(f"{'network':<16}" + "".join(f"{s:>9}" for s in sizes))
    for name in preset_names():
        net = load_preset(name)
        row = []
        for s in sizes:
            a = ArraySpec(s, s)
            _search_one.cache_clear()  # no help from the networks measured before
            t, _ = timed(lambda: [map_layer(layer, a, m) for layer in net.layers for m in DEFAULT_METHODS], 1)
            row.append(t * 1000)
        print(f"{name:<16}" + "".join(f"{v:>9.1f}" for v in row))

    plan = map_layer(ConvLayer("c", 56, 56, 256, 256, 3, 3), ArraySpec(1024, 1024), "vw-sdk")

    def layout():
        lay = tile_layout(plan)
        return lay.copy, lay.ic, lay.oc, lay.ky, lay.kx, lay.bit

    t, _ = timed(layout, 5)
    print(f"\n1024x1024 cell layout (copy, ic, oc, ky, kx, bit): {t * 1000:.1f} ms")

    layer = ConvLayer("c", 56, 56, 64, 64, 3, 3, pad_h=1, pad_w=1)
    for m in DEFAULT_METHODS:
        p = map_layer(layer, ArraySpec(512, 512), m)
        t, ok = timed(lambda: verify(layer, ArraySpec(512, 512), p), 1)
        print(f"verify 56x56x64->64 ({m}, {p.cycles} cycles on 512x512): {t:.2f} s, {'exact' if ok else 'MISMATCH'}")

    net = load_preset("resnet50")
    sweep = sizes if not quick else (256, 512)
    tv = tn = ts = 0.0
    for s in sweep:
        a = ArraySpec(s, s)
        t1, vec = timed(lambda: [p.cycles for p in map_many(net.layers, a, "vw-sdk")], 1)
        _search_one.cache_clear()  # cold: only shapes repeated inside the network are reused
        t3, one = timed(lambda: [map_layer(layer, a, "vw-sdk").cycles for layer in net.layers], 1)
        t2, sca = timed(lambda: [scalar_vw_sdk(layer, a)[0] for layer in net.layers], 1)
        assert vec == sca == one, f"vectorized and scalar VW-SDK disagree on {s}x{s}"
        tv, tn, ts = tv + t1, tn + t3, ts + t2
    print(f"\nVW-SDK on resnet50 ({len(net.layers)} layers) over {len(sweep)} array sizes, identical results:")
    print(f"  scalar oracle, layer by layer            {ts * 1000:8.1f} ms")
    print(f"  vectorized, layer by layer (cold memo)   {tn * 1000:8.1f} ms  ({ts / tn:.1f}x)")
    print(f"  vectorized, whole network in one pass    {tv * 1000:8.1f} ms  ({ts / tv:.1f}x)")


if __name__ == "__main__":
    here = Path(__file__).resolve().parent.parent
    root = Path(sys.argv[sys.argv.index("--root") + 1]).resolve() if "--root" in sys.argv else here
    if "--guards" not in sys.argv:
        main("--quick" in sys.argv)
    guards(root, per_method="--per-method" in sys.argv)
