"""`xbarscope --report FILE.html --network NAME_OR_FILE [--methods ...] [--array RxC] [--method M]`:
map in-process, paint offscreen without a window, write the report, print its path."""
from __future__ import annotations

import sys

from engine import ArraySpec
from engine.batch import MapRequest, map_network
from engine.errors import XbarError
from engine.methods import OPTIONS, option_names

DEFAULT_METHODS = ("im2col", "sdk", "vw-sdk")  # not the window's last choice: a script's output must not vary


def request_for(net, array: tuple[int, int] | None, methods: tuple[str, ...] | None) -> tuple[MapRequest, tuple]:
    """The MapRequest (the baselines always mapped, as the window does) and the methods shown."""
    from app.mapping_controller import request_methods

    spec = net.array or ArraySpec()
    if array is not None:
        spec = ArraySpec(array[0], array[1], spec.cell_bits, spec.weight_bits)
    shown = tuple(methods or DEFAULT_METHODS)
    options = {}
    if net.weights is not None:  # an imported model's weights feed the rules that use them (as the window)
        options = {m: {"weights": net} for m in OPTIONS if "weights" in option_names(m) and m in shown}
    return MapRequest(net.layers, spec, request_methods(shown), options), shown


NOISE = ("This plugin does not support propagateSizeHints()",)  # the offscreen platform, on every show()


def quiet_offscreen_noise() -> None:
    """Keep stderr for errors: drop the offscreen platform's notice, pass every other message on."""
    from PySide6.QtCore import qInstallMessageHandler

    previous = None

    def handler(kind, context, message):
        if message in NOISE:
            return
        if previous is not None:
            previous(kind, context, message)
        else:
            print(message, file=sys.stderr)

    previous = qInstallMessageHandler(handler)


def run(path: str, net, array, methods, selected: str | None = None) -> int:
    from app.startup import create_application

    from .write import check_writable, source_text, write_report

    try:
        check_writable(path)  # before mapping: a typo in the folder fails at once
        request, shown = request_for(net, array, methods)
        if selected is not None and selected not in request.methods:
            raise XbarError(f"--method {selected}: not among the mapped methods ({', '.join(request.methods)})")
        result = map_network(request)
        quiet_offscreen_noise()
        create_application()
        written = write_report(path, result, net.name, request.array, request.options, shown, selected,
                               network_source=source_text(net.source), description=net.description)
    except (XbarError, OSError) as e:
        print(f"xbarscope: {e}", file=sys.stderr)
        return 2
    print(written)
    return 0
