"""Dock panels and the QSettings that remember where the user put them."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QScrollArea, QWidget

from app import settings

LAYOUT_VERSION = 5  # bump when docks are added, renamed or rearranged: old saved states then do not apply


def add_dock(window: QMainWindow, title: str, name: str, widget: QWidget,
             area: Qt.DockWidgetArea) -> QDockWidget:
    dock = QDockWidget(title, window)
    dock.setObjectName(name)  # saveState/restoreState identify docks by object name
    dock.setWidget(widget)
    dock.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetFloatable
                     | QDockWidget.DockWidgetClosable)
    window.addDockWidget(area, dock)
    return dock


MIN_DOCK_WIDTH = 260  # a dock's content may ask for more; it then scrolls sideways too


def scrollable(widget: QWidget) -> QScrollArea:
    """Tall panels scroll rather than forcing a minimum window size (small screens, projectors).

    Up to MIN_DOCK_WIDTH wide the panel keeps its content's width and scrolls vertically only;
    a wider content scrolls sideways as well, so the panel never squeezes the crossbar view."""
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarAsNeeded)
    content = widget.minimumSizeHint().width() + area.verticalScrollBar().sizeHint().width()
    area.setMinimumWidth(min(content, MIN_DOCK_WIDTH))
    return area


def save_layout(window: QMainWindow) -> None:
    s = settings.settings()
    s.setValue("window/geometry", window.saveGeometry())
    s.setValue("window/state", window.saveState(LAYOUT_VERSION))


def restore_layout(window: QMainWindow) -> bool:
    s = settings.settings()
    geometry, state = s.value("window/geometry"), s.value("window/state")
    ok = False
    if geometry is not None:
        ok = window.restoreGeometry(geometry)
    if state is not None:
        ok = window.restoreState(state, LAYOUT_VERSION) and ok
    return ok
