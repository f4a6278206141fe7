"""DNN+NeuroSim `NetWork.csv`: one header-less row per layer.

Columns: `IFM_H, IFM_W, C_in, K_H, K_W, C_out, pool_after, stride`; later columns are
ignored. NeuroSim V1.0 files have 7 columns (no stride; V1.0 reads stride 1): read as such. The file has no padding column: the sizes NeuroSim ships imply "same" padding
(a 7x7 stride-2 layer on 224 gives 112, and after the pooling marked in column 7 feeds a
56x56 layer), so every layer is read with `k // 2` padding per axis. A row with a 1x1 IFM
and a 1x1 kernel is a fully connected layer. Layers are named `layer1`, `layer2`, ...
"""
from __future__ import annotations

from pathlib import Path

from ..errors import FormatError
from ..layers import ConvLayer
from ..network import Network, chain_notes
from .csvrows import LayerCollector, csv_text, lines_phrase, rows, whole

COLUMNS = ("IFM_H", "IFM_W", "C_in", "K_H", "K_W", "C_out", "pool_after", "stride")
_FIELD_COLUMNS = {"in_h": "IFM_H", "in_w": "IFM_W", "in_c": "C_in", "k_h": "K_H", "k_w": "K_W",
                  "out_c": "C_out", "stride_h": "stride", "stride_w": "stride"}


def _layer(name: str, v: dict) -> ConvLayer:
    if (v["IFM_H"], v["IFM_W"], v["K_H"], v["K_W"]) == (1, 1, 1, 1):
        return ConvLayer.linear(name, v["C_in"], v["C_out"])
    return ConvLayer(name, v["IFM_H"], v["IFM_W"], v["C_in"], v["C_out"], v["K_H"], v["K_W"],
                     stride_h=v["stride"], stride_w=v["stride"],
                     pad_h=v["K_H"] // 2, pad_w=v["K_W"] // 2)


def neurosim_positions(layer: ConvLayer) -> int:
    """Input vectors NeuroSim's own code counts for a layer: no padding, C integer division,
    `(IFM_H-K_H+1)/stride*(IFM_W-K_W+1)/stride` evaluated left to right."""
    s = layer.stride_h
    return (layer.in_h - layer.k_h + 1) // s * (layer.in_w - layer.k_w + 1) // s


def _count_note(layers: list[ConvLayer]) -> str | None:
    convs = [x for x in layers if x.kind != "linear"]
    ours = sum(x.out_h * x.out_w for x in convs)
    theirs = sum(max(neurosim_positions(x), 0) for x in convs)
    if ours == theirs:
        return None
    differ = [x.name for x in convs if x.out_h * x.out_w != neurosim_positions(x)]
    shown = ", ".join(differ[:8]) + (f" and {len(differ) - 8} more" if len(differ) > 8 else "")
    return (f"NeuroSim's own code counts input vectors without padding ((IFM-K+1)/stride per axis): "
            f"{theirs:,} in all for this file, against {ours:,} output positions mapped here with "
            f"'same' padding; the layers where the two differ: {shown}.")


def parse(text: str, path, should_stop=None) -> Network:
    layers = LayerCollector(path, _FIELD_COLUMNS)
    v1, pooled = [], []
    for line, cells in rows(text, path, should_stop):
        if cells[0].startswith("#"):  # not NeuroSim's, but the sniffer allows comment lines
            continue
        if len(cells) == len(COLUMNS) - 1:  # NeuroSim V1.0: no stride column, stride 1
            v1.append(line)
            cells = cells + ["1"]
        if len(cells) < len(COLUMNS):
            raise FormatError(path, f"expected {len(COLUMNS)} columns ({', '.join(COLUMNS)}), "
                              f"found {len(cells)}; NeuroSim V1.0 files have 7 (no stride column)", line)
        v = {c: whole(path, line, c, cell) for c, cell in zip(COLUMNS, cells)}
        if v["pool_after"] not in (0, 1):
            raise FormatError(path, f"column pool_after: must be 0 or 1, got {v['pool_after']}", line)
        if v["pool_after"]:
            pooled.append(len(layers.layers))
        layers.add(line, _layer, f"layer{len(layers.layers) + 1}", v)
    notes = [f"NeuroSim files have no padding column: read all {len(layers.layers)} layers "
             f"with 'same' padding (kernel // 2 on each side).",
             "Pooling (column pool_after) is not mapped onto the arrays and was not kept."]
    if v1:
        every = len(v1) == len(layers.layers)
        notes.append(f"{'Every row' if every else lines_phrase(v1)}: 7 columns as NeuroSim V1.0 writes "
                     f"them (no stride column): read with stride 1, as NeuroSim V1.0 does.")
    count = _count_note(layers.layers)
    if count:
        notes.append(count)
    fc = [line for line, layer in zip(layers.lines, layers.layers) if layer.kind == "linear"]
    if fc:
        notes.append(f"{lines_phrase(fc)}: a 1x1 input with a 1x1 kernel, read as "
                     f"a fully connected layer.")
    notes += chain_notes(layers.layers, pooled)  # the pooling the file marks halves the output
    return layers.network(Path(path).stem, notes)

def dump(net: Network, path) -> str:
    """The network as NeuroSim rows.

    Lossy: NeuroSim has no padding column (it assumes "same" padding), so each layer's
    padding is lost, and layer names are not written. `pool_after` is inferred: 1 where
    the next layer's IFM is smaller than this layer's OFM, else 0. Grouped layers and
    layers with different strides per axis cannot be written (FormatError).
    """
    table = []
    for i, layer in enumerate(net.layers):
        if layer.groups != 1:
            raise FormatError(path, f"layer '{layer.name}': NeuroSim cannot express grouped "
                              f"convolutions (groups={layer.groups})")
        if layer.stride_h != layer.stride_w:
            raise FormatError(path, f"layer '{layer.name}': NeuroSim has one stride column; "
                              f"strides {layer.stride_h}x{layer.stride_w} differ")
        nxt = net.layers[i + 1] if i + 1 < len(net.layers) else None
        pooled = nxt is not None and (nxt.in_h < layer.out_h or nxt.in_w < layer.out_w)
        table.append([layer.in_h, layer.in_w, layer.in_c, layer.k_h, layer.k_w, layer.out_c,
                      int(pooled), layer.stride_h])
    return csv_text(table)
