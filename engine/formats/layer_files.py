"""The layer-list formats by name, and telling them apart by a file's content."""
from __future__ import annotations

from pathlib import Path

from ..errors import FormatError
from ..network import Network
from . import jsontext, native_csv, native_json, neurosim, scalesim
from .csvrows import first_cell, is_whole
from .registry import FORMATS

PROJECT_FORMAT = "xbarscope-project"

READERS = {"json": native_json.parse, "csv": native_csv.parse,
           "neurosim": neurosim.parse, "scalesim": scalesim.parse}
WRITERS = {"json": native_json.dump, "csv": native_csv.dump,
           "neurosim": neurosim.dump, "scalesim": scalesim.dump}


def sniff(text: str, path) -> str:
    """The format of a file's text. Content decides; a `.json` file that fits no format is
    read as JSON, so that its error is the JSON syntax error."""
    if text.lstrip()[:1] == "{":
        doc = jsontext.parse(text, path)
        return "project" if isinstance(doc, dict) and doc.get("format") == PROJECT_FORMAT else "json"
    first = first_cell(text)
    if first.lower() == scalesim.HEADER[0].lower():
        return "scalesim"
    if first.lower() in native_csv.COLUMNS:
        return "csv"
    if is_whole(first):
        return "neurosim"
    if Path(path).suffix.lower() == ".json":
        return "json"
    raise FormatError(path, "not a layer file XbarScope knows: expected a JSON layer list or "
                      "project, an XbarScope CSV (header starting 'name,'), a SCALE-Sim "
                      "topology (header 'Layer name, ...') or a NeuroSim NetWork.csv (numbers)", 1)


def check_format(path, fmt: str, table: dict) -> None:
    if fmt not in table:
        known = ", ".join(n for n in FORMATS if n in table)
        raise FormatError(path, f"unknown format '{fmt}'; known: {known}")


def parse_layers(text: str, path, fmt: str) -> Network:
    check_format(path, fmt, READERS)
    return READERS[fmt](text, path)
