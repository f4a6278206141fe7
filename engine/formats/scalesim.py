"""SCALE-Sim topology CSV.

Header `Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels,
Num Filter, Strides,` then one row per layer, read by position as SCALE-Sim does. A ninth
column, named `Stride W` or unnamed, is the stride across (empty: same as `Strides`);
further columns are ignored. Tolerated as in the files SCALE-Sim ships: blank and
all-comma rows, `#` comments after the fields, indented rows, spaces around values, rows
with or without the trailing comma.

SCALE-Sim folds padding into the IFMAP size, so layers are read with padding 0. It has no
groups: a depthwise layer is written as a 1-channel, 1-filter convolution with `_dw` in
its name; such a row following another layer is read as a depthwise layer over that
layer's filters (groups = channels = filters).
"""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import FormatError
from ..layers import ConvLayer
from ..network import Network
from .csvrows import LayerCollector, csv_text, lines_phrase, rows, whole

HEADER = ("Layer name", "IFMAP Height", "IFMAP Width", "Filter Height", "Filter Width",
          "Channels", "Num Filter", "Strides")
STRIDE_W = "Stride W"
_FIELD_COLUMNS = {"name": "Layer name", "in_h": "IFMAP Height", "in_w": "IFMAP Width",
                  "k_h": "Filter Height", "k_w": "Filter Width", "in_c": "Channels",
                  "out_c": "Num Filter", "groups": "Channels", "stride_h": "Strides",
                  "stride_w": STRIDE_W}
_UNWRITABLE_NAME = re.compile(r'[,#"\r\n]|^\s|\s$')


def _uncomment(cells: list[str]) -> list[str]:
    """Cells up to a `#` comment. A `#` inside the name cell is part of the name."""
    out = []
    for i, cell in enumerate(cells):
        if "#" in cell and (i > 0 or cell.startswith("#")):
            head = cell.split("#", 1)[0].strip()
            return out + [head] if head else out
        out.append(cell)
    return out


def _content_rows(text: str, path):
    for line, cells in rows(text, path):
        cells = _uncomment(cells)
        if any(cells):
            yield line, cells


def _header(line: int, cells: list[str], path) -> tuple[bool, list[str]]:
    """(has a stride-W column, names of the ignored columns)."""
    if cells[0].lower() != HEADER[0].lower():
        raise FormatError(path, f"expected the SCALE-Sim header starting with '{HEADER[0]}', "
                          f"found '{cells[0][:40]}'", line)
    if len(cells) < len(HEADER):
        raise FormatError(path, f"the header has {len(cells)} columns; SCALE-Sim needs "
                          f"{len(HEADER)}: {', '.join(HEADER)}", line)
    extra = cells[len(HEADER):]
    stride_w = bool(extra) and extra[0].lower().replace(" ", "").replace("_", "") in ("", "stridew")
    ignored = [c for c in extra[1 if stride_w else 0:] if c]
    return stride_w, ignored


def parse(text: str, path) -> Network:
    layers = LayerCollector(path, _FIELD_COLUMNS)
    content = _content_rows(text, path)
    header = next(content, None)
    if header is None:
        raise FormatError(path, "no SCALE-Sim header and no layers, only blank or comment lines")
    stride_w_col, ignored = _header(*header, path)
    depthwise, lone_dw, fc = [], [], []
    for line, cells in content:
        if len(cells) < len(HEADER):
            raise FormatError(path, f"expected {len(HEADER)} columns ({', '.join(HEADER)}), "
                              f"found {len(cells)}", line)
        name = cells[0]
        h, w, kh, kw, c, n, s = (whole(path, line, col, cell)
                                 for col, cell in zip(HEADER[1:], cells[1:len(HEADER)]))
        sw = s
        if stride_w_col and len(cells) > len(HEADER) and cells[len(HEADER)]:
            sw = whole(path, line, STRIDE_W, cells[len(HEADER)])
        prev = layers.layers[-1] if layers.layers else None
        if "_dw" in name and (c, n) == (1, 1) and prev is not None and prev.out_c > 1:
            depthwise.append(line)
            layers.add(line, ConvLayer, name, h, w, prev.out_c, prev.out_c, kh, kw, s, sw,
                       groups=prev.out_c)
        elif (h, w, kh, kw) == (1, 1, 1, 1):
            fc.append(line)
            layers.add(line, ConvLayer.linear, name, c, n)
        else:
            if "_dw" in name and (c, n) == (1, 1) and prev is None:
                lone_dw.append(line)
            layers.add(line, ConvLayer, name, h, w, c, n, kh, kw, s, sw)
    notes = ["SCALE-Sim folds padding into the IFMAP size: layers read with padding 0."]
    if ignored:
        notes.append(f"Columns not used: {', '.join(ignored)}.")
    if depthwise:
        notes.append(f"{lines_phrase(depthwise)}: depthwise layers written the SCALE-Sim way "
                     f"(1 channel, 1 filter, '_dw' in the name) read as depthwise convolutions "
                     f"over the previous layer's filters (groups = channels = filters).")
    if lone_dw:
        notes.append(f"{lines_phrase(lone_dw)}: a '_dw' layer with no layer before it, "
                     f"read as a 1-channel convolution.")
    if fc:
        notes.append(f"{lines_phrase(fc)}: a 1x1 input with a 1x1 filter, read as a "
                     f"fully connected layer.")
    return layers.network(Path(path).stem, notes)


def _is_depthwise(layer: ConvLayer) -> bool:
    return layer.groups > 1 and layer.groups == layer.in_c == layer.out_c


def _row(layer: ConvLayer, prev: ConvLayer | None, path) -> list:
    if _UNWRITABLE_NAME.search(layer.name):
        raise FormatError(path, f"layer name {layer.name!r} cannot be written to SCALE-Sim "
                          f"(it splits on commas, has no quoting and starts comments with #)")
    name, c, n = layer.name, layer.in_c, layer.out_c
    if _is_depthwise(layer):
        if prev is None or prev.out_c != layer.in_c:
            raise FormatError(path, f"depthwise layer '{layer.name}': SCALE-Sim writes it as a "
                              f"1-channel layer that takes its channels from the layer before, "
                              f"which must have {layer.in_c} filters")
        name = name if "_dw" in name else name + "_dw"
        c = n = 1
    elif layer.groups != 1:
        raise FormatError(path, f"layer '{layer.name}': SCALE-Sim cannot express grouped "
                          f"convolutions (groups={layer.groups})")
    elif "_dw" in name and (c, n) == (1, 1) and prev is not None and prev.out_c > 1:
        raise FormatError(path, f"layer '{layer.name}': a 1-channel layer named '_dw' would be "
                          f"read back as a depthwise layer; rename it")
    return [name, layer.in_h + 2 * layer.pad_h, layer.in_w + 2 * layer.pad_w, layer.k_h,
            layer.k_w, c, n, layer.stride_h]


def dump(net: Network, path) -> str:
    """The network as a SCALE-Sim topology.

    Padding is folded into the IFMAP size (the OFM stays the same). Depthwise layers are
    written as 1-channel, 1-filter rows with `_dw` appended to the name where it lacks it.
    The `Stride W` column is written only if some layer's strides differ per axis.
    """
    per_axis = any(layer.stride_h != layer.stride_w for layer in net.layers)
    header = [HEADER[0]] + [" " + h for h in HEADER[1:]] + ([" " + STRIDE_W] if per_axis else [])
    table = [header + [""]]
    for i, layer in enumerate(net.layers):
        row = _row(layer, net.layers[i - 1] if i else None, path)
        table.append(row + ([layer.stride_w] if per_axis else []) + [""])
    return csv_text(table)
