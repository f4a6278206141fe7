"""Signal connections between the main window's parts, grouped by concern.

Kept out of main_window.py so that file stays a readable list of parts.
"""
from __future__ import annotations

from engine.methods import OPTIONS, option_names

from app import design_space, method_style


def method_options(w) -> dict:
    """The option editor's values, plus the imported model's weights for the methods that use
    them (PAIRS magnitude, VWC-SDK L1), as the CLI does (engine/compress/cli_options.py)."""
    options = w.method_options.options()
    net = getattr(w, "crossbar_weights", None)
    if net is not None:
        for m in OPTIONS:
            if "weights" in option_names(m):
                options[m] = {**options.get(m, {}), "weights": net}
    return options


def _inputs_changed(w) -> None:
    arr, ed = w.array_editor, w.method_options
    layers = w.layer_model.layers()
    methods = arr.methods()
    ed.set_ticked(methods)
    ed.set_weights_known(getattr(w, "crossbar_weights", None) is not None)
    w.mapping.set_inputs(layers, w.layer_model.problem(), arr.spec(), arr.error(), methods,
                         method_options(w), ed.error(methods))
    w.sweeps.invalidate()
    _mark_sweep(w)
    result = w.mapping.result
    if w.mapping.is_current():
        _show_result(w, result)  # only the shown methods changed: no need to map again
    else:
        w.selection.set_layers(layers)


def network_name(w) -> str:
    return w.layer_model.network_name


def _show_result(w, result) -> None:
    methods = method_style.ordered(w.array_editor.methods())  # one order everywhere: the registry's
    name = network_name(w)
    last = getattr(w, "_shown_result", None)
    if last is not None and last[0] is result and last[1:] == (methods, name) and w.results_model.result is result:
        return  # an edit that leaves the result and what shows of it alone (re-showing took 0.1 s each)
    w._shown_result = (result, methods, name)
    w.results_model.set_result(result, methods)
    w.central.totals.show_result(result, methods, name)
    w.comparison.call_soon("show_result", result, methods, name)  # each chart in a later turn
    w.bound_panel.call_soon("show_result", result, methods, name)
    w.chip_panel.call_soon("show_result", result, methods, name, w.selection.method)  # app.chip_wiring
    w.selection.set_result(result)


def _mark_sweep(w) -> None:
    """A sweep made from other inputs (network, bits, methods, options) is marked out of date."""
    if w.sweeps.shown_key is None:
        return
    arr = w.array_editor
    current = w.sweeps.network == network_name(w) and \
        w.sweeps.answers(w.layer_model.layers(), arr.spec(), arr.methods(), method_options(w))
    w.sweep_panel.call("set_stale", not current)


def _mapping_stale(w, stale: bool) -> None:
    w.results_table.set_stale(stale)
    w.central.totals.set_stale(stale)
    w.comparison.call("set_stale", stale)
    w.bound_panel.call("set_stale", stale)
    w.chip_panel.call("set_stale", stale)


def _energy_changed(w, model) -> None:
    """New energies per event: the figures follow from the plans already mapped (no re-mapping)."""
    w.results_model.set_energy_model(model)
    w.comparison.call("set_energy_model", model)
    w.inspector.set_energy_model(model)
    w.workspace.options_edited.emit()  # the project remembers them
    sel = w.selection.current
    if sel is not None:
        w.results_table.select(sel.layer_index, sel.method)


def connect_energy(w) -> None:
    ed = w.energy_editor
    ed.changed.connect(lambda model: _energy_changed(w, model))
    w.workspace.register_option("energy", ed.to_json, ed.from_json)
    w.results_model.set_energy_model(ed.model())
    w.comparison.call("set_energy_model", ed.model())
    w.inspector.set_energy_model(ed.model())


def _job_slots(w) -> list:
    """Every long job the window runs: mapping, sweep, import, design space, crossbar export."""
    slots = [w.mapping.slot, w.sweeps.slot, w.project.importer.slot, w.design.slot]
    exports = getattr(getattr(w.central.crossbar, "exports", None), "slot", None)  # once the view is built
    return slots + ([exports] if exports is not None else [])


def _busy_changed(w) -> None:
    busy = any(slot.busy for slot in _job_slots(w))
    w.commands["cancel"].setEnabled(busy)  # a disabled action leaves Esc to editors and dialogs


def _cancel_all(w) -> None:
    w.mapping.cancel()
    w.sweeps.cancel()
    w.project.importer.cancel()
    for slot in _job_slots(w)[3:]:  # the design space and a crossbar export: their slots free at once
        slot.cancel()


def connect_mapping(w) -> None:
    m, bar, cmd = w.mapping, w.run_bar, w.commands
    w.workspace.edited.connect(lambda: _inputs_changed(w))
    connect_method_options(w)
    bar.run_clicked.connect(m.run)
    cmd["run"].triggered.connect(m.run)
    bar.cancel_clicked.connect(m.cancel)
    cmd["cancel"].triggered.connect(lambda: _cancel_all(w))
    cmd["cancel"].setEnabled(False)
    m.slot.busy_changed.connect(bar.set_busy)
    m.slot.busy_changed.connect(lambda _b: _busy_changed(w))
    m.slot.progress.connect(bar.set_progress)
    m.slot.failed.connect(lambda msg: bar.set_idle_text("failed: see the status bar"))
    m.slot.cancelled.connect(lambda: bar.set_idle_text("cancelled"))
    m.result_ready.connect(lambda r: bar.set_idle_text(f"done: {len(r.plans)} layers"))
    m.blocked_changed.connect(bar.set_blocked)
    m.blocked_changed.connect(lambda reason: cmd["run"].setEnabled(reason is None))
    m.status.connect(lambda text: w.show_status(text, 0 if text.startswith(("Mapping failed", "Cannot")) else 8000))
    m.result_ready.connect(lambda r: _show_result(w, r))
    m.stale_changed.connect(lambda stale: _mapping_stale(w, stale))
    bar.auto_run.toggled.connect(lambda on: setattr(m, "auto_run", on))
    w.workspace.register_option("auto_run", bar.auto_run.isChecked, lambda v: bar.auto_run.setChecked(bool(v)))
    _inputs_changed(w)


def connect_method_options(w) -> None:
    """The options of the compression-aware methods: edits re-map like other edits, the project
    keeps them (never the weights), and an imported model's weights feed its rules."""
    ed = w.method_options
    ed.changed.connect(w.workspace.edited)  # stale results, auto-run, the dirty flag
    w.workspace.register_option("method_options", ed.to_json, ed.from_json)
    w.crossbar_weights = None
    # Every network that opens (import, preset, command line) brings its weights, or none.
    w.project.network_loaded.connect(lambda net: _network_loaded(w, net))


def _weights_known(w, net) -> None:
    if net is not getattr(w, "crossbar_weights", None):
        w.crossbar_weights = net
        _inputs_changed(w)


def _selection_changed(w, sel) -> None:
    w.inspector.show_selection(sel)
    w.compression_panel.show_plan(sel.plan if sel is not None else None)
    _feed_weights(w, sel)
    w.central.crossbar.show_selection(sel)
    w.design_panel.call("clear_hover")  # the readout named a candidate of the last selection
    if sel is None:
        w.design.show(None, None)
        return
    w.results_table.select(sel.layer_index, sel.method)
    w.layer_editor.select_row(sel.layer_index)
    options = method_options(w).get(sel.method)
    computing = w.design.show(sel.layer, w.mapping.array, sel.method, options)
    w.design_panel.call("set_stale", computing)  # until the new space arrives
    w.design_dock.setWindowTitle(design_space.title_for(sel.method, options))
    plan = sel.plan if sel.what_if else None
    w.design_panel.call("mark_what_if", plan.nh if plan else None, plan.nw if plan else None)


def _candidate_clicked(w, nh: int, nw: int) -> None:
    space = w.design.space
    plan = design_space.what_if_plan(space, nh, nw) if space is not None else None
    if plan is None:
        w.show_status(f"{nh} × {nw} windows do not fit the array: no plan to show")
        return
    w.selection.set_what_if(plan)
    w.show_status(f"Showing the what-if plan {nh} × {nw} windows ({plan.cycles:,} cycles): not the optimum")


def connect_selection(w) -> None:
    s = w.selection
    s.changed.connect(lambda sel: _selection_changed(w, sel))
    w.results_table.row_selected.connect(s.select)
    w.layer_editor.layer_selected.connect(s.select_layer)
    w.inspector.method_chosen.connect(s.select_method)
    w.inspector.back_to_optimum.connect(s.clear_what_if)
    w.design.slot.result.connect(lambda space: w.design_panel.call("show_space", space, network_name(w)))
    w.design.message.connect(lambda text: w.design_panel.call("show_message", text))
    w.workspace.register_view("layer", lambda: s.layer_index, lambda v: s.select(int(v)))
    w.workspace.register_view("method", lambda: s.method, lambda v: s.select_method(str(v)))


def _start_sweep(w) -> None:
    w.sweep_dock.show()
    w.sweep_dock.raise_()
    w.sweeps.start(w.layer_model.layers(), w.array_editor.spec(), w.array_editor.methods(),
                   options=method_options(w), network=network_name(w))


def _comparison_ready(w, chart) -> None:
    chart.log_scale.setChecked(w.view_prefs["log_scale"])
    chart.log_scale.toggled.connect(lambda on: w.view_prefs.__setitem__("log_scale", on))


def _sweep_ready(w, chart) -> None:
    chart.sweep_requested.connect(lambda: _start_sweep(w))
    chart.cancel_requested.connect(w.sweeps.cancel)


def _design_ready(w, view) -> None:
    view.candidate_clicked.connect(lambda nh, nw: _candidate_clicked(w, nh, nw))


def _set_log_scale(w, on) -> None:
    w.view_prefs["log_scale"] = bool(on)
    if w.comparison.widget is not None:
        w.comparison.widget.log_scale.setChecked(bool(on))


def connect_charts(w) -> None:
    w.view_prefs = {"log_scale": True}
    w.comparison.ready.connect(lambda chart: _comparison_ready(w, chart))
    w.sweep_panel.ready.connect(lambda chart: _sweep_ready(w, chart))
    w.design_panel.ready.connect(lambda view: _design_ready(w, view))
    sw = w.sweeps.slot
    sw.busy_changed.connect(lambda b: w.sweep_panel.call("set_busy", b))
    sw.busy_changed.connect(lambda _b: _busy_changed(w))
    w.project.importer.slot.busy_changed.connect(lambda _b: _busy_changed(w))
    w.design.slot.busy_changed.connect(lambda _b: _busy_changed(w))
    sw.progress.connect(lambda d, t, s: w.sweep_panel.call("set_progress", d, t, s))
    sw.result.connect(lambda r: w.sweep_panel.call("show_result", r, w.sweeps.network))
    w.sweeps.status.connect(w.show_status)
    w.commands["sweep"].triggered.connect(lambda: _start_sweep(w))
    w.workspace.register_view("log_scale", lambda: w.view_prefs["log_scale"], lambda v: _set_log_scale(w, v))


# --- the crossbar view (built with the charts, after the first paint) ------------------------
CROSSBAR_EXPORTS = ("png", "svg", "gif", "mp4", "csv_cells", "json_cells", "trace_json", "trace_csv")


def _plan_for(w, sel, method: str):
    """Compare mode: the other method's plan from the mapping result, else mapped now (same options)."""
    result = w.mapping.result
    if result is not None and sel.layer_index < len(result.plans) and method in result.plans[sel.layer_index] \
            and result.plans[sel.layer_index][method] is not None and result.request.layers[sel.layer_index] == sel.layer:
        return result.plans[sel.layer_index][method]
    from engine.batch import map_one
    from engine.errors import XbarError

    try:
        return map_one(sel.layer, sel.plan.array, method, **method_options(w).get(method, {}))
    except XbarError as e:
        w.show_status(f"Cannot compare with {method}: {e}")
        return None


def _network_loaded(w, net) -> None:
    """The network just opened: a model's weights colour its layers by weight value and feed the
    methods' rules; a network without weights leaves none behind."""
    _weights_known(w, net if net.weights is not None else None)
    _feed_weights(w, w.selection.current)


def _feed_weights(w, sel) -> None:
    view, net = w.central.crossbar, getattr(w, "crossbar_weights", None)
    if net is None or sel is None or sel.plan is None or not hasattr(view, "set_weights"):
        return
    from engine.errors import XbarError
    from engine.weights import quantize

    try:
        raw = net.weights_for(sel.layer.name)
    except XbarError as e:
        w.show_status(f"Weights of {sel.layer.name}: {e}")
        return
    if raw is not None and sel.layer not in view.weights:
        view.set_weights(sel.layer, quantize(raw, sel.plan.array.weight_bits, sel.layer.name).values)


def connect_crossbar(w, view) -> None:
    from app.crossbar.presentation import Presentation

    view.plan_source = lambda sel, method: _plan_for(w, sel, method)
    view.status.connect(w.show_status)
    view.exports.slot.busy_changed.connect(lambda _b: _busy_changed(w))  # Esc cancels an export
    view.cell_changed.connect(lambda info: w.inspector.show_cell(info, view.panel.pin is not None))
    w.presentation = Presentation(w, view, hide_also=(w.central.totals,))
    w.commands["presentation"].triggered.connect(w.presentation.toggle)
    for name in CROSSBAR_EXPORTS:
        kind = name if name.startswith("trace_") else name.split("_")[0]
        w.commands[f"export_{name}"].triggered.connect(lambda _=False, k=kind: view.exports.export(k))
    view.show_selection(w.selection.current)
