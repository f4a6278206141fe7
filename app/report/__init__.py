"""A report in one click: one self-contained HTML file (pictures as data: URIs) with the setup,
totals, charts, the Results table and each layer's crossbar.

`write_report(...)` writes one (no dialog; the command line uses it); `export_report_dialog(window)`
is File > Export Report. The HTML itself is built without Qt in `build.py`; `pictures.py` paints.
"""
from __future__ import annotations


def write_report(*args, **kwargs):
    from .write import write_report as run

    return run(*args, **kwargs)


write_report.__doc__ = "See app.report.write.write_report."


def export_report_dialog(window, path=None):
    """File > Export Report on `window` (the MainWindow); returns the path written or None."""
    from .dialog import export_report_dialog as run

    return run(window, path)
