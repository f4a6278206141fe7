"""XbarScope's own layer-list CSV: a header row, then one layer per row.

`name,type,in_h,in_w,in_c,out_c,k_h,k_w,stride_h,stride_w,pad_h,pad_w,groups`. Columns
may come in any order; `type` (conv), strides (1), padding (0) and `groups` (1) may be
left out or left empty. It holds every field of a layer, so it round-trips exactly.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import FormatError
from ..layers import ConvLayer
from ..network import Network
from .csvrows import LayerCollector, csv_text, rows, whole

COLUMNS = ("name", "type", "in_h", "in_w", "in_c", "out_c", "k_h", "k_w",
           "stride_h", "stride_w", "pad_h", "pad_w", "groups")
REQUIRED = ("name", "in_h", "in_w", "in_c", "out_c", "k_h", "k_w")
_DEFAULTS = {"type": "conv", "stride_h": 1, "stride_w": 1, "pad_h": 0, "pad_w": 0, "groups": 1}
_NUMBERS = COLUMNS[2:]


def _header(line: int, cells: list[str], path) -> list[str]:
    names = [c.lower() for c in cells]
    while not names[-1]:  # a trailing comma
        names.pop()
    for name in names:
        if name not in COLUMNS:
            raise FormatError(path, f"unknown column '{name[:40]}'; the columns are "
                              f"{','.join(COLUMNS)}", line)
        if names.count(name) > 1:
            raise FormatError(path, f"column '{name}' appears twice in the header", line)
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise FormatError(path, f"the header lacks column(s) {', '.join(missing)}", line)
    return names


def _layer(path, line: int, row: dict) -> ConvLayer:
    values = {}
    for k in _NUMBERS:
        cell = row.get(k, "")
        values[k] = _DEFAULTS[k] if not cell and k in _DEFAULTS else whole(path, line, k, cell)
    return ConvLayer(row["name"], kind=row.get("type") or "conv", **values)


def parse(text: str, path, should_stop=None) -> Network:
    layers = LayerCollector(path, {c: c for c in COLUMNS})
    header = None
    for line, cells in rows(text, path, should_stop):
        if header is None:
            header = _header(line, cells, path)
            continue
        if len(cells) < len(header) or any(cells[len(header):]):  # empty extras: a stray comma
            raise FormatError(path, f"expected {len(header)} columns, found {len(cells)}", line)
        layers.add(line, _layer, path, line, dict(zip(header, cells)))
    if header is None:
        raise FormatError(path, "no header row")
    return layers.network(Path(path).stem)


def dump(net: Network, path=None) -> str:
    return csv_text([list(COLUMNS)] + [
        [layer.name, layer.kind] + [getattr(layer, c) for c in _NUMBERS] for layer in net.layers])
