"""Charts to PNG and SVG files, for slides and reports.

Both formats are painted by the same call, the chart's QGraphicsScene rendered into a
painter: a PNG at twice the on-screen size (sharp on a projector), an SVG through Qt's
QSvgGenerator. pyqtgraph's own SVGExporter is not used: it misregisters items (axis groups
scaled against images), whereas one render path puts everything at the same place in both
files. `export_widget(widget, path)` is the call without a dialog (reports use it).
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QGraphicsView, QMenu, QToolButton, QWidget

from app import dialogs

PNG_SCALE = 2  # pixels per screen pixel in a PNG
FORMATS = {".png": "PNG image (*.png)", ".svg": "SVG drawing (*.svg)"}


def _view(widget: QWidget) -> QGraphicsView:
    """The pyqtgraph view to draw: the widget itself, or its `export_view()`."""
    view = widget if isinstance(widget, QGraphicsView) else getattr(widget, "export_view", lambda: None)()
    if not isinstance(view, QGraphicsView):
        raise TypeError(f"{type(widget).__name__} has no chart view to export")
    return view


def _export_mode(view: QGraphicsView, on: bool, painter: QPainter) -> None:
    opts = {"antialias": True, "background": view.backgroundBrush().color(), "painter": painter,
            "resolutionScale": 1.0}  # the painter's own scale (device pixel ratio) sizes the symbols
    for item in view.scene().items():
        if hasattr(item, "setExportMode"):
            item.setExportMode(on, opts)


def _paint(view: QGraphicsView, painter: QPainter, target: QRectF) -> None:
    """The visible part of the scene, exactly as on screen, scaled into `target`."""
    source = view.mapToScene(view.viewport().rect()).boundingRect()
    painter.setRenderHint(QPainter.Antialiasing)
    painter.setRenderHint(QPainter.TextAntialiasing)
    painter.fillRect(target, view.backgroundBrush().color() if view.backgroundBrush().style() else QColor("white"))
    # Export mode, as pyqtgraph's own exporters set it: scatter symbols drawn as shapes, not
    # from the on-screen pixmap atlas (which an SVG turns into rows of broken fragments).
    _export_mode(view, True, painter)
    view.scene().render(painter, target, source, Qt.IgnoreAspectRatio)
    _export_mode(view, False, painter)
    fg = view.foregroundBrush()
    if fg.style() != Qt.NoBrush:  # an out-of-date chart's veil goes into the file too
        painter.fillRect(target, fg)


def _same_dpi(image: QImage, view: QGraphicsView) -> None:
    """Fonts sized in points come out as on screen (and as in the SVG)."""
    per_metre = round(view.logicalDpiX() / 0.0254)
    image.setDotsPerMeterX(per_metre)
    image.setDotsPerMeterY(per_metre)


def chart_size(widget: QWidget) -> QSize:
    """The on-screen size of the chart picture (a PNG is PNG_SCALE times it)."""
    return _view(widget).viewport().size()


def render_image(widget: QWidget, scale: float = PNG_SCALE) -> QImage:
    view = _view(widget)
    size = view.viewport().size()
    image = QImage(round(size.width() * scale), round(size.height() * scale), QImage.Format_ARGB32)
    image.fill(QColor("white"))
    _same_dpi(image, view)
    # The device pixel ratio scales pens and fonts with the picture (a plain scale would
    # leave pyqtgraph's cosmetic 1-pixel lines half as thick).
    image.setDevicePixelRatio(scale)
    painter = QPainter(image)
    _paint(view, painter, QRectF(0, 0, size.width(), size.height()))
    painter.end()
    image.setDevicePixelRatio(1.0)
    return image


def write_svg(widget: QWidget, path: str | Path, title: str = "") -> None:
    view = _view(widget)
    size = view.viewport().size()
    gen = QSvgGenerator()
    gen.setFileName(str(path))
    gen.setSize(size)
    gen.setViewBox(QRectF(0, 0, size.width(), size.height()))
    gen.setResolution(view.logicalDpiX())  # point-sized fonts as large as on screen (default 72 dpi)
    gen.setTitle(title or "XbarScope chart")
    gen.setDescription("Exported from XbarScope")
    painter = QPainter(gen)
    _paint(view, painter, QRectF(0, 0, size.width(), size.height()))
    painter.end()


def export_widget(widget: QWidget, path: str | Path, title: str = "") -> Path:
    """Write the chart `widget` (a chart panel or its pyqtgraph view) to `path`: PNG or SVG by
    its suffix. Returns the path; raises ValueError for another suffix, OSError when the file
    cannot be written."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".png":
        if not render_image(widget).save(str(path), "PNG"):
            raise OSError(f"could not write {path}")
    elif suffix == ".svg":
        write_svg(widget, path, title)
        if not path.is_file():
            raise OSError(f"could not write {path}")
    else:
        raise ValueError(f"cannot export a chart as {suffix or 'a file without a suffix'}: use .png or .svg")
    return path


def file_stem(text: str) -> str:
    """A file name from a chart's subject: 'vgg13-paper · 512×512' -> 'vgg13-paper_512x512'."""
    keep = "".join(c if c.isalnum() or c in "-_." else "_" for c in text.replace("×", "x"))
    return "_".join(p for p in keep.split("_") if p)[:80] or "chart"


def export_chart_dialog(parent: QWidget, widget: QWidget, suggested_name: str, suffix: str = ".png") -> Path | None:
    """Ask where to save the chart (PNG or SVG, `suffix` first), then write it. None if cancelled."""
    filters = [FORMATS[suffix]] + [f for s, f in FORMATS.items() if s != suffix]
    path, chosen = dialogs.save_file(parent, "Export chart", filters, f"{suggested_name}{suffix}")
    if not path:
        return None
    if Path(path).suffix.lower() not in FORMATS:
        path += ".svg" if chosen.startswith("SVG") else ".png"
    try:
        return export_widget(widget, path, suggested_name)
    except (OSError, ValueError) as e:
        dialogs.error(parent, "Export chart", f"Could not export the chart: {e}")
        return None


def export_button(chart: QWidget, suggested_name) -> QToolButton:
    """An 'Export' button with PNG and SVG entries; `suggested_name()` gives the file name."""
    button = QToolButton(chart)
    button.setText("Export")
    button.setObjectName("chartExport")
    button.setToolTip("Save this chart as a PNG picture (twice the screen size) or an SVG drawing")
    button.setPopupMode(QToolButton.InstantPopup)
    menu = QMenu(button)
    for suffix, label in ((".png", "PNG picture…"), (".svg", "SVG drawing…")):
        action = menu.addAction(label)
        action.setObjectName(f"export{suffix}")
        action.triggered.connect(lambda _=False, s=suffix: export_chart_dialog(chart, chart, suggested_name(), s))
    button.setMenu(menu)
    return button
