"""The crossbar SVG export registers like the PNG export, and writes no empty path data."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

from app.crossbar.grid_widget import box_size, view_limits

from .test_crossbar_support import make_view  # noqa: F401 (fixture)

MARK = (255, 0, 180)  # the highlight outline's colour


def _rgb(img: QImage) -> np.ndarray:
    img = img.convertToFormat(QImage.Format_RGB888)
    ptr = img.constBits()
    a = np.frombuffer(ptr, np.uint8, img.bytesPerLine() * img.height()).reshape(img.height(), img.bytesPerLine())
    return a[:, :img.width() * 3].reshape(img.height(), img.width(), 3).astype(int)


def _bbox(rgb: np.ndarray, colour, tol: int = 40):
    near = (np.abs(rgb - np.array(colour)) <= tol).all(axis=2)
    ys, xs = np.nonzero(near)
    assert len(xs), f"no pixel of colour {colour}"
    return xs.min(), ys.min(), xs.max(), ys.max()


def _label_centres(profile: np.ndarray, gap: int = 10) -> list[float]:
    """Centres of the runs of a text-pixel profile along a ruler (one run per tick label)."""
    on = np.nonzero(profile > 0)[0]
    if not len(on):
        return []
    runs = np.split(on, np.nonzero(np.diff(on) > gap)[0] + 1)
    return [float(r.mean()) for r in runs if len(r) >= 3]


def _svg_as_image(path, width: int, height: int) -> np.ndarray:
    renderer = QSvgRenderer(str(path))
    assert renderer.isValid()
    img = QImage(width, height, QImage.Format_ARGB32)
    img.fill(QColor("white"))
    p = QPainter(img)
    renderer.render(p)
    p.end()
    return _rgb(img)


@pytest.fixture(autouse=True)
def test_font(qapp):
    """The same application font whichever tests ran before (they may set the app's 10.5 pt).
    Checked by hand: the real window's SVG and PNG register at 10.5 pt too."""
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QApplication

    saved = QFont(QApplication.font())
    font = QFont(saved)
    font.setPointSizeF(9.0)
    QApplication.setFont(font)
    yield
    QApplication.setFont(saved)


@pytest.fixture
def qt_messages():
    seen = []
    previous = qInstallMessageHandler(lambda kind, ctx, text: seen.append((kind, text)))
    yield seen
    qInstallMessageHandler(previous)


@pytest.mark.parametrize("size", [(1200, 800), (1500, 700)])
def test_svg_matches_the_png(make_view, tmp_path, qt_messages, size):
    view = make_view(size=size)
    n = view.grid.rows
    view.grid.set_highlight([(0, 0, 1, 1), (n - 1, n - 1, 1, 1)])  # marks on two corner cells
    png, svg = tmp_path / "g.png", tmp_path / "g.svg"
    assert view.exports.write_picture(str(png)) and view.exports.write_picture(str(svg))
    a = _rgb(QImage(str(png)))
    b = _svg_as_image(svg, a.shape[1], a.shape[0])
    box_png, box_svg = _bbox(a, MARK), _bbox(b, MARK)
    assert all(abs(u - v) <= 2 for u, v in zip(box_png, box_svg)), (box_png, box_svg)
    # The rulers' tick labels are where the PNG has them (pyqtgraph's SVGExporter, or an SVG at
    # 72 dpi, draws them at 0.75 against the grid): dark-pixel profiles along each ruler agree.
    grid = view.grid
    scale = a.shape[1] / grid.ci.width()
    left, top = box_png[0], box_png[1]
    ruler_x0 = int(grid.left_axis.sceneBoundingRect().left() * scale) + 2
    ruler_y0 = int(grid.top_axis.sceneBoundingRect().top() * scale) + 2
    for cut, axis in ((np.s_[:, ruler_x0:left - 2], 1), (np.s_[ruler_y0:top - 2, :], 0)):
        pa, pb = ((np.abs(img[cut] - np.array([0x3a, 0x41, 0x4b])).max(axis=2) < 60).sum(axis=axis).astype(float)
                  for img in (a, b))
        ca, cb = _label_centres(pa), _label_centres(pb)
        assert len(ca) >= 3 and len(ca) == len(cb), (ca, cb)
        assert max(abs(u - v) for u, v in zip(ca, cb)) <= 3, (ca, cb)
    text = svg.read_text(encoding="utf-8")
    assert 'd=""' not in text
    assert not [t for k, t in qt_messages if "Invalid path data" in t or k == QtMsgType.QtCriticalMsg]


def test_the_grid_shows_exactly_the_array(make_view):
    """Rulers within the array: the fit is -0.5 … N-0.5 with no padding, whatever the widget's shape."""
    for size in ((1400, 850), (1800, 600), (700, 900)):
        view = make_view(size=size)
        view.grid.fit()
        (x0, x1), (y0, y1) = view.grid.vb.viewRange()
        n = view.grid.rows
        assert abs(x0 + 0.5) < 0.5 and abs(x1 - (n - 0.5)) < 0.5, (size, x0, x1)
        assert abs(y0 + 0.5) < 0.5 and abs(y1 - (n - 0.5)) < 0.5, (size, y0, y1)
        ticks = [v for level in view.grid.top_axis.tickValues(x0, x1, view.grid.top_axis.width()) for v in level[1]]
        assert ticks and min(ticks) >= 0 and max(ticks) <= n


def test_box_and_limits():
    assert box_size(1000, 500, 512, 512) == (500, 500)
    assert box_size(1000, 500, 64, 4096) == (1000, 24)  # a long thin array stays visible
    lim = view_limits(512, 512, 500, 500)
    assert lim["xMin"] < -0.5 and lim["xMax"] > 511.5 and lim["maxXRange"] < 512 * 1.05


def test_save_picture_png_and_svg(make_view, tmp_path, qt_messages):
    from app.crossbar.screenshot import save_picture

    view = make_view()
    assert save_picture(view, str(tmp_path / "v.png")) and QImage(str(tmp_path / "v.png")).width() == view.width()
    assert save_picture(view, str(tmp_path / "v.svg"))
    assert QSvgRenderer(str(tmp_path / "v.svg")).isValid()
    assert 'd=""' not in (tmp_path / "v.svg").read_text(encoding="utf-8")
    assert not [t for _, t in qt_messages if "Invalid path data" in t]
