"""Export commands of the crossbar view: asks for a file, runs the work, shows progress.

PNG and SVG are painted on the GUI thread (only it may touch the scene; it takes a fraction
of a second): PNG by pyqtgraph's ImageExporter, SVG by Qt's own QSvgGenerator through
QGraphicsScene.render. pyqtgraph's SVGExporter is not used: it rewrites each item's
transform itself and gets the rulers wrong (axis groups scaled 0.75 against the grid image,
pyqtgraph issues on SVG export scaling), and 0.14 cannot parse Qt 6.10's closed paths. Animations and cell maps
run on a worker (`app.workers.JobRunner` via a `JobSlot`) with a progress bar and a cancel
button; the worker gets plain data and builds no Qt object.
"""
from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QObject, QRectF, Signal
from PySide6.QtWidgets import QHBoxLayout, QToolButton, QWidget

from app import dialogs
from app.job_slot import JobSlot
from app.widgets.job_progress_bar import JobProgressBar
from app.workers import JobRunner

from . import animation_dialog
from .export_frames import FrameSpec
from .export_jobs import AnimationRequest, CellMapRequest, ExportResult, run_export
from .trace_export import TraceRequest

FILTERS = {"png": "PNG image (*.png)", "svg": "SVG drawing (*.svg)", "gif": "Animated GIF (*.gif)",
           "mp4": "MP4 video (*.mp4)", "csv": "CSV table (*.csv)", "json": "JSON (*.json)",
           "trace_json": "Trace as JSON (*.json)", "trace_csv": "Trace as CSV (*.csv)"}


def svg_of_scene(item, path: str, title: str = "XbarScope crossbar view", min_width: int = 1600) -> bool:
    """The part of the scene under `item`, drawn by Qt's SVG generator (images embedded):
    one painter for everything, at the PNG export's scale (at least `min_width` wide), so
    every item, cell labels included, lands where the PNG has it."""
    from PySide6.QtGui import QPainter
    from PySide6.QtSvg import QSvgGenerator

    rect = item.sceneBoundingRect()
    if rect.width() <= 0 or rect.height() <= 0:
        return False
    width = max(min_width, int(rect.width()))
    target = QRectF(0, 0, width, round(width * rect.height() / rect.width()))
    gen = QSvgGenerator()
    gen.setFileName(path)
    gen.setSize(target.size().toSize())
    gen.setViewBox(target)
    gen.setTitle(title)
    gen.setResolution(picture_dpi())
    painter = QPainter(gen)
    if not painter.isActive():
        return False
    painter.setRenderHint(QPainter.Antialiasing)
    item.scene().render(painter, target, rect)
    painter.end()
    return drop_empty_paths(path)


_EMPTY_PATH = re.compile(r'<path[^>]*\sd=""[^>]*/>\s*')


def drop_empty_paths(path: str) -> bool:
    """Remove the `<path d=""/>` Qt's generator writes for an empty QPainterPath (SVG readers,
    Qt's own included, reject it: "Invalid path data"). True if the file exists."""
    file = Path(path)
    if not file.is_file():
        return False
    text = file.read_text(encoding="utf-8")
    cleaned = _EMPTY_PATH.sub("", text)
    if cleaned != text:
        file.write_text(cleaned, encoding="utf-8")
    return True


def picture_dpi() -> int:
    """The resolution an SVG must have for pyqtgraph's items to land where they do on screen.

    pyqtgraph caches the painting of its axes (and other items) in a QPicture, and QPainter
    replays a QPicture scaled by its recording DPI over the target's DPI: on QSvgGenerator's
    default 72 dpi that is 96/72, the rulers drawn at 0.75 against the grid image, which
    is painted directly. At the QPicture's DPI every item registers."""
    from PySide6.QtGui import QPicture

    return QPicture().logicalDpiX()


def png_of_scene(item, path: str, min_width: int = 1600) -> bool:
    """PNG of the scene under `item`, at least `min_width` pixels wide (crisp on slides)."""
    import pyqtgraph.exporters as pgx

    exporter = pgx.ImageExporter(item)
    exporter.parameters()["width"] = max(min_width, int(item.width()))
    return exporter.export(path) is not False and Path(path).is_file()


class ExportProgress(QWidget):
    """A progress bar with a cancel button, shown while an export runs."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.bar = JobProgressBar()
        self.cancel = QToolButton()
        self.cancel.setText("Cancel export")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(4, 0, 4, 0)
        lay.addWidget(self.bar, 1)
        lay.addWidget(self.cancel)
        self.hide()


class ExportController(QObject):
    status = Signal(str)
    done = Signal(object)  # ExportResult

    def __init__(self, view, parent=None):
        super().__init__(parent)
        self.view = view
        self.runner = JobRunner(self, max_threads=1)
        self.slot = JobSlot(self.runner, run_export, self)
        self.progress = ExportProgress()
        self.progress.cancel.clicked.connect(self.slot.cancel)
        self.slot.busy_changed.connect(self.progress.setVisible)
        self.slot.progress.connect(self.progress.bar.show_progress)
        self.slot.result.connect(self._finished)
        self.slot.failed.connect(self._failed)
        self.slot.cancelled.connect(lambda: self.status.emit("Export cancelled"))

    # --- entry point ---------------------------------------------------------------------------
    def export(self, kind: str, path: str | None = None) -> bool:
        panel = self.view.panel
        if panel.cycles is None:
            self.status.emit("Nothing to export: select a layer with a plan first")
            return False
        if kind in ("gif", "mp4"):
            options = animation_dialog.ask_animation_options(self.view, panel.cycles.total, panel.t, kind)
            if options is None:
                return False
        if kind.startswith("trace_"):
            cycles = animation_dialog.ask_cycle_range(self.view, panel.cycles.total, panel.t, kind[6:])
            if cycles is None:
                return False
        path = path or self._ask_path(kind)
        if not path:
            return False
        if kind.startswith("trace_"):
            return self._start_trace(path, *cycles)
        if kind in ("png", "svg"):
            return self.export_image(path)
        if kind in ("gif", "mp4"):
            self.start(self.animation_request(path, options))
        else:
            self.start(self.cell_map_request(path))
        return True

    def _ask_path(self, kind: str) -> str:
        p = self.view.panel.plan
        ext = kind.removeprefix("trace_")
        suggested = f"{p.layer.name}-{p.method}-{'trace' if ext != kind else 'crossbar'}.{ext}"
        path, _ = dialogs.save_file(self.view, "Export crossbar", [FILTERS[kind]], suggested)
        if path and not Path(path).suffix:
            path += f".{ext}"
        return path

    def _start_trace(self, path: str, first: int, last: int) -> bool:
        """The values of cycles first..last, with the operands values mode shows (its seed, and
        the layer's weights when the view knows them)."""
        from engine.errors import XbarError

        from .trace_export import trace_request
        from .values import PlanValues

        panel = self.view.panel
        plan, order = panel.plan, panel.cycles.schedule.order
        try:
            values = panel.values or PlanValues(plan, order, panel.seed, panel.weights)
            sel = self.view.selection
            request = trace_request(plan, values.operands, order, first, last, path,
                                    sel.layer_index if sel is not None else 0)
        except XbarError as e:
            self._failed(str(e))
            return False
        self.start(request)
        return True

    # --- requests (plain data for the worker) -------------------------------------------------
    def animation_request(self, path: str, options) -> AnimationRequest:
        panel = self.view.panel
        spec = FrameSpec(panel.plan, panel.cycles.schedule.order, panel.mode, panel.weights,
                         options.width, options.height,
                         values_seed=panel.seed if panel.values is not None else None,
                         lines=self.view.lines.enabled_lines)
        return AnimationRequest(spec, path, options.first, options.last, options.step, options.fps)

    def cell_map_request(self, path: str) -> CellMapRequest:
        panel = self.view.panel
        cyc = panel.cycles.cycle(panel.t)
        return CellMapRequest(panel.cycles.part(cyc), cyc.a, cyc.b, cyc.group, path, panel.weights)

    def start(self, request):
        self.status.emit(f"Exporting to {request.path}…")
        return self.slot.start(request)

    # --- the view as a picture -----------------------------------------------------------------
    def write_picture(self, path: str, min_width: int = 1600) -> bool:
        """The grid as it is shown now (title, rulers, strips, grid, legend) written to `path`
        without a dialog: SVG when the name ends in .svg, else PNG (at least `min_width`
        pixels wide). For callers such as a report; False if nothing is shown or on failure."""
        grid = self.view.grid
        if grid.rows == 0:
            return False
        grid._place()  # the box as the current size wants it, before painting
        if str(path).lower().endswith(".svg"):
            return svg_of_scene(grid.ci, str(path), min_width=min_width)
        return png_of_scene(grid.ci, str(path), min_width)

    def export_image(self, path: str) -> bool:
        """PNG or SVG of the grid scene (title, rulers, strips, grid, legend); compare mode: PNG of
        both; with the link lines on, the grid, IFM and OFM panes with the lines (PNG at twice
        the screen's pixels)."""
        try:
            if self.view.comparing:
                if not path.lower().endswith(".png"):
                    self.status.emit("Compare mode exports PNG only")
                    return False
                ok = self.view.compare.grab().save(path)
            elif self.view.lines.enabled_lines:  # the lines join the IFM pane to the grid: both
                from .screenshot import save_picture

                ok = save_picture(self.view.page, path, scale=2)
            else:
                ok = self.write_picture(path)
        except OSError as e:
            ok = False
            self.status.emit(f"Cannot write {path}: {e}")
        if ok:
            self.status.emit(f"Saved {path}")
        return bool(ok)

    # --- results -------------------------------------------------------------------------------
    def _finished(self, result: ExportResult) -> None:
        what = ("frames" if isinstance(result.request, AnimationRequest) else
                "cycles" if isinstance(result.request, TraceRequest) else "cells")
        self.status.emit(f"Exported {result.count:,} {what} to {result.path}")
        self.done.emit(result)

    def _failed(self, message: str) -> None:
        self.status.emit(f"Export failed: {message}")
        dialogs.error(self.view, "Export failed", message)

    def shutdown(self) -> None:
        self.runner.shutdown()
