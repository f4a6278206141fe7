"""XbarScope's own layer list, `{"format": "xbarscope-layers", "version": 1, ...}`.

The document itself is defined by engine.network (network_from_dict / network_to_dict);
this module adds the file: line numbers in errors and the layer-count limit.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import ArrayError, FormatError, XbarError
from ..network import Network, network_from_dict, network_to_dict
from . import jsontext
from .textio import MAX_LAYERS


def _key_of(err: XbarError) -> str | None:
    """The top-level key an engine error is about, to find its line."""
    if isinstance(err, ArrayError) or str(err).startswith("array"):
        return "array"
    for key in ("format", "version", "layers"):
        if str(err).lstrip("'").startswith(key):
            return key
    return None


def network_from_document(doc, text: str, path, name: str) -> Network:
    """A parsed layer-list document (maybe part of a project) -> Network."""
    layers = doc.get("layers") if isinstance(doc, dict) else None
    if isinstance(layers, list) and len(layers) > MAX_LAYERS:
        raise FormatError(path, f"{len(layers)} layers, more than the {MAX_LAYERS} allowed",
                          jsontext.key_line(text, "layers"))
    try:
        return network_from_dict(doc, name=name, source=str(path))
    except XbarError as e:
        raise jsontext.error(path, text, e, _key_of(e)) from None


def parse(text: str, path) -> Network:
    return network_from_document(jsontext.parse(text, path), text, path, Path(path).stem)


def dump(net: Network, path=None) -> str:
    return jsontext.dumps(network_to_dict(net)) + "\n"
