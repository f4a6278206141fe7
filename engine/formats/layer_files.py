"""The layer-list formats by name, and telling them apart by a file's content."""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import FormatError
from ..network import Network
from . import jsontext, native_csv, native_json, neurosim, scalesim, timeloop
from .csvrows import first_cell, is_whole
from .registry import FORMATS

PROJECT_FORMAT = "xbarscope-project"
_YAML_PROBLEM = re.compile(r"[{,\s]problem\s*:")
_SCALESIM_FIRST = re.compile(r"layers?([ _]?name)?")

READERS = {"json": native_json.parse, "csv": native_csv.parse,
           "neurosim": neurosim.parse, "scalesim": scalesim.parse, "timeloop": timeloop.parse}
WRITERS = {"json": native_json.dump, "csv": native_csv.dump,
           "neurosim": neurosim.dump, "scalesim": scalesim.dump}


def _is_scalesim_header(first: str, text: str) -> bool:
    """Line 1 of a SCALE-Sim topology: 'Layer name, ...', its typo 'Layer, IFMAP Width, ...',
    or a GEMM file's 'Layer, M, N, K'."""
    if _SCALESIM_FIRST.fullmatch(first.lower()):
        return True
    line = text.lstrip("\ufeff").split("\n", 1)[0].lower()
    return "ifmap" in line


def _misfit(first: str) -> str:
    """One line naming the formats tried and why each did not fit."""
    shown = repr(first[:30]) if first else "nothing"
    why = [
        "JSON layer list or project (does not start with '{')",
        f"XbarScope CSV (its first cell is {shown}, not 'name' or another column name)",
        "SCALE-Sim topology (line 1 is not a header starting 'Layer name' or 'Layer')",
        f"NeuroSim NetWork.csv (its first cell is {shown}, not a number)",
        "Timeloop/CiMLoop problem YAML (no 'problem:' key and not a .yaml/.yml name)",
        "ONNX model (not a .onnx name, and it does not start like one)",
    ]
    return "not a layer file XbarScope knows; tried " + "; ".join(why)


def sniff(text: str, path) -> str:
    """The format of a file's text. Content decides; a `.json` file that fits no format is
    read as JSON, so that its error is the JSON syntax error, and a `.yaml` file is read as
    Timeloop YAML, so that its error is YAML's."""
    suffix = Path(path).suffix.lower()
    if suffix in timeloop.SUFFIXES or "{{" in text[:4096] and "include_text(" in text:
        return "timeloop"
    if text.lstrip()[:1] == "{":
        try:
            doc = jsontext.parse(text, path)
        except FormatError:
            if suffix != ".json" and _YAML_PROBLEM.search(text):  # YAML flow style: {problem: ...}
                return "timeloop"
            raise
        return "project" if isinstance(doc, dict) and doc.get("format") == PROJECT_FORMAT else "json"
    first = first_cell(text)
    if _is_scalesim_header(first, text):
        return "scalesim"
    if first.lower() in native_csv.COLUMNS:
        return "csv"
    if is_whole(first):
        return "neurosim"
    if suffix == ".json":
        return "json"
    if timeloop.looks_like_timeloop(text, path):
        return "timeloop"
    raise FormatError(path, _misfit(first), 1)


def check_format(path, fmt: str, table: dict) -> None:
    if fmt not in table:
        known = ", ".join(n for n in FORMATS if n in table)
        raise FormatError(path, f"unknown format '{fmt}'; known: {known}")


STOPPABLE = {"csv", "neurosim", "scalesim"}  # readers that check a should_stop between rows (JSON
# is parsed whole by json.loads, a Timeloop file holds one layer)


def parse_layers(text: str, path, fmt: str, should_stop=None) -> Network:
    check_format(path, fmt, READERS)
    if fmt in STOPPABLE:
        return READERS[fmt](text, path, should_stop)
    return READERS[fmt](text, path)
