"""The open project's editable state, gathered from the editors into engine objects and back.

Layers live in the LayerTableModel, the array and methods in the ArrayEditor, and view
choices (chart options, selected layer and method) in whichever widget owns them: those
register a getter and a setter under a key, so the project file remembers them.
"""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QObject, Signal

from engine import ArraySpec
from engine.chip import ChipSpec
from engine.errors import XbarError
from engine.formats.project import Project
from engine.methods import DEFAULT_METHODS
from engine.network import Network

from app.models.layer_table_model import LayerTableModel

DRAFT_KEY = "draft_rows"  # raw rows of a table with invalid cells, so autosave keeps them


class Workspace(QObject):
    edited = Signal()  # layers, array, methods or a saved view choice changed
    options_edited = Signal()  # an option changed that needs no re-mapping (e.g. energies per event)

    def __init__(self, layers: LayerTableModel, array_editor, parent=None):
        super().__init__(parent)
        self.layers = layers
        self.array_editor = array_editor
        self._view: dict[str, tuple[Callable[[], Any], Callable[[Any], None]]] = {}
        self._options: dict[str, tuple[Callable[[], Any], Callable[[Any], None]]] = {}
        self._chip: tuple[Callable[[], ChipSpec], Callable[[ChipSpec], None]] | None = None
        self._last_valid: Network | None = None
        # (model file, input size, network with weights): while the table holds that model's layers,
        # projects refer to the file, so its weights come back when the project is opened again.
        self.model_ref: tuple[str, tuple[int, int] | None, Network] | None = None
        layers.edited.connect(self._layers_edited)
        array_editor.changed.connect(self.edited)

    def _layers_edited(self) -> None:
        net = self.layers.network()
        if net is not None:
            self._last_valid = net
        self.edited.emit()

    def register_view(self, key: str, get: Callable[[], Any], set_: Callable[[Any], None]) -> None:
        self._view[key] = (get, set_)

    def register_option(self, key: str, get: Callable[[], Any], set_: Callable[[Any], None]) -> None:
        self._options[key] = (get, set_)

    def register_chip(self, get: Callable[[], ChipSpec], set_: Callable[[ChipSpec], None]) -> None:
        """The chip view's spec: saved under the project's `chip` key."""
        self._chip = (get, set_)

    def _chip_spec(self) -> ChipSpec | None:
        return self._chip[0]() if self._chip is not None else None

    # --- engine objects ------------------------------------------------------------------
    def network_name(self) -> str:
        return self.layers.network_name

    def array(self) -> ArraySpec:
        spec = self.array_editor.spec()
        if spec is None:
            raise XbarError(self.array_editor.error())
        return spec

    def _option_values(self) -> dict:
        return {k: get() for k, (get, _) in self._options.items()}

    def project(self) -> Project:
        """The project to save. With invalid rows: the last valid layers plus the raw rows."""
        view = {k: get() for k, (get, _) in self._view.items()}
        net = self.layers.network()
        if net is None:
            if self._last_valid is None:
                raise XbarError(self.layers.problem() or "the network is empty")
            net = self._last_valid
            view[DRAFT_KEY] = self.layers.raw_rows()
        methods = self.array_editor.methods() or DEFAULT_METHODS
        ref = self.model_ref
        if ref is not None and DRAFT_KEY not in view and net.layers == ref[2].layers:
            # Still the model's layers: refer to its file, so its weights come back.
            return Project(ref[2], self.array(), methods, options=self._option_values(), view=view,
                           network_file=ref[0], network_input_size=ref[1], chip=self._chip_spec())
        return Project(net, self.array(), methods, options=self._option_values(), view=view, chip=self._chip_spec())

    def project_with(self, net: Network) -> Project:
        """A new project for `net`, keeping today's array (unless `net` brings one) and methods."""
        array = net.array or self.array_editor.spec() or ArraySpec()
        methods = self.array_editor.methods() or DEFAULT_METHODS
        return Project(net, array, methods, options=self._option_values(), chip=self._chip_spec())

    def apply_project(self, project: Project) -> None:
        self.layers.set_network(project.network)
        self._last_valid = project.network
        draft = project.view.get(DRAFT_KEY)
        if isinstance(draft, list):
            self.layers.set_raw_rows(draft)
        self.array_editor.set_spec(project.array)
        self.array_editor.set_methods(project.methods)
        for key, (_, set_) in self._options.items():
            if key in project.options:
                set_(project.options[key])
        for key, (_, set_) in self._view.items():
            if key in project.view:
                set_(project.view[key])
        if self._chip is not None:
            self._chip[1](project.chip or ChipSpec())  # a project saved before the chip view: the examples
        self.edited.emit()

    def set_model_ref(self, path: str | None, input_size=None, net: Network | None = None) -> None:
        """The ONNX model (absolute path) the open network was read from, or None."""
        self.model_ref = (path, input_size, net) if path and net is not None and net.weights is not None else None

    def start_empty(self) -> None:
        self.layers.clear()
        self._last_valid = None
        self.layers.add_layer()
        self.edited.emit()
