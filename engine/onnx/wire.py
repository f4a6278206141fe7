"""Just enough of the protobuf wire format to leave an ONNX model's big weights on disk.

An ONNX file is one protobuf message (ModelProto). Parsing it whole copies every weight
into memory at least twice (the file's bytes, then the parsed message): a 1 GB model
needs 2 GB before the first layer shows. Instead we walk the wire format over a memory
map, model -> graph -> initializer, note where each large `raw_data` field lies in the
file, and re-encode the model without those fields. The stripped message is small and
parses quickly; the weights are read from the file later, on first access.

Every length is checked against the buffer before it is used, so a truncated or
malformed file raises `Malformed` (the caller names the file), never reads past the end.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

MODEL_GRAPH = 7  # ModelProto.graph
GRAPH_INITIALIZER = 5  # GraphProto.initializer
TENSOR_RAW_DATA = 9  # TensorProto.raw_data

_VARINT, _I64, _LEN, _I32 = 0, 1, 2, 5


class Malformed(Exception):
    """The bytes are not a well-formed protobuf message (the text says where)."""


@dataclass(frozen=True)
class RawSlice:
    """Where one initializer's raw bytes lie in the file."""

    offset: int
    length: int


def _varint(buf, pos: int, end: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= end:
            raise Malformed(f"the data ends inside a number at byte {pos}")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7
        if shift >= 64:
            raise Malformed(f"a number longer than 64 bits at byte {pos}")


def fields(buf, start: int, end: int) -> Iterator[tuple[int, int, int, int, int]]:
    """(field number, wire type, field start, value start, value end) of each field."""
    pos = start
    while pos < end:
        first = pos
        key, pos = _varint(buf, pos, end)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise Malformed(f"field number 0 at byte {first}")
        if wire == _VARINT:
            value = pos
            _, pos = _varint(buf, pos, end)
        elif wire == _I64:
            value, pos = pos, pos + 8
        elif wire == _I32:
            value, pos = pos, pos + 4
        elif wire == _LEN:
            size, value = _varint(buf, pos, end)
            pos = value + size
        else:  # 3/4 are proto2 groups, which ONNX never uses; 6/7 do not exist
            raise Malformed(f"wire type {wire} at byte {first}")
        if pos > end:
            raise Malformed(f"field {number} at byte {first} runs past the end of its message "
                            f"(byte {end}): the file is truncated or damaged")
        yield number, wire, first, value, pos


def varint_bytes(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _length_field(number: int, payload: bytes) -> bytes:
    return varint_bytes(number << 3 | _LEN) + varint_bytes(len(payload)) + payload


def _strip_tensor(buf, start: int, end: int, threshold: int) -> tuple[bytes, RawSlice] | None:
    """The tensor without its raw_data when that is longer than `threshold`, else None."""
    raw = [(first, value, stop) for number, wire, first, value, stop in fields(buf, start, end)
           if number == TENSOR_RAW_DATA and wire == _LEN]
    # Protobuf keeps the last of repeated raw_data fields; a big last one drops them all.
    if not raw or raw[-1][2] - raw[-1][1] <= threshold:
        return None
    out, pos = bytearray(), start
    for first, _value, stop in raw:
        out += buf[pos:first]
        pos = stop
    out += buf[pos:end]
    return bytes(out), RawSlice(raw[-1][1], raw[-1][2] - raw[-1][1])


class _Stripper:
    def __init__(self, buf, threshold: int, tick: Callable[[int], None]):
        self.buf, self.threshold, self.tick = buf, threshold, tick
        self.slices: dict[int, RawSlice] = {}
        self.count = 0  # initializers seen: protobuf merges repeated graph fields in order

    def graph(self, start: int, end: int) -> bytes:
        buf, out = self.buf, bytearray()
        for number, wire, first, value, stop in fields(buf, start, end):
            self.tick(stop)
            if number == GRAPH_INITIALIZER and wire == _LEN:
                index, self.count = self.count, self.count + 1
                stripped = _strip_tensor(buf, value, stop, self.threshold)
                if stripped is not None:
                    payload, self.slices[index] = stripped
                    out += _length_field(number, payload)
                    continue
            out += buf[first:stop]
        return bytes(out)


def strip_large_weights(buf, threshold: int, tick: Callable[[int], None] = lambda pos: None
                        ) -> tuple[bytes, dict[int, RawSlice]]:
    """Re-encode a ModelProto without the main graph's initializer raw_data fields longer
    than `threshold` bytes. Returns the new message and, by initializer index (its place
    among the graph's initializers), where each removed field's bytes lie in `buf`.

    `tick(byte position)` is called as the walk advances (progress, cancellation).
    """
    stripper = _Stripper(buf, threshold, tick)
    out = bytearray()
    for number, wire, first, value, stop in fields(buf, 0, len(buf)):
        tick(first)  # before the graph's own ticks: positions only grow
        if number == MODEL_GRAPH and wire == _LEN:
            out += _length_field(number, stripper.graph(value, stop))
        else:
            out += buf[first:stop]
    return bytes(out), stripper.slices
