"""What the CSV formats share: rows with line numbers, whole numbers, and layer collection."""
from __future__ import annotations

import csv
import io
import re
from typing import Iterator

from ..errors import FormatError, LayerError, XbarError, check_cancel
from ..layers import ConvLayer
from ..network import Network
from .textio import MAX_LAYERS

_WHOLE = re.compile(r"[+-]?[0-9]{1,18}")  # ASCII digits only: int() also takes '٣' and '1_0'


STOP_EVERY = 1024  # rows between two checks of a caller's should_stop


def rows(text: str, path, should_stop=None) -> Iterator[tuple[int, list[str]]]:
    """(1-based line, stripped cells) of every row that holds something; Cancelled when
    `should_stop()` says so (checked every STOP_EVERY rows: a 100,000-row file ran on for
    1.4 s after its import was cancelled)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    try:
        for cells in reader:
            if should_stop is not None and reader.line_num % STOP_EVERY == 0:
                check_cancel(should_stop)
            cells = [c.strip() for c in cells]
            if any(cells):
                yield start, cells
            start = reader.line_num + 1
    except csv.Error as e:
        # A record may span lines (a quoted field); name the line where it starts.
        raise FormatError(path, f"malformed CSV: {e} (in the row that starts on this line)", start) from None


def first_cell(text: str) -> str:
    """The first cell of the first row that is not blank or a `#` comment ('' if none)."""
    try:
        for _line, cells in rows(text, ""):
            if not cells[0].startswith("#"):
                return cells[0]
    except FormatError:
        pass
    return ""


def is_whole(text: str) -> bool:
    return bool(_WHOLE.fullmatch(text))


def whole(path, line: int, column: str, text: str) -> int:
    """A cell as an int; FormatError naming the column if it is not a whole number."""
    if not _WHOLE.fullmatch(text):
        what = "is empty" if not text else f"'{text[:40]}' is not a whole number"
        raise FormatError(path, f"column {column}: {what}", line)
    return int(text)


class LayerCollector:
    """Builds layers row by row, turning engine errors into FormatErrors at the row's line.

    `columns` maps a ConvLayer field to the file's name for it, so an error names the
    column the user sees in the file.
    """

    def __init__(self, path, columns: dict[str, str]):
        self.path = path
        self.columns = columns
        self.layers: list[ConvLayer] = []
        self.lines: list[int] = []
        self._line_of: dict[str, int] = {}

    def __contains__(self, name: str) -> bool:
        """A layer of this name was added already."""
        return name in self._line_of

    def add(self, line: int, make, *args, **kwargs) -> ConvLayer:
        """`make(*args, **kwargs)` -> the row's layer, added; errors name `line`."""
        if len(self.layers) >= MAX_LAYERS:
            raise FormatError(self.path, f"more than {MAX_LAYERS} layers", line)
        try:
            layer = make(*args, **kwargs)
        except LayerError as e:
            column = self.columns.get(e.field)
            where = f" (column {column})" if column else ""
            raise FormatError(self.path, f"{e}{where}", line) from None
        except XbarError as e:
            raise FormatError(self.path, str(e), line) from None
        if layer.name in self._line_of:
            raise FormatError(self.path, f"layer name '{layer.name}' is already used on line "
                              f"{self._line_of[layer.name]}", line)
        self._line_of[layer.name] = line
        self.layers.append(layer)
        self.lines.append(line)
        return layer

    def network(self, name: str, notes=()) -> Network:
        if not self.layers:
            raise FormatError(self.path, "no layers in the file")
        return Network(name=name, layers=tuple(self.layers), source=str(self.path),
                       notes=tuple(notes))


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what spreadsheets run as a formula (CSV injection)


def spreadsheet_safe(text: str) -> str:
    """A name for a CSV a spreadsheet will open: a leading formula character is quoted with
    an apostrophe (the OWASP CSV-injection advice), so `=cmd|...` stays text."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(table: list[list]) -> str:
    """Rows -> CSV text with '\\n' line ends (what the tools themselves write)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(table)
    return out.getvalue()


def lines_phrase(lines: list[int]) -> str:
    """'Line 4' or 'Lines 4, 6, 8', to open an import note."""
    return ("Line " if len(lines) == 1 else "Lines ") + ", ".join(str(n) for n in lines)
