"""New / Open / Save / Save As / Import / presets: the project's life, never losing work.

Rules: anything that would replace the open project asks first when it has unsaved
changes; a file that cannot be read leaves the open project untouched; every edit
schedules an autosave to the recovery file.
"""
from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from engine.errors import XbarError
from engine.formats import FORMATS
from engine.formats.project import Project, Reference, read_project, save_project
from engine.network import Network

from app import dialogs, settings
from app.import_controller import ImportController
from app.import_job import PROJECT
from app.recovery import RecoveryStore
from app.workers import JobRunner
from app.workspace import Workspace

RECOVERED_PATH = "project_path"  # in a recovery file's view: the project file it belongs to
PROJECT_FILTER = FORMATS["project"].file_filter


def all_files_filter() -> str:
    patterns = sorted({f"*{e}" for f in FORMATS.values() for e in f.extensions})
    return f"All layer lists, models and projects ({' '.join(patterns)})"


class ProjectController(QObject):
    title_changed = Signal(str)
    recent_changed = Signal(list)
    status = Signal(str)
    loaded = Signal()  # a different project or network is now open
    network_loaded = Signal(object)  # after `loaded`: the Network now open (its weights, if any)

    def __init__(self, workspace: Workspace, parent_widget, runner: JobRunner, recovery_path: Path | None = None):
        super().__init__(parent_widget)
        self.ws = workspace
        self.window = parent_widget
        self.path: Path | None = None
        self.dirty = False
        self.recovery = RecoveryStore(self.recovery_snapshot, self, recovery_path)
        self._loading = False
        self.importer = ImportController(runner, parent_widget, self)
        self.importer.imported.connect(self.load_network)
        self.importer.project_read.connect(self._opened)
        self.importer.status.connect(self.status)
        self.importer.finished.connect(self._import_finished)
        self._recovering = None  # while the autosave is read in the background: what to open if it fails
        workspace.edited.connect(self._on_edit)
        workspace.options_edited.connect(self._on_edit)

    # --- state -----------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.path.name if self.path else self.ws.network_name()

    def _on_edit(self) -> None:
        if self._loading:
            return
        self._set_dirty(True)
        self.recovery.schedule()

    def _set_dirty(self, dirty: bool) -> None:
        self.dirty = dirty
        self.window.setWindowModified(dirty)
        self.title_changed.emit(f"{self.name}[*] — XbarScope")

    def recovery_snapshot(self) -> Project | None:
        """What autosave keeps: the project, and the file it belongs to."""
        try:
            project = self.ws.project()
        except XbarError:
            return None
        if self.path is not None:
            project = replace(project, view={**project.view, RECOVERED_PATH: str(self.path)})
        return project

    def mark_clean(self) -> None:
        self._set_dirty(False)

    def apply(self, project: Project, path: Path | None, dirty: bool = False) -> None:
        self._loading = True
        try:
            self.ws.apply_project(project)
        finally:
            self._loading = False
        ref = project.network_file
        if ref is not None and path is not None:
            ref = str((Path(path).parent / ref).resolve())
        self.ws.set_model_ref(ref, project.network_input_size, project.network)
        self.path = path
        self._set_dirty(dirty)
        self.loaded.emit()
        self.network_loaded.emit(project.network)

    def maybe_discard(self) -> bool:
        """True if the open project may be replaced (saved, discarded, or nothing to lose)."""
        if not self.dirty:
            return True
        answer = dialogs.ask_save_changes(self.window, self.name)
        if answer == dialogs.SAVE:
            return self.save()
        return answer == dialogs.DISCARD

    # --- commands --------------------------------------------------------------------
    def new(self) -> bool:
        if not self.maybe_discard():
            return False
        self.ws.start_empty()
        self.path = None
        self._set_dirty(False)
        self.recovery.clear()
        self.loaded.emit()
        return True

    def load_network(self, net: Network, what: str, input_size=None) -> bool:
        """Make `net` the open network, in a new untitled project keeping array and methods.
        A model with weights is kept as a reference (`input_size`: what it was read with)."""
        if not self.maybe_discard():
            return False
        project = self.ws.project_with(net)
        if net.weights is not None and net.source and Path(net.source).is_file():
            project = replace(project, network_file=str(Path(net.source).resolve()), network_input_size=input_size)
        self.apply(project, None)
        self.recovery.clear()
        notes = f" ({'; '.join(net.notes)})" if net.notes else ""
        self.status.emit(f"Loaded {what}: {len(net.layers)} layers{notes}")
        return True

    def load_preset(self, name: str) -> bool:
        from engine.presets import load_preset
        return self.load_network(load_preset(name), f"preset {name}")

    def open(self, path: str | None = None) -> bool:
        """Open a project file. One whose network is in another file (an ONNX model) is read in
        the worker: `loaded` tells when it is open; False means it was not (or not yet) opened."""
        if path is None:
            filters = [PROJECT_FILTER, all_files_filter()] + [f.file_filter for f in FORMATS.values()
                                                              if f.name != "project"]
            path, _ = dialogs.open_file(self.window, "Open project", filters)
            if not path:
                return False
        try:
            if not _is_project(path):  # Open opens every file Import reads (models, layer lists)
                self.importer.start(path)
                return False
            found = read_project(path)
        except XbarError as e:  # the open project stays as it was
            dialogs.error(self.window, "Cannot open project", str(e))
            return False
        if isinstance(found, Reference):  # its network is another file, maybe a big model: off the GUI thread
            if found.outside and not dialogs.ask_outside_reference(self.window, path, str(found.target),
                                                                   found.outside):
                self.status.emit(f"Not opened: {Path(path).name} names a network file outside its folder")
                return False
            self.importer.start(path, PROJECT, outside_ok=found.outside is not None)
            return False
        return self._opened(found, path)

    def _opened(self, project: Project, path: str) -> bool:
        if self._recovering is not None:  # the autosave, read in the background at start-up
            self._recovering = None
            self._apply_recovered(project)
            return True
        if not self.maybe_discard():
            return False
        self.apply(project, Path(path))
        self.recovery.clear()
        self.recent_changed.emit(settings.add_recent_file(path))
        self.status.emit(f"Opened {path}")
        return True

    def import_file(self, path: str | None = None) -> bool:
        """Any layer list, model or project the engine reads. Layer lists and models are read
        in the worker (`importer.finished` tells when); a bad file changes nothing."""
        fmt = None
        if path is None:
            filters = [all_files_filter()] + [f.file_filter for f in FORMATS.values()]
            path, chosen = dialogs.open_file(self.window, "Import a layer list or model", filters)
            if not path:
                return False
            fmt = next((f.name for f in FORMATS.values() if f.file_filter == chosen and f.name != "project"), None)
        try:
            if fmt is None and _is_project(path):
                return self.open(path)
        except XbarError as e:
            dialogs.error(self.window, "Cannot import", str(e))
            self.status.emit(f"Import failed: {e}")
            return False
        self.importer.start(path, fmt)
        return True

    def import_folder(self, path: str | None = None) -> bool:
        """A folder of numbered Timeloop/CiMLoop layer files, read in the worker as one network."""
        if path is None:
            path = dialogs.open_folder(self.window, "Import a folder of Timeloop/CiMLoop layer files")
            if not path:
                return False
        return self.import_file(path)

    def save(self) -> bool:
        if self.path is None:
            return self.save_as()
        return self._write(self.path)

    def save_as(self) -> bool:
        suggested = str(self.path or f"{self.ws.network_name()}.xbarscope.json")
        path, _ = dialogs.save_file(self.window, "Save project", [PROJECT_FILTER], suggested)
        if not path:
            return False
        return self._write(Path(path))

    def _write(self, path: Path) -> bool:
        try:
            save_project(_relative_model(self.ws.project(), Path(path)), path)
        except XbarError as e:
            dialogs.error(self.window, "Cannot save", str(e))
            return False
        self.path = path
        self._set_dirty(False)
        self.recovery.clear()
        self.recent_changed.emit(settings.add_recent_file(str(path)))
        self.status.emit(f"Saved {path}")
        return True

    # --- recovery --------------------------------------------------------------------
    def offer_recovery(self, fallback=None) -> bool:
        """At start-up: a recovery file means the last session crashed. Offer it back.

        True: recovered, or being recovered (a project that refers to a model is read in the
        worker, with progress and Esc; should that fail, the file is set aside and `fallback()`
        opens what would have opened instead). False: nothing recovered; open something else."""
        if not self.recovery.exists():
            return False
        from datetime import datetime
        when = datetime.fromtimestamp(self.recovery.path.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
        restore = dialogs.ask_restore(self.window, str(self.recovery.path), when)
        if not restore:
            self.recovery.clear()
            return False
        try:
            found = read_project(self.recovery.path)
        except XbarError as e:
            self._set_aside(str(e))
            return False
        if isinstance(found, Reference):  # its network is a model file: off the GUI thread
            self._recovering = fallback or (lambda: None)  # our own file: its absolute reference is fine
            self.importer.start(str(self.recovery.path), PROJECT, outside_ok=True)
            return True
        self._apply_recovered(found)
        return True

    def _apply_recovered(self, project: Project) -> None:
        path = project.view.get(RECOVERED_PATH)
        self.apply(project, Path(path) if isinstance(path, str) else None, dirty=True)
        self.status.emit("Recovered the autosaved work: save it to keep it")

    def _set_aside(self, error: str | None) -> Path:
        """Keep an autosave that could not be loaded (never delete someone's work), and say where."""
        kept = self.recovery.set_aside()
        where = f"The autosaved file was kept as\n{kept}" if kept else \
            f"The autosaved file stays at\n{self.recovery.path}"
        if error is not None:
            dialogs.error(self.window, "Cannot recover", f"{error}\n\n{where}")
        else:
            dialogs.info(self.window, "Autosaved work not recovered", where)
        self.status.emit(f"Could not recover the autosaved work; kept as {kept or self.recovery.path}")
        return kept or self.recovery.path

    def _import_finished(self, ok: bool) -> None:
        fallback, self._recovering = self._recovering, None
        if fallback is not None and not ok:  # the background recovery failed or was cancelled
            kept = self._set_aside(None)  # the importer has shown why; before the fallback clears the file
            fallback()
            self.status.emit(f"Could not recover the autosaved work; kept as {kept}")

    def close_ok(self) -> bool:
        """On quit: ask about unsaved work, then remove the recovery file (a normal exit)."""
        if not self.maybe_discard():
            return False
        self.recovery.clear()
        return True


def _is_project(path: str) -> bool:
    from engine.formats import detect_format
    return detect_format(path) == "project"


def _relative_model(project: Project, path: Path) -> Project:
    """A model file named relative to the project's folder, so the two can move together."""
    if project.network_file is None:
        return project
    try:
        rel = os.path.relpath(project.network_file, Path(path).resolve().parent)
    except ValueError:  # another drive (Windows): keep the absolute path
        return project
    return replace(project, network_file=Path(rel).as_posix())
