"""Help > About: what this is, its version, and the versions it runs on."""
from __future__ import annotations

import sys

import PySide6
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QMessageBox

from engine import __version__


def about_text() -> str:
    try:
        import pyqtgraph
        pg = pyqtgraph.__version__
    except ImportError:  # the charts are optional for the About box
        pg = "not installed"
    return (f"<h2>XbarScope {__version__}</h2>"
            "<p>How CNN layers map onto processing-in-memory crossbar arrays, and what each "
            "mapping (im2col, SDK, VW-SDK) costs in computing cycles.</p>"
            f"<p style='color:#555'>Python {sys.version.split()[0]} · Qt {qVersion()} · "
            f"PySide6 {PySide6.__version__} · pyqtgraph {pg} · {_how_installed()}</p>")


def _how_installed() -> str:
    """For bug reports: the PyInstaller bundle, or Python with the package."""
    return "desktop bundle" if getattr(sys, "frozen", False) else "Python package"


def show_about(parent) -> None:
    QMessageBox.about(parent, "About XbarScope", about_text())
