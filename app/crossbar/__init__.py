"""The crossbar view (issue 4): grid, cell inspection, playback, compare mode, exports.

Pure parts (no Qt): palette, tile, modes, cells, cycles, export_frames, export_jobs.
Widgets: grid_widget, grid_overlay, legend_item, plane_view, plan_panel, controls,
toolbar, compare, view (the assembly), export_controller, presentation.
Import `app.crossbar.view.CrossbarView` explicitly: this package stays light to import.
"""
