"""Export commands of the crossbar view: asks for a file, runs the work, shows progress.

PNG and SVG come from pyqtgraph's exporters on the GUI thread (they paint the scene, which
only the GUI thread may touch; it takes a fraction of a second). Animations and cell maps
run on a worker (`app.workers.JobRunner` via a `JobSlot`) with a progress bar and a cancel
button; the worker gets plain data and builds no Qt object.
"""
from __future__ import annotations

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

FILTERS = {"png": "PNG image (*.png)", "svg": "SVG drawing (*.svg)", "gif": "Animated GIF (*.gif)",
           "mp4": "MP4 video (*.mp4)", "csv": "CSV table (*.csv)", "json": "JSON (*.json)"}


def svg_of_scene(item, path: str) -> None:
    """The part of the scene under `item`, drawn by Qt's SVG generator (images embedded)."""
    from PySide6.QtGui import QPainter
    from PySide6.QtSvg import QSvgGenerator

    rect = item.sceneBoundingRect()
    gen = QSvgGenerator()
    gen.setFileName(path)
    gen.setSize(rect.size().toSize())
    gen.setViewBox(QRectF(0, 0, rect.width(), rect.height()))
    gen.setTitle("XbarScope crossbar view")
    painter = QPainter(gen)
    item.scene().render(painter, QRectF(0, 0, rect.width(), rect.height()), rect)
    painter.end()


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
        path = path or self._ask_path(kind)
        if not path:
            return False
        if kind in ("png", "svg"):
            return self.export_image(path)
        if kind in ("gif", "mp4"):
            self.start(self.animation_request(path, options))
        else:
            self.start(self.cell_map_request(path))
        return True

    def _ask_path(self, kind: str) -> str:
        p = self.view.panel.plan
        suggested = f"{p.layer.name}-{p.method}-crossbar.{kind}"
        path, _ = dialogs.save_file(self.view, "Export crossbar", [FILTERS[kind]], suggested)
        if path and not Path(path).suffix:
            path += f".{kind}"
        return path

    # --- requests (plain data for the worker) -------------------------------------------------
    def animation_request(self, path: str, options) -> AnimationRequest:
        panel = self.view.panel
        spec = FrameSpec(panel.plan, panel.cycles.schedule.order, panel.mode, panel.weights,
                         options.width, options.height)
        return AnimationRequest(spec, path, options.first, options.last, options.step, options.fps)

    def cell_map_request(self, path: str) -> CellMapRequest:
        panel = self.view.panel
        cyc = panel.cycles.cycle(panel.t)
        return CellMapRequest(panel.cycles.part(cyc), cyc.a, cyc.b, cyc.group, path, panel.weights)

    def start(self, request):
        self.status.emit(f"Exporting to {request.path}…")
        return self.slot.start(request)

    # --- the view as a picture -----------------------------------------------------------------
    def export_image(self, path: str) -> bool:
        """PNG or SVG of the grid scene (title, rulers, strips, grid, legend); compare mode: PNG of both."""
        import pyqtgraph.exporters as pgx

        try:
            if self.view.comparing:
                if not path.lower().endswith(".png"):
                    self.status.emit("Compare mode exports PNG only")
                    return False
                ok = self.view.compare.grab().save(path)
            elif path.lower().endswith(".svg"):
                try:
                    pgx.SVGExporter(self.view.grid.ci).export(path)
                except ValueError:
                    # pyqtgraph 0.14 cannot parse the closed paths ('... Z') Qt 6.10+ writes
                    # (pyqtgraph issue #3495): let Qt's own SVG generator draw the scene.
                    svg_of_scene(self.view.grid.ci, path)
                ok = Path(path).is_file()
            else:
                exporter = pgx.ImageExporter(self.view.grid.ci)
                exporter.parameters()["width"] = max(1600, int(self.view.grid.ci.width()))  # crisp on slides
                ok = exporter.export(path) is not False and Path(path).is_file()
        except OSError as e:
            ok = False
            self.status.emit(f"Cannot write {path}: {e}")
        if ok:
            self.status.emit(f"Saved {path}")
        return bool(ok)

    # --- results -------------------------------------------------------------------------------
    def _finished(self, result: ExportResult) -> None:
        what = "frames" if isinstance(result.request, AnimationRequest) else "cells"
        self.status.emit(f"Exported {result.count:,} {what} to {result.path}")
        self.done.emit(result)

    def _failed(self, message: str) -> None:
        self.status.emit(f"Export failed: {message}")
        dialogs.error(self.view, "Export failed", message)

    def shutdown(self) -> None:
        self.runner.shutdown()
