"""Crossbar view rendering speed: frames per second of playback at 512 ... 4096 square arrays.

Run:  QT_QPA_PLATFORM=offscreen .venv/bin/python bench/render.py [--sizes 512,1024] [--seconds 2]

For each array size, a 56x56x512 -> 512 3x3 layer mapped with VW-SDK (it fills most of the
array and needs several row tiles) is shown in a 1600x1000 crossbar view, and we measure:

  colour map   building one tile's palette-index image (kernel copy / input channel mode)
  step         one cycle within a tile, then the event loop paints what changed (strips,
               bands, IFM windows, OFM plane, status; the grid image is reused): per frame
  tile change  one cycle that lands on a new tile, colour mapping included (cache cleared),
               painted: the worst case (input-stationary order on a tiled plan)
  grid paint   a full repaint of the grid's viewport (what a pan or zoom frame costs)
  playback     the real thing: the QTimer at one cycle per refresh for a few seconds,
               counted in cycles shown and grid repaints per second (the timer caps it at 60)

With --compressed (default pairs,kerntrol at 1024 and 4096) the same layer is mapped with
each compression-aware method, and we measure for its repacked plan and its dense view
(`engine.compress.dense_plan`, skipped rows in place):

  classify     one tile's cell kinds (weight / zero / pruned / compensatory) from scratch
  cmap copy    building one tile's palette-index image in kernel-copy mode
  tile change  as above, in the view (the plan's cell tables built again too)
  grid paint   as above (the dense view paints its hatching)
  engine maps  the engine's full cell maps of one tile (TileLayout.copy), for comparison

With --values the same is measured in values mode (the strips and the OFM show the engine
trace's numbers: a tile change then also builds the tile's matrix). With --lines the link
lines (IFM pixels to the rows they drive, for slides) are drawn over the view as well.
With --values, the first visit of a tile is timed too: the largest GUI gap across the tile
change, with the tile's matrix built ahead on the worker (PlanValues.prefetch_after) and without.

Timings are the best of several runs (the median is printed in brackets): other processes
on a shared machine only ever make a run slower.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


class PaintCounter(QObject):
    def __init__(self):
        super().__init__()
        self.count = 0

    def eventFilter(self, obj, ev):
        if ev.type() == QEvent.Paint:
            self.count += 1
        return False


def timed(fn, repeat=5) -> tuple[float, float]:
    """(best, median) seconds of `repeat` calls."""
    times = []
    for i in range(repeat):
        t0 = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[0], times[len(times) // 2]


def bench_size(app, view, n: int, seconds: float, values: bool = False, lines: bool = False) -> dict:
    from engine import ArraySpec, ConvLayer, map_layer

    from app.crossbar.modes import tile_image
    from app.crossbar.tile import Tile
    from app.selection import PlanSelection

    layer = ConvLayer("bench", 56, 56, 512, 512, 3, 3, pad_h=1, pad_w=1)
    plan = map_layer(layer, ArraySpec(n, n), "vw-sdk")
    view.show_selection(PlanSelection(0, layer, "vw-sdk", plan))
    view.set_values(values)
    view.set_lines(lines)
    app.processEvents()
    tile = Tile(plan, 0, 0)
    cmap = {m: timed(lambda i, m=m: tile_image(tile, m))[0] for m in ("copy", "ic")}

    def step(i):
        view.set_cycle(i + 1)
        app.processEvents()

    def change(i):
        view.panel.cycles._images.clear()  # nothing cached: colour mapping every time
        view.set_cycle(((i % (plan.ar * plan.ac - 1)) + 1) * plan.n_pw)
        app.processEvents()

    steps = timed(step, 60)
    changes = timed(change, 8)
    paint = timed(lambda i: view.grid.viewport().repaint(), 10)

    view.set_cycle(0)
    counter = PaintCounter()
    view.grid.viewport().installEventFilter(counter)
    shown = []
    view.playback.cycle_changed.connect(shown.append)
    view.playback.set_speed(1000)  # one cycle per screen refresh
    view.playback.play()
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()
    view.playback.pause()
    view.playback.cycle_changed.disconnect(shown.append)
    view.grid.viewport().removeEventFilter(counter)
    return {"n": n, "windows": f"{plan.nh}x{plan.nw}", "tiles": f"{plan.ar}x{plan.ac}",
            "occupancy": plan.block_occupancy, "cmap_copy": cmap["copy"], "cmap_ic": cmap["ic"],
            "step": steps, "change": changes, "paint": paint, "play_cps": len(shown) / seconds,
            "paints": counter.count / seconds}


def bench_first_visit(app, view, n: int) -> tuple[float, float]:
    """Values mode: the largest GUI gap (ms) over the first visit of a new tile, (with the
    matrix built ahead on the worker while the tile before plays, without)."""
    from engine import ArraySpec, ConvLayer, map_layer

    from app.crossbar import values as values_mod
    from app.gap_meter import GapMeter
    from app.selection import PlanSelection

    layer = ConvLayer("bench", 56, 56, 512, 512, 3, 3, pad_h=1, pad_w=1)
    plan = map_layer(layer, ArraySpec(n, n), "vw-sdk")
    out = []
    real = values_mod.PlanValues.prefetch_after
    for ahead in (True, False):
        if not ahead:
            values_mod.PlanValues.prefetch_after = lambda self, t: None
        try:
            view.show_selection(None)
            view.show_selection(PlanSelection(0, layer, "vw-sdk", plan))
            view.set_values(True, seed=int(ahead))  # a new seed: nothing cached
            change = view.panel.cycles.schedule.next_tile_change(0)
            view.set_cycle(change - 3)
            end = time.perf_counter() + 1.5  # the tile's last cycles play meanwhile
            while time.perf_counter() < end:
                app.processEvents()
                time.sleep(0.01)
            with GapMeter() as gaps:
                for t in range(change - 2, change + 3):
                    view.set_cycle(t)
                    app.processEvents()
            out.append(gaps.worst)
        finally:
            values_mod.PlanValues.prefetch_after = real
    view.set_values(False)
    return out[0], out[1]


def bench_compressed(app, view, n: int, method: str) -> list[dict]:
    from engine import ArraySpec, ConvLayer, map_layer
    from engine.compress import dense_plan
    from engine.layout import TileLayout

    from app.crossbar import tile as tile_mod
    from app.crossbar.modes import tile_image
    from app.crossbar.tile import Tile
    from app.selection import PlanSelection

    layer = ConvLayer("bench", 56, 56, 512, 512, 3, 3, pad_h=1, pad_w=1)
    plan = map_layer(layer, ArraySpec(n, n), method)
    view.show_selection(PlanSelection(0, layer, method, plan))
    app.processEvents()
    out = []
    for kind in ("repacked", "dense"):
        view.set_compressed_view(kind)
        app.processEvents()
        shown = view.panel.plan

        def classify(i, p=shown):
            tile_mod._TABLES.clear()  # the plan's cell tables built again as well
            Tile(p, 0, 0).kinds()

        cls = timed(classify, 5)
        tile = Tile(shown, 0, 0)
        cmap = timed(lambda i: tile_image(tile, "copy"), 5)[0]
        engine = timed(lambda i: TileLayout(shown, 0, 0).copy, 2)[0]

        def change(i):
            view.panel.cycles._images.clear()  # nothing cached: tile, kinds and colours built again
            view.panel.cycles._tiles.clear()
            tile_mod._TABLES.clear()
            view.panel._tile_key = None
            view.panel.set_cycle(((i + 1) % (shown.ar * shown.ac)) * shown.n_pw, force=True)
            app.processEvents()

        changes = timed(change, 6)
        paint = timed(lambda i: view.grid.viewport().repaint(), 6)
        out.append({"n": n, "method": method, "view": kind, "tiles": f"{shown.ar}x{shown.ac}",
                    "cycles": shown.cycles, "classify": cls, "cmap": cmap, "change": changes, "engine": engine,
                    "paint": paint})
    dense = dense_plan(plan)
    assert out[1]["cycles"] == dense.cycles
    view.set_compressed_view("repacked")
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="512,1024,2048,4096")
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--compressed", default="pairs,kerntrol",
                    help="compression-aware methods to time ('' for none)")
    ap.add_argument("--compressed-sizes", default="1024,4096")
    ap.add_argument("--values", action="store_true",
                    help="values mode on (strips and OFM from the engine trace: issue 15's targets)")
    ap.add_argument("--lines", action="store_true", help="the link lines over the view")
    args = ap.parse_args(argv)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from app.crossbar.playback import max_speed
    from app.crossbar.view import CrossbarView

    view = CrossbarView()
    view.resize(1600, 1000)
    view.show()
    app.processEvents()
    print(f"offscreen, {os.cpu_count()} cores, view 1600x1000, timer cap {max_speed():.0f} cycles/s"
          + (", values mode" if args.values else "") + (", link lines" if args.lines else ""))
    print(f"{'array':>6} {'PW':>5} {'tiles':>5} {'occ.':>5} | {'cmap copy':>9} {'cmap ic':>8} | "
          f"{'step':>21} | {'tile change':>21} | {'grid paint':>21} | {'playback':>18}")

    def ms(pair):
        best, median = pair
        return f"{best * 1e3:5.1f}ms [{median * 1e3:5.1f}] {1 / best:4.0f}fps"

    for n in (int(s) for s in args.sizes.split(",")):
        r = bench_size(app, view, n, args.seconds, args.values, args.lines)
        print(f"{r['n']:>6} {r['windows']:>5} {r['tiles']:>5} {r['occupancy']:>5.0%} | "
              f"{r['cmap_copy'] * 1e3:>7.1f}ms {r['cmap_ic'] * 1e3:>6.1f}ms | "
              f"{ms(r['step'])} | {ms(r['change'])} | {ms(r['paint'])} | "
              f"{r['play_cps']:>4.0f} cyc/s {r['paints']:>3.0f} paint/s")
        sys.stdout.flush()
    if args.values:
        for n in (int(s) for s in args.sizes.split(",")):
            ahead, plain = bench_first_visit(app, view, n)
            print(f"{n:>6} first visit of a tile (values mode): largest GUI gap {ahead:.0f} ms with its matrix "
                  f"built ahead on the worker, {plain:.0f} ms without")
    methods = [m for m in args.compressed.split(",") if m]
    if methods:
        print(f"\n{'array':>6} {'method':>8} {'view':>8} {'tiles':>5} {'cycles':>8} | {'classify':>16} | "
              f"{'cmap copy':>9} | {'tile change':>21} | {'grid paint':>21} | {'engine maps':>11}")
    for n in (int(s) for s in args.compressed_sizes.split(",") if methods):
        for m in methods:
            for r in bench_compressed(app, view, n, m):
                best, median = r["classify"]
                print(f"{r['n']:>6} {r['method']:>8} {r['view']:>8} {r['tiles']:>5} {r['cycles']:>8,} | "
                      f"{best * 1e3:6.1f}ms [{median * 1e3:6.1f}] | {r['cmap'] * 1e3:7.1f}ms | {ms(r['change'])} | "
                      f"{ms(r['paint'])} | {r['engine'] * 1e3:9.0f}ms")
                sys.stdout.flush()
    view.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
