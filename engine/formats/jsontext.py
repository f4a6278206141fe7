"""JSON text for the native formats: parsing with line numbers, and readable output."""
from __future__ import annotations

import json
import math
import re
from typing import Mapping

from ..errors import FormatError, LayerError, XbarError


def parse(text: str, path):
    """The JSON value of `text`; FormatError with the line of a syntax error."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise FormatError(path, f"invalid JSON: {e.msg} (column {e.colno})", e.lineno) from None
    except (ValueError, RecursionError) as e:  # 5000-digit numbers, nesting thousands deep
        raise FormatError(path, f"invalid JSON: {str(e) or type(e).__name__}") from None


def key_line(text: str, key: str, value=None) -> int | None:
    """The line of `"key":` (followed by `value`, if given) if it occurs exactly once."""
    pattern = re.escape(json.dumps(key)) + r"\s*:"
    if value is not None:
        pattern += r"\s*(?:" + "|".join(re.escape(json.dumps(value, ensure_ascii=a))
                                        for a in (True, False)) + ")"
    hits = [m.start() for m in re.finditer(pattern, text)]
    return text.count("\n", 0, hits[0]) + 1 if len(hits) == 1 else None


def error(path, text: str, err: XbarError, key: str | None = None) -> FormatError:
    """An engine error about a document -> FormatError at the line it concerns, if found.

    `key` is the document key the error is about (e.g. "array"); a LayerError is placed
    at its layer's `"name"`.
    """
    line = None
    if isinstance(err, LayerError):
        line = key_line(text, "name", err.layer)
    elif key is not None:
        line = key_line(text, key)
    return FormatError(path, str(err), line)


_MAX_DEPTH = 64


def plain_json(value, where: str, depth: int = 0):
    """A JSON-safe deep copy of `value` (text keys, finite numbers); XbarError otherwise.

    Tuples become lists, so the copy equals what reading its JSON back gives.
    """
    if depth > _MAX_DEPTH:
        raise XbarError(f"{where}: nested more than {_MAX_DEPTH} levels deep")
    if isinstance(value, Mapping):
        if not all(isinstance(k, str) for k in value):
            raise XbarError(f"{where}: keys must be text")
        return {k: plain_json(v, f"{where}.{k}", depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_json(v, f"{where}[{i}]", depth + 1) for i, v in enumerate(value)]
    if isinstance(value, float) and not math.isfinite(value):
        raise XbarError(f"{where}: {value} cannot be saved (not a finite number)")
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    raise XbarError(f"{where}: {type(value).__name__!r} values cannot be saved")


def _inline(value) -> bool:
    """Scalars, lists of scalars and objects of those go on one line (a layer, an array)."""
    if isinstance(value, dict):
        return all(_inline(v) and not isinstance(v, dict) for v in value.values())
    if isinstance(value, list):
        return all(not isinstance(v, (dict, list)) for v in value)
    return True


def dumps(value, indent: str = "") -> str:
    """JSON with one layer (or any flat object) per line: short, diff-friendly, readable."""
    if _inline(value):
        return json.dumps(value, ensure_ascii=False, allow_nan=False)
    inner = indent + "  "
    if isinstance(value, dict):
        items = [f"{inner}{json.dumps(k, ensure_ascii=False)}: {dumps(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    items = [inner + dumps(v, inner) for v in value]
    return "[\n" + ",\n".join(items) + "\n" + indent + "]"
