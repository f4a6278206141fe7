"""`write_report`: map result -> pictures -> HTML -> one file, written atomically.

Pictures are painted on the calling (GUI) thread; `progress(done, total, text)` is called
between steps and `should_stop()` checked between layers (engine.errors.Cancelled on stop).
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from engine.batch import MapResult
from engine.errors import XbarError, check_cancel

from .build import ReportInputs, build_html, default_method, ordered_methods


def source_text(source: str) -> str:
    """A Network.source as a person reads it: 'preset:vgg13-paper' -> 'preset vgg13-paper'."""
    if source.startswith("preset:"):
        return f"preset {source.split(':', 1)[1]}"
    return f"file {source}" if source else ""


def check_writable(path: str | os.PathLike) -> Path:
    """Fail before the slow part when the report cannot be written there (OSError, in words)."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise OSError(f"cannot write {path}: it is a folder")
    if not folder.is_dir():
        raise OSError(f"cannot write {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise OSError(f"cannot write {path}: the folder {folder} is not writable")
    return path


def write_atomically(path: Path, text: str) -> None:
    """A temporary file beside `path`, then a rename: a cancelled or failed write leaves no half file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a report is a document to share
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_report(path, result: MapResult, network_name: str, array=None, options=None, methods=None,
                 selected_method: str | None = None, progress=None, should_stop=None, *,
                 network_source: str = "", description: str = "", energy_model=None, chip=None) -> Path:
    """Write the HTML report of `result` to `path` and return the path.

    `array`/`options` default to the request's; `methods` are the methods shown (default: all
    mapped); `selected_method` whose plan each layer's crossbar picture shows (default VW-SDK if
    mapped, else the last method). Raises XbarError for a method not mapped, OSError when the
    file cannot be written, engine.errors.Cancelled when `should_stop()` turns true. `chip`: a
    ChipSpec for the chip section (None: none)."""
    from .pictures import chart_pictures, crossbar_pictures

    path = check_writable(path)
    shown = ordered_methods(methods, result)
    if not shown:
        raise XbarError("nothing to report: none of the methods asked for was mapped")
    selected = selected_method or default_method(shown)
    if selected not in result.request.methods:
        raise XbarError(f"method {selected} was not mapped ({', '.join(result.request.methods)})")
    n = len(result.request.layers)
    total = n + 2  # charts, one step per layer, the file
    if progress:
        progress(0, total, "charts")
    charts = chart_pictures(result, shown, network_name, energy_model)
    check_cancel(should_stop)
    layers = crossbar_pictures(result, selected, progress, should_stop, first=1, total=total)
    inputs = ReportInputs(result, network_name, shown, selected, network_source=network_source,
                          description=description, array=array or result.request.array,
                          options=options if options is not None else result.request.options,
                          energy_model=energy_model, chip=chip)
    if progress:
        progress(n + 1, total, "writing the file")
    html = build_html(inputs, charts, layers)
    check_cancel(should_stop)
    write_atomically(path, html)
    if progress:
        progress(total, total, "done")
    return path
