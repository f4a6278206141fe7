"""A report in one click: one self-contained HTML file (pictures as data: URIs) with the setup,
totals, charts, the Results table and each layer's crossbar.

`write_report(...)` writes one (no dialog; the command line uses it); `export_report_dialog(window)`
is File > Export Report. The HTML itself is built without Qt in `build.py`; `pictures.py` paints.
"""
from __future__ import annotations

from .write import write_report  # Qt-free to import: it loads the painting code when it runs

__all__ = ["export_report_dialog", "write_report"]


def export_report_dialog(window, path=None):
    """File > Export Report on `window` (the MainWindow); returns the path written or None."""
    from .dialog import export_report_dialog as run  # Qt widgets: loaded only when asked

    return run(window, path)
