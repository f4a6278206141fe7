"""One mapping result placed on chips: each method's needs, walked once, and its reports.

Qt-free. `engine.chip_needs.layer_needs` walks every plan of a method (about 4 µs a layer);
the allocation on top of it is cheap (well under a millisecond on resnet50), so the needs
are kept per method for the result and every spec edit only allocates again: the chip view
follows a spin box at once, on the GUI thread, without mapping again.
"""
from __future__ import annotations

from engine.batch import MapResult
from engine.chip import ChipSpec
from engine.chip_alloc import ChipReport, allocate
from engine.chip_needs import LayerNeeds
from engine.plan import Plan


KEEP_REPORTS = 32  # a few specs for every method (the table shows them all)


class ChipStudy:
    def __init__(self, result: MapResult, methods: tuple[str, ...]):
        self.result = result
        self.methods = tuple(m for m in methods if m in result.request.methods)
        self._needs: dict[str, LayerNeeds] = {}
        # The last reports: the editor's check of a spec and the refresh that shows it ask for the
        # same one (an allocation of a long network on a large budget is not free: engine stage 2).
        self._reports: dict[tuple[str, ChipSpec], ChipReport] = {}

    @property
    def array(self):
        return self.result.request.array

    def plans(self, method: str) -> list[Plan]:
        return [p[method] for p in self.result.plans]

    def needs(self, method: str) -> LayerNeeds:
        n = self._needs.get(method)
        if n is None:
            n = self._needs[method] = self.result.chip_needs(method)  # made by the mapping worker
        return n

    def report(self, method: str, spec: ChipSpec) -> ChipReport:
        """`method` on the chip `spec`; ChipError (naming the field) when the spec does not suit
        this result's array (more columns per ADC than the array has)."""
        key = (method, spec)
        r = self._reports.get(key)
        if r is None:
            r = allocate(self.needs(method), spec)
            if len(self._reports) >= KEEP_REPORTS:
                self._reports.pop(next(iter(self._reports)))
            self._reports[key] = r
        return r
