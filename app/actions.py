"""The window's commands as QActions: text, shortcut and tooltip in one table."""
from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence

# name: (text, shortcut, tooltip)
SPECS = {
    "new": ("&New", QKeySequence.New, "Start an empty project (Ctrl+N)"),
    "open": ("&Open…", QKeySequence.Open, "Open a project file (Ctrl+O)"),
    "save": ("&Save", QKeySequence.Save, "Save the project (Ctrl+S)"),
    "save_as": ("Save &As…", QKeySequence.SaveAs, "Save the project under a new name (Ctrl+Shift+S)"),
    "import": ("&Import Layer List…", "Ctrl+I", "Import layers from JSON, CSV, NeuroSim, SCALE-Sim, Timeloop "
               "YAML or an ONNX model (Ctrl+I)"),
    "import_folder": ("Import Layer &Folder…", None, "Import a folder of numbered Timeloop/CiMLoop layer files "
                      "(0.yaml, 1.yaml, …) as one network; a folder dropped on the window imports too"),
    "export_csv": ("&Export Results as CSV…", "Ctrl+E", "Save the results table as CSV (Ctrl+E)"),
    "export_report": ("Export &Report…", "Ctrl+Shift+E", "One self-contained HTML report: setup, totals, charts, "
                      "results and every layer's crossbar (Ctrl+Shift+E)"),
    "quit": ("&Quit", QKeySequence.Quit, "Quit XbarScope (Ctrl+Q)"),
    "run": ("&Run Mapping", "F5", "Map every layer with every chosen method (F5)"),
    "cancel": ("&Cancel", "Esc", "Stop the running job (Esc)"),
    "sweep": ("Run Array-Size &Sweep", "Shift+F5", "Total cycles for arrays from 64 to 4096 (Shift+F5)"),
    "bigger_text": ("&Larger Text", QKeySequence.ZoomIn, "Larger text, e.g. for a projector (Ctrl++)"),
    "smaller_text": ("&Smaller Text", QKeySequence.ZoomOut, "Smaller text (Ctrl+-)"),
    "reset_layout": ("Reset &Panel Layout", None, "Put every panel back where it started"),
    "presentation": ("&Presentation Mode", "F11", "Full screen for a talk: the crossbar grid, the IFM and playback (F11)"),
    "export_png": ("Crossbar View as &PNG…", None, "Save the crossbar grid with its rulers and legend as a picture"),
    "export_svg": ("Crossbar View as &SVG…", None, "Save the crossbar grid as a drawing"),
    "export_gif": ("Playback as &GIF…", None, "Save a range of cycles as an animated GIF (runs in the background)"),
    "export_mp4": ("Playback as &MP4…", None, "Save a range of cycles as a video (runs in the background)"),
    "export_csv_cells": ("Cell Map as &CSV…", None, "Save what every cell of the current tile holds, one row per cell"),
    "export_json_cells": ("Cell Map as &JSON…", None, "Save the current tile's rows, columns and weight cells"),
    "export_trace_json": ("Cycle Values (Trace) as J&SON…", None, "Save every value of a range of cycles (inputs on "
                          "the rows, partial sums of the columns, X and W), as xbarscope-cli trace writes it"),
    "export_trace_csv": ("Cycle Values (Trace) as C&SV…", None, "Save every value of a range of cycles as "
                         "xbarscope-cli trace --format csv writes it"),
    "shortcuts": ("&Keyboard Shortcuts", "F1", "Every keyboard shortcut of the window (F1)"),
    "documentation": ("&Documentation", None, "Read the user guide (the README) in a window"),
    "about": ("&About XbarScope", None, "Version and credits"),
}


class Actions(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.by_name: dict[str, QAction] = {}
        for name, (text, shortcut, tip) in SPECS.items():
            action = QAction(text, window)
            if shortcut is not None:
                action.setShortcut(QKeySequence(shortcut))
            action.setToolTip(tip)
            action.setStatusTip(tip)
            # Shortcuts work wherever focus is in the window, docks included.
            action.setShortcutContext(Qt.WindowShortcut)
            window.addAction(action)
            self.by_name[name] = action

    def __getitem__(self, name: str) -> QAction:
        return self.by_name[name]
