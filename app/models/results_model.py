"""Results as a sortable table model; totals rows stay at the bottom whatever the sort."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractProxyModel, QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from engine.batch import MapResult
from engine.energy import EnergyModel

from app import method_style
from app.metric_help import HELP
from app.models.result_rows import COLUMNS, ResultRow, build_rows, energy_title, rows_energy_unit

SORT_ROLE = Qt.UserRole + 1  # raw number for sorting and for tests
ROW_ROLE = Qt.UserRole + 2  # the ResultRow
TOTAL_BG = QColor("#e8eef7")
STALE_FG = QColor("#8a8f98")


class ResultsModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.result: MapResult | None = None
        self.rows: list[ResultRow] = []
        self.stale = False  # inputs changed since this result: shown greyed until re-run
        self.methods: tuple[str, ...] | None = None
        self.energy_model = EnergyModel()
        self.energy_unit = "nJ"
        self._bold = QFont()
        self._bold.setBold(True)

    def set_result(self, result: MapResult | None, methods: tuple[str, ...] | None = None) -> None:
        self.result, self.methods = result, methods
        self.stale = False
        self._rebuild()

    def set_energy_model(self, model: EnergyModel) -> None:
        """New energies per event: the figures are recomputed from the same plans (no re-mapping)."""
        if model != self.energy_model:
            self.energy_model = model
            self._rebuild()

    def _rebuild(self) -> None:
        self.beginResetModel()
        result = self.result
        self.rows = build_rows(result, self.methods, self.energy_model) if result is not None else []
        self.energy_unit = rows_energy_unit(self.rows)
        self.endResetModel()
        self.headerDataChanged.emit(Qt.Horizontal, 0, len(COLUMNS) - 1)

    def row_index(self, layer_index: int, method: str) -> int | None:
        """The model row of a layer's figures for `method` (None if not shown)."""
        return self.rows.index_of(layer_index, method) if self.rows else None  # ResultRows, or [] before a result

    def set_stale(self, stale: bool) -> None:
        if stale != self.stale and self.rows:
            self.stale = stale
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, len(COLUMNS) - 1))

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation != Qt.Horizontal:
            return None
        col = COLUMNS[section]
        if role == Qt.DisplayRole:
            return energy_title(self.energy_unit) if col.key == "energy" else col.title
        if role == Qt.ToolTipRole and col.help:
            return HELP[col.help]
        return None

    def data(self, index, role=Qt.DisplayRole):
        # Views call this thousands of times: compare plain ints, not enum objects.
        role = int(role)
        if not index.isValid():
            return None
        row, col = self.rows[index.row()], COLUMNS[index.column()]
        if role == _DISPLAY:
            return row.texts.get(col.key, "")
        if role == _SORT:
            return row.values.get(col.key)
        if role == _ROW:
            return row
        if role == _TOOLTIP:
            if col.key == "windows" and row.values.get("regions", 1) > 1:
                return (f"* Edge-aware plan in {row.values['regions']} regions: the bulk of the output "
                        "uses this window, the edges their own (see the Inspector).")
            return HELP[col.help] if col.help else None
        if role == _ALIGN:
            return _LEFT if col.key in ("layer", "method") else _RIGHT
        if role == _FONT:
            return self._bold if row.is_total or (col.key == "cycles" and row.method == "vw-sdk") else None
        if role == _BACKGROUND:
            return _TOTAL_BRUSH if row.is_total else None
        if role == _FOREGROUND:
            if self.stale:
                return _STALE_BRUSH
            if col.key == "method":
                return _method_brush(row.method)
        return None


_DISPLAY, _TOOLTIP, _ALIGN = int(Qt.DisplayRole), int(Qt.ToolTipRole), int(Qt.TextAlignmentRole)
_FONT, _BACKGROUND, _FOREGROUND = int(Qt.FontRole), int(Qt.BackgroundRole), int(Qt.ForegroundRole)
_SORT, _ROW = int(SORT_ROLE), int(ROW_ROLE)
_LEFT = int(Qt.AlignLeft | Qt.AlignVCenter)
_RIGHT = int(Qt.AlignRight | Qt.AlignVCenter)
_TOTAL_BRUSH = QBrush(TOTAL_BG)
_STALE_BRUSH = QBrush(STALE_FG)
_METHOD_BRUSHES: dict[str, QBrush] = {}


def _method_brush(method: str) -> QBrush:
    if method not in _METHOD_BRUSHES:
        _METHOD_BRUSHES[method] = QBrush(QColor(method_style.color(method)))
    return _METHOD_BRUSHES[method]


class TotalsLastProxy(QAbstractProxyModel):
    """The results in the order of the column the user sorts by; totals rows stay last.

    Not a QSortFilterProxyModel: its comparisons call Python once per pair, a minute for a
    300,000-row table; the order comes from ResultRows.sort_order (numpy, milliseconds)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._column, self._descending = -1, False
        self._order = self._where = None  # proxy row -> source row, and back; None: as the source

    def setSourceModel(self, model) -> None:
        super().setSourceModel(model)
        model.modelAboutToBeReset.connect(self.beginResetModel)
        model.modelReset.connect(self._source_reset)
        model.dataChanged.connect(lambda a, b, roles=(): self.dataChanged.emit(
            self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1), roles))
        model.headerDataChanged.connect(self.headerDataChanged)

    def _source_reset(self) -> None:
        self._arrange()
        self.endResetModel()

    def sort(self, column: int, order=Qt.AscendingOrder) -> None:
        self._column, self._descending = column, order == Qt.DescendingOrder
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()
        sources = [self.mapToSource(i) for i in before]
        self._arrange()
        self.changePersistentIndexList(before, [self.mapFromSource(i) for i in sources])
        self.layoutChanged.emit()

    def sortColumn(self) -> int:
        return self._column

    def sortOrder(self):
        return Qt.DescendingOrder if self._descending else Qt.AscendingOrder

    def _arrange(self) -> None:
        rows = self.sourceModel().rows
        if self._column < 0 or not rows:
            self._order = self._where = None
            return
        self._order = rows.sort_order(COLUMNS[self._column].key, self._descending)
        self._where = np.empty_like(self._order)
        self._where[self._order] = np.arange(len(self._order))

    # --- the proxy's mapping (a flat table) -----------------------------------------
    def mapToSource(self, index):
        if not index.isValid():
            return QModelIndex()
        row = index.row() if self._order is None else int(self._order[index.row()])
        return self.sourceModel().index(row, index.column())

    def mapFromSource(self, index):
        if not index.isValid():
            return QModelIndex()
        row = index.row() if self._where is None else int(self._where[index.row()])
        return self.index(row, index.column())

    def index(self, row, column, parent=QModelIndex()):
        if parent.isValid() or not (0 <= row < self.rowCount() and 0 <= column < self.columnCount()):
            return QModelIndex()
        return self.createIndex(row, column)

    def parent(self, *index):  # with no argument, QObject.parent()
        return QModelIndex() if index else super().parent()

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() or self.sourceModel() is None else self.sourceModel().rowCount()

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() or self.sourceModel() is None else self.sourceModel().columnCount()

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        return self.sourceModel().headerData(section, orientation, role)
