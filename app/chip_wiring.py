"""The Chip view's connections to the window: results in, spec to the project, clicks out.

Kept beside app.window_wiring (shared with the crossbar view's work) so that file only
gains the two lines that pass the mapping result and its staleness on. `w.chip_spec` is
the spec in force, kept by the window so a project opened before the panel is built (it
is built after the first paint, app.widgets.lazy_panel) still gets its chip.
"""
from __future__ import annotations

from engine.chip import ChipSpec
from engine.schedule import Cycle


def connect_chip(w) -> None:
    w.chip_spec = ChipSpec()
    w.chip_panel.ready.connect(lambda panel: _chip_ready(w, panel))
    w.workspace.register_chip(lambda: w.chip_spec, lambda spec: _set_spec(w, spec))


def _chip_ready(w, panel) -> None:
    panel.set_spec(w.chip_spec)  # before the connection below: no edit to mark
    panel.spec_changed.connect(lambda spec: _spec_edited(w, spec))
    panel.array_clicked.connect(lambda layer, method, pos: open_tile(w, layer, method, pos))


def _set_spec(w, spec: ChipSpec) -> None:
    w.chip_spec = spec
    if w.chip_panel.widget is not None:
        w.chip_panel.widget.set_spec(spec)


def _spec_edited(w, spec: ChipSpec) -> None:
    if spec != w.chip_spec:
        w.chip_spec = spec
        w.workspace.options_edited.emit()  # the project remembers it; nothing is mapped again


def open_tile(w, layer: int, method: str, pos) -> int | None:
    """Select `layer` with `method` (the Network table, inspector and crossbar view follow)
    and move the crossbar view to the first cycle of tile `pos` (group, region, a, b).
    Returns that cycle, or None while the crossbar view is not built."""
    w.selection.select(layer, method)
    view = w.central.crossbar
    cycles = getattr(getattr(view, "panel", None), "cycles", None)
    if cycles is None:
        return None
    probe = Cycle(0, pos.group, 0, 0, 0, 0, pos.region)
    part = cycles.part(probe)  # the region's plan (a compressed plan shown dense has more row tiles)
    cyc = Cycle(0, pos.group, min(pos.b, part.ac - 1), min(pos.a, part.ar - 1), 0, 0, pos.region)
    t = int(cycles.index_of(cyc))
    view.set_cycle(t)
    w.show_status(f"Crossbar view: layer {layer + 1}, tile (a, b) = ({pos.a}, {pos.b}) from cycle {t + 1:,}")
    return t
