"""Editable layer rows: raw cell values, checked by building engine `ConvLayer`s.

A row keeps what the user typed even when it is invalid, so the editor can show it marked
with the engine's own message instead of silently refusing the edit.
"""
from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from operator import attrgetter

from engine import ConvLayer
from engine.errors import LayerError, XbarError
from engine.network import Network

FIELDS = ("name", "kind", "in_h", "in_w", "in_c", "out_c", "k_h", "k_w",
          "stride_h", "stride_w", "pad_h", "pad_w", "groups")


@dataclass(frozen=True)
class Column:
    key: str  # the row field it edits; "ofm" is derived
    title: str
    tip: str
    fields: tuple[str, ...]  # the engine fields whose errors this cell shows


COLUMNS = (
    Column("name", "Layer", "Layer name (unique in the network)", ("name",)),
    Column("kind", "Type", "conv: 2-D convolution; linear: fully connected (1×1 input and kernel)", ("kind", "type")),
    Column("ifm", "IFM", "Input feature map height × width in pixels (type 56, or 56x28)", ("in_h", "in_w")),
    Column("in_c", "In ch", "Input channels", ("in_c",)),
    Column("out_c", "Out ch", "Output channels (number of kernels)", ("out_c",)),
    Column("kernel", "Kernel", "Kernel height × width (type 3, or 1x7)", ("k_h", "k_w")),
    Column("stride", "Stride", "Stride: one number, or height × width such as 2x1", ("stride_h", "stride_w")),
    Column("pad", "Pad", "Zero padding on each side: one number, or height × width", ("pad_h", "pad_w")),
    Column("groups", "Groups", "Grouped convolution (groups = in ch for depthwise)", ("groups",)),
    Column("ofm", "OFM", "Output feature map height × width that the row implies (not editable)", ()),
)
# Cells that edit a height/width pair: column key -> (height field, width field).
PAIRS = {"ifm": ("in_h", "in_w"), "kernel": ("k_h", "k_w"), "stride": ("stride_h", "stride_w"),
         "pad": ("pad_h", "pad_w")}
COLUMN_INDEX = {c.key: i for i, c in enumerate(COLUMNS)}


_FIELD_VALUES = attrgetter(*FIELDS)


def row_from_layer(layer: ConvLayer) -> dict:
    return dict(zip(FIELDS, _FIELD_VALUES(layer)))


# Rows of networks read by the import worker, made there: 100,000 rows take 0.3 s to build.
# Keyed by identity (a Network hashes and compares by its 100,000 layers); an entry goes with its network.
_PREPARED: dict[int, tuple] = {}
_PREPARED_LOCK = threading.Lock()


def _rows_of(net: Network) -> tuple[list[dict], list[tuple], Network]:
    """The rows of `net`'s layers, their checks (passed: the engine built the layers), and the
    table's own network of them (name, layers and description only; checking 100,000 names
    again takes a while)."""
    return ([row_from_layer(layer) for layer in net.layers], [(layer, None, None) for layer in net.layers],
            Network(net.name, net.layers, description=net.description))


def prepare_rows(net: Network) -> None:
    """Build `net`'s table rows ahead (in a worker), for `prepared_rows` on the GUI thread."""
    made = _rows_of(net)
    with _PREPARED_LOCK:
        _PREPARED[id(net)] = (weakref.ref(net), made)
    weakref.finalize(net, _forget, id(net))


def _forget(key: int) -> None:
    with _PREPARED_LOCK:
        _PREPARED.pop(key, None)


def prepared_rows(net: Network) -> tuple[list[dict], list[tuple], Network]:
    """`net`'s rows, their checks (its layers passed the engine's checks already) and the
    table's network: the ones `prepare_rows` made, handed over once, or made now."""
    with _PREPARED_LOCK:
        ref, made = _PREPARED.pop(id(net), (None, None))
    return made if ref is not None and ref() is net else _rows_of(net)


def parse_int(text):
    """'64' -> 64; anything else is kept as typed so the engine can name the problem."""
    if isinstance(text, int):
        return text
    s = str(text).strip().replace(",", "").replace("_", "")
    if s.lstrip("-").isdigit():
        return int(s)
    return str(text).strip()


def parse_pair(text) -> tuple:
    """'2' -> (2, 2); '2x1' -> (2, 1)."""
    s = str(text).lower().replace("*", "x").replace("×", "x")
    parts = [p for p in s.split("x")]
    if len(parts) == 2:
        return parse_int(parts[0]), parse_int(parts[1])
    v = parse_int(s)
    return v, v


def pair_text(a, b, always_both: bool = False) -> str:
    return f"{a}" if a == b and not always_both else f"{a}×{b}"


def cell_text(row: dict, key: str) -> str:
    if key in PAIRS:
        h, w = PAIRS[key]
        return pair_text(row[h], row[w], always_both=key in ("ifm", "kernel"))
    return str(row[key])


def set_cell(row: dict, key: str, value) -> dict:
    """A copy of `row` with one cell set from what the user typed."""
    new = dict(row)
    if key in PAIRS:
        h, w = PAIRS[key]
        new[h], new[w] = parse_pair(value)
    elif key == "name":
        new["name"] = str(value).strip()
    elif key == "kind":
        new["kind"] = str(value).strip().lower()
        if new["kind"] == "linear" and row["kind"] != "linear":
            # A fully connected layer after a conv sees the flattened feature map.
            flat = [row.get(k) for k in ("in_h", "in_w", "in_c")]
            features = flat[0] * flat[1] * flat[2] if all(isinstance(x, int) for x in flat) else row["in_c"]
            new.update(in_h=1, in_w=1, in_c=features, k_h=1, k_w=1, stride_h=1, stride_w=1, pad_h=0, pad_w=0)
    else:
        new[key] = parse_int(value)
    return new


def check_row(row: dict) -> tuple[ConvLayer | None, str | None, str | None]:
    """(layer, None, None) if valid, else (None, field, the engine's message)."""
    try:
        return ConvLayer(**row), None, None
    except LayerError as e:
        return None, e.field, str(e)
    except XbarError as e:
        return None, "name", str(e)


def column_for_field(field: str | None) -> int:
    for i, col in enumerate(COLUMNS):
        if field in col.fields:
            return i
    return COLUMN_INDEX["name"]


def unique_name(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    i = 2
    while f"{base}_{i}" in taken:
        i += 1
    return f"{base}_{i}"


def next_layer_row(previous: dict | None, taken: set[str]) -> dict:
    """A sensible new layer: it takes the previous layer's output as its input."""
    name = unique_name(f"conv{len(taken) + 1}", taken)
    layer, _, _ = check_row(previous) if previous else (None, None, None)
    if layer is None:
        return row_from_layer(ConvLayer(name, 32, 32, 16, 16, 3, 3, pad_h=1, pad_w=1))
    if layer.kind == "linear":
        return row_from_layer(ConvLayer.linear(name, layer.out_c, layer.out_c))
    return row_from_layer(ConvLayer(name, layer.out_h, layer.out_w, layer.out_c, layer.out_c,
                                    3, 3, pad_h=1, pad_w=1))
