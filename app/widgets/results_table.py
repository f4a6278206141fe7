"""Per-layer, per-method results: sortable, copyable, exportable; a row picks layer + method."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QPushButton,
                               QTableView, QVBoxLayout, QWidget)

from app import text_size
from app.models.result_rows import COLUMN_INDEX, COMPRESSION_COLUMNS, column_used, to_delimited
from app.models.results_model import ROW_ROLE, ResultsModel, TotalsLastProxy
from app.widgets.column_fit import fit_columns


class ResultsTable(QWidget):
    row_selected = Signal(int, str)  # layer index, method
    export_requested = Signal()

    def __init__(self, model: ResultsModel, parent=None):
        super().__init__(parent)
        self.model = model
        self._following = False  # True while mirroring a selection made elsewhere
        self.proxy = TotalsLastProxy(self)
        self.proxy.setSourceModel(model)
        self.table = QTableView()
        self.table.setObjectName("resultsTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.AscendingOrder)  # network order until the user sorts
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(text_size.row_height(self))
        # Sized once per result from a sample of rows (fit_columns), not on every repaint.
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)

        copy = QAction("Copy", self)
        copy.setShortcut(QKeySequence.Copy)
        copy.setShortcutContext(Qt.WidgetWithChildrenShortcut)
        copy.triggered.connect(self.copy_to_clipboard)
        self.table.addAction(copy)

        self.status = QLabel("Run the mapping (F5) to see results.")
        self.status.setObjectName("hintText")
        self.status.setWordWrap(True)
        self.status.setMinimumWidth(1)  # wraps in a narrow dock column instead of widening it
        copy_btn = QPushButton("Copy table")
        copy_btn.setToolTip("Copy the selected rows (or the whole table) as tab-separated text "
                            "for a spreadsheet (Ctrl+C)")
        copy_btn.clicked.connect(self.copy_to_clipboard)
        export_btn = QPushButton("Export CSV…")
        export_btn.setToolTip("Save the whole table as a CSV file")
        export_btn.clicked.connect(self.export_requested)
        # The status on a row of its own: beside the buttons, a narrow dock wrapped it a word a line.
        top = QHBoxLayout()
        top.addStretch(1)
        top.addWidget(copy_btn)
        top.addWidget(export_btn)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.status)
        lay.addLayout(top)
        lay.addWidget(self.table, 1)
        model.modelReset.connect(self._after_reset)

    def _after_reset(self) -> None:
        # Compression columns only when a compression-aware method is shown: the table is wide enough.
        for key in COMPRESSION_COLUMNS:
            self.table.setColumnHidden(COLUMN_INDEX[key], not column_used(self.model.rows, key))
        fit_columns(self.table)
        stale = " (out of date: run again)" if self.model.stale else ""
        self.status.setText("" if self.model.rows else "Run the mapping (F5) to see results.")
        if self.model.result is not None:
            r = self.model.result.request
            self.status.setText(f"{len(r.layers)} layers on a {r.array.rows:,} × {r.array.cols:,} array, "
                                f"{r.array.cell_bits}-bit cells, {r.array.weight_bits}-bit weights{stale}")

    def set_stale(self, stale: bool) -> None:
        self.model.set_stale(stale)
        if self.model.result is not None:
            text = self.status.text().replace(" (out of date: run again)", "")
            self.status.setText(text + (" (out of date: run again)" if stale else ""))

    def _current_changed(self, current, _previous) -> None:
        if not current.isValid() or self._following:
            return
        row = self.proxy.index(current.row(), 0).data(ROW_ROLE)
        if row is not None and not row.is_total:
            self.row_selected.emit(row.layer_index, row.method)

    def select(self, layer_index: int, method: str) -> None:
        """Follow a selection made elsewhere, without echoing it back."""
        at = self.model.row_index(layer_index, method)
        if at is None:
            return
        r = self.proxy.mapFromSource(self.model.index(at, 0)).row()
        if r >= 0 and self.table.currentIndex().row() != r:
            self._following = True
            try:
                self.table.selectRow(r)
            finally:
                self._following = False
            self.table.scrollTo(self.proxy.index(r, 0))

    def visible_rows(self, selected_only: bool) -> list:
        rows = range(self.proxy.rowCount())
        if selected_only:
            picked = {i.row() for i in self.table.selectionModel().selectedRows()}
            rows = [r for r in rows if r in picked] or rows
        return [self.proxy.index(r, 0).data(ROW_ROLE) for r in rows]

    def copy_to_clipboard(self) -> None:
        rows = self.visible_rows(selected_only=len(self.table.selectionModel().selectedRows()) > 1)
        QGuiApplication.clipboard().setText(to_delimited(rows, sep="\t"))

    def cell_text(self, layer: str, method_label: str, column: str) -> str:
        """The text shown in one cell, found by its row labels (for tests and scripting)."""
        for r in range(self.proxy.rowCount()):
            row = self.proxy.index(r, 0).data(ROW_ROLE)
            if row.values["layer"] == layer and row.values["method"] == method_label:
                return self.proxy.index(r, COLUMN_INDEX[column]).data(Qt.DisplayRole)
        raise KeyError((layer, method_label))
