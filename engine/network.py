"""A network: an ordered layer list with an optional array spec, and its dict form.

The dict form is the native layer-list JSON (issue 2, section 8):
`{"name": "c1", "type": "conv", "in_h": 32, "in_w": 32, "in_c": 16, "out_c": 32,
"k_h": 3, "k_w": 3, "stride": 1, "padding": 1, "groups": 1}`; `stride`/`padding` may be
an int or `[h, w]`; `type: "linear"` takes `in_features`/`out_features`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .errors import LayerError, XbarError
from .layers import ArraySpec, ConvLayer, name_problem, safe_name

if TYPE_CHECKING:
    import numpy as np

    from .weights import WeightStore

LAYERS_FORMAT = "xbarscope-layers"
LAYERS_VERSION = 1


@dataclass(frozen=True)
class Network:
    name: str
    layers: tuple[ConvLayer, ...]
    array: ArraySpec | None = None
    description: str = ""
    source: str = field(default="", compare=False)  # where it came from (file, preset)
    notes: tuple[str, ...] = field(default=(), compare=False)  # import report lines
    # Real weights of an imported model, by layer name; not part of equality or the hash
    # (two networks with the same layers map the same way, whatever their weights).
    weights: WeightStore | None = field(default=None, compare=False, repr=False)

    def __post_init__(self):
        if isinstance(self.name, str) and name_problem(self.name):  # shown in titles, tables and files
            object.__setattr__(self, "name", safe_name(self.name))
        seen: set[str] = set()
        dup: set[str] = set()
        for layer in self.layers:  # one pass: a 100,000-layer list is checked in milliseconds
            (dup if layer.name in seen else seen).add(layer.name)
        if dup:
            shown = sorted(dup)
            more = f" (+{len(shown) - 10} more)" if len(shown) > 10 else ""
            raise XbarError(f"network '{self.name}': layer names must be unique, repeated: "
                            f"{', '.join(shown[:10])}{more}")

    def weights_for(self, layer_name: str) -> np.ndarray | None:
        """The layer's weights `(OC, IC/g, Kh, Kw)` (float32, read-only), or None: no weights,
        no such layer, or the layer was edited since the import so the weights no longer fit.

        May raise XbarError when stored weights cannot be read (their file changed)."""
        if self.weights is None:
            return None
        layer = next((x for x in self.layers if x.name == layer_name), None)
        if layer is None or self.weights.shape(layer_name) != (layer.out_c, layer.group_in_c, layer.k_h, layer.k_w):
            return None
        return self.weights.get(layer_name)


def _pair(name: str, key: str, value) -> tuple[int, int]:
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise LayerError(name, key, f"must be a number or [h, w], got {value!r}")
        return value[0], value[1]
    return value, value


def _int(name: str, key: str, value):
    # JSON numbers like 3.0 are accepted as 3; anything else is left for ConvLayer to reject.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value.strip()):
        return int(value)
    return value


def layer_from_dict(d: dict, index: int = 0) -> ConvLayer:
    """Build a layer from its native dict form. Raises LayerError naming the field."""
    if not isinstance(d, dict):
        raise XbarError(f"layer {index + 1}: must be an object, got {type(d).__name__}")
    name = d.get("name", f"layer{index + 1}")
    if not isinstance(name, str):
        name = str(name)
    kind = d.get("type", "conv")
    known = {"name", "type", "in_h", "in_w", "in_c", "out_c", "k_h", "k_w", "stride",
             "padding", "groups", "in_features", "out_features"}
    unknown = set(d) - known
    if unknown:
        raise LayerError(name, sorted(unknown)[0], "unknown field")
    if kind == "linear":
        for key in ("in_features", "out_features"):
            if key not in d:
                raise LayerError(name, key, "missing")
        return ConvLayer.linear(name, _int(name, "in_features", d["in_features"]),
                                _int(name, "out_features", d["out_features"]))
    if kind != "conv":
        raise LayerError(name, "type", f"must be 'conv' or 'linear', got {kind!r}")
    for key in ("in_h", "in_w", "in_c", "out_c", "k_h", "k_w"):
        if key not in d:
            raise LayerError(name, key, "missing")
    sh, sw = _pair(name, "stride", d.get("stride", 1))
    ph, pw = _pair(name, "padding", d.get("padding", 0))
    vals = {k: _int(name, k, d[k]) for k in ("in_h", "in_w", "in_c", "out_c", "k_h", "k_w")}
    return ConvLayer(name=name, **vals, stride_h=_int(name, "stride", sh), stride_w=_int(name, "stride", sw),
                     pad_h=_int(name, "padding", ph), pad_w=_int(name, "padding", pw),
                     groups=_int(name, "groups", d.get("groups", 1)))


def layer_to_dict(layer: ConvLayer) -> dict:
    if layer.kind == "linear":
        return {"name": layer.name, "type": "linear", "in_features": layer.in_c,
                "out_features": layer.out_c}
    d = {"name": layer.name, "type": "conv", "in_h": layer.in_h, "in_w": layer.in_w,
         "in_c": layer.in_c, "out_c": layer.out_c, "k_h": layer.k_h, "k_w": layer.k_w}
    d["stride"] = layer.stride_h if layer.stride_h == layer.stride_w else [layer.stride_h, layer.stride_w]
    d["padding"] = layer.pad_h if layer.pad_h == layer.pad_w else [layer.pad_h, layer.pad_w]
    if layer.groups != 1:
        d["groups"] = layer.groups
    return d


def array_from_dict(d) -> ArraySpec:
    if not isinstance(d, dict):
        raise XbarError(f"array: must be an object, got {type(d).__name__}")
    unknown = set(d) - {"rows", "cols", "cell_bits", "weight_bits"}
    if unknown:
        raise XbarError(f"array: unknown field '{sorted(unknown)[0]}'")
    return ArraySpec(**{k: _int("array", k, v) for k, v in d.items()})


def network_from_dict(d, name: str = "network", source: str = "") -> Network:
    """The native layer-list document (format `xbarscope-layers`) -> Network."""
    if not isinstance(d, dict):
        raise XbarError("the document must be a JSON object")
    fmt = d.get("format", LAYERS_FORMAT)
    if fmt != LAYERS_FORMAT:
        raise XbarError(f"format is '{fmt}', expected '{LAYERS_FORMAT}'")
    version = d.get("version", LAYERS_VERSION)
    if not isinstance(version, int) or version > LAYERS_VERSION:
        raise XbarError(f"version {version!r} is newer than this XbarScope reads ({LAYERS_VERSION})")
    layers = d.get("layers")
    if not isinstance(layers, list) or not layers:
        raise XbarError("'layers' must be a non-empty list")
    array = array_from_dict(d["array"]) if d.get("array") is not None else None
    return Network(name=str(d.get("name", name)), layers=tuple(layer_from_dict(x, i) for i, x in enumerate(layers)),
                   array=array, description=str(d.get("description", "")), source=source)


def network_to_dict(net: Network) -> dict:
    d = {"format": LAYERS_FORMAT, "version": LAYERS_VERSION, "name": net.name}
    if net.description:
        d["description"] = net.description
    if net.array is not None:
        d["array"] = net.array.to_dict()
    d["layers"] = [layer_to_dict(layer) for layer in net.layers]
    return d


MAX_CHAIN_NOTES = 8


def _pooled(n: int) -> tuple[int, ...]:
    return (n, n // 2, -(-n // 2))  # a 2x2 pooling with or without padding, or none


def _mismatch(prev: ConvLayer, cur: ConvLayer, pooled: bool = False) -> str | None:
    """Why `cur` does not take `prev`'s output (None if it does); `pooled`: the file marks a
    pooling after `prev` (NeuroSim's pool_after), which halves its output."""
    gives = f"'{prev.name}' before it gives {prev.out_c} channels of {prev.out_h}x{prev.out_w}"
    if pooled:
        gives += " before its 2x2 pooling"
        if cur.kind != "linear" and cur.in_c == prev.out_c and cur.in_h in _pooled(prev.out_h) \
                and cur.in_w in _pooled(prev.out_w):
            return None
    if cur.kind == "linear":
        flat = prev.out_c * prev.out_h * prev.out_w
        if cur.in_c in (prev.out_c, flat):
            return None
        return f"layer '{cur.name}' takes {cur.in_c} features; {gives} ({flat} values)"
    if cur.in_c == prev.out_c and (prev.kind == "linear" or (cur.in_h, cur.in_w) == (prev.out_h, prev.out_w)):
        return None
    if prev.kind == "linear":
        gives = f"'{prev.name}' before it gives {prev.out_c} features"
    return f"layer '{cur.name}' takes {cur.in_c} channels of {cur.in_h}x{cur.in_w}; {gives}"


def chain_notes(layers, pooled=()) -> list[str]:
    """Import notes where a layer's input does not match the previous layer's output.

    Not errors: residual shortcuts, concatenations, pooling and flattening are legitimate.
    A fully connected layer after a convolution fits when it takes the flattened output.
    `pooled`: indices of layers the file marks as followed by a 2x2 pooling.
    """
    pooled = set(pooled)
    found = [m for m in (_mismatch(p, c, i in pooled) for i, (p, c) in enumerate(zip(layers, layers[1:]))) if m]
    if not found:
        return []
    notes = [f"Chain check: {m}." for m in found[:MAX_CHAIN_NOTES]]
    if len(found) > MAX_CHAIN_NOTES:
        notes.append(f"Chain check: {len(found) - MAX_CHAIN_NOTES} more layers whose input differs "
                     f"from the output before them.")
    notes.append("Chain check: not errors where the network has shortcuts, concatenations, pooling or "
                 "padding the file does not show between those layers.")
    return notes
