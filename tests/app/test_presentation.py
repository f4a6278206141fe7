"""Large text reaches pyqtgraph's texts at once (Larger Text and presentation mode); planes fill their view."""
from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QApplication

from app import text_size
from app.crossbar.plane_view import fill_rect

from .test_crossbar_support import make_view  # noqa: F401 (fixture)


def test_fill_rect_shows_more_plane_not_blank_space():
    plane = QRectF(-0.5, -0.5, 224, 224)
    r = fill_rect(QRectF(-0.5, -0.5, 24, 24), plane, 2.0)  # a wide view at the plane's corner
    assert (r.width(), r.height()) == (48, 24) and r.left() == -0.5 and r.top() == -0.5
    r = fill_rect(QRectF(199.5, 100, 24, 24), plane, 0.5)  # tall, at the right edge
    assert r.right() == 223.5 and r.height() == 48
    r = fill_rect(plane, plane, 2.0)  # the whole plane in a wide view: centred on it
    assert r.center() == plane.center() and r.height() == 224


def test_the_grid_follows_application_font_changes(qtbot, make_view):
    view = make_view()
    before = QApplication.font().pointSizeF()
    try:
        text_size.apply_points(before + 6, remember=False)  # what View > Larger Text does
        qtbot.waitUntil(lambda: view.grid.left_axis.style["tickFont"].pointSizeF() == before + 6)
        assert view.grid.top_axis.style["tickFont"].pointSizeF() == before + 6
        assert view.grid.title.opts["size"] == f"{before + 6:.1f}pt"
        assert view.grid.legend._font.pointSizeF() >= (before + 6) * 0.85 - 0.01
    finally:
        text_size.apply_points(before, remember=False)
    qtbot.waitUntil(lambda: view.grid.left_axis.style["tickFont"].pointSizeF() == before)


def test_presentation_layout_of_the_view(qtbot, make_view):
    view = make_view(size=(1280, 720))
    view.set_presentation(True)
    view.balance_planes()
    assert view.ofm.isVisible() and view.toolbar.highlight.isVisible() and view.toolbar.compare.isVisible()
    assert view.controls.status.parent() is view.controls and view.controls._second.indexOf(view.controls.status) < 0
    side = view.single.sizes()[1]
    assert 0.2 * 1280 - 2 <= side <= 0.45 * 1280 + 2
    view.set_presentation(False)
    assert not view.controls.status.wordWrap()
