"""What the user is looking at: one layer, one method, and that layer's plan.

This is the hook for the crossbar view: connect to `SelectionModel.changed(PlanSelection)`.
A plan picked in the design-space view arrives with `what_if=True` and must be labelled as
not the method's optimum.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtCore import QObject, Signal

from engine import ConvLayer, Plan
from engine.batch import MapResult


@dataclass(frozen=True)
class PlanSelection:
    layer_index: int
    layer: ConvLayer
    method: str
    plan: Plan | None  # None while the layer has no (current) result
    what_if: bool = False  # plan is a candidate the user picked, not the method's optimum

    @property
    def optimum(self) -> bool:
        return self.plan is not None and not self.what_if


class SelectionModel(QObject):
    changed = Signal(object)  # PlanSelection, or None when nothing can be shown

    def __init__(self, parent=None):
        super().__init__(parent)
        self.layers: tuple[ConvLayer, ...] = ()
        self.result: MapResult | None = None
        self.current: PlanSelection | None = None
        self._index, self._method = 0, "vw-sdk"
        self._what_if: Plan | None = None

    # --- inputs -------------------------------------------------------------------
    def set_layers(self, layers: tuple[ConvLayer, ...] | None) -> None:
        """The network changed; results for it are gone until the next run."""
        self.layers = layers or ()
        self.result = None
        self._what_if = None
        self._emit()

    def set_result(self, result: MapResult | None) -> None:
        self.result = result
        if result is not None:
            self.layers = result.request.layers
            if self._method not in result.request.methods and result.request.methods:
                self._method = "vw-sdk" if "vw-sdk" in result.request.methods else result.request.methods[-1]
        self._what_if = None
        self._emit()

    # --- user choices ---------------------------------------------------------------
    def select(self, layer_index: int, method: str | None = None) -> None:
        if method is not None:
            self._method = method
        if layer_index != self._index or method is not None:
            self._what_if = None
        self._index = layer_index
        self._emit()

    def select_layer(self, layer_index: int) -> None:
        self.select(layer_index)

    def select_method(self, method: str) -> None:
        self.select(self._index, method)

    def set_what_if(self, plan: Plan) -> None:
        """Show a design-space candidate instead of the optimum (marked as such)."""
        self._what_if = replace(plan, what_if=True)
        self._method = plan.method
        self._emit()

    def clear_what_if(self) -> None:
        self._what_if = None
        self._emit()

    @property
    def method(self) -> str:
        return self._method

    @property
    def layer_index(self) -> int:
        return self._index

    def _emit(self) -> None:
        self.current = self._build()
        self.changed.emit(self.current)

    def _build(self) -> PlanSelection | None:
        if not self.layers:
            return None
        self._index = min(max(self._index, 0), len(self.layers) - 1)
        layer = self.layers[self._index]
        if self._what_if is not None and self._what_if.layer == layer:
            return PlanSelection(self._index, layer, self._method, self._what_if, True)
        plan = None
        if self.result is not None and self._index < len(self.result.plans):
            plan = self.result.plans[self._index].get(self._method)
        return PlanSelection(self._index, layer, self._method, plan, False)
