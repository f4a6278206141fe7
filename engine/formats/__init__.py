"""Layer-list and project files: reading, writing, and telling the formats apart.

    load_network(path, fmt=None) -> Network     any format below; a project gives its network
    save_network(net, path, fmt=None)           fmt: json, csv, neurosim, scalesim
    load_project(path) -> Project; save_project(project, path)
    detect_format(path) -> str                  a name in FORMATS

A folder of numbered Timeloop/CiMLoop layer files (fmt "timeloop") loads as one network;
any other folder is refused with a message saying so.

Imports from other tools (NeuroSim, SCALE-Sim, Timeloop) get a chain check in their notes:
where a layer's input does not match the previous layer's output (engine.network.chain_notes).

An ONNX model (fmt "onnx": a `.onnx` name or ModelProto bytes; needs the onnx package)
loads with its weights (`Network.weights`); `input_size=(H, W)` fixes an open spatial size
and `progress`/`should_stop` report and cancel a long import (engine.batch conventions).

Every problem with a file's content (or a missing file) raises engine.errors.FormatError
naming the file and, where known, the line.
"""
from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from ..errors import FormatError
from ..network import Network, chain_notes
from .layer_files import WRITERS, check_format, parse_layers, sniff
from .project import Project, load_project, project_from_document, save_project
from .registry import FORMATS, FileFormat
from .textio import MAX_BYTES, MAX_LAYERS, read_text, write_atomic
from . import jsontext, onnx_model, timeloop

__all__ = ["FORMATS", "FileFormat", "MAX_BYTES", "MAX_LAYERS", "Project", "detect_format",
           "load_network", "load_project", "save_network", "save_project"]

_BY_EXTENSION = {".json": "json", ".csv": "csv"}


CHAIN_CHECKED = ("scalesim", "timeloop")  # other tools' layer lists (neurosim checks its own, with its pooling)


def _is_folder(path) -> bool:
    try:
        return os.path.isdir(path)
    except (TypeError, ValueError):  # a NUL byte in the name: the readers say so
        return False


def _folder_format(path, fmt: str | None) -> str:
    if fmt not in (None, "timeloop"):
        raise FormatError(path, f"is a folder; only a folder of Timeloop/CiMLoop layer files can be "
                          f"read as a network, not format '{fmt}'")
    if not timeloop.is_layer_folder(path):
        raise FormatError(path, "is a folder, not a file; XbarScope opens a folder only when it holds "
                          "numbered Timeloop/CiMLoop layer files (0.yaml, 1.yaml, ...)")
    return "timeloop"


def detect_format(path) -> str:
    """The name (a key of FORMATS) of the format `path` holds, judged by its content.

    A folder of numbered Timeloop/CiMLoop layer files is "timeloop"; another folder is refused.
    """
    if _is_folder(path):
        return _folder_format(path, None)
    if onnx_model.looks_like_onnx(path):
        return "onnx"
    return sniff(read_text(path), path)


def with_chain_check(net: Network) -> Network:
    """`net` with chain-check notes added (where a layer's input differs from the output before)."""
    notes = chain_notes(net.layers)
    return replace(net, notes=net.notes + tuple(notes)) if notes else net


def load_network(path, fmt: str | None = None, *, input_size: tuple[int, int] | None = None,
                 progress=None, should_stop=None) -> Network:
    """Read a layer list, an ONNX model (or a project's network). `fmt` None: detect it.

    `path` may be a folder of numbered Timeloop/CiMLoop layer files (one network). The
    network's `notes` report what the import assumed or converted. `input_size` applies to
    ONNX models (also one a project references); `progress` to ONNX models and layer folders,
    `should_stop` to them and to the CSV layer lists (native, NeuroSim, SCALE-Sim).
    """
    if _is_folder(path):
        _folder_format(path, fmt)
        if input_size is not None:
            raise FormatError(path, "an input size applies to ONNX models only; this is a layer folder")
        return with_chain_check(timeloop.load_folder(path, progress, should_stop))
    if fmt == "onnx" or (fmt is None and onnx_model.looks_like_onnx(path)):
        return onnx_model.load(path, input_size, progress, should_stop)
    text = read_text(path)
    fmt = fmt or sniff(text, path)
    if fmt == "project":
        return project_from_document(jsontext.parse(text, path), text, path, input_size=input_size,
                                     progress=progress, should_stop=should_stop).network
    if input_size is not None:
        raise FormatError(path, "an input size applies to ONNX models only; this is a layer list")
    net = parse_layers(text, path, fmt, should_stop)
    return with_chain_check(net) if fmt in CHAIN_CHECKED else net


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
