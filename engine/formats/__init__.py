"""Layer-list and project files: reading, writing, and telling the formats apart.

    load_network(path, fmt=None) -> Network     any format below; a project gives its network
    save_network(net, path, fmt=None)           fmt: json, csv, neurosim, scalesim
    load_project(path) -> Project; save_project(project, path)
    detect_format(path) -> str                  a name in FORMATS

An ONNX model (fmt "onnx": a `.onnx` name or ModelProto bytes; needs the onnx package)
loads with its weights (`Network.weights`); `input_size=(H, W)` fixes an open spatial size
and `progress`/`should_stop` report and cancel a long import (engine.batch conventions).

Every problem with a file's content (or a missing file) raises engine.errors.FormatError
naming the file and, where known, the line.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import FormatError
from ..network import Network
from .layer_files import WRITERS, check_format, parse_layers, sniff
from .project import Project, load_project, project_from_document, save_project
from .registry import FORMATS, FileFormat
from .textio import MAX_BYTES, MAX_LAYERS, read_text, write_atomic
from . import jsontext, onnx_model

__all__ = ["FORMATS", "FileFormat", "MAX_BYTES", "MAX_LAYERS", "Project", "detect_format",
           "load_network", "load_project", "save_network", "save_project"]

_BY_EXTENSION = {".json": "json", ".csv": "csv"}


def detect_format(path) -> str:
    """The name (a key of FORMATS) of the format `path` holds, judged by its content."""
    if onnx_model.looks_like_onnx(path):
        return "onnx"
    return sniff(read_text(path), path)


def load_network(path, fmt: str | None = None, *, input_size: tuple[int, int] | None = None,
                 progress=None, should_stop=None) -> Network:
    """Read a layer list, an ONNX model (or a project's network). `fmt` None: detect it.

    The network's `notes` report what the import assumed or converted. `input_size`,
    `progress` and `should_stop` apply to ONNX models (also one a project references).
    """
    if fmt == "onnx" or (fmt is None and onnx_model.looks_like_onnx(path)):
        return onnx_model.load(path, input_size, progress, should_stop)
    text = read_text(path)
    fmt = fmt or sniff(text, path)
    if fmt == "project":
        return project_from_document(jsontext.parse(text, path), text, path, input_size=input_size,
                                     progress=progress, should_stop=should_stop).network
    if input_size is not None:
        raise FormatError(path, "an input size applies to ONNX models only; this is a layer list")
    return parse_layers(text, path, fmt)


def save_network(net: Network, path, fmt: str | None = None) -> None:
    """Write `net` atomically. `fmt` None: json for .json, csv (native) for .csv.

    Raises FormatError if the format cannot express a layer, or the file cannot be written.
    """
    if fmt is None:
        fmt = _BY_EXTENSION.get(Path(path).suffix.lower())
        if fmt is None:
            raise FormatError(path, "give a format: the extension is neither .json nor .csv")
    check_format(path, fmt, WRITERS)
    write_atomic(path, WRITERS[fmt](net, path))
