"""File > Export Report: ask for a file, paint the pictures with a cancellable progress dialog, write.

Qt painting must stay on the GUI thread, so the work runs here with processEvents between
layers (a few hundredths of a second each) and Cancel is read from the progress dialog.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QProgressDialog

from engine.errors import Cancelled, XbarError

from app import dialogs

TITLE = "Export report"


def suggested_name(network: str) -> str:
    """'vgg13-paper' -> 'vgg13-paper-report.html' (anything odd in a file name becomes '_')."""
    stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in network).strip("._") or "network"
    return f"{stem[:80]}-report.html"


def _progress_dialog(window) -> QProgressDialog:
    box = QProgressDialog("Painting the charts…", "Cancel", 0, 100, window)
    box.setWindowTitle(TITLE)
    box.setWindowModality(Qt.WindowModal)  # no edits to the network while its report is painted
    box.setMinimumDuration(400)  # a small network finishes before the box would show
    box.setAutoClose(False)
    box.setAutoReset(False)
    return box


def export_report_dialog(window, path: str | None = None) -> Path | None:
    """The menu command. `window`: the MainWindow. Returns the path written, None if cancelled or
    failed (the failure shown through app.dialogs.error). `path` skips the file dialog."""
    from .write import write_report

    mapping = window.mapping
    result = mapping.result
    if result is None:
        dialogs.error(window, TITLE, "There are no results yet: run the mapping (F5) first.")
        return None
    if not mapping.is_current():
        dialogs.error(window, TITLE, "The results are out of date (the inputs changed since the last run): "
                      "run the mapping (F5) first, so the report shows the current inputs.")
        return None
    model = window.layer_model
    name = model.network_name
    if not path:
        path, _ = dialogs.save_file(window, TITLE, ["HTML report (*.html *.htm)"], suggested_name(name))
        if not path:
            return None
        if not Path(path).suffix:
            path += ".html"
    box = _progress_dialog(window)

    def progress(done, total, text):
        box.setMaximum(total)
        box.setValue(done)
        box.setLabelText(f"Report: {text}")
        QApplication.processEvents()

    try:
        written = write_report(
            path, result, name, result.request.array, result.request.options, window.array_editor.methods(),
            selected_method=window.selection.method if window.selection.method in result.request.methods else None,
            progress=progress, should_stop=box.wasCanceled,
            network_source=model.origin.replace(" (hover to read)", ""), description=model.origin_details,
            energy_model=window.energy_editor.model(), chip=getattr(window, "chip_spec", None))
    except Cancelled:
        window.show_status("Report cancelled: nothing written")
        return None
    except (OSError, XbarError) as e:
        dialogs.error(window, TITLE, f"Could not write the report: {e}")
        return None
    finally:
        box.reset()
        box.close()
        box.deleteLater()
    window.show_status(f"Saved the report {written}")
    return written
