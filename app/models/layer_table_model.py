"""The network's layers as a table model: one row per layer, validated by the engine."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from engine import ConvLayer
from engine.network import Network

from app.models.layer_rows import (COLUMN_INDEX, COLUMNS, FIELDS, cell_text, check_row, column_for_field,
                                   next_layer_row, prepared_rows, set_cell, unique_name)

INVALID_BG = QColor("#f8c9c4")
DERIVED_FG = QColor("#55606e")
_INVALID_BRUSH, _DERIVED_BRUSH = QBrush(INVALID_BG), QBrush(DERIVED_FG)
_DISPLAY, _EDIT, _TOOLTIP = int(Qt.DisplayRole), int(Qt.EditRole), int(Qt.ToolTipRole)
_BACKGROUND, _FOREGROUND, _ALIGN = int(Qt.BackgroundRole), int(Qt.ForegroundRole), int(Qt.TextAlignmentRole)
_RIGHT = int(Qt.AlignRight | Qt.AlignVCenter)


class LayerTableModel(QAbstractTableModel):
    """Rows of raw cell values; `layers()` is the valid network, or None with `problem()`."""

    edited = Signal()  # any change to the layers, by the user or by loading a network

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[dict] = []
        self._checked: list[tuple] = []  # per row: (layer, field, message), repeated names included
        self._own: list[tuple] = []  # per row: check_row alone (the costly part), kept across one-cell edits
        self._layers: tuple | None = None  # layers() and problem() of the current checks, once asked
        self._bad: list | None = None
        self._network: Network | None = None
        self.network_name = "untitled"
        self.description = ""
        self.origin = ""  # where the layers came from, and what an import assumed
        self.origin_details = ""
        for sig in (self.dataChanged, self.rowsInserted, self.rowsRemoved, self.rowsMoved, self.modelReset):
            sig.connect(self.edited)

    # --- whole network -------------------------------------------------------------
    def set_network(self, net: Network) -> None:
        self.beginResetModel()
        self.network_name, self.description = net.name, net.description
        self.origin, self.origin_details = _origin(net)
        # Rows and checks come ready-made from the import worker for big files (prepared_rows).
        self._rows, own, table_net = prepared_rows(net)
        self._recheck(own=own, unique=True)  # a Network's names are unique already
        self._layers, self._network = table_net.layers, table_net
        self.endResetModel()

    def network(self) -> Network | None:
        layers = self.layers()
        if layers is None:
            return None
        made = self._network
        # Built once per change: the engine's Network checks every name (O(n), but often asked).
        if made is None or made.layers is not layers or made.name != self.network_name \
                or made.description != self.description:
            made = self._network = Network(self.network_name, layers, description=self.description)
        return made

    def invalid_count(self) -> int:
        return len(self._invalid())

    def _invalid(self) -> list:
        """(row, check) of every row that is not a valid layer, computed once per change."""
        if self._bad is None:
            self._bad = [(i, c) for i, c in enumerate(self._checked) if c[0] is None]
        return self._bad

    def raw_rows(self) -> list[dict]:
        """The rows as typed, invalid cells included (JSON-safe: ints and text)."""
        return [dict(r) for r in self._rows]

    def set_raw_rows(self, rows: list) -> bool:
        """Restore rows saved by `raw_rows`; anything malformed is refused whole."""
        ok = all(isinstance(r, dict) and set(r) == set(FIELDS)
                 and all(isinstance(v, (int, str)) for v in r.values()) for r in rows)
        if not ok or not rows:
            return False
        self.beginResetModel()
        self._rows = [dict(r) for r in rows]
        self._recheck()
        self.endResetModel()
        return True

    def snapshot(self) -> tuple:
        """Everything the table holds, for undo: name, description, origin and the raw rows.
        Row dicts are never changed in place (an edit replaces the row), so the snapshot shares
        them: a pointer copy, not a deep copy of 100,000 rows."""
        return (self.network_name, self.description, self.origin, self.origin_details, tuple(self._rows))

    def restore(self, snap: tuple) -> None:
        self.beginResetModel()
        self.network_name, self.description, self.origin, self.origin_details, rows = snap
        self._rows = list(rows)
        self._recheck()
        self.endResetModel()

    def layers(self) -> tuple[ConvLayer, ...] | None:
        if not self._rows or self.problem():
            return None
        if self._layers is None:
            self._layers = tuple(c[0] for c in self._checked)
        return self._layers

    def layer(self, row: int) -> ConvLayer | None:
        return self._checked[row][0] if 0 <= row < len(self._checked) else None

    def problem(self) -> str | None:
        """Why the network cannot be mapped, in the engine's words; None if it can."""
        if not self._rows:
            return "the network has no layers: add one, choose a preset or import a file"
        bad = self._invalid()
        if not bad:
            return None
        i, (_, _, message) = bad[0]
        more = f" (and {len(bad) - 1} more invalid row{'s' if len(bad) > 2 else ''})" if len(bad) > 1 else ""
        return f"row {i + 1}: {message}{more}"

    def error_at(self, row: int, column: int) -> str | None:
        layer, field, message = self._checked[row]
        if layer is None and column_for_field(field) == column:
            return message
        return None

    def _recheck(self, only_row: int | None = None, own: list | None = None, unique: bool = False) -> None:
        """Check the rows again; `only_row`: that row changed alone (one cell edit), the others
        keep their checks, and only the cheap repeated-name pass runs over every row; `own`:
        the rows' checks are known (layers the engine built); `unique`: no name repeats."""
        if own is not None:
            self._own = own
        elif only_row is not None and len(self._own) == len(self._rows):
            self._own[only_row] = check_row(self._rows[only_row])
        else:
            self._own = [check_row(r) for r in self._rows]
        self._checked = list(self._own)
        self._layers, self._bad = None, None  # recomputed when asked
        if unique:
            return
        seen: dict[str, int] = {}
        for i, row in enumerate(self._rows):  # the engine's Network rejects repeats; say where
            name = row["name"]
            if name in seen and self._checked[i][0] is not None:
                self._checked[i] = (None, "name", f"layer '{name}': name: already used by row {seen[name] + 1}")
            seen.setdefault(name, i)

    # --- Qt model interface -----------------------------------------------------------
    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation == Qt.Horizontal:
            if role == Qt.DisplayRole:
                return COLUMNS[section].title
            if role == Qt.ToolTipRole:
                return COLUMNS[section].tip
        elif role == Qt.DisplayRole:
            return str(section + 1)
        return None

    def flags(self, index):
        base = Qt.ItemIsEnabled | Qt.ItemIsSelectable
        if COLUMNS[index.column()].key != "ofm":
            base |= Qt.ItemIsEditable
        return base

    def data(self, index, role=Qt.DisplayRole):
        role = int(role)  # views call this often: compare plain ints, not enum objects
        if not index.isValid():
            return None
        row, col = self._rows[index.row()], COLUMNS[index.column()]
        if role in (_DISPLAY, _EDIT):
            return self._ofm_text(index.row()) if col.key == "ofm" else cell_text(row, col.key)
        if role == _TOOLTIP:
            return self.error_at(index.row(), index.column()) or col.tip
        if role == _BACKGROUND:
            return _INVALID_BRUSH if self.error_at(index.row(), index.column()) else None
        if role == _FOREGROUND and col.key == "ofm":
            return _DERIVED_BRUSH
        if role == _ALIGN and col.key not in ("name", "kind"):
            return _RIGHT
        return None

    def _ofm_text(self, row: int) -> str:
        layer = self._checked[row][0]
        return f"{layer.out_h}×{layer.out_w}" if layer else "?"

    def setData(self, index, value, role=Qt.EditRole):
        if role != Qt.EditRole or not index.isValid():
            return False
        key = COLUMNS[index.column()].key
        new = set_cell(self._rows[index.row()], key, value)
        if new == self._rows[index.row()]:
            return False
        self._rows[index.row()] = new
        self._recheck(only_row=index.row())
        # Any row's validity can change (duplicate names), and the OFM cell follows.
        self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(COLUMNS) - 1))
        return True

    # --- structure edits ---------------------------------------------------------------
    def _names(self) -> set[str]:
        return {r["name"] for r in self._rows}

    def add_layer(self, after: int | None = None) -> int:
        at = len(self._rows) if after is None else after + 1
        previous = self._rows[at - 1] if at > 0 else None
        return self._insert(at, next_layer_row(previous, self._names()))

    def duplicate(self, row: int) -> int:
        copy = dict(self._rows[row], name=unique_name(f"{self._rows[row]['name']}_copy", self._names()))
        return self._insert(row + 1, copy)

    def _insert(self, at: int, row: dict) -> int:
        self.beginInsertRows(QModelIndex(), at, at)
        self._rows.insert(at, row)
        self._recheck()
        self.endInsertRows()
        return at

    def remove(self, rows: list[int]) -> None:
        for r in sorted(set(rows), reverse=True):
            self.beginRemoveRows(QModelIndex(), r, r)
            del self._rows[r]
            self._recheck()
            self.endRemoveRows()

    def move(self, row: int, delta: int) -> int:
        """Move one row up (-1) or down (+1); returns its new position."""
        to = row + delta
        if not (0 <= row < len(self._rows) and 0 <= to < len(self._rows)):
            return row
        # Qt's destination index counts positions before the move.
        self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), to + 1 if delta > 0 else to)
        self._rows.insert(to, self._rows.pop(row))
        self._recheck()
        self.endMoveRows()
        return to

    def clear(self, name: str = "untitled") -> None:
        self.beginResetModel()
        self._rows, self._checked, self._own = [], [], []
        self._layers, self._bad = None, None
        self.network_name, self.description = name, ""
        self.origin, self.origin_details = "", ""
        self.endResetModel()


def _origin(net: Network) -> tuple[str, str]:
    """A one-line origin ('preset vgg13-paper', 'imported from x.csv: 3 notes') and details."""
    source = net.source or ""
    if source.startswith("preset:"):
        line = f"Preset {source.split(':', 1)[1]}"
    elif source:
        line = f"Imported from {Path(source).name}"
    else:
        line = ""
    if net.notes:
        line += f" · {len(net.notes)} import note{'s' if len(net.notes) > 1 else ''} (hover to read)"
    details = "\n".join([net.description] * bool(net.description) + [f"• {n}" for n in net.notes])
    return line, details


__all__ = ["LayerTableModel", "COLUMN_INDEX"]
