"""ONNX models as a network file format: detection, and reading through engine.onnx.

Kept apart from the text formats: an ONNX file is binary protobuf, not text, and reading
one needs the optional `onnx` package (imported only when a model is read).
"""
from __future__ import annotations

from ..network import Network
from ..onnx.reader import looks_like_onnx


def load(path, input_size=None, progress=None, should_stop=None) -> Network:
    """The model's network with lazy weights; `notes` hold the import report."""
    from ..onnx import load_onnx

    return load_onnx(path, input_size, progress, should_stop)


__all__ = ["load", "looks_like_onnx"]
