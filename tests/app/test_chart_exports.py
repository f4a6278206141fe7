"""Every chart exports PNG and SVG, and both files put the plot at the same place."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

from engine import ArraySpec
from engine.batch import MapRequest, SweepRequest, map_network, square_arrays, sweep
from engine.presets import load_preset

from app import method_style
from app.widgets import chart_export


def _pixels(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format_RGB32)
    ptr = image.constBits()
    arr = np.frombuffer(ptr, dtype=np.uint8, count=image.sizeInBytes())
    return arr.reshape(image.height(), image.bytesPerLine() // 4, 4)[:, :image.width(), :3][..., ::-1]


def _box(image: QImage, color: str, tol: int = 40):
    """Bounding box (x0, y0, x1, y1) of the pixels near `color`."""
    px = _pixels(image).astype(int)
    c = QColor(color)
    near = (np.abs(px - [c.red(), c.green(), c.blue()]).sum(axis=2) < tol)
    ys, xs = np.nonzero(near)
    assert xs.size > 50, f"no {color} in the picture"
    return xs.min(), ys.min(), xs.max(), ys.max()


def _dark_box(image: QImage):
    ys, xs = np.nonzero((_pixels(image) < 110).all(axis=2))
    return xs.min(), ys.min(), xs.max(), ys.max()


def _svg_image(path, size) -> QImage:
    image = QImage(size, QImage.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    QSvgRenderer(str(path)).render(painter, QRectF(0, 0, size.width(), size.height()))
    painter.end()
    return image


def _result(methods=("im2col", "sdk", "vw-sdk")):
    net = load_preset("resnet18-paper")
    return map_network(MapRequest(tuple(net.layers), ArraySpec(512, 512), methods))


def _comparison(qtbot):
    from app.widgets.comparison_chart import ComparisonChart

    chart = ComparisonChart()
    qtbot.addWidget(chart)
    chart.resize(1000, 520)
    chart.show_result(_result(), ("im2col", "sdk", "vw-sdk"), "resnet18-paper")
    chart.show()
    qtbot.waitExposed(chart)
    return chart


def _sweep(qtbot):
    from app.widgets.sweep_chart import SweepChart

    net = load_preset("resnet18-paper")
    chart = SweepChart()
    qtbot.addWidget(chart)
    chart.resize(800, 480)
    chart.show_result(sweep(SweepRequest(tuple(net.layers), square_arrays((64, 256, 1024)), ("sdk", "vw-sdk"))),
                      "resnet18-paper")
    chart.show()
    qtbot.waitExposed(chart)
    return chart


@pytest.mark.parametrize("make,color", [(_comparison, method_style.color("vw-sdk")),
                                        (_sweep, method_style.color("sdk"))])
def test_png_and_svg_put_the_data_at_the_same_pixels(qtbot, tmp_path, make, color):
    chart = make(qtbot)
    png, svg = chart_export.export_widget(chart, tmp_path / "c.png"), chart_export.export_widget(chart, tmp_path / "c.svg")
    image = QImage(str(png))
    size = chart_export.chart_size(chart)
    assert (image.width(), image.height()) == (2 * size.width(), 2 * size.height())  # sharp on a projector
    assert "<svg" in svg.read_text(encoding="utf-8")
    drawn = _svg_image(svg, image.size())
    a, b = _box(image, color), _box(drawn, color)
    assert max(abs(p - q) for p, q in zip(a, b)) <= 2, (a, b)
    # The text and axes too (everything dark: titles, tick labels, axis lines) at the same corners.
    a, b = _dark_box(image), _dark_box(drawn)
    assert max(abs(p - q) for p, q in zip(a, b)) <= 2, (a, b)


def test_export_refuses_other_suffixes(qtbot, tmp_path):
    chart = _sweep(qtbot)
    with pytest.raises(ValueError):
        chart_export.export_widget(chart, tmp_path / "c.jpg")


def test_the_export_menu_asks_for_a_file_named_after_the_chart(qtbot, tmp_path, monkeypatch):
    from app import dialogs

    chart = _comparison(qtbot)
    asked = []

    def save_file(parent, title, filters, suggested=""):
        asked.append((filters, suggested))
        return str(tmp_path / "picked"), filters[0]

    monkeypatch.setattr(dialogs, "save_file", save_file)
    svg_action = next(a for a in chart.export.menu().actions() if a.objectName() == "export.svg")
    svg_action.trigger()
    filters, suggested = asked[0]
    assert filters[0].startswith("SVG") and suggested.startswith("comparison_resnet18-paper")
    assert suggested.endswith(".svg") and "512x512" in suggested
    assert (tmp_path / "picked.svg").stat().st_size > 1000  # the chosen filter's suffix added
    asked.clear()
    monkeypatch.setattr(dialogs, "save_file", lambda *a, **k: ("", ""))  # cancelled: nothing written
    assert chart_export.export_chart_dialog(chart, chart, "x") is None


def test_every_chart_panel_of_the_window_exports(qtbot, open_app_window, tmp_path):
    w = open_app_window("resnet18-paper")
    qtbot.waitUntil(lambda: w.mapping.result is not None, timeout=20000)
    with qtbot.waitSignal(w.sweeps.slot.result, timeout=20000):
        w.commands["sweep"].trigger()
    w.selection.select_layer(1)
    qtbot.waitUntil(lambda: w.design.space is not None, timeout=20000)
    for name in ("comparison", "bound_panel", "sweep_panel", "design_panel"):
        chart = getattr(w, name).widget
        for suffix in (".png", ".svg"):
            path = chart_export.export_widget(chart, tmp_path / f"{name}{suffix}")
            assert path.stat().st_size > 1000, name
