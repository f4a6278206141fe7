"""Application text size: readable by default, larger on demand (projectors), remembered.

A new application font reaches every widget at once: the style sheet is applied again
(widgets polished by a style sheet keep the font they were polished with otherwise), and
the tables grow their rows with it. Any caller of `QApplication.setFont` gets this, not only
View > Larger Text (presentation mode sets and restores the font too).
"""
from __future__ import annotations

import shiboken6
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import QApplication, QTableView, QWidget

from app import settings
from app.widgets.column_fit import fit_columns

DEFAULT_POINTS = 10.5
MIN_POINTS, MAX_POINTS = 8.0, 24.0
ROW_PADDING = 8  # pixels above and below a table row's text

_following: set[int] = set()  # ids of the applications whose font changes are followed
_refreshing = False


def current_points() -> float:
    value = settings.settings().value("view/fontPoints", DEFAULT_POINTS)
    try:
        return min(MAX_POINTS, max(MIN_POINTS, float(value)))
    except (TypeError, ValueError):
        return DEFAULT_POINTS


def row_height(widget: QWidget) -> int:
    """A table row's height for the widget's current font."""
    return widget.fontMetrics().height() + ROW_PADDING


def follow_font_changes(app: QApplication) -> None:
    """Re-polish every widget whenever the application font changes (once per application)."""
    if id(app) not in _following:
        _following.add(id(app))
        app.fontChanged.connect(lambda _font: refresh(app))


def refresh(app: QApplication | None = None) -> None:
    global _refreshing
    app = app or QApplication.instance()
    if app is None or _refreshing:
        return
    _refreshing = True
    try:
        sheet = app.styleSheet()
        if sheet:  # setting the same text again is a no-op in Qt: clear it first
            app.setStyleSheet("")
            app.setStyleSheet(sheet)
        for table in _tables(app):
            table.verticalHeader().setDefaultSectionSize(row_height(table))
            fit_columns(table)  # from a sample of rows: as quick for 100,000 rows as for 10
    finally:
        _refreshing = False


def _tables(app: QApplication) -> list[QTableView]:
    """The live tables of the windows. Not `allWidgets()`: it also lists widgets that are being
    deleted, and touching one of those crashed the process."""
    tables = []
    for top in app.topLevelWidgets():
        if shiboken6.isValid(top):
            tables += [t for t in top.findChildren(QTableView) if shiboken6.isValid(t)]
            if isinstance(top, QTableView):
                tables.append(top)
    return tables


def apply_points(points: float, remember: bool = True) -> float:
    points = min(MAX_POINTS, max(MIN_POINTS, points))
    font = QFont(QGuiApplication.font())
    if font.pointSizeF() != points:
        font.setPointSizeF(points)
        QGuiApplication.setFont(font)  # fontChanged -> refresh, where followed
    if remember:
        settings.settings().setValue("view/fontPoints", points)
    return points


def step(delta: float) -> float:
    return apply_points(current_points() + delta)
