"""Edits the layer type with a combo box: only 'conv' and 'linear' make sense."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QStyledItemDelegate

KINDS = ("conv", "linear")


class LayerTypeDelegate(QStyledItemDelegate):
    def createEditor(self, parent, option, index):
        box = QComboBox(parent)
        box.addItems(KINDS)
        return box

    def setEditorData(self, editor, index):
        value = index.data(Qt.EditRole)
        editor.setCurrentIndex(KINDS.index(value) if value in KINDS else 0)

    def setModelData(self, editor, model, index):
        model.setData(index, editor.currentText(), Qt.EditRole)
