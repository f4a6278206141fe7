"""Reading an ONNX file into a ModelProto whose big weights stay in the file.

Also: the opening bytes that tell an ONNX model from a text layer list.
"""
from __future__ import annotations

import mmap
import os
from pathlib import Path
from typing import Callable

from ..errors import FormatError
from ..files import open_regular, reading
from .wire import Malformed, RawSlice, strip_large_weights

STRIP_BYTES = 4096  # raw data above this stays on disk; shape constants are far smaller
MAX_MESSAGE = 2 ** 31 - 1  # protobuf cannot parse a larger message
# ModelProto field keys that can follow ir_version (field 1): producer_name .. graph, opsets.
_SECOND_KEYS = {0x12, 0x1A, 0x22, 0x28, 0x32, 0x3A, 0x42, 0x72}


def looks_like_onnx(path) -> bool:
    """True for a `.onnx` name, or a file opening like a ModelProto (ir_version first)."""
    path = Path(path)
    if path.suffix.lower() == ".onnx":
        return True
    try:
        with open_regular(path) as f:
            head = f.read(3)
    except (OSError, ValueError):  # FormatError too
        return False  # the text readers report a missing, unreadable or special file
    # A text file never starts with 0x08 (backspace); a ModelProto starts with ir_version.
    return len(head) == 3 and head[0] == 0x08 and 1 <= head[1] < 0x80 and head[2] in _SECOND_KEYS


def read_model(path: Path, tick: Callable[[float], None]):
    """(ModelProto without big raw data, {initializer index: RawSlice in the file}).

    `tick(fraction of the file walked)` reports progress and may raise Cancelled.
    """
    try:
        with reading(path), open_regular(path) as f:
            size = os.fstat(f.fileno()).st_size
            if size == 0:
                raise FormatError(path, "the file is empty")
            with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
                stripped, slices = strip_large_weights(mm, STRIP_BYTES, lambda pos: tick(pos / size))
    except Malformed as e:
        raise FormatError(path, f"is not a valid ONNX model: {e}") from None
    if len(stripped) > MAX_MESSAGE:
        raise FormatError(path, f"the model without its large weights still has {len(stripped) / 2**30:.3g} GiB, "
                          f"more than protobuf can parse (2 GiB)")
    import onnx

    model = onnx.ModelProto()
    try:
        model.ParseFromString(stripped)
    except Exception as e:  # google.protobuf DecodeError, or a RuntimeError from upb
        raise FormatError(path, f"is not a valid ONNX model: {e or type(e).__name__}") from None
    if model.ir_version < 1 or not model.HasField("graph") or not model.graph.node:
        raise FormatError(path, "is not an ONNX model (it has no IR version or no graph with nodes)")
    return model, slices


__all__ = ["RawSlice", "looks_like_onnx", "read_model"]
