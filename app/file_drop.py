"""Dropping a file anywhere on the window imports it (or opens it, for a project)."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Signal


class FileDropFilter(QObject):
    file_dropped = Signal(str)

    def eventFilter(self, watched, event):
        kind = event.type()
        if kind in (QEvent.DragEnter, QEvent.DragMove):
            if _local_file(event.mimeData()):
                event.acceptProposedAction()
                return True
        elif kind == QEvent.Drop:
            path = _local_file(event.mimeData())
            if path:
                event.acceptProposedAction()
                self.file_dropped.emit(path)
                return True
        return False


def _local_file(mime) -> str | None:
    urls = mime.urls() if mime.hasUrls() else []
    files = [u.toLocalFile() for u in urls if u.isLocalFile()]
    return files[0] if len(files) == 1 else None
