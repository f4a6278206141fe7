"""A project: a network, the array it maps onto, the methods to compare, options and view.

File: `{"format": "xbarscope-project", "version": 1, "network": <xbarscope-layers document>,
"array": {...}, "methods": [...], "options": {...}, "view": {...}, "chip": {...}}`. `chip` (optional:
projects saved before the chip view have none) is an engine.chip.ChipSpec's to_dict. Instead of `network`
the file may name `"network_file": "relative/path.csv"` (any layer format, or an ONNX
model, whose weights come along), resolved from the project file's folder; such a project
is saved with the reference, not the layers. `"network_input_size": [H, W]` goes with a
network_file whose ONNX model leaves its input size open. A network_file must stay in the
project's folder tree: an absolute name, or one that climbs out (`..`, a link), is refused
unless the caller allows it (`outside_ok`: the app asks the user; its own autosave may).
Saving is atomic: a crash leaves the previous file whole.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from ..errors import FormatError, XbarError
from ..chip import ChipError, ChipSpec
from ..files import outside_reason
from ..layers import ArraySpec
from ..methods import DEFAULT_METHODS, METHODS, get
from ..network import Network, array_from_dict, network_to_dict
from ..onnx.importer import check_input_size
from . import jsontext, native_json, onnx_model
from .jsontext import plain_json
from .layer_files import PROJECT_FORMAT, parse_layers, sniff
from .textio import read_text, write_atomic

PROJECT_VERSION = 1
_KEYS = ("format", "version", "network", "network_file", "network_input_size", "array", "methods",
         "options", "view", "chip")
@dataclass(frozen=True)
class Project:
    """Immutable: `options` and `view` are read-only mappings of JSON values (treat nested
    values as read-only too). The hash leaves them out; equality does not."""

    network: Network
    array: ArraySpec
    methods: tuple[str, ...] = DEFAULT_METHODS
    options: Mapping[str, Any] = field(default_factory=dict, hash=False)
    view: Mapping[str, Any] = field(default_factory=dict, hash=False)
    network_file: str | None = None  # saved as a reference instead of the layers
    network_input_size: tuple[int, int] | None = None  # (H, W) for an ONNX network_file left open
    chip: ChipSpec | None = None  # the chip view's spec; None: an older project without one

    def __post_init__(self):
        if not isinstance(self.network, Network):
            raise XbarError(f"network: must be a Network, got {type(self.network).__name__}")
        if not isinstance(self.array, ArraySpec):
            raise XbarError(f"array: must be an ArraySpec, got {type(self.array).__name__}")
        if isinstance(self.methods, str) or not isinstance(self.methods, (list, tuple)) or not self.methods:
            raise XbarError("methods: must be a non-empty list of method names")
        for name in self.methods:
            try:
                get(name)
            except (XbarError, TypeError):  # TypeError: an unhashable name such as a list
                raise XbarError(f"methods: {name!r} is not a method; known: "
                                f"{', '.join(METHODS)}") from None
        if len(set(self.methods)) != len(self.methods):
            raise XbarError("methods: a method is listed twice")
        if self.network_file is not None and (not isinstance(self.network_file, str)
                                              or not self.network_file.strip()):
            raise XbarError("network_file: must be a non-empty path")
        if self.network_input_size is not None:
            if self.network_file is None:
                raise XbarError("network_input_size: goes with a network_file (an ONNX model)")
            try:
                size = check_input_size(self.network_input_size)
            except XbarError as e:
                raise XbarError(f"network_input_size: {e}") from None
            object.__setattr__(self, "network_input_size", size)
        if self.chip is not None and not isinstance(self.chip, ChipSpec):
            raise XbarError(f"chip: must be a ChipSpec, got {type(self.chip).__name__}")
        object.__setattr__(self, "methods", tuple(self.methods))
        for name in ("options", "view"):
            value = getattr(self, name)
            if not isinstance(value, Mapping):
                raise XbarError(f"{name}: must be an object, got {type(value).__name__}")
            object.__setattr__(self, name, MappingProxyType(plain_json(value, name)))


def project_to_dict(project: Project) -> dict:
    d: dict = {"format": PROJECT_FORMAT, "version": PROJECT_VERSION}
    if project.network_file is not None:
        d["network_file"] = project.network_file
        if project.network_input_size is not None:
            d["network_input_size"] = list(project.network_input_size)
    else:
        d["network"] = network_to_dict(project.network)
    d["array"] = project.array.to_dict()
    d["methods"] = list(project.methods)
    d["options"] = plain_json(project.options, "options")
    d["view"] = plain_json(project.view, "view")
    if project.chip is not None:
        d["chip"] = project.chip.to_dict()
    return d


def _check_header(doc, text: str, path) -> None:
    if not isinstance(doc, dict):
        raise FormatError(path, "a project must be a JSON object", 1)
    if doc.get("format") != PROJECT_FORMAT:
        raise FormatError(path, f"format is {doc.get('format')!r}, expected '{PROJECT_FORMAT}'",
                          jsontext.key_line(text, "format"))
    version = doc.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise FormatError(path, f"version must be a whole number from 1, got {version!r}",
                          jsontext.key_line(text, "version"))
    if version > PROJECT_VERSION:
        raise FormatError(path, f"version {version} is newer than this XbarScope reads "
                          f"({PROJECT_VERSION})", jsontext.key_line(text, "version"))
    for key in doc:
        if key not in _KEYS:
            raise FormatError(path, f"unknown key {key[:40]!r}; a project has {', '.join(_KEYS)}",
                              jsontext.key_line(text, key))
    if ("network" in doc) == ("network_file" in doc):
        raise FormatError(path, "a project needs either 'network' or 'network_file' (one of them)")
    if "array" not in doc:
        raise FormatError(path, "a project needs 'array' (rows, cols, cell_bits, weight_bits)")


def _input_size(doc, text: str, path, override):
    size = doc.get("network_input_size")
    if size is None or override is not None:
        return override
    try:
        return check_input_size(size)
    except XbarError as e:
        raise FormatError(path, f"network_input_size: {e}", jsontext.key_line(text, "network_input_size")) from None


@dataclass(frozen=True)
class Reference:
    """A project's network_file, named, not read: `target` is where it points, `outside`
    why it leaves the project's folder tree (None when it stays inside)."""
    ref: str
    target: Path
    outside: str | None


def reference(path, ref: str) -> Reference:
    folder = Path(path).parent
    return Reference(ref, folder / ref, outside_reason(folder, ref))


def _outside_message(ref: str, why: str) -> str:
    return (f"network_file: '{ref[:200]}' {why}; a project may name files in its own folder tree "
            f"only (move the file beside the project, or open the project in the app to allow it)")


def _referenced_network(ref, text: str, path, input_size=None, progress=None, should_stop=None,
                        outside_ok: bool = False) -> Network:
    line = jsontext.key_line(text, "network_file")
    if not isinstance(ref, str) or not ref.strip():
        raise FormatError(path, "network_file: must be a non-empty path", line)
    found = reference(path, ref)
    if found.outside and not outside_ok:
        raise FormatError(path, _outside_message(ref, found.outside), line)
    target = found.target
    try:
        if target.is_dir():  # a folder of numbered Timeloop/CiMLoop layer files
            from . import load_network
            return load_network(target, input_size=input_size, progress=progress, should_stop=should_stop)
        if onnx_model.looks_like_onnx(target):
            return onnx_model.load(target, input_size, progress, should_stop)
        if input_size is not None:
            raise FormatError(target, "network_input_size applies to ONNX models only")
        target_text = read_text(target)
        fmt = sniff(target_text, target)
        if fmt == "project":
            raise FormatError(target, "is a project; network_file must name a layer list")
        return parse_layers(target_text, target, fmt, should_stop)
    except FormatError as e:
        raise FormatError(path, f"network_file: {e}", line) from None


def project_from_document(doc, text: str, path, *, input_size=None, progress=None,
                          should_stop=None, outside_ok: bool = False) -> Project:
    """A parsed project document -> Project. Every error is a FormatError naming `path`.

    `input_size` overrides the document's network_input_size; `progress`/`should_stop`
    go to the import of an ONNX network_file; `outside_ok` allows a network_file outside
    the project's folder tree."""
    _check_header(doc, text, path)
    size = None
    if "network_file" in doc:
        size = _input_size(doc, text, path, input_size)
        network = _referenced_network(doc["network_file"], text, path, size, progress, should_stop, outside_ok)
    else:
        network = native_json.network_from_document(doc["network"], text, path, Path(path).stem)
    chip = _chip(doc, text, path)  # before the try below: its FormatError names its own line
    try:
        array = array_from_dict(doc["array"])
        extra = {k: doc[k] for k in ("methods", "options", "view", "network_input_size") if k in doc}
        if "network_file" in doc and size is not None:
            extra["network_input_size"] = size  # the size the model was read with, given or asked
        return Project(network, array, network_file=doc.get("network_file"), chip=chip, **extra)
    except ValueError as e:  # XbarError, or int('²') in array_from_dict (it passes isdigit)
        key = re.match(r"[a-z_]*", str(e)).group()  # project errors start with their key
        line = jsontext.key_line(text, key) if key in _KEYS else None
        raise FormatError(path, str(e) if isinstance(e, XbarError) else f"invalid value: {e}",
                          line) from None


def _chip(doc, text: str, path) -> ChipSpec | None:
    """The document's chip spec (None when it has none); a bad field is named at its line."""
    if "chip" not in doc:
        return None
    try:
        return ChipSpec.from_dict(doc["chip"])
    except ChipError as e:
        raise FormatError(path, str(e), _chip_field_line(text, e.field)) from None
    except TypeError as e:  # a field given as a list or object where a number goes
        raise FormatError(path, f"chip: {e}", jsontext.key_line(text, "chip")) from None


def _chip_field_line(text: str, name: str) -> int | None:
    """The line of `name` inside the chip object (the first such key after `"chip":`), else of `chip`."""
    start = re.search(r'"chip"\s*:', text)
    if start is None:
        return None
    hit = re.compile(re.escape(f'"{name}"') + r"\s*:").search(text, start.end())
    return text.count("\n", 0, (hit or start).start()) + 1


def read_project(path) -> Project | Reference:
    """The project, read once, when its layers are in the file; for a project that takes its
    network from another file, that file's Reference, not read (a caller may ask about a file
    outside the project's folder, then load the project in the background with load_project).
    FormatError as load_project."""
    text = read_text(path)
    doc = jsontext.parse(text, path)
    _check_header(doc, text, path)
    ref = doc.get("network_file")
    if isinstance(ref, str) and ref.strip():
        return reference(path, ref)
    return project_from_document(doc, text, path)


def load_project(path, progress=None, should_stop=None, input_size=None, outside_ok: bool = False) -> Project:
    """Read a project file. Raises FormatError (naming the file and line) for anything wrong.

    `progress`/`should_stop` report and cancel the import of an ONNX network_file;
    `input_size` (H, W) is the one its model leaves open, when the file does not give it;
    `outside_ok` allows a network_file outside the project's folder tree (asked, or our own)."""
    text = read_text(path)
    return project_from_document(jsontext.parse(text, path), text, path, input_size=input_size,
                                 progress=progress, should_stop=should_stop, outside_ok=outside_ok)


def save_project(project: Project, path) -> None:
    """Write atomically (temp file in the same folder, then rename). FormatError on failure."""
    write_atomic(path, jsontext.dumps(project_to_dict(project)) + "\n")
