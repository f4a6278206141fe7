"""The report's pictures, painted by the app's own widgets offscreen (GUI thread only).

The charts are ComparisonChart and BoundChart fed as app/window_wiring.py feeds them; each
layer's crossbar is the real CrossbarView showing a PlanSelection (as app/selection.py
builds them) and exported the way its Export > PNG does (pyqtgraph's ImageExporter on the
grid's layout), at a moderate width. Widgets are laid out with WA_DontShowOnScreen so a
report from the menu flashes no window.
"""
from __future__ import annotations

import inspect

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QWidget

from engine.batch import MapResult
from engine.errors import check_cancel

CHART_SIZE = (1300, 480)  # on-screen size of a chart (its PNG is CHART_SCALE times it)
CHART_SCALE = 1.5
CROSSBAR_WIDTH = 800  # pixels of each layer's crossbar picture
CROSSBAR_SIZE = (1200, 760)  # a square array fills the picture (no blank band under it)


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.WriteOnly)
    if not image.save(buf, "PNG"):
        raise OSError("could not encode a picture as PNG")
    buf.close()
    return bytes(data)


def _offscreen(widget: QWidget, size: tuple[int, int]) -> QWidget:
    widget.setAttribute(Qt.WA_DontShowOnScreen)  # laid out and painted, never on the screen
    widget.resize(*size)
    widget.show()
    QApplication.processEvents()
    return widget


def _show_result(chart, result: MapResult, methods, network: str) -> None:
    """`show_result(result, methods[, network])`: the network argument is newer than some charts."""
    if len(inspect.signature(chart.show_result).parameters) >= 3:
        chart.show_result(result, methods, network)
    else:
        chart.show_result(result, methods)


def _chart_image(chart) -> QImage:
    """The chart's plots (not its buttons), sharper than the screen."""
    try:  # the charts' own PNG export, where it exists
        from app.widgets.chart_export import render_image
    except ImportError:
        render_image = None
    if render_image is not None:
        return render_image(chart, CHART_SCALE)
    return chart.export_view().grab().toImage() if hasattr(chart, "export_view") else chart.view.grab().toImage()


def chart_pictures(result: MapResult, methods: tuple[str, ...], network: str, energy_model=None) -> dict[str, bytes]:
    """{"comparison": png, "bound": png}."""
    from app.widgets.bound_chart import BoundChart
    from app.widgets.comparison_chart import ComparisonChart

    out = {}
    for key, cls in (("comparison", ComparisonChart), ("bound", BoundChart)):
        chart = _offscreen(cls(), CHART_SIZE)
        try:
            if energy_model is not None and hasattr(chart, "set_energy_model"):
                chart.set_energy_model(energy_model)
            _show_result(chart, result, methods, network)
            QApplication.processEvents()
            out[key] = png_bytes(_chart_image(chart))
        finally:
            chart.close()
            chart.deleteLater()
    return out


class CrossbarPainter:
    """One offscreen CrossbarView reused for every layer (building it is the slow part)."""

    def __init__(self):
        from app.crossbar.view import CrossbarView

        self.view = _offscreen(CrossbarView(), CROSSBAR_SIZE)

    def picture(self, result: MapResult, index: int, method: str) -> bytes | None:
        """The grid (title, rulers, legend) of layer `index`'s `method` plan at cycle 0; None without a plan."""
        import pyqtgraph.exporters as pgx

        from app.selection import PlanSelection

        plan = result.plans[index].get(method)
        if plan is None:
            return None
        self.view.show_selection(PlanSelection(index, result.request.layers[index], method, plan))
        QApplication.processEvents()
        exporter = pgx.ImageExporter(self.view.grid.ci)
        exporter.parameters()["width"] = CROSSBAR_WIDTH
        return png_bytes(exporter.export(toBytes=True))

    def close(self) -> None:
        self.view.shutdown()
        self.view.close()
        self.view.deleteLater()


def crossbar_pictures(result: MapResult, method: str, progress=None, should_stop=None,
                      first: int = 0, total: int | None = None) -> list:
    """One PNG (or None) per layer. `progress(done, total, text)` after each layer, counted
    from `first` of `total` steps; `should_stop()` is checked between layers (raises Cancelled)."""
    layers = result.request.layers
    total = total or len(layers)
    painter = CrossbarPainter()
    pictures = []
    try:
        for i, layer in enumerate(layers):
            check_cancel(should_stop)
            if progress:
                progress(first + i, total, f"crossbar of {layer.name}")
            pictures.append(painter.picture(result, i, method))
    finally:
        painter.close()
    return pictures
