"""The crossbar part of `xbarscope --screenshot`: --cycle, --color-mode and --zoom (and, for
the lead to wire as a flag, the compressed view: `check_compressed_view`, `apply_state(compressed=...)`)."""
from __future__ import annotations

from engine.errors import XbarError

from .compressed import VIEWS
from .modes import MODES


def parse_zoom(text: str | None) -> tuple[int, int, int] | None:
    """'ROW,COL,SIZE' -> (row, col, size): show SIZE x SIZE cells from cell (ROW, COL)."""
    if not text:
        return None
    try:
        row, col, size = (int(v) for v in text.split(","))
    except ValueError:
        raise XbarError(f"--zoom: '{text}' is not ROW,COL,SIZE (e.g. 0,0,16)") from None
    if row < 0 or col < 0 or size < 1:
        raise XbarError(f"--zoom: '{text}': ROW and COL must be 0 or more, SIZE at least 1")
    return row, col, size


def check_mode(mode: str | None) -> str | None:
    if mode is not None and mode not in MODES:
        raise XbarError(f"--color-mode: '{mode}' is not one of {', '.join(MODES)}")
    return mode


def check_compressed_view(kind: str | None) -> str | None:
    if kind is not None and kind not in VIEWS:
        raise XbarError(f"compressed view '{kind}' is not one of {', '.join(VIEWS)}")
    return kind


def apply_state(view, cycle: int | None = None, mode: str | None = None,
                zoom: tuple[int, int, int] | None = None, compressed: str | None = None) -> None:
    """Put the crossbar view in the state the flags ask for (after a plan is shown);
    `compressed` ("repacked" or "dense") first, as it decides the plan the cycle counts in."""
    if view.panel.plan is None:
        raise XbarError("no plan to show: the layer has no result for that method")
    if compressed is not None:
        from .compressed import is_compressed

        if not is_compressed(view.panel.plan):
            raise XbarError(f"--compressed-view: the {view.panel.plan.method} plan is not compressed "
                            "(it goes with pairs, kerntrol or vwc-sdk)")
        view.set_compressed_view(check_compressed_view(compressed))
    plan = view.panel.plan
    if cycle is not None:
        if not 0 <= cycle < plan.cycles:
            raise XbarError(f"--cycle {cycle} is outside 0…{plan.cycles - 1} for this plan")
        view.set_cycle(cycle)
    if mode is not None:
        if mode == "weight" and view.panel.weights is None:
            raise XbarError("--color-mode weight needs the layer's weights (import an ONNX model)")
        view.set_mode(mode)
    if zoom is not None:
        row, col, size = zoom
        if row >= plan.array.rows or col >= plan.array.cols:
            raise XbarError(f"--zoom: cell ({row}, {col}) is outside the {plan.array.rows}×{plan.array.cols} array")
        view.zoom_to(row, col, size)


def save_picture(widget, path: str, scale: float = 1.0) -> bool:
    """`xbarscope --screenshot FILE`: the widget as PNG (`widget.grab()`; `scale` > 1 paints
    it at that many pixels per screen pixel, for slides), or as SVG when the name ends in
    .svg (Qt's SVG generator; widget.render paints every child into it).

    A whole window's SVG is close, not exact: Qt's SVG engine does not clip, so text that a
    narrow cell or label cuts on screen runs on in the SVG. The crossbar grid's own SVG
    (ExportController.write_picture) is exact."""
    if not str(path).lower().endswith(".svg"):
        if scale <= 1:
            return widget.grab().save(str(path))
        from PySide6.QtGui import QColor, QPixmap

        pixmap = QPixmap(widget.size() * scale)
        pixmap.setDevicePixelRatio(scale)
        pixmap.fill(QColor("white"))
        widget.render(pixmap)
        return pixmap.save(str(path))
    from PySide6.QtCore import QPoint, QRect
    from PySide6.QtGui import QPainter
    from PySide6.QtSvg import QSvgGenerator

    gen = QSvgGenerator()
    gen.setFileName(str(path))
    gen.setSize(widget.size())
    gen.setViewBox(QRect(0, 0, widget.width(), widget.height()))
    gen.setTitle("XbarScope")
    from .export_controller import picture_dpi

    gen.setResolution(picture_dpi())  # pyqtgraph's QPicture-cached items register at this DPI
    painter = QPainter(gen)
    if not painter.isActive():
        return False
    widget.render(painter, QPoint(0, 0))
    painter.end()
    from .export_controller import drop_empty_paths

    return drop_empty_paths(str(path))

