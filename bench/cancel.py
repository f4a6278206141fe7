"""Cancel latency of the long engine jobs (issue 13 item 4, issue 18): prints figures, asserts nothing.

    .venv/bin/python bench/cancel.py [--root DIR]

Each job runs on a worker thread with a `should_stop` flag (engine.batch's convention); the
main thread sets the flag at several moments after the job started (0.02 s to 0.8 s)
and measures how long the job takes to raise `Cancelled`. Target: under 0.5 s. Jobs:
map_network of 5,000 distinct layers (vw-sdk, vwc-sdk, xbar-opt, the default methods,
all methods), the array-size sweep of those layers (13 sizes), the design-space grids of a
2048 x 2048-output layer (4M candidates; VW-SDK and PAIRS) and one functional verify.
"""
from __future__ import annotations

import random
import sys
import threading
import time
from pathlib import Path

root = Path(sys.argv[sys.argv.index("--root") + 1]).resolve() if "--root" in sys.argv else \
    Path(__file__).resolve().parent.parent
sys.path.insert(0, str(root))

import numpy as np  # noqa: E402

from engine import ArraySpec, ConvLayer  # noqa: E402
from engine.batch import MapRequest, SweepRequest, map_network, square_arrays, sweep  # noqa: E402
from engine.errors import Cancelled  # noqa: E402
from engine.methods import DEFAULT_METHODS, METHODS, map_layer  # noqa: E402

TRIGGERS = (0.02, 0.1, 0.3, 0.8)


def distinct_layers(n: int) -> tuple:
    rnd = random.Random(0)
    seen: dict = {}
    while len(seen) < n:
        seen.setdefault((rnd.randint(3, 64), rnd.randint(3, 64), rnd.randint(1, 128), rnd.randint(1, 128)), None)
    return tuple(ConvLayer(f"l{i}", h, w, ic, oc, 3, 3) for i, (h, w, ic, oc) in enumerate(seen))


def latency(job, delay: float):
    """Seconds from setting the flag to Cancelled; None if the job ended before the flag was
    set; ("ignored", seconds) if it ran to its end after the flag without stopping."""
    stop = threading.Event()
    out: dict = {}

    def run():
        try:
            job(stop.is_set)
            out["done"] = time.perf_counter()
        except Cancelled:
            out["cancelled"] = time.perf_counter()
        except Exception as e:  # noqa: BLE001  (reported by the caller)
            out["error"] = e

    th = threading.Thread(target=run)
    th.start()
    time.sleep(delay)
    t0 = time.perf_counter()
    stop.set()
    th.join()
    if "error" in out:
        raise out["error"]
    if "cancelled" not in out:  # finished: before the flag, or ignoring it for so long
        return None if out["done"] <= t0 else ("ignored", out["done"] - t0)
    return out["cancelled"] - t0


def main() -> None:
    layers = distinct_layers(5000)
    a = ArraySpec(512, 512)
    big = ConvLayer("big", 2048, 2048, 64, 64, 3, 3, pad_h=1, pad_w=1)
    nh = np.arange(1, big.out_h + 1, dtype=np.int64)[:, None]
    nw = np.arange(1, big.out_w + 1, dtype=np.int64)[None, :]
    ver = ConvLayer("v", 56, 56, 256, 256, 3, 3, pad_h=1, pad_w=1)
    ver_plan = map_layer(ver, a, "vw-sdk")

    def grid(stop, method):
        if method == "vw-sdk":
            from engine.methods.vw_sdk import candidate_grid
            return candidate_grid(big, a, nh, nw, should_stop=stop)
        from engine.compress.grid import compressed_grid
        return compressed_grid(big, a, method, nh, nw, should_stop=stop)

    def verify(stop):
        from engine.simulate import verify as v
        return v(ver, a, ver_plan, should_stop=stop)

    jobs = [(f"map 5,000 layers, {m}", lambda stop, m=m: map_network(MapRequest(layers, a, (m,)), None, stop))
            for m in ("vw-sdk", "vwc-sdk", "xbar-opt")]
    jobs += [("map 5,000 layers, default methods",
              lambda stop: map_network(MapRequest(layers, a, tuple(DEFAULT_METHODS)), None, stop)),
             ("map 5,000 layers, all methods",
              lambda stop: map_network(MapRequest(layers, a, tuple(METHODS)), None, stop)),
             ("sweep 5,000 layers x 13 arrays, default methods",
              lambda stop: sweep(SweepRequest(layers, square_arrays(
                  (64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048, 3072, 4096)), tuple(DEFAULT_METHODS)),
                  None, stop)),
             ("design grid 2048x2048 outputs, vw-sdk", lambda stop: grid(stop, "vw-sdk")),
             ("design grid 2048x2048 outputs, pairs", lambda stop: grid(stop, "pairs")),
             ("verify 56x56x256->256 (vw-sdk)", verify)]
    print(f"Cancel latency ({root}); flag set {', '.join(f'{d:g}' for d in TRIGGERS)} s after the start "
          "(target: under 0.5 s)")
    for name, job in jobs:
        try:
            lat = [latency(job, d) for d in TRIGGERS]
        except Exception as e:  # an older checkout without the should_stop argument
            print(f"  {name:<50} not cancellable ({type(e).__name__}: {str(e)[:60]})")
            continue
        shown = ", ".join("ended first" if x is None else f"not stopped, ran {x[1] * 1000:.0f} ms more"
                          if isinstance(x, tuple) else f"{x * 1000:.0f} ms" for x in lat)
        worst = max((x if not isinstance(x, tuple) else x[1] for x in lat if x is not None), default=None)
        print(f"  {name:<50} {shown}" + ("" if worst is None else f"   (worst {worst * 1000:.0f} ms)"))


if __name__ == "__main__":
    main()
