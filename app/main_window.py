"""The main window: creates the widgets and controllers and connects them. Nothing else.

Layout: the crossbar view in the centre under the network totals, the docks in slim
columns around it (app.default_layout). Docks can be rearranged; the layout is kept in
QSettings.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMainWindow, QToolBar, QVBoxLayout, QWidget

from engine.methods import DESCRIPTIONS, METHODS

from app import default_layout, docks, help_menu, method_style, text_size
from app.about import show_about
from app.actions import Actions
from app.chip_wiring import connect_chip
from app.background_jobs import DesignSpaceController, SweepController
from app.file_drop import FileDropFilter
from app.mapping_controller import MappingController
from app.models.layer_history import LayerHistory
from app.models.layer_table_model import LayerTableModel
from app.models.results_model import ResultsModel
from app.project_controller import ProjectController
from app.results_export import export_results_csv
from app.selection import SelectionModel
from app.widgets.array_editor import ArrayEditor
from app.widgets.central_area import CentralArea
from app.widgets.compression_panel import CompressionPanel
from app.widgets.energy_editor import EnergyEditor
from app.widgets.inspector import Inspector
from app.widgets.lazy_panel import LazyPanel
from app.widgets.method_options_editor import MethodOptionsEditor
from app.widgets.layer_editor import LayerEditor
from app.widgets.recent_files_menu import RecentFilesMenu
from app.widgets.results_table import ResultsTable
from app.widgets.run_bar import RunBar
from app.workers import JobRunner
from app.workspace import Workspace
from app.window_wiring import (CROSSBAR_EXPORTS, connect_charts, connect_crossbar, connect_energy, connect_mapping,
                               connect_selection)


class MainWindow(QMainWindow):
    charts_ready = Signal()  # the pyqtgraph panels are built (shortly after the first show)

    def __init__(self, presets: list[tuple[str, str]], recovery_path=None, persist_layout: bool = True):
        super().__init__()
        self.persist_layout = persist_layout
        self._charts_scheduled = False
        self._shut_down = False
        self.setObjectName("mainWindow")
        self.setWindowTitle("untitled[*] — XbarScope")
        self.setDockNestingEnabled(True)
        self.setAcceptDrops(True)

        # Models and workers.
        self.runner = JobRunner(self)
        self.layer_model = LayerTableModel(self)
        self.layer_history = LayerHistory(self.layer_model, self)
        self.results_model = ResultsModel(self)
        self.selection = SelectionModel(self)

        # Widgets.
        self.central = CentralArea()
        self.setCentralWidget(self.central)
        self.layer_editor = LayerEditor(self.layer_model, presets)
        self.array_editor = ArrayEditor(dict(DESCRIPTIONS))
        self.energy_editor = EnergyEditor()
        self.method_options = MethodOptionsEditor()
        self.inspector = Inspector(list(method_style.ordered(METHODS)))
        self.compression_panel = CompressionPanel()
        self.results_table = ResultsTable(self.results_model)
        self.comparison = LazyPanel(_comparison_chart, "comparison chart")
        self.bound_panel = LazyPanel(_bound_chart, "distance to bound chart")
        self.sweep_panel = LazyPanel(_sweep_chart, "sweep chart")
        self.design_panel = LazyPanel(_design_space_view, "design space")
        self.chip_panel = LazyPanel(_chip_panel, "chip view")
        self.run_bar = RunBar()

        # Where each dock goes is app.default_layout's business (arranged again once sized).
        left = Qt.LeftDockWidgetArea
        self.network_dock = docks.add_dock(self, "Network", "networkDock", self.layer_editor, left)
        array_panel = QWidget()
        array_lay = QVBoxLayout(array_panel)
        array_lay.setContentsMargins(0, 0, 0, 0)
        array_lay.setSpacing(0)
        array_lay.addWidget(self.array_editor)
        array_lay.addWidget(self.method_options)
        array_lay.addWidget(self.energy_editor)
        self.array_panel = array_panel
        self.array_dock = docks.add_dock(self, "Array and methods", "arrayDock", docks.scrollable(array_panel), left)
        self.inspector_dock = docks.add_dock(self, "Inspector", "inspectorDock", docks.scrollable(self.inspector), left)
        self.results_dock = docks.add_dock(self, "Results", "resultsDock", self.results_table, left)
        self.comparison_dock = docks.add_dock(self, "Comparison", "comparisonDock", self.comparison, left)
        self.bound_dock = docks.add_dock(self, "Distance to bound", "boundDock", self.bound_panel, left)
        self.chip_dock = docks.add_dock(self, "Chip", "chipDock", docks.scrollable(self.chip_panel), left)
        self.design_dock = docks.add_dock(self, "Design space (VW-SDK)", "designDock", self.design_panel, left)
        self.compression_dock = docks.add_dock(self, "Compression", "compressionDock", self.compression_panel, left)
        self.sweep_dock = docks.add_dock(self, "Array-size sweep", "sweepDock", self.sweep_panel, left)
        default_layout.arrange(self)

        toolbar = QToolBar("Run", self)
        toolbar.setObjectName("runToolbar")
        toolbar.setMovable(False)
        toolbar.addWidget(self.run_bar)
        self.addToolBar(Qt.TopToolBarArea, toolbar)

        # Controllers.
        self.workspace = Workspace(self.layer_model, self.array_editor, self)
        self.mapping = MappingController(self.runner, self)
        self.sweeps = SweepController(self.runner, self)
        self.design = DesignSpaceController(self.runner, self)
        self.project = ProjectController(self.workspace, self, self.runner, recovery_path)
        self.commands = Actions(self)
        self.recent_menu = RecentFilesMenu(self)
        self.drop_filter = FileDropFilter(self)
        self.installEventFilter(self.drop_filter)

        self.undo_action = self.layer_history.stack.createUndoAction(self, "&Undo")
        self.redo_action = self.layer_history.stack.createRedoAction(self, "&Redo")
        self.undo_action.setShortcut(QKeySequence.Undo)
        self.redo_action.setShortcut(QKeySequence.Redo)
        self._build_menus()
        self._connect()

    def _build_menus(self) -> None:
        a, bar = self.commands, self.menuBar()
        file_menu = bar.addMenu("&File")
        for name in ("new", "open"):
            file_menu.addAction(a[name])
        file_menu.addMenu(self.recent_menu)
        for name in ("save", "save_as", None, "import", "import_folder", "export_csv", "export_report"):
            file_menu.addSeparator() if name is None else file_menu.addAction(a[name])
        crossbar_menu = file_menu.addMenu("Export &Crossbar")
        for name in CROSSBAR_EXPORTS:
            crossbar_menu.addAction(a[f"export_{name}"])
        file_menu.addSeparator()
        file_menu.addAction(a["quit"])
        edit_menu = bar.addMenu("&Edit")  # undo and redo of the layer table
        for action in (self.undo_action, self.redo_action):
            edit_menu.addAction(action)
        run_menu = bar.addMenu("&Run")
        for name in ("run", "cancel", "sweep"):
            run_menu.addAction(a[name])
        view_menu = bar.addMenu("&View")
        for dock in (self.network_dock, self.array_dock, self.inspector_dock, self.design_dock, self.compression_dock,
                     self.results_dock, self.comparison_dock, self.bound_dock, self.chip_dock, self.sweep_dock):
            view_menu.addAction(dock.toggleViewAction())
        view_menu.addSeparator()
        for name in ("bigger_text", "smaller_text", "reset_layout", None, "presentation"):
            view_menu.addSeparator() if name is None else view_menu.addAction(a[name])
        help_ = bar.addMenu("&Help")
        for name in ("shortcuts", "documentation", None, "about"):
            help_.addSeparator() if name is None else help_.addAction(a[name])

    def _connect(self) -> None:
        a, p = self.commands, self.project
        a["new"].triggered.connect(p.new)
        a["open"].triggered.connect(lambda: p.open())
        a["save"].triggered.connect(p.save)
        a["save_as"].triggered.connect(p.save_as)
        a["import"].triggered.connect(lambda: p.import_file())
        a["import_folder"].triggered.connect(lambda: p.import_folder())
        a["export_csv"].triggered.connect(self.export_results)
        a["export_report"].triggered.connect(self.export_report)
        a["quit"].triggered.connect(self.close)
        a["about"].triggered.connect(lambda: show_about(self))
        a["shortcuts"].triggered.connect(lambda: help_menu.show_shortcuts(self))
        a["documentation"].triggered.connect(lambda: help_menu.show_documentation(self))
        a["bigger_text"].triggered.connect(lambda: text_size.step(+1))
        a["smaller_text"].triggered.connect(lambda: text_size.step(-1))
        a["reset_layout"].triggered.connect(self.reset_layout)
        p.loaded.connect(self.layer_history.reset)  # a project opened or started: its own history
        self.recent_menu.file_chosen.connect(p.open)
        p.recent_changed.connect(self.recent_menu.set_files)
        p.title_changed.connect(self.setWindowTitle)
        p.status.connect(self.show_status)
        self.drop_filter.file_dropped.connect(p.import_file)
        self.layer_editor.preset_chosen.connect(p.load_preset)
        self.layer_editor.import_requested.connect(lambda: p.import_file())
        self.layer_editor.empty_requested.connect(p.new)
        self.results_table.export_requested.connect(self.export_results)
        connect_mapping(self)
        connect_selection(self)
        connect_charts(self)
        connect_energy(self)
        connect_chip(self)

    # --- small behaviours the wiring calls ---------------------------------------------
    def show_status(self, text: str, ms: int = 8000) -> None:
        if not self._shut_down:  # late news from jobs cancelled on close has no one to tell
            self.statusBar().showMessage(text, ms)

    def export_results(self) -> None:
        export_results_csv(self, self.results_table)

    def export_report(self) -> None:
        from app.report import export_report_dialog  # the report's modules load when first used

        export_report_dialog(self)

    def build_charts(self) -> None:
        """Build the pyqtgraph panels and the crossbar view (after the first paint: see LazyPanel)."""
        for panel in (self.comparison, self.bound_panel, self.sweep_panel, self.design_panel, self.chip_panel):
            panel.build()
        if not hasattr(self.central.crossbar, "playback"):  # still the placeholder
            from app.crossbar.view import CrossbarView

            self.central.set_crossbar_view(CrossbarView())
            connect_crossbar(self, self.central.crossbar)
        self.charts_ready.emit()

    def event(self, event) -> bool:
        # Build the chart panels once the window has painted: the user sees it a second sooner.
        if event.type() == QEvent.Paint and self.comparison.widget is None and not self._charts_scheduled:
            self._charts_scheduled = True
            QTimer.singleShot(0, self, self.build_charts)  # dropped if the window is gone
        return super().event(event)

    def reset_layout(self) -> None:
        default_layout.arrange(self)

    def restore_layout(self) -> bool:
        """The layout of the last session (open_window checks it leaves the crossbar view room)."""
        ok = docks.restore_layout(self)
        default_layout.readable_tabs(self)
        return ok

    def apply_default_sizes(self) -> None:
        """The default layout for the window's current size (first start, --size, a bad saved layout)."""
        default_layout.arrange(self)

    def closeEvent(self, event) -> None:
        if not self.project.close_ok():
            event.ignore()
            return
        if self.persist_layout:
            docks.save_layout(self)
        self.shutdown()
        event.accept()

    def shutdown(self) -> None:
        """Stop timers and every worker; return only when no thread is left running."""
        self._shut_down = True
        self.mapping.debounce.stop()
        self.project.recovery.shutdown()  # its timer, and the autosave being written
        for panel in self.findChildren(LazyPanel):
            panel.shutdown()
        self.statusBar().clearMessage()  # also ends its message-timeout timer
        getattr(self.central.crossbar, "shutdown", lambda: None)()  # playback timer, export worker
        self.runner.shutdown()


# pyqtgraph is imported only here, when the panels are built after the first paint.
def _comparison_chart():
    from app.widgets.comparison_chart import ComparisonChart
    return ComparisonChart()


def _bound_chart():
    from app.widgets.bound_chart import BoundChart
    return BoundChart()


def _sweep_chart():
    from app.widgets.sweep_chart import SweepChart
    return SweepChart()


def _design_space_view():
    from app.widgets.design_space_view import DesignSpaceView
    return DesignSpaceView()


def _chip_panel():
    from app.widgets.chip_panel import ChipPanel
    return ChipPanel()
