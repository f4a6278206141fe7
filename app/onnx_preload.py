"""Load the onnx package while the user is idle, before the first ONNX import needs it.

`import onnx` initialises its C++ module (operator schemas) holding the interpreter lock for
about 0.5 s: in the import worker that froze the window for the same time. Importing it on a
worker ahead of time deadlocked against shiboken's import hook, so it is imported on the GUI
thread, a few seconds after start-up, when no job runs and the mouse is not held down. If the
user starts an ONNX import first, the worker imports it as before.
"""
from __future__ import annotations

import importlib.util
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

FIRST_DELAY_MS = 4000  # after start-up's own work (first mapping, charts)
RETRY_MS = 2000


def preload_when_idle(window, busy) -> None:
    """`busy()` true: the user or a job is active; try again later."""
    if "onnx" in sys.modules or importlib.util.find_spec("onnx") is None:
        return

    def attempt() -> None:
        if "onnx" in sys.modules or getattr(window, "_shut_down", False):
            return
        if busy() or QApplication.mouseButtons() or QApplication.activePopupWidget() is not None:
            QTimer.singleShot(RETRY_MS, window, attempt)
            return
        try:
            import onnx  # noqa: F401
        except Exception:  # a broken install: the import that needs it reports it
            pass

    QTimer.singleShot(FIRST_DELAY_MS, window, attempt)
