"""Help > Keyboard Shortcuts and Help > Documentation.

The shortcut list is read from the live window (every QAction and QShortcut it holds), so
a shortcut added anywhere shows up without editing a table here; the crossbar view's
playback keys are QShortcuts without text of their own, described by `KEY_TEXT`.
"""
from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHeaderView, QTableWidget, QTableWidgetItem, QTextBrowser,
                               QVBoxLayout, QWidget)

from app import dialogs

KEY_TEXT = {  # QShortcuts of the crossbar view (they carry no text); keys in PortableText form
    "Space": "Play / pause the playback",
    "Left": "One cycle back",
    "Right": "One cycle on",
    "Home": "First cycle",
    "End": "Last cycle",
    "PgDown": "Next tile (the array is reprogrammed)",
}
MOUSE_ROWS = (  # not keys, but what a new user asks next
    ("Wheel", "Zoom the crossbar grid, IFM or OFM at the cursor"),
    ("Drag", "Pan the crossbar grid, IFM or OFM"),
    ("Click a cell", "Pin it (its meaning stays in the Inspector); Esc on the grid unpins"),
    ("Hover a cell", "Its meaning in a tooltip: input, pixel, copy, output, weight"),
)


def _plain(text: str) -> str:
    return text.replace("&", "").replace("…", "").strip()


def shortcut_rows(window: QWidget) -> list[tuple[str, str]]:
    """(keys, what they do) for every shortcut of the window, sorted by what they do."""
    rows: dict[str, str] = {}
    for action in window.findChildren(QAction):
        keys = [k.toString(QKeySequence.NativeText) for k in action.shortcuts() if not k.isEmpty()]
        if keys and _plain(action.text()):
            rows.setdefault(", ".join(keys), _plain(action.text()))
    for sc in window.findChildren(QShortcut):
        key = sc.key()
        if key.isEmpty():
            continue
        text = sc.whatsThis() or KEY_TEXT.get(key.toString(QKeySequence.PortableText), "Crossbar view")
        rows.setdefault(key.toString(QKeySequence.NativeText), text)
    return sorted(rows.items(), key=lambda kv: kv[1].lower())


def show_shortcuts(window: QWidget) -> QDialog:
    rows = shortcut_rows(window) + list(MOUSE_ROWS)
    dialog = QDialog(window)
    dialog.setObjectName("shortcutsDialog")
    dialog.setWindowTitle("Keyboard shortcuts — XbarScope")
    table = QTableWidget(len(rows), 2, dialog)
    table.setHorizontalHeaderLabels(["Keys", "What it does"])
    table.verticalHeader().hide()
    table.setEditTriggers(QTableWidget.NoEditTriggers)
    for r, (keys, text) in enumerate(rows):
        table.setItem(r, 0, QTableWidgetItem(keys))
        table.setItem(r, 1, QTableWidgetItem(text))
    table.resizeColumnsToContents()
    table.horizontalHeader().setSectionResizeMode(1, QHeaderView.Stretch)
    _finish(dialog, table, 620, 560)
    return dialog


def readme_path() -> Path | None:
    """README.md of a source checkout, or the copy a desktop bundle carries; None if neither."""
    here = Path(__file__).resolve().parent.parent
    frozen = getattr(sys, "_MEIPASS", None)
    for candidate in ((Path(frozen) / "README.md") if frozen else None, here / "README.md"):
        if candidate is not None and candidate.is_file():
            return candidate
    return None


def show_documentation(window: QWidget) -> QDialog | None:
    """The README rendered in a window, its pictures included (they sit beside it in docs/)."""
    path = readme_path()
    if path is None:
        dialogs.info(window, "Documentation", "The user guide (README.md) is not installed with this copy of "
                     "XbarScope; it is the README of the project's source repository.")
        return None
    dialog = QDialog(window)
    dialog.setObjectName("documentationDialog")
    dialog.setWindowTitle("XbarScope user guide")
    browser = QTextBrowser(dialog)
    browser.setOpenExternalLinks(True)
    browser.setSearchPaths([str(path.parent)])
    browser.document().setBaseUrl(QUrl.fromLocalFile(str(path.parent) + "/"))
    browser.setMarkdown(path.read_text(encoding="utf-8"))
    _finish(dialog, browser, 980, 760)
    return dialog


def _finish(dialog: QDialog, body: QWidget, width: int, height: int) -> None:
    lay = QVBoxLayout(dialog)
    lay.addWidget(body)
    buttons = QDialogButtonBox(QDialogButtonBox.Close, dialog)
    buttons.rejected.connect(dialog.reject)
    lay.addWidget(buttons)
    screen = dialog.screen().availableGeometry() if dialog.screen() else None
    if screen is not None:  # never larger than the screen
        width, height = min(width, int(screen.width() * 0.9)), min(height, int(screen.height() * 0.9))
    dialog.resize(width, height)
    dialog.setAttribute(Qt.WA_DeleteOnClose)
    dialog.show()
