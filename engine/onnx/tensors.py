"""ONNX tensors as checked, lazy references: declared shape and type now, data on demand.

Every check runs on declared numbers before a byte is allocated: a negative or absurd
dimension, a tensor over MAX_TENSOR_BYTES, raw data shorter (or longer) than its shape
says, external data outside the model's folder or past the end of its file. Data in a
file (the model's own, for weights the loader left on disk, or an external-data file)
is memory-mapped when read; a file that changed since the import is refused.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath
from typing import Callable

import numpy as np

from ..errors import FormatError, XbarError
from ..files import check_regular, is_absolute_name, is_within

MAX_TENSOR_BYTES = 2 * 1024 ** 3  # one weight tensor; no crossbar layer comes near it

# TensorProto.DataType -> little-endian numpy dtype of its raw bytes (BFLOAT16 read as bits).
RAW_DTYPES = {1: "<f4", 2: "u1", 3: "i1", 4: "<u2", 5: "<i2", 6: "<i4", 7: "<i8", 9: "?",
              10: "<f2", 11: "<f8", 12: "<u4", 13: "<u8", 16: "<u2"}
BFLOAT16 = 16
EXTERNAL = 1  # TensorProto.DataLocation
# Bits per element of the types we cannot convert, for the size check only.
_OTHER_BITS = {14: 64, 15: 128, 17: 8, 18: 8, 19: 8, 20: 8, 21: 4, 22: 4, 23: 4, 24: 8, 25: 2, 26: 2}
TYPE_NAMES = {1: "float32", 2: "uint8", 3: "int8", 4: "uint16", 5: "int16", 6: "int32", 7: "int64",
              8: "string", 9: "bool", 10: "float16", 11: "float64", 12: "uint32", 13: "uint64",
              14: "complex64", 15: "complex128", 16: "bfloat16"}


class TensorError(XbarError):
    """A tensor's declaration or data is wrong; the loader adds the file and the node."""


class ExternalDataMissing(TensorError):
    """A tensor's external data file is not there (a model shipped without its weights)."""

    def __init__(self, message: str, location: str):
        self.location = location
        super().__init__(message)


def type_name(data_type: int) -> str:
    return TYPE_NAMES.get(data_type, f"type {data_type}")


def declared_bytes(name: str, data_type: int, dims) -> int | None:
    """Bytes the tensor's declared shape needs (None for strings); refuses absurd declarations."""
    if any(d < 0 for d in dims):
        raise TensorError(f"tensor '{name}' declares a negative dimension {list(dims)}")
    numel = 1
    for d in dims:
        numel *= d  # Python ints: no overflow however large the declared dims
    bits = 8 * np.dtype(RAW_DTYPES[data_type]).itemsize if data_type in RAW_DTYPES else _OTHER_BITS.get(data_type)
    if bits is None:
        return None
    size = -(-numel * bits // 8)
    if size > MAX_TENSOR_BYTES:
        raise TensorError(f"tensor '{name}' declares shape {list(dims)} ({size / 2**30:.3g} GiB), more than "
                          f"the {MAX_TENSOR_BYTES // 2**30} GiB one tensor may have")
    return size


def to_float32(raw: np.ndarray, data_type: int) -> np.ndarray:
    """Weights as float32; float32 data stays a (possibly memory-mapped) view."""
    if data_type == BFLOAT16:
        return (raw.astype(np.uint32) << 16).view(np.float32)
    if raw.dtype == np.float32:
        return raw
    return raw.astype(np.float32)


@dataclass(frozen=True)
class FileData:
    """Bytes `offset .. offset+length` of `path`; size and mtime pin the file's version."""

    path: Path
    offset: int
    length: int
    size: int
    mtime_ns: int

    @classmethod
    def at(cls, path: Path, offset: int, length: int) -> "FileData":
        check_regular(path)  # external data that is a FIFO or device is never mapped or read
        st = path.stat()
        if offset + length > st.st_size:
            raise TensorError(f"'{path.name}' has {st.st_size} bytes; the data needs bytes {offset} to "
                              f"{offset + length}: the file is truncated")
        return cls(path, offset, length, st.st_size, st.st_mtime_ns)

    def read(self, dtype: str, shape: tuple[int, ...]) -> np.ndarray:
        """The values, memory-mapped. FormatError (naming the file) if it changed or vanished."""
        try:
            st = self.path.stat()
        except OSError as e:
            raise FormatError(self.path, f"cannot be read any more: {e.strerror or e}") from None
        if (st.st_size, st.st_mtime_ns) != (self.size, self.mtime_ns):
            raise FormatError(self.path, "changed since the model was imported; import it again")
        if self.length == 0:
            return np.zeros(shape, dtype)
        try:
            return np.memmap(self.path, dtype=dtype, mode="r", offset=self.offset, shape=shape)
        except (OSError, ValueError) as e:
            raise FormatError(self.path, f"cannot be mapped: {e}") from None


@dataclass(frozen=True)
class TensorRef:
    """A tensor's declared name, type and shape, and how to read its values."""

    name: str
    data_type: int
    shape: tuple[int, ...]
    reader: Callable[[], np.ndarray]  # values in their own type (RAW_DTYPES), of `shape`
    available: bool = True  # False: shape only, the data file is missing (`reader` raises)

    @property
    def convertible(self) -> bool:
        return self.data_type in RAW_DTYPES and self.data_type != 9

    def float32(self) -> np.ndarray:
        if not self.convertible:
            raise TensorError(f"tensor '{self.name}' holds {type_name(self.data_type)} values, not numbers")
        return to_float32(self.reader(), self.data_type)


def shape_only(tensor, missing: ExternalDataMissing) -> TensorRef:
    """A tensor known by its declared type and shape only: its external data is missing."""
    shape = tuple(int(d) for d in tensor.dims)
    declared_bytes(tensor.name, tensor.data_type, shape)  # absurd declarations are still refused

    def unavailable():
        raise TensorError(f"tensor '{tensor.name}': its weights are not available ({missing})")

    return TensorRef(tensor.name, tensor.data_type, shape, unavailable, available=False)


def external_path(folder: Path, location: str, name: str) -> Path:
    """The external-data file of tensor `name`, refused unless it lies inside `folder`."""
    where = f"tensor '{name}': external data '{location[:200]}'"
    if not isinstance(location, str) or not location or "\0" in location:
        raise TensorError(f"tensor '{name}': its external data has no valid file name")
    if is_absolute_name(location):
        raise TensorError(f"{where} is an absolute path; ONNX external data must be a path "
                          f"relative to the model's folder")
    if ".." in PureWindowsPath(location).parts:  # PureWindowsPath splits on both / and \
        raise TensorError(f"{where} points outside the model's folder; refusing to read it")
    target = folder / location
    if not is_within(target, folder):  # a symlink leading out of the folder
        raise TensorError(f"{where} points outside the model's folder (through a link); refusing to read it")
    if not os.path.lexists(target):
        raise ExternalDataMissing(f"{where}: no such file next to the model", location)
    real = os.path.realpath(target)
    if not os.path.isfile(real):
        raise TensorError(f"{where}: no such file next to the model")
    return Path(real)


def _entries(tensor) -> dict[str, str]:
    return {e.key: e.value for e in tensor.external_data}


def _int_entry(entries: dict, key: str, name: str) -> int | None:
    text = entries.get(key)
    if text is None:
        return None
    if not text.strip().isdigit() or not text.strip().isascii():
        raise TensorError(f"tensor '{name}': external data {key} {text[:40]!r} is not a whole number")
    return int(text)


def _external(tensor, folder: Path, size: int) -> FileData:
    entries = _entries(tensor)
    path = external_path(folder, entries.get("location", ""), tensor.name)
    offset = _int_entry(entries, "offset", tensor.name) or 0
    length = _int_entry(entries, "length", tensor.name)
    if length is not None and length != size:
        raise TensorError(f"tensor '{tensor.name}': external data has {length} bytes, its shape "
                          f"declares {size}")
    return FileData.at(path, offset, size)


def _inline_reader(tensor, size: int, dtype: str, shape) -> Callable[[], np.ndarray]:
    if tensor.HasField("raw_data"):
        if len(tensor.raw_data) != size:
            raise TensorError(f"tensor '{tensor.name}': raw data has {len(tensor.raw_data)} bytes, "
                              f"its shape {list(shape)} declares {size}")
        return lambda: np.frombuffer(tensor.raw_data, dtype).reshape(shape)
    from onnx import numpy_helper  # typed fields (float_data, int32_data, ...): onnx knows them all

    numel = int(np.prod(shape, dtype=np.int64))
    counts = [len(tensor.float_data), len(tensor.int32_data), len(tensor.int64_data),
              len(tensor.double_data), len(tensor.uint64_data)]
    have = max(counts)
    if tensor.data_type in (14, 15):
        numel *= 2  # complex values are stored as pairs
    if have != numel:
        raise TensorError(f"tensor '{tensor.name}' holds {have} values; its shape {list(shape)} declares {numel}")
    return lambda: np.asarray(numpy_helper.to_array(tensor)).astype(dtype, copy=False).reshape(shape)


def tensor_ref(tensor, folder: Path, stripped=None, model_path: Path | None = None) -> TensorRef:
    """Check a TensorProto's declaration and where its data lies; read nothing yet.

    `stripped` is the wire.RawSlice of raw data the loader left in the model file.
    """
    shape = tuple(int(d) for d in tensor.dims)
    size = declared_bytes(tensor.name, tensor.data_type, shape)
    dtype = RAW_DTYPES.get(tensor.data_type, "u1")
    if size is None:  # strings and unknown types: never a weight, nothing to check or read
        return TensorRef(tensor.name, tensor.data_type, shape, lambda: None)
    if stripped is not None:
        if stripped.length != size:
            raise TensorError(f"tensor '{tensor.name}': raw data has {stripped.length} bytes, its shape "
                              f"{list(shape)} declares {size}")
        data = FileData.at(model_path, stripped.offset, size)
    elif tensor.data_location == EXTERNAL:
        data = _external(tensor, folder, size)
    else:
        return TensorRef(tensor.name, tensor.data_type, shape, _inline_reader(tensor, size, dtype, shape))
    if tensor.data_type not in RAW_DTYPES:
        return TensorRef(tensor.name, tensor.data_type, shape, lambda: None)
    return TensorRef(tensor.name, tensor.data_type, shape, lambda: data.read(dtype, shape))
