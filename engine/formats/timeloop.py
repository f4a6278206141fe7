"""Timeloop / Accelergy / CiMLoop problem YAML: one file per layer, a folder per network.

A layer file holds `problem: instance: {C, M, P, Q, R, S, N, G, Hstride, Wstride, Hdilation,
Wdilation, ...}`: Timeloop's CNN-layer dimensions, C input and M output channels (per group),
P x Q the output size, R x S the kernel, G groups (older files put the dimensions straight
under `problem:`). CiMLoop's `{{include_text(...)}}` and `<<<:` merge key are resolved by
engine.formats.yamltext. Fields XbarScope does not use (N, the bit widths X/Y/Z, histograms,
...) are ignored, symbolic values such as BATCH_SIZE included.

Timeloop describes a layer by its output size, so the input size is taken as
`H = (P-1)*Hstride + R`, `W = (Q-1)*Wstride + S` with no padding, unless the file gives H/W
that fit P and R (CiMLoop's base gives placeholders H: 1, W: 1, which do not fit, and are
ignored). R and P are read with Hstride, as pytorch2timeloop writes them.

A folder of numbered layer files (`0.yaml`, `1.yaml`, ... or `layer07.yml`) is one network in
numeric order, named after the folder; each layer is named after its file.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from ..errors import FormatError, LayerError, XbarError, check_cancel
from ..layers import ConvLayer
from ..network import Network
from .textio import MAX_BYTES, MAX_LAYERS, read_text
from .yamltext import load_yaml

SUFFIXES = (".yaml", ".yml")
DIMENSIONS = {"C", "M", "R", "S", "N", "P", "Q", "G", "X", "Y", "Z"}  # CNN layer (+ CiMLoop's bits)
_NUMBERED = re.compile(r"(.*?)([0-9]{1,9})")
_PROBLEM_LINE = re.compile(r"^problem\s*:", re.MULTILINE)
MAX_FOLDER_BYTES = 5 * MAX_BYTES


def looks_like_timeloop(text: str, path) -> bool:
    """A YAML name, CiMLoop's include_text, or a top-level `problem:` key."""
    return (Path(path).suffix.lower() in SUFFIXES or "include_text(" in text
            or bool(_PROBLEM_LINE.search(text)))


def _whole(path, key: str, value) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*[0-9]{1,18}\s*", value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise FormatError(path, f"problem.instance.{key}: {str(value)[:60]!r} is not a whole number")
    return value


def _instance(doc, path) -> dict:
    if not isinstance(doc, dict) or "problem" not in doc:
        raise FormatError(path, "no 'problem:' section: not a Timeloop/CiMLoop layer (problem) file")
    prob = doc["problem"]
    if not isinstance(prob, dict):
        raise FormatError(path, f"'problem:' must be a mapping, got {type(prob).__name__}")
    shape = prob.get("shape")
    dims = shape.get("dimensions") if isinstance(shape, dict) else None
    if isinstance(dims, list):
        foreign = [str(d) for d in dims if str(d) not in DIMENSIONS]
        if foreign:
            raise FormatError(path, f"problem dimensions {', '.join(foreign[:6])} are not a CNN layer's "
                              f"(C, M, R, S, N, P, Q, G): XbarScope reads Timeloop's CNN-layer problems")
    inst = prob.get("instance")
    if inst is None:  # the older form: dimension sizes straight under problem:
        inst = {k: v for k, v in prob.items() if k in DIMENSIONS or k.endswith(("stride", "dilation"))}
    if not isinstance(inst, dict):
        raise FormatError(path, f"problem.instance must be a mapping of dimension sizes, got {type(inst).__name__}")
    if not any(k in inst for k in ("C", "M", "P", "Q", "R", "S")):
        raise FormatError(path, "problem.instance gives none of C, M, P, Q, R, S: not a CNN layer")
    return inst


def _input_side(path, inst, given_key: str, out: int, k: int, s: int, flags: set) -> tuple[int, int]:
    """(input size, padding) along one axis: the file's H/W where it fits, else (out-1)*s + k."""
    derived = (out - 1) * s + k
    given = inst.get(given_key)
    try:
        given = None if given is None else _whole(path, given_key, given)
    except FormatError:
        given = None  # symbolic: not given
    if given is None or given == derived:
        return derived, 0
    for pad in range(k):
        if given + 2 * pad >= k and (given + 2 * pad - k) // s + 1 == out:
            flags.add(f"{given_key} padded")
            return given, pad
    flags.add(f"{given_key} ignored")
    return derived, 0


def layer_from_document(doc, path, name: str, flags: set) -> ConvLayer:
    """The layer a problem document describes; `flags` collects what the notes must say."""
    inst = _instance(doc, path)
    v = {k: _whole(path, k, inst.get(k, 1)) for k in ("C", "M", "P", "Q", "R", "S", "G")}
    sh, sw = (_whole(path, k, inst.get(k, 1)) for k in ("Hstride", "Wstride"))
    dil = [_whole(path, k, inst.get(k, 1)) for k in ("Hdilation", "Wdilation")]
    if dil != [1, 1]:
        raise FormatError(path, f"dilation {dil[0]}x{dil[1]} is not supported (dilated kernels are not mapped)")
    n = inst.get("N", 1)
    if isinstance(n, int) and not isinstance(n, bool) and n > 1:
        flags.add("batch")
    if sh != sw:
        flags.add("strides")
    if v["G"] > 1:
        flags.add("groups")
    try:
        h, ph = _input_side(path, inst, "H", v["P"], v["R"], max(sh, 1), flags)
        w, pw = _input_side(path, inst, "W", v["Q"], v["S"], max(sw, 1), flags)
        g = v["G"]
        if (h, w, v["R"], v["S"], g) == (1, 1, 1, 1, 1):
            return ConvLayer.linear(name, v["C"], v["M"])
        return ConvLayer(name, h, w, v["C"] * g, v["M"] * g, v["R"], v["S"], sh, sw, ph, pw, groups=g)
    except LayerError as e:
        raise FormatError(path, f"{e} (from problem.instance)") from None
    except XbarError as e:
        raise FormatError(path, str(e)) from None


def _phrase(names: list[str], limit: int = 8) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _layers(names: list[str]) -> str:
    return ("Layer " if len(names) == 1 else "Layers ") + _phrase([f"'{n}'" for n in names])


def notes_for(flagged: dict[str, set], count: int) -> list[str]:
    """Import notes from the flags each layer raised (layer name -> flags)."""
    def having(flag):
        return [n for n, f in flagged.items() if flag in f]

    notes = [f"Timeloop describes a layer by its output size (P x Q) and kernel (R x S): the input of "
             f"{'each of the ' + str(count) + ' layers' if count > 1 else 'the layer'} is taken as "
             f"H = (P-1)*Hstride + R, W = (Q-1)*Wstride + S with padding 0 (no padding folded), "
             f"unless the file gives an H/W that fits."]
    for axis in ("H", "W"):
        if having(f"{axis} padded"):
            notes.append(f"{_layers(having(f'{axis} padded'))}: the file's {axis} is smaller than the "
                         f"output needs; read with the zero padding that gives its output size.")
        if having(f"{axis} ignored"):
            notes.append(f"{_layers(having(f'{axis} ignored'))}: the file's {axis} does not fit its output "
                         f"size and kernel (a placeholder, as in CiMLoop's problem_base): ignored.")
    if having("strides"):
        notes.append(f"{_layers(having('strides'))}: Hstride and Wstride differ; R and P are read with "
                     f"Hstride as pytorch2timeloop writes them (Timeloop's own CNN-layer projection pairs "
                     f"R and P with Wstride).")
    if having("groups"):
        notes.append(f"{_layers(having('groups'))}: G groups, with C and M per group (channels = C*G, M*G).")
    if having("batch"):
        notes.append(f"{_layers(having('batch'))}: batch N > 1 not used; cycles are per input.")
    notes.append("Fields XbarScope does not use (N, bit widths, histograms, ...) were ignored, symbolic "
                 "values included.")
    return notes


def parse(text: str, path) -> Network:
    """One layer file -> a one-layer network named after the file."""
    path = Path(path)
    flags: set = set()
    layer = layer_from_document(load_yaml(path, text), path, path.stem or "layer", flags)
    return Network(name=path.stem, layers=(layer,), source=str(path),
                   notes=tuple(notes_for({layer.name: flags}, 1)))


def layer_files(folder) -> tuple[list[Path], list[str]]:
    """(numbered layer files in numeric order, names of the YAML files without a number)."""
    found, unnumbered = [], []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                suffix = Path(entry.name).suffix
                if suffix.lower() not in SUFFIXES or not entry.is_file():
                    continue
                m = _NUMBERED.fullmatch(entry.name[:-len(suffix)])
                if m is None:
                    unnumbered.append(entry.name)
                else:
                    found.append((int(m.group(2)), m.group(1), entry.name))
                if len(found) > MAX_LAYERS:
                    raise FormatError(folder, f"more than {MAX_LAYERS} layer files")
    except OSError as e:
        raise FormatError(folder, f"cannot be read: {e.strerror or e}") from None
    found.sort()
    return [Path(folder) / name for _, _, name in found], sorted(unnumbered)


def is_layer_folder(folder) -> bool:
    try:
        return bool(layer_files(folder)[0])
    except FormatError:
        return False


def load_folder(folder, progress=None, should_stop=None) -> Network:
    """A folder of numbered layer files -> one network named after the folder."""
    folder = Path(folder)
    files, unnumbered = layer_files(folder)
    if not files:
        raise FormatError(folder, "is a folder with no numbered Timeloop/CiMLoop layer files "
                          "(0.yaml, 1.yaml, ...); XbarScope opens a folder only as such a network")
    stems = [f.stem for f in files]
    layers, flagged, budget = [], {}, MAX_FOLDER_BYTES
    for i, path in enumerate(files):
        check_cancel(should_stop)
        if progress is not None:
            progress(i, len(files), f"reading {path.name}")
        text = read_text(path)
        budget -= len(text)
        if budget < 0:
            raise FormatError(folder, f"the layer files add up to more than {MAX_FOLDER_BYTES // 2**20} MB")
        name = path.stem if stems.count(path.stem) == 1 else path.name
        flags: set = set()
        layers.append(layer_from_document(load_yaml(path, text), path, name, flags))
        flagged[name] = flags
    notes = [f"{len(files)} layer files read in numeric order ({files[0].name} ... {files[-1].name})."]
    notes += notes_for(flagged, len(layers))
    if unnumbered:
        notes.append(f"YAML files without a number, not read as layers: {_phrase(unnumbered)}.")
    try:
        return Network(name=folder.absolute().name or "network", layers=tuple(layers), source=str(folder),
                       notes=tuple(notes))
    except XbarError as e:
        raise FormatError(folder, str(e)) from None


__all__ = ["is_layer_folder", "layer_files", "load_folder", "looks_like_timeloop", "parse"]
