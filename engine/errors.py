"""Errors the engine raises for bad input: one class, a message a user can act on."""


class XbarError(ValueError):
    """Bad input (a layer, an array spec, a file). The message names what is wrong."""


class LayerError(XbarError):
    """A layer field is invalid. `layer` and `field` say which, for editors that mark cells."""

    def __init__(self, layer: str, field: str, message: str):
        self.layer = layer
        self.field = field
        super().__init__(f"layer '{layer}': {field}: {message}")


class ArrayError(XbarError):
    """An array spec field is invalid."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(f"array: {field}: {message}")


class FormatError(XbarError):
    """A file cannot be read. The message names the file and, where known, the line."""

    def __init__(self, path, message: str, line: int | None = None):
        self.path = str(path)
        self.line = line
        where = f"{self.path}, line {line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


class Cancelled(Exception):
    """Raised inside long engine work when the caller asked it to stop."""


def check_cancel(should_stop) -> None:
    """Raise Cancelled when the caller's `should_stop()` says so (cooperative cancel)."""
    if should_stop is not None and should_stop():
        raise Cancelled()
