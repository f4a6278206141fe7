"""Opening the files a user names, without ever blocking on one that is not a regular file.

A FIFO opened for reading waits for a writer forever, and a device such as /dev/zero reads
without end; both are refused before any read, with a message that says what the path is.
`open_regular` opens non-blocking and checks the open descriptor itself, so a path swapped
for a FIFO between a check and the open cannot hang the reader either.
"""
from __future__ import annotations

import os
import stat
from contextlib import contextmanager
from pathlib import Path, PurePosixPath, PureWindowsPath

from .errors import FormatError

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a device"),
          (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))


def kind(mode: int) -> str | None:
    """What a path with this st_mode is ('a FIFO (named pipe)', ...); None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    return next((noun for test, noun in _KINDS if test(mode)), "a special file")


def not_regular(mode: int) -> str | None:
    """'is a FIFO (named pipe), not a file' for a path that is not a regular file, else None."""
    noun = kind(mode)
    return None if noun is None else f"is {noun}, not a file"


def check_regular(path) -> None:
    """FormatError naming `path` unless it is a regular file (symlinks followed)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise FormatError(path, "file not found") from None
    except (OSError, ValueError) as e:
        raise FormatError(path, f"cannot be read: {getattr(e, 'strerror', None) or e}") from None
    problem = not_regular(mode)
    if problem:
        raise FormatError(path, problem)


@contextmanager
def reading(path):
    """Errors opening or reading `path` become FormatErrors naming it (text and binary files)."""
    try:
        yield
    except FormatError:  # a ValueError too: the reader's own message stands
        raise
    except FileNotFoundError:
        raise FormatError(path, "file not found") from None
    except IsADirectoryError:
        raise FormatError(path, "is a folder, not a file") from None
    except OSError as e:
        raise FormatError(path, f"cannot be read: {e.strerror or e}") from None
    except ValueError as e:
        if "\0" in str(path):  # a NUL byte in the name (a network_file from a project, say)
            raise FormatError(str(path).replace("\0", "\\0"), "is not a valid file name") from None
        raise FormatError(path, f"cannot be read: {e}") from None


def open_regular(path):
    """A binary file object for `path`, refused (FormatError) unless it is a regular file."""
    path = Path(path)
    with reading(path):
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        problem = not_regular(os.fstat(fd).st_mode)
        if problem:
            raise FormatError(path, problem)
        os.set_blocking(fd, True)  # a regular file: ordinary reads from here on
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def is_absolute_name(location: str) -> bool:
    """True for '/x', 'C:x', 'C:\\x' or '\\x': a name that is not relative on some system."""
    win = PureWindowsPath(location)
    return PurePosixPath(location).is_absolute() or win.is_absolute() or bool(win.drive or win.root)


def is_within(path, root) -> bool:
    """True if `path`, links followed, lies inside the folder `root` (links followed too)."""
    real, top = os.path.realpath(path), os.path.realpath(root)
    return os.path.commonpath([real, top]) == top


def outside_reason(folder, location: str) -> str | None:
    """Why the relative name `location`, read from a file in `folder`, leaves that folder's
    tree ('is an absolute path', 'climbs out of ...', 'leads out of ... through a link'), or
    None when it stays inside. References in a file may then be followed without letting a
    shared file make the reader open anything on the machine."""
    if "\0" in location:  # no file's name at all: opening it says so
        return None
    if is_absolute_name(location):
        return "is an absolute path"
    if is_within(Path(folder) / location, folder):
        return None
    if ".." in PureWindowsPath(location).parts:  # PureWindowsPath splits on both / and \
        return f"climbs out of {folder}"
    return f"leads out of {folder} through a link"
