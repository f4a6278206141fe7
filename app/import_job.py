"""Reading a layer list, model or model-referring project in the worker: big ONNX models take seconds."""
from __future__ import annotations

from dataclasses import dataclass

from engine.formats.project import Project
from engine.network import Network

from app.models.layer_rows import prepare_rows

PROJECT = "project"  # ImportRequest.fmt of a project file (read whole: array, methods, options too)

NEEDS_INPUT_SIZE = "give the input size"  # how the ONNX importer asks for one (engine.onnx.layers)


@dataclass(frozen=True)
class ImportRequest:
    path: str
    fmt: str | None = None  # None: the engine detects it from the content
    input_size: tuple[int, int] | None = None  # ONNX models that leave their input size open
    outside_ok: bool = False  # a project's network_file outside its folder: the user allowed it


@dataclass(frozen=True)
class ImportResult:
    request: ImportRequest
    network: Network
    project: Project | None = None  # set when the request read a project


def import_network(request: ImportRequest, progress=None, should_stop=None) -> ImportResult:
    from engine.formats import load_network

    if request.fmt == PROJECT:
        from engine.formats.project import load_project

        project = load_project(request.path, progress, should_stop, input_size=request.input_size,
                               outside_ok=request.outside_ok)
        prepare_rows(project.network)
        return ImportResult(request, project.network, project)
    kwargs = {"input_size": request.input_size} if request.input_size else {}
    net = load_network(request.path, request.fmt, progress=progress, should_stop=should_stop, **kwargs)
    prepare_rows(net)  # the table's rows, made here rather than on the GUI thread
    return ImportResult(request, net)
