"""Application text size: readable by default, larger on demand (projectors), remembered."""
from __future__ import annotations

from PySide6.QtGui import QFont, QGuiApplication

from app import settings

DEFAULT_POINTS = 10.5
MIN_POINTS, MAX_POINTS = 8.0, 24.0


def current_points() -> float:
    value = settings.settings().value("view/fontPoints", DEFAULT_POINTS)
    try:
        return min(MAX_POINTS, max(MIN_POINTS, float(value)))
    except (TypeError, ValueError):
        return DEFAULT_POINTS


def apply_points(points: float, remember: bool = True) -> float:
    points = min(MAX_POINTS, max(MIN_POINTS, points))
    font = QFont(QGuiApplication.font())
    font.setPointSizeF(points)
    QGuiApplication.setFont(font)
    if remember:
        settings.settings().setValue("view/fontPoints", points)
    return points


def step(delta: float) -> float:
    return apply_points(current_points() + delta)
