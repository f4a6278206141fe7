"""SCALE-Sim topology CSV.

Header `Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels,
Num Filter, Strides,` then one row per layer, read by position as SCALE-Sim does. A ninth
column, named `Stride W` or unnamed, is the stride across (empty: same as `Strides`);
further columns are ignored. Tolerated as in the files SCALE-Sim ships: blank and
all-comma rows, `#` comments after the fields, indented rows, spaces around values, rows
with or without the trailing comma.

Read as SCALE-Sim reads it: line 1 is skipped unread (so the `Layer, IFMAP Width, IFMAP
Width, ...` typo header of its DeepBench and MLPerf files loads; line 1 still decides between
a convolution and a GEMM file), section-title rows such as `Transformer,` are skipped, and
a repeated layer name gets a `#2` suffix. A GEMM file (`Layer, M, N, K` per row, SCALE-Sim's
`-i gemm` mode) gives fully connected layers applied to M input vectors: a 1x1 convolution on
an M x 1 input (cycles scale with M).

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
from .csvrows import LayerCollector, csv_text, is_whole, lines_phrase, rows, whole

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


def _content_rows(text: str, path, should_stop=None):
    for line, cells in rows(text, path, should_stop):
        cells = _uncomment(cells)
        if any(cells):
            yield line, cells


GEMM_COLUMNS = ("Layer", "M", "N", "K")


def _looks_like_row(cells: list[str]) -> bool:
    """A line 1 that is a layer row rather than a header (its sizes are numbers)."""
    return len(cells) >= len(HEADER) and all(is_whole(c) for c in cells[1:len(HEADER)])


def _header(cells: list[str]) -> tuple[str | None, bool, list[str]]:
    """What line 1 says: mode ('gemm', 'conv' or None: decide by the rows), a stride-W column,
    names of the ignored columns. SCALE-Sim itself skips this line unread."""
    names = [c.lower() for c in cells]
    if names[1:4] == ["m", "n", "k"]:
        return "gemm", False, [c for c in cells[4:] if c]
    extra = cells[len(HEADER):]
    stride_w = bool(extra) and extra[0].lower().replace(" ", "").replace("_", "") in ("", "stridew")
    ignored = [c for c in extra[1 if stride_w else 0:] if c]
    mode = "conv" if len(cells) >= len(HEADER) or any("ifmap" in n for n in names) else None
    return mode, stride_w, ignored


def _renamed(layers: LayerCollector, name: str, line: int, renamed: list) -> str:
    """SCALE-Sim repeats names (MLPERF's residual blocks); a layer name must be unique."""
    if name not in layers:
        return name
    k = 2
    while f"{name}#{k}" in layers:
        k += 1
    renamed.append(line)
    return f"{name}#{k}"


def _gemm_layer(name: str, m: int, n: int, k: int) -> ConvLayer:
    if m == 1:
        return ConvLayer.linear(name, k, n)
    return ConvLayer(name, m, 1, k, n, 1, 1)


def parse(text: str, path, should_stop=None) -> Network:
    layers = LayerCollector(path, _FIELD_COLUMNS)
    content = _content_rows(text, path, should_stop)
    header = next(content, None)
    if header is None:
        raise FormatError(path, "no SCALE-Sim header and no layers, only blank or comment lines")
    head_line, head = header
    mode, stride_w_col, ignored = _header(head)
    depthwise, lone_dw, fc, sections, renamed, gemm = [], [], [], [], [], []
    for line, cells in content:
        filled = [c for c in cells if c]
        if len(filled) == 1 and cells[0]:  # a section title such as 'Transformer,'
            sections.append((line, cells[0]))
            continue
        if mode is None:
            mode = "gemm" if len(cells) in (4, 5) and not any(cells[4:]) else "conv"
        name = _renamed(layers, cells[0], line, renamed)
        if mode == "gemm":
            if len(cells) < len(GEMM_COLUMNS):
                raise FormatError(path, f"expected {len(GEMM_COLUMNS)} columns ({', '.join(GEMM_COLUMNS)}) "
                                  f"in a SCALE-Sim GEMM file, found {len(cells)}", line)
            m, n, k = (whole(path, line, col, cell) for col, cell in zip(GEMM_COLUMNS[1:], cells[1:4]))
            gemm.append(line)
            layers.add(line, _gemm_layer, name, m, n, k)
            continue
        if len(cells) < len(HEADER):
            raise FormatError(path, f"expected {len(HEADER)} columns ({', '.join(HEADER)}), "
                              f"found {len(cells)}", line)
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
    if not layers.layers and _looks_like_row(head):
        raise FormatError(path, f"expected the SCALE-Sim header starting with '{HEADER[0]}': SCALE-Sim "
                          f"skips line {head_line} unread, and this one is a layer row", head_line)
    notes = []
    if mode == "gemm":
        notes.append(f"SCALE-Sim GEMM rows (M, N, K; its '-i gemm' mode): each read as a fully connected "
                     f"layer of K inputs and N outputs applied to M input vectors, mapped as a 1x1 "
                     f"convolution over an M x 1 input, so cycles scale with M ({len(gemm)} rows).")
    else:
        notes.append("SCALE-Sim folds padding into the IFMAP size: layers read with padding 0, so the "
                     "output is what SCALE-Sim computes (a 3x3 filter on a 56x56 IFMAP gives 54x54).")
        if [c.lower() for c in head[:len(HEADER)]] != [h.lower() for h in HEADER]:
            notes.append(f"Line {head_line} is SCALE-Sim's header, which SCALE-Sim skips unread: columns "
                         f"read by position as {', '.join(HEADER)}, whatever it calls them "
                         f"('{', '.join(head[:len(HEADER)])[:120]}').")
        if _looks_like_row(head):
            notes.append(f"Line {head_line} looks like a layer, but SCALE-Sim skips its first line unread: "
                         f"not read as a layer.")
    if ignored:
        notes.append(f"Columns not used: {', '.join(ignored)}.")
    if sections:
        titles = ", ".join(t for _, t in sections[:8]) + (" ..." if len(sections) > 8 else "")
        notes.append(f"{lines_phrase([n for n, _ in sections])}: section titles ({titles}) skipped, as "
                     f"SCALE-Sim skips rows that are not complete layers.")
    if renamed:
        notes.append(f"{lines_phrase(renamed)}: a layer name used before (SCALE-Sim allows repeats) "
                     f"given a '#2', '#3', ... suffix.")
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
