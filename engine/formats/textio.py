"""Reading a layer file as text, safely, and writing a file atomically.

Every failure becomes a `FormatError` naming the file (and the line where one is known),
so a caller catches one exception type for anything wrong with a file.
"""
from __future__ import annotations

import glob
import os
import secrets
from pathlib import Path

from ..errors import FormatError
from ..files import open_regular, reading

MAX_BYTES = 20 * 1024 * 1024  # no layer list comes near this; refuse before reading
MAX_LAYERS = 100_000


def read_text(path) -> str:
    """The file's text (UTF-8, an optional BOM dropped). Refuses big, binary, empty files."""
    path = Path(path)
    data = b""
    with reading(path), open_regular(path) as f:  # a FIFO or device is refused, never waited on
        size = os.fstat(f.fileno()).st_size
        if size <= MAX_BYTES:
            # One byte past the limit at most: stat() says 0 for /proc files.
            data = f.read(MAX_BYTES + 1)
    if size > MAX_BYTES or len(data) > MAX_BYTES:
        raise FormatError(path, f"the file is larger than {MAX_BYTES // 2**20} MB, the most a "
                          f"layer file may have")
    nul = data.find(b"\0")
    if nul >= 0:
        raise FormatError(path, "is a binary file, not a text layer list",
                          data.count(b"\n", 0, nul) + 1)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise FormatError(path, f"is not UTF-8 text (byte 0x{data[e.start]:02x} at offset {e.start})",
                          data.count(b"\n", 0, e.start) + 1) from None
    if not text.strip():
        raise FormatError(path, "the file is empty")
    return text


def remove_stale_temps(path) -> int:
    """Delete the temporary files an interrupted `write_atomic` of `path` left (a kill between
    write and rename); returns how many. Only names of exactly that form are touched."""
    path = Path(path)
    removed = 0
    try:
        candidates = list(path.parent.glob(f".{glob.escape(path.name)}.*.tmp"))
    except OSError:
        return 0
    for tmp in candidates:
        token = tmp.name[len(path.name) + 2:-4]
        if len(token) == 8 and all(c in "0123456789abcdef" for c in token):
            try:
                tmp.unlink()
                removed += 1
            except OSError:
                pass  # not ours to remove, or gone already
    return removed


def write_atomic(path, text: str) -> None:
    """Write `text` (UTF-8) so that `path` holds either the old or the whole new content.

    A temporary file in the same folder is written, flushed to disk, then renamed over
    `path`: a crash midway leaves the old file intact.
    """
    path = Path(path)
    remove_stale_temps(path)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        mode = path.stat().st_mode & 0o7777 if path.exists() else None
        # os.open's mode obeys the umask, unlike tempfile's fixed 0600.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            if mode is not None:
                os.chmod(tmp, mode)
            os.replace(tmp, path)
        finally:
            if tmp.exists():
                tmp.unlink()
    except OSError as e:
        raise FormatError(path, f"cannot be written: {e.strerror or e}") from None
    except ValueError:  # a NUL byte in the name
        raise FormatError(str(path).replace("\0", "\\0"), "is not a valid file name") from None
