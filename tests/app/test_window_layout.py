"""The default layout gives the crossbar view the window; text size, saved layouts and Help."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QTableView, QTextBrowser

from app import default_layout, docks, help_menu, text_size
from app.startup import fit_on_screen


def _shown(w, qtbot):
    qtbot.waitUntil(lambda: w.mapping.result is not None and hasattr(w.central.crossbar, "playback"),
                    timeout=20000)
    qtbot.waitUntil(lambda: w.central.crossbar.panel.plan is not None, timeout=5000)
    for _ in range(3):
        QApplication.processEvents()


@pytest.mark.parametrize("size", [(1280, 720), (1600, 1000), (1920, 1080)])
def test_the_crossbar_view_takes_at_least_half_of_the_window(open_app_window, qtbot, size):
    w = open_app_window(size=size)
    _shown(w, qtbot)
    assert (w.width(), w.height()) == size
    share = default_layout.crossbar_share(w)
    assert share >= 0.5, f"crossbar view has {share:.0%} of a {size} window"
    # The results are one click away: a tab of the group the inspector heads.
    group = w.tabifiedDockWidgets(w.inspector_dock)
    assert w.results_dock in group and w.comparison_dock in group
    assert w.results_dock.toggleViewAction().isChecked()


def test_narrow_and_wide_windows_arrange_the_docks_differently(open_app_window, qtbot):
    w = open_app_window(size=(1280, 720))
    assert w.tabifiedDockWidgets(w.network_dock) == [w.array_dock]
    assert w.dockWidgetArea(w.inspector_dock) == w.dockWidgetArea(w.network_dock)
    w.resize(1800, 1000)
    w.reset_layout()
    assert w.tabifiedDockWidgets(w.network_dock) == []
    assert w.dockWidgetArea(w.inspector_dock) != w.dockWidgetArea(w.network_dock)


def test_larger_text_reaches_the_layer_table_inspector_and_results_at_once(open_app_window, qtbot):
    w = open_app_window()
    _shown(w, qtbot)
    start = QApplication.font().pointSizeF()
    widgets = (w.layer_editor.table, w.inspector, w.results_table.table)
    assert all(x.font().pointSizeF() == start for x in widgets)
    row_before = w.results_table.table.verticalHeader().defaultSectionSize()
    w.commands["bigger_text"].trigger()
    w.commands["bigger_text"].trigger()
    # No restart, no event loop turn: the next paint already uses the new size.
    assert all(x.font().pointSizeF() == start + 2 for x in widgets), [x.font().pointSizeF() for x in widgets]
    assert w.results_table.table.verticalHeader().defaultSectionSize() > row_before
    for table in w.findChildren(QTableView):
        assert table.verticalHeader().defaultSectionSize() == text_size.row_height(table)
    w.commands["smaller_text"].trigger()
    w.commands["smaller_text"].trigger()
    assert all(x.font().pointSizeF() == start for x in widgets)


def test_a_saved_layout_that_squeezes_the_crossbar_is_not_restored(open_app_window, qtbot):
    from app.startup import open_window

    w = open_app_window(size=(1400, 900))
    # The user shrinks the centre to a sliver (e.g. while the window was small), then quits.
    w.resizeDocks([w.network_dock], [1100], Qt.Horizontal)
    for _ in range(3):
        QApplication.processEvents()
    assert default_layout.crossbar_share(w) < default_layout.MIN_SHARE
    docks.save_layout(w)
    w.project.mark_clean()
    w.close()

    again = open_window(None, None, None)  # no --size: the saved layout is tried
    try:
        assert default_layout.crossbar_share(again) >= default_layout.MIN_SHARE
    finally:
        again.project.mark_clean()
        again.close()


def test_a_window_larger_than_its_screen_is_fitted_inside_it(open_app_window):
    w = open_app_window()
    avail = w.screen().availableGeometry()
    w.resize(avail.width() + 900, avail.height() + 700)
    w.move(avail.x() + 300, avail.y() + 200)
    fit_on_screen(w)
    assert avail.contains(w.frameGeometry()), (avail, w.frameGeometry())


def test_keyboard_shortcuts_lists_every_shortcut(open_app_window, qtbot):
    w = open_app_window()
    qtbot.waitUntil(lambda: hasattr(w.central.crossbar, "playback"), timeout=10000)
    rows = dict(help_menu.shortcut_rows(w))
    for keys in ("F5", "F11", "Shift+F5", "Ctrl+Z", "Ctrl+O", "Ctrl+S", "F1", "Esc", "Space", "PgDown", "Home"):
        assert keys in rows, f"{keys} missing from {sorted(rows)}"
    assert rows["F5"] == "Run Mapping"
    assert rows["Space"].startswith("Play")
    assert "Crossbar view" not in rows.values()  # every crossbar key has words of its own
    dialog = help_menu.show_shortcuts(w)
    assert dialog.findChild(QTableView).model().rowCount() == len(rows) + len(help_menu.MOUSE_ROWS)
    dialog.close()


def test_documentation_shows_the_readme(open_app_window):
    w = open_app_window()
    w.commands["documentation"].trigger()
    dialog = w.findChild(QDialog, "documentationDialog")
    text = dialog.findChild(QTextBrowser).toPlainText()
    assert "XbarScope" in text and "The crossbar view" in text
    dialog.close()
