"""The network editor: preset / import / empty, and the layer table with its row actions."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel,
                               QTableView, QToolButton, QVBoxLayout, QWidget)

from app import text_size
from app.models.layer_table_model import LayerTableModel
from app.widgets.column_fit import fit_columns
from app.widgets.layer_type_delegate import LayerTypeDelegate
from app.models.layer_rows import COLUMN_INDEX

PICK = "Choose a preset…"


class LayerEditor(QWidget):
    preset_chosen = Signal(str)
    import_requested = Signal()
    empty_requested = Signal()
    layer_selected = Signal(int)  # row in the network

    def __init__(self, model: LayerTableModel, presets: list[tuple[str, str]], parent=None):
        super().__init__(parent)
        self.model = model
        self._following = False  # True while mirroring a selection made elsewhere
        self.presets = QComboBox()
        self.presets.setToolTip("Load a built-in network (the paper presets reproduce the VW-SDK figures)")
        self.presets.addItem(PICK)
        for name, description in presets:
            self.presets.addItem(name)
            self.presets.setItemData(self.presets.count() - 1, description, Qt.ToolTipRole)
        self.presets.activated.connect(self._preset_activated)
        # A slim dock column: the combo does not grow to its longest preset name.
        self.presets.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.presets.setMinimumContentsLength(8)

        self.table = QTableView()
        self.table.setModel(model)
        self.table.setObjectName("layerTable")
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.DoubleClicked | QAbstractItemView.EditKeyPressed
                                   | QAbstractItemView.AnyKeyPressed)
        self.table.setAlternatingRowColors(True)
        self.table.setItemDelegateForColumn(COLUMN_INDEX["kind"], LayerTypeDelegate(self.table))
        head = self.table.horizontalHeader()
        head.setSectionResizeMode(QHeaderView.Interactive)
        head.setStretchLastSection(True)
        model.modelReset.connect(lambda: fit_columns(self.table))
        self.table.verticalHeader().setDefaultSectionSize(text_size.row_height(self))
        self.table.selectionModel().currentRowChanged.connect(lambda cur, _: self._row_changed(cur.row()))

        self.summary = QLabel()
        self.summary.setObjectName("networkSummary")
        self.summary.setMinimumWidth(1)  # may be cut in a narrow column; its tooltip has it all
        model.edited.connect(self._update_summary)
        self.origin = QLabel()
        self.origin.setObjectName("hintText")
        self.origin.setWordWrap(True)
        model.modelReset.connect(self._update_origin)

        top = QHBoxLayout()
        top.addWidget(self.presets, 1)
        top.addWidget(self._button("Empty", "Start an empty network", self.empty_requested.emit))
        top.addWidget(self._button("Import…", "Import a layer list: project/layer JSON, CSV, "
                                   "NeuroSim CSV or SCALE-Sim CSV (or drop a file on the window)",
                                   self.import_requested.emit))
        rows = QHBoxLayout()
        self.add_btn = self._button("Add", "Add a layer after the selected one (Ctrl+Shift+A); it takes "
                                    "the previous layer's output as its input", self.add_layer, "Ctrl+Shift+A")
        self.dup_btn = self._button("Duplicate", "Duplicate the selected layer (Ctrl+D)", self.duplicate, "Ctrl+D")
        self.del_btn = self._button("Delete", "Delete the selected layers (Delete)", self.delete, "Delete")
        self.up_btn = self._button("▲", "Move the selected layer up (Alt+Up)", lambda: self.move(-1), "Alt+Up")
        self.down_btn = self._button("▼", "Move the selected layer down (Alt+Down)", lambda: self.move(1), "Alt+Down")
        for b in (self.add_btn, self.dup_btn, self.del_btn, self.up_btn, self.down_btn):
            rows.addWidget(b)
        rows.addStretch(1)
        rows.addWidget(self.summary)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(top)
        lay.addLayout(rows)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.origin)
        self._update_summary()
        self._update_origin()

    def _button(self, text, tip, slot, shortcut=None) -> QToolButton:
        action = QAction(text, self)
        action.setToolTip(tip)
        action.triggered.connect(lambda _=False: slot())
        if shortcut:
            # Only while the editor has focus: Delete elsewhere must not delete layers.
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.WidgetWithChildrenShortcut)
            self.addAction(action)
        b = QToolButton()
        b.setDefaultAction(action)
        b.setToolButtonStyle(Qt.ToolButtonTextOnly)
        return b

    def _preset_activated(self, index: int) -> None:
        if index > 0:
            self.preset_chosen.emit(self.presets.itemText(index))
        self.presets.setCurrentIndex(0)  # a combo that remembers would lie after an edit

    def _row_changed(self, row: int) -> None:
        if row >= 0 and not self._following:
            self.layer_selected.emit(row)

    def _update_summary(self) -> None:
        n = self.model.rowCount()
        bad = self.model.invalid_count()
        text = f"{n} layer{'s' if n != 1 else ''}"
        self.summary.setText(text + (f" · <span style='color:#b3261e'>{bad} invalid</span>" if bad else ""))
        self.summary.setToolTip(text + (f", {bad} invalid" if bad else ""))

    def _update_origin(self) -> None:
        self.origin.setText(self.model.origin)
        self.origin.setToolTip(self.model.origin_details)
        self.origin.setVisible(bool(self.model.origin))

    # --- row actions -----------------------------------------------------------------
    def selected_rows(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        if not rows and self.table.currentIndex().isValid():
            rows = [self.table.currentIndex().row()]
        return rows

    def select_row(self, row: int) -> None:
        """Follow a selection made elsewhere, without echoing it back."""
        if 0 <= row < self.model.rowCount() and self.table.currentIndex().row() != row:
            self._following = True
            try:
                self.table.selectRow(row)
            finally:
                self._following = False

    def add_layer(self) -> None:
        rows = self.selected_rows()
        self.table.selectRow(self.model.add_layer(rows[-1] if rows else None))

    def duplicate(self) -> None:
        rows = self.selected_rows()
        if rows:
            self.table.selectRow(self.model.duplicate(rows[-1]))

    def delete(self) -> None:
        rows = self.selected_rows()
        if rows:
            self.model.remove(rows)
            if self.model.rowCount():
                self.table.selectRow(min(rows[0], self.model.rowCount() - 1))

    def move(self, delta: int) -> None:
        rows = self.selected_rows()
        if len(rows) == 1:
            self.table.selectRow(self.model.move(rows[0], delta))
