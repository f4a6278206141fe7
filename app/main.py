"""`xbarscope` entry point: command-line flags, the QApplication, the main window.

Kept light at import time: Qt widgets load here, pyqtgraph only after the window is shown.
"""
from __future__ import annotations

import argparse
import os
import sys

from engine import __version__
from engine.errors import XbarError


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="xbarscope", description="See how CNN layers map onto "
                                "processing-in-memory crossbar arrays (im2col, SDK, VW-SDK).")
    p.add_argument("--version", action="version", version=f"xbarscope {__version__}")
    p.add_argument("--network", metavar="NAME_OR_FILE",
                   help="a preset name (e.g. vgg13-paper) or a layer-list / project file")
    p.add_argument("--array", metavar="RxC", help="array size, e.g. 512x512 or 256")
    p.add_argument("--screenshot", metavar="FILE.png",
                   help="start offscreen, map, save a picture of the window (SVG for FILE.svg), exit")
    p.add_argument("--report", metavar="FILE.html",
                   help="map offscreen, write a self-contained HTML report (setup, totals, charts, "
                   "results, each layer's crossbar; --method picks the plan shown, --methods default "
                   "im2col,sdk,vw-sdk), print its path, exit")
    p.add_argument("--size", metavar="WxH", help="window size, e.g. 1600x1000")
    p.add_argument("--methods", metavar="M1,M2", help="methods to map, e.g. vw-sdk,xbar-opt (default: "
                   "the ones ticked last time, or im2col,sdk,vw-sdk)")
    shot = p.add_argument_group("crossbar state for --screenshot")
    shot.add_argument("--layer", type=int, metavar="I", help="layer to show (1-based; default 1)")
    shot.add_argument("--method", metavar="M", help="method whose plan to show (default vw-sdk)")
    shot.add_argument("--cycle", type=int, metavar="T", help="cycle to show (0-based)")
    shot.add_argument("--color-mode", metavar="MODE",
                      help="copy, ic, oc, element, bit or weight (weight needs an imported model)")
    shot.add_argument("--zoom", metavar="ROW,COL,SIZE", help="show SIZE x SIZE cells from cell (ROW, COL)")
    shot.add_argument("--compressed-view", metavar="VIEW", help="compressed plans: repacked (the default) or "
                      "dense (the uncompressed layout with its skipped rows hatched)")
    p.add_argument("--self-test", action="store_true",
                   help="open the window offscreen, map, render, close; exit 0 if all worked")
    return p.parse_args(argv)


def _size(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise XbarError(f"--size: '{text}' is not WIDTHxHEIGHT (e.g. 1600x1000)") from None
    if not (320 <= w <= 10000 and 240 <= h <= 10000):
        raise XbarError(f"--size: {w}x{h} is outside 320x240 ... 10000x10000")
    return w, h


def _load_inputs(args):
    """Resolve --network / --array before any window exists: a typo fails fast, in words."""
    from engine.layers import parse_array_size
    from engine.presets import resolve_network

    from engine.methods import parse_methods

    net = resolve_network(args.network) if args.network else None
    array = parse_array_size(args.array) if args.array else None
    methods = tuple(parse_methods(args.methods)) if args.methods else None
    if methods and args.method and args.method not in methods:
        methods += (args.method,)  # the plan asked for must be mapped
    return net, array, _size(args.size), methods


def _crossbar_state(args) -> dict | None:
    """The --layer/--method/--cycle/--color-mode/--zoom/--compressed-view request, checked before
    any window exists."""
    from app.crossbar.screenshot import check_compressed_view, check_mode, parse_zoom
    from engine.methods import get

    if args.method:
        get(args.method)  # an unknown method fails here, in words
    if args.layer is not None and args.layer < 1:
        raise XbarError(f"--layer {args.layer}: layers are numbered from 1")
    if args.cycle is not None and args.cycle < 0:
        raise XbarError(f"--cycle {args.cycle}: cycles are numbered from 0")
    state = {"layer": args.layer, "method": args.method, "cycle": args.cycle,
             "mode": check_mode(args.color_mode), "zoom": parse_zoom(args.zoom),
             "compressed": check_compressed_view(args.compressed_view)}
    if all(v is None for v in state.values()):
        return None
    if not args.screenshot:
        raise XbarError("--layer, --method, --cycle, --color-mode, --zoom and --compressed-view go with --screenshot")
    return state


def _report_request(args) -> str | None:
    """--report's checks, before anything is loaded: what it cannot be combined with, in words."""
    if not args.report:
        return None
    if args.screenshot or args.self_test:
        other = "--screenshot" if args.screenshot else "--self-test"
        raise XbarError(f"--report and {other} cannot be used together: one writes an HTML report, "
                        "the other a picture of the window or a self-test; run them one at a time")
    if not args.network:
        raise XbarError("--report needs --network NAME_OR_FILE (a preset name or a layer-list / project file)")
    extra = [f for f, v in (("--layer", args.layer), ("--cycle", args.cycle), ("--color-mode", args.color_mode),
                            ("--zoom", args.zoom), ("--compressed-view", args.compressed_view)) if v is not None]
    if extra:
        raise XbarError(f"{', '.join(extra)} go with --screenshot; a report shows every layer at cycle 0 "
                        "(--method picks whose plan)")
    if args.method:
        from engine.methods import get

        get(args.method)  # an unknown method fails here, in words
    return args.report


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.screenshot or args.self_test or args.report:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before the QApplication exists
    try:
        report = _report_request(args)
        net, array, size, methods = _load_inputs(args)
        crossbar = None if report else _crossbar_state(args)
    except XbarError as e:
        print(f"xbarscope: {e}", file=sys.stderr)
        return 2

    if report:
        from app.report.cli import run as write_report

        return write_report(report, net, array, methods, args.method)

    if args.self_test:
        from app.self_test import run

        return run(net, array)

    from app.startup import create_application, open_window, take_screenshot

    app = create_application()
    window = open_window(net, array, size, ephemeral=bool(args.screenshot), methods=methods)
    if args.screenshot:
        return take_screenshot(app, window, args.screenshot, crossbar)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
