"""The default arrangement of the dock panels: the crossbar view is the hero.

The crossbar view (grid, IFM and OFM) gets at least half of the window at every usual
screen size (1280x720 to 1920x1080), so the docks are slim side columns and the results
are one tab click away instead of a band across the bottom:

- wide windows: inputs on the left (the network table over the array editor), and on the
  right one tab group: Inspector (raised), Results, Comparison, Distance to bound, Chip,
  Design space, Compression, Array-size sweep;
- narrow windows (under WIDE_PX): a single left column, the two input panels tabbed over
  the inspector-and-results tabs.

`crossbar_share` measures what the user sees; a restored layout that leaves the crossbar
too little of the window (a window once shrunk to a sliver) is replaced by this one.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow, QTabBar, QTabWidget

WIDE_PX = 1500  # from this window width on, inputs left and the inspector tabs right
LEFT_SHARE, RIGHT_SHARE = 0.185, 0.16  # of the window width, wide windows
COLUMN_SHARE = 0.27  # the single column of narrow windows
MIN_SHARE = 0.25  # a restored layout giving the crossbar view less than this is not kept


def input_docks(w) -> list:
    return [w.network_dock, w.array_dock]


def tab_docks(w) -> list:
    """The inspector and every results panel, in tab order (the first is raised)."""
    return [w.inspector_dock, w.results_dock, w.comparison_dock, w.bound_dock, w.chip_dock, w.design_dock,
            w.compression_dock, w.sweep_dock]


def arrange(w: QMainWindow) -> None:
    """Place every dock where the default layout puts it, for the window's current width."""
    w.setTabPosition(Qt.AllDockWidgetAreas, QTabWidget.North)  # tabs read like a tab widget
    wide = w.width() >= WIDE_PX
    inputs, tabs = input_docks(w), tab_docks(w)
    for dock in inputs + tabs:
        dock.setFloating(False)
        w.removeDockWidget(dock)
    left = Qt.LeftDockWidgetArea
    w.addDockWidget(left, inputs[0])
    if wide:
        w.splitDockWidget(inputs[0], inputs[1], Qt.Vertical)
        w.addDockWidget(Qt.RightDockWidgetArea, tabs[0])
    else:  # split first: splitting a dock that is already tabbed adds to its tab group
        w.splitDockWidget(inputs[0], tabs[0], Qt.Vertical)
        w.tabifyDockWidget(inputs[0], inputs[1])
    for a, b in zip(tabs, tabs[1:]):
        w.tabifyDockWidget(a, b)
    for dock in inputs + tabs:
        dock.show()
    inputs[0].raise_()
    tabs[0].raise_()
    readable_tabs(w)
    size(w)


def readable_tabs(w: QMainWindow) -> None:
    """Dock tabs show whole names and scroll when many ("Results", not "Re…"): one click away
    means a name the user can read."""
    for bar in w.findChildren(QTabBar):
        if bar.parent() is w:  # the main window's dock tab bars, not those inside panels
            bar.setElideMode(Qt.ElideNone)
            bar.setUsesScrollButtons(True)


def size(w: QMainWindow) -> None:
    """Column widths (and the split of a column) for the window's current size."""
    width, height = w.width(), w.height()
    inputs, tabs = input_docks(w), tab_docks(w)
    if width >= WIDE_PX:
        w.resizeDocks([inputs[0], tabs[0]], [int(width * LEFT_SHARE), int(width * RIGHT_SHARE)], Qt.Horizontal)
        # The array panel scrolls: its natural height, the network table takes the rest.
        array_h = min(w.array_panel.sizeHint().height(), int(height * 0.45))
        w.resizeDocks([inputs[0], inputs[1]], [height - array_h, array_h], Qt.Vertical)
    else:
        w.resizeDocks([inputs[0]], [int(width * COLUMN_SHARE)], Qt.Horizontal)
        w.resizeDocks([inputs[0], tabs[0]], [int(height * 0.5), int(height * 0.5)], Qt.Vertical)


def crossbar_share(w: QMainWindow) -> float:
    """The share of the window's area the crossbar view (grid, IFM, OFM, playback) covers."""
    view = w.central.crossbar
    area = w.width() * w.height()
    return view.width() * view.height() / area if area and view.isVisible() else 0.0
