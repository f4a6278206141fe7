"""Presentation mode and the crossbar part of --screenshot."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDockWidget, QLabel, QMainWindow, QToolBar

from engine.errors import XbarError

from app.crossbar.presentation import PRESENTATION_POINTS, Presentation
from app.crossbar.screenshot import apply_state, check_mode, parse_zoom
from app.crossbar.view import CrossbarView
from app.selection import PlanSelection

from .test_crossbar_support import SMALL, make_view, small_plan  # noqa: F401 (fixture)


@pytest.fixture
def window(qtbot):
    w = QMainWindow()
    view = CrossbarView()
    w.setCentralWidget(view)
    dock = QDockWidget("Network", w)
    dock.setObjectName("networkDock")
    dock.setWidget(QLabel("editors"))
    w.addDockWidget(Qt.LeftDockWidgetArea, dock)
    bar = QToolBar("Run", w)
    bar.setObjectName("runBar")
    w.addToolBar(bar)
    w.menuBar().addMenu("&File")
    qtbot.addWidget(w)
    w.resize(1200, 800)
    w.show()
    qtbot.waitExposed(w)
    view.show_selection(PlanSelection(0, SMALL, "vw-sdk", small_plan()))
    yield w, view, dock, bar
    view.shutdown()


def test_presentation_hides_the_editing_panels_and_restores_them(qtbot, window):
    w, view, dock, bar = window
    points = QApplication.font().pointSizeF()
    p = Presentation(w, view)
    p.toggle()
    assert p.active and w.isFullScreen()
    assert not dock.isVisible() and not bar.isVisible() and not w.menuBar().isVisible()
    QApplication.processEvents()
    assert not view.toolbar.export.isVisible()
    assert view.grid.isVisible() and view.ifm.isVisible() and view.ofm.isVisible() and view.controls.isVisible()
    for control in (view.toolbar.mode, view.toolbar.highlight, view.toolbar.compare):  # a talk may use them
        assert control.isVisible()
    # pyqtgraph's texts follow the large text too
    assert view.grid.left_axis.style["tickFont"].pointSizeF() == QApplication.font().pointSizeF()
    assert view.controls.buttons["play"].iconSize().height() >= view.controls.fontMetrics().height()
    assert QApplication.font().pointSizeF() == max(PRESENTATION_POINTS, points)
    p.toggle()
    assert not p.active and not w.isFullScreen()
    assert dock.isVisible() and bar.isVisible() and w.menuBar().isVisible() and view.ofm.isVisible()
    assert QApplication.font().pointSizeF() == points


def test_screenshot_flags(make_view):
    assert parse_zoom("0,16,12") == (0, 16, 12) and parse_zoom(None) is None
    for bad in ("1,2", "a,b,c", "0,0,0", "-1,0,4"):
        with pytest.raises(XbarError):
            parse_zoom(bad)
    assert check_mode("ic") == "ic"
    with pytest.raises(XbarError):
        check_mode("rainbow")
    view = make_view()
    apply_state(view, cycle=5, mode="oc", zoom=(0, 0, 8))
    assert view.panel.t == 5 and view.panel.mode == "oc"
    r = view.grid.vb.viewRect()
    assert r.left() <= -0.5 and r.right() >= 7.5 and r.width() < 20
    with pytest.raises(XbarError, match="outside 0…17"):
        apply_state(view, cycle=18)
    with pytest.raises(XbarError, match="weights"):
        apply_state(view, mode="weight")
    with pytest.raises(XbarError, match="outside the 32×32"):
        apply_state(view, zoom=(40, 0, 4))
