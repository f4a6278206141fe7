"""Compare mode: two methods on the same layer side by side, played in proportional time.

One clock counts cycles; each side shows `min(clock, its last cycle)`. Every cycle takes
the same time on both sides, so the method with fewer cycles finishes first and then
waits, complete, while the other one is still working.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from app import method_style, numbers

from .grid_widget import GridWidget
from .plan_panel import PlanPanel
from .plane_view import PlaneView


class CompareSide(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.title = QLabel()
        self.title.setObjectName("compareTitle")
        self.grid = GridWidget()
        self.grid.legend.show_strips = False
        self.ofm = PlaneView("compareOfm")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.panel = PlanPanel(self.grid, None, self.ofm, self)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addWidget(self.title)
        lay.addWidget(self.grid, 3)
        lay.addWidget(self.ofm, 2)
        lay.addWidget(self.status)

    def set_plan(self, plan, order: str) -> None:
        self.panel.set_plan(plan, order)
        if plan is None:
            self.title.setText("No plan")
            return
        colour = method_style.color(plan.method)
        self.title.setText(f"<span style='color:{colour}; font-weight:700; font-size:large'>"
                           f"{method_style.label(plan.method)}</span> · {numbers.count(plan.cycles)} cycles · "
                           f"{plan.nh}×{plan.nw} windows · {plan.ar}×{plan.ac} tiles")

    @property
    def total(self) -> int:
        return self.panel.cycles.total if self.panel.cycles else 0

    def set_time(self, clock: int) -> None:
        if not self.total:
            return
        self.panel.set_cycle(min(clock, self.total - 1))
        done = clock >= self.total - 1
        text = self.panel.cycles.status(self.panel.t)
        self.status.setText(("<b>finished</b> · " if done else "") + text)


class ComparePane(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.sides = (CompareSide(), CompareSide())
        split = QSplitter(Qt.Horizontal)
        for side in self.sides:
            split.addWidget(side)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(split)

    def set_plans(self, first, second, order: str = "weight") -> None:
        for side, plan in zip(self.sides, (first, second)):
            side.set_plan(plan, order)

    @property
    def total(self) -> int:
        return max(side.total for side in self.sides)

    def set_time(self, clock: int) -> None:
        for side in self.sides:
            side.set_time(clock)

    def set_mode(self, mode: str) -> None:
        for side in self.sides:
            side.panel.set_mode(mode)

    def set_order(self, order: str) -> None:
        for side in self.sides:
            side.panel.set_order(order)

    def next_change(self, clock: int) -> int:
        """The next tile change on either side (the skip button stops at both)."""
        changes = [s.panel.cycles.schedule.next_tile_change(clock) for s in self.sides
                   if s.total and clock < s.total - 1]
        return min(changes) if changes else self.total - 1
