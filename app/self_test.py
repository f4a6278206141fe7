"""`xbarscope --self-test`: prove the app works where it is installed (the frozen bundle too).

Offscreen unless QT_QPA_PLATFORM says otherwise: opens the main window on a preset, maps it
through the worker, renders the crossbar view (and one playback step when the view has
playback), grabs the window, writes a small GIF (the export's encoder) and says whether MP4
export finds an ffmpeg, closes the window, exits 0 and prints what it did. Any failure prints
one line, `xbarscope self-test failed: <step>: <reason>`, on stderr and exits 1.
"""
from __future__ import annotations

import os
import sys
import time

SELF_TEST_NETWORK = "vgg13-paper"
WINDOW_SIZE = (1280, 800)
MAPPING_TIMEOUT_S = 120.0


class SelfTestError(Exception):
    pass


class _Steps:
    """Runs the named steps, prints each result, and turns any exception into one line."""

    def __init__(self):
        self._current = "start"
        self.started = time.monotonic()
        self.slot_errors: list[str] = []  # exceptions raised in Qt slots while events ran

    @property
    def current(self) -> str:
        return self._current

    @current.setter
    def current(self, name: str) -> None:
        self._current, self.started = name, time.monotonic()

    def done(self, text: str) -> None:
        print(f"  {self.current}: {text} [{time.monotonic() - self.started:.1f} s]", flush=True)

    def check_slots(self) -> None:
        if self.slot_errors:
            raise SelfTestError(f"an error in the event loop: {self.slot_errors[0]}")


def run(network=None, array=None) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("LANG", "C.UTF-8")
    from PySide6.QtCore import qInstallMessageHandler

    steps = _Steps()
    old_hook = sys.excepthook
    sys.excepthook = lambda kind, value, tb: steps.slot_errors.append(f"{kind.__name__}: {value}")
    old_handler = qInstallMessageHandler(_qt_message)
    window = None
    try:
        window = _run(steps, network, array)
        print("xbarscope self-test passed", flush=True)
        return 0
    except Exception as e:  # noqa: BLE001 (any failure is one line and exit 1)
        reason = str(e) if isinstance(e, SelfTestError) else f"{type(e).__name__}: {e}"
        print(f"xbarscope self-test failed: {steps.current}: {reason}", file=sys.stderr, flush=True)
        return 1
    finally:
        if window is not None:
            _close(window)
        sys.excepthook = old_hook
        qInstallMessageHandler(old_handler)


def _qt_message(_kind, _context, message: str) -> None:
    """Qt's messages to stderr, without the offscreen platform's note on every window resize."""
    if "does not support propagateSizeHints" not in message:
        print(message, file=sys.stderr, flush=True)


def _run(steps: _Steps, network, array):
    from engine import __version__
    from engine.presets import list_presets, load_preset
    from engine.resources import resources_dir

    steps.current = "resources"
    print(f"xbarscope self-test: XbarScope {__version__}, Python {sys.version.split()[0]}, "
          f"{'frozen bundle' if getattr(sys, 'frozen', False) else 'from source'}", flush=True)
    presets = list_presets()
    if not presets:
        raise SelfTestError(f"no presets found in {resources_dir()}")
    steps.done(f"{resources_dir()} ({len(presets)} presets)")

    steps.current = "window"
    from PySide6.QtCore import qVersion
    from app.startup import create_application, open_window

    app = create_application()
    net = network or load_preset(SELF_TEST_NETWORK)
    window = open_window(net, array, WINDOW_SIZE, ephemeral=True)
    _process(app, 3)
    steps.check_slots()
    if not window.isVisible():
        raise SelfTestError("the main window is not visible")
    steps.done(f"'{window.windowTitle().replace('[*]', '')}' {window.width()}x{window.height()} "
               f"(Qt {qVersion()}, platform {app.platformName()})")
    try:
        _check_window(app, steps, window, net)
    except BaseException:
        _close(window)
        raise
    return window


def _check_window(app, steps: _Steps, window, net) -> None:
    steps.current = "mapping"
    mapping = window.mapping
    if not (mapping.slot.busy or mapping.debounce.isActive() or mapping.run()):
        raise SelfTestError(f"the mapping did not start: {mapping.blocked}")
    failures: list[str] = []
    mapping.slot.failed.connect(failures.append)
    _wait_until(app, steps, lambda: failures or (mapping.result is not None and not mapping.slot.busy
                                                  and not mapping.debounce.isActive()), MAPPING_TIMEOUT_S)
    if failures:
        raise SelfTestError(f"the worker failed: {failures[0]}")
    result = mapping.result
    totals = result.totals()
    best = min(totals, key=totals.get)
    steps.done(f"{net.name}: {len(result.plans)} layers x {len(result.request.methods)} methods mapped in the "
               f"worker; fewest cycles {best} ({totals[best]:,})")

    steps.current = "crossbar view"
    window.selection.select(0, best)
    _process(app, 3)
    view = window.central.crossbar
    playback = getattr(view, "playback", None)
    if callable(getattr(playback, "step", None)):
        before = getattr(playback, "t", None)
        playback.step(1)
        _process(app, 3)
        after = getattr(playback, "t", None)
        if before is not None and getattr(playback, "total", 2) > 1 and after == before:
            raise SelfTestError(f"a playback step left the cycle at {before}")
        what = f"{type(view).__name__}, one playback step (cycle {before} -> {after} of {playback.total:,})"
    else:
        what = f"{type(view).__name__} (no playback in this view)"
    w, h, colours = _render(view)
    steps.check_slots()
    steps.done(f"{what}; rendered {w}x{h} px, {colours} colours")

    steps.current = "window picture"
    w, h, colours = _render(window)
    steps.done(f"rendered {w}x{h} px, {colours} colours")

    steps.current = "exports"
    steps.done(_exports())


def _exports() -> str:
    """GIF export must work (Pillow); MP4 needs an ffmpeg, which the bundle may leave to the system."""
    import io

    from PIL import Image, __version__ as pillow

    frames = [Image.new("P", (4, 4), i) for i in range(2)]
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:], duration=50)
    if not buf.getvalue().startswith(b"GIF89a"):
        raise SelfTestError("Pillow wrote no GIF")
    try:
        import imageio_ffmpeg

        mp4 = f"MP4 with {imageio_ffmpeg.get_ffmpeg_exe()}"
    except (ImportError, RuntimeError):
        mp4 = "MP4 unavailable (no ffmpeg: install one, e.g. apt-get install ffmpeg)"
    return f"GIF (Pillow {pillow}); {mp4}"


def _render(widget) -> tuple[int, int, int]:
    """Grab the widget; a picture of one colour means nothing was drawn."""
    import numpy as np
    from PySide6.QtGui import QImage

    image = widget.grab().toImage().convertToFormat(QImage.Format_RGB32)
    if image.isNull() or image.width() < 50 or image.height() < 50:
        raise SelfTestError(f"{type(widget).__name__} rendered an empty picture ({image.width()}x{image.height()})")
    pixels = np.frombuffer(image.constBits(), np.uint32, image.sizeInBytes() // 4)
    colours = len(np.unique(pixels[:: max(1, pixels.size // 200_000)]))
    if colours < 2:
        raise SelfTestError(f"{type(widget).__name__} rendered a blank picture")
    return image.width(), image.height(), colours


def _process(app, rounds: int) -> None:
    for _ in range(rounds):
        app.processEvents()


def _wait_until(app, steps: _Steps, done, timeout_s: float) -> None:
    from PySide6.QtCore import QThread

    deadline = time.monotonic() + timeout_s
    while not done():
        steps.check_slots()
        if time.monotonic() > deadline:
            raise SelfTestError(f"timed out after {timeout_s:.0f} s")
        app.processEvents()
        QThread.msleep(5)


def _close(window) -> None:
    window.project.mark_clean()  # nothing to ask about on the way out
    window.close()  # stops timers and waits for every worker
