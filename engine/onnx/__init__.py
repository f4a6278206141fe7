"""Importing ONNX models: layers, lazy weights and an import report (needs the `onnx` package).

    import_onnx(path, input_size=None, progress=None, should_stop=None) -> OnnxImport
    load_onnx(...) -> Network          the same, just the network
    looks_like_onnx(path) -> bool      a `.onnx` name or ModelProto opening bytes
    parse_input_size("224x224") -> (224, 224)
    weights_unavailable(net) -> bool    a shape-only model: its external weight data is missing
    InputSizeNeeded (a FormatError): no layer imports until input_size is given;
    OnnxImport.needs_input_size: some layers were skipped for that reason

This package imports `onnx` only when a model is read, so the engine works without it.
"""
from .importer import (WEIGHTS_UNAVAILABLE, InputSizeNeeded, OnnxImport, check_input_size, import_onnx, load_onnx,
                       parse_input_size, weights_unavailable)
from .reader import looks_like_onnx
from .tensors import MAX_TENSOR_BYTES

__all__ = ["InputSizeNeeded", "MAX_TENSOR_BYTES", "OnnxImport", "WEIGHTS_UNAVAILABLE", "check_input_size",
           "import_onnx", "load_onnx", "looks_like_onnx", "parse_input_size", "weights_unavailable"]
