"""Creating the application and the first window; the --screenshot run."""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication

from engine import ArraySpec, __version__
from engine.errors import XbarError
from engine.network import Network
from engine.resources import resource_path

from app import default_layout, settings, text_size
from app.main_window import MainWindow

DEFAULT_NETWORK = "vgg13-paper"
SCREENSHOT_SIZE = (1600, 1000)


# While a worker runs Python (an import parsing 100,000 rows), every Python slot and event
# override the GUI thread enters waits for the interpreter lock up to the switch interval;
# Qt enters dozens per repaint, so the default 5 ms made 0.5-0.9 s freezes. 0.5 ms: 0.1 s
# (bench/gui_stalls.py). It costs nothing while one thread runs alone.
GIL_SWITCH_S = 0.0005


def create_application() -> QApplication:
    sys.setswitchinterval(GIL_SWITCH_S)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(settings.ORGANIZATION)
    app.setApplicationName(settings.APPLICATION)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("xbarscope")  # Wayland matches the window to resources/xbarscope.desktop
    app.setStyle("Fusion")  # the same look on every desktop, and in screenshots
    icon = resource_path("icons", "xbarscope.png")
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    text_size.apply_points(text_size.current_points(), remember=False)
    qss = resource_path("app", "style.qss")
    if qss.is_file():
        text = qss.read_text(encoding="utf-8")
        if app.styleSheet() != text:  # re-polishing every live widget is slow: only when new
            app.setStyleSheet(text)
    text_size.follow_font_changes(app)
    return app


def default_size() -> tuple[int, int]:
    """A first window: the screenshot size where the screen is larger, else most of the screen."""
    screen = QGuiApplication.primaryScreen()
    if screen is None:
        return SCREENSHOT_SIZE
    avail = screen.availableGeometry()
    return min(SCREENSHOT_SIZE[0], int(avail.width() * 0.95)), min(SCREENSHOT_SIZE[1], int(avail.height() * 0.95))


def fit_on_screen(window: MainWindow) -> None:
    """Keep the whole window, frame and status bar included, inside its screen's free area."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None or window.isMaximized() or window.isFullScreen():
        return
    avail = screen.availableGeometry()
    frame = window.frameGeometry()
    extra_w, extra_h = frame.width() - window.width(), frame.height() - window.height()  # title bar, borders
    w = min(window.width(), avail.width() - extra_w)
    h = min(window.height(), avail.height() - extra_h)
    if (w, h) != (window.width(), window.height()):
        window.resize(w, h)
    frame = window.frameGeometry()
    x = min(max(frame.x(), avail.x()), avail.right() + 1 - frame.width())
    y = min(max(frame.y(), avail.y()), avail.bottom() + 1 - frame.height())
    if (x, y) != (frame.x(), frame.y()):
        window.move(x, y)


def open_window(net: Network | None, array: tuple[int, int] | None, size: tuple[int, int] | None,
                ephemeral: bool = False, methods: tuple[str, ...] | None = None) -> MainWindow:
    """Build and show the main window. `ephemeral`: no saved layout, no recovery file."""
    from engine.presets import list_presets

    recovery_path = Path(tempfile.mkdtemp(prefix="xbarscope-")) / "recovery.json" if ephemeral else None
    window = MainWindow(list_presets(), recovery_path=recovery_path, persist_layout=not ephemeral)
    window.resize(*(size or (SCREENSHOT_SIZE if ephemeral else default_size())))
    restored = not ephemeral and size is None and window.restore_layout()
    if not ephemeral and size is None:
        fit_on_screen(window)
    window.show()
    window.layout().activate()  # dock and central sizes as they will be painted
    if not restored or default_layout.crossbar_share(window) < default_layout.MIN_SHARE:
        window.apply_default_sizes()  # first start, --size, or a saved layout that squeezed the crossbar
    # Work autosaved before a crash comes first, even when a network was named on the command line.
    def open_asked() -> None:
        window.project.load_network(net or _default_network(), net.name if net else "example")

    recovered = False if ephemeral else window.project.offer_recovery(fallback=open_asked)
    if not recovered:
        open_asked()
    if array is not None:
        spec = window.array_editor.spec() or ArraySpec()
        window.array_editor.set_spec(ArraySpec(array[0], array[1], spec.cell_bits, spec.weight_bits))
    if methods:
        window.array_editor.set_methods(methods)
    if not ephemeral:
        from app.onnx_preload import preload_when_idle
        preload_when_idle(window, lambda: bool(window.runner.active_jobs()))
    return window


def _default_network() -> Network:
    from engine.presets import load_preset
    return load_preset(DEFAULT_NETWORK)


def _wait(signal_owner_signals, timeout_ms: int) -> None:
    loop = QEventLoop()
    for sig in signal_owner_signals:
        sig.connect(loop.quit)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()


def _select(window: MainWindow, state: dict) -> None:
    """Show the requested layer and method in the crossbar view, then its cycle, mode and zoom."""
    from app.crossbar.screenshot import apply_state

    layers = window.mapping.result.request.layers
    layer = state.get("layer") or 1
    if layer > len(layers):
        raise XbarError(f"--layer {layer}: the network has {len(layers)} layers")
    method = state.get("method") or ("vw-sdk" if "vw-sdk" in window.array_editor.methods() else None)
    if method is not None and method not in window.mapping.result.request.methods:
        raise XbarError(f"--method {method}: not among the mapped methods "
                        f"({', '.join(window.mapping.result.request.methods)}); tick it under Array and methods")
    window.selection.select(layer - 1, method)
    if state:  # a crossbar state was asked for: the picture is the crossbar view alone
        window.presentation.enter(full_screen=False, talk=False)
        QApplication.processEvents()
    apply_state(window.central.crossbar, state.get("cycle"), state.get("mode"), state.get("zoom"),
                state.get("compressed"))


def take_screenshot(app: QApplication, window: MainWindow, path: str, crossbar: dict | None = None) -> int:
    """Map, let the charts and the design space draw, grab the window, save it.

    `crossbar`: the layer (1-based), method, cycle, colour mode and zoom to show (main.py's flags).
    """
    window.build_charts()
    want = (crossbar or {}).get("method")
    if want and want not in window.array_editor.methods():  # the plan asked for must be mapped
        window.array_editor.set_methods(window.array_editor.methods() + (want,))
    if window.mapping.slot.busy or window.mapping.run():
        _wait([window.mapping.result_ready, window.mapping.slot.failed, window.mapping.slot.cancelled], 60000)
    if window.mapping.result is None:
        print(f"xbarscope: the mapping did not finish: {window.statusBar().currentMessage()}", file=sys.stderr)
        window.shutdown()
        return 1
    error = None
    try:
        _select(window, crossbar or {})
    except XbarError as e:
        error = e
    # Let the design-space job and the deferred panels finish before closing either way:
    # closing under them crashed the interpreter's teardown now and then.
    if window.design.slot.busy:
        _wait([window.design.slot.result, window.design.slot.failed], 30000)
    if error is not None:
        print(f"xbarscope: {error}", file=sys.stderr)
        for _ in range(3):
            app.processEvents()
        window.project.mark_clean()
        window.close()
        return 2
    for _ in range(3):  # let layouts settle and every dock paint once
        app.processEvents()
    from app.crossbar.screenshot import save_picture

    ok = save_picture(window, str(Path(path)))  # SVG for a .svg name, else a picture by its suffix
    window.project.mark_clean()  # nothing to ask about on the way out
    window.close()
    if not ok:
        print(f"xbarscope: cannot write {path}", file=sys.stderr)
        return 1
    print(path)
    return 0
