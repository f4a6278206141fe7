"""File > Export Results as CSV: the whole table, raw numbers, in network order."""
from __future__ import annotations

from pathlib import Path

from app import dialogs
from app.models.result_rows import to_delimited


def export_results_csv(window, table, path: str | None = None) -> bool:
    rows = table.model.rows
    if not rows:
        window.show_status("Nothing to export yet: run the mapping first (F5)")
        return False
    if path is None:
        suggested = f"{window.workspace.network_name()}-results.csv"
        path, _ = dialogs.save_file(window, "Export results", ["CSV (*.csv)"], suggested)
        if not path:
            return False
    try:
        Path(path).write_text(to_delimited(rows), encoding="utf-8")
    except OSError as e:
        dialogs.error(window, "Cannot export", f"{path}: {e.strerror or e}")
        return False
    window.show_status(f"Exported {len(rows)} rows to {path}")
    return True
