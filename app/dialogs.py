"""Every modal question the app asks, in one module (tests replace these functions)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QWidget

from app import settings

SAVE, DISCARD, CANCEL = "save", "discard", "cancel"


def ask_save_changes(parent: QWidget, name: str) -> str:
    box = QMessageBox(QMessageBox.Warning, "Unsaved changes",
                      f"“{name}” has changes that are not saved.", parent=parent)
    box.setInformativeText("Save them first?")
    box.setStandardButtons(QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel)
    box.setDefaultButton(QMessageBox.Save)
    answer = box.exec()
    return {QMessageBox.Save: SAVE, QMessageBox.Discard: DISCARD}.get(QMessageBox.StandardButton(answer), CANCEL)


def ask_restore(parent: QWidget, path: str, when: str) -> bool:
    box = QMessageBox(QMessageBox.Question, "Recover unsaved work",
                      "XbarScope did not close normally last time.", parent=parent)
    box.setInformativeText(f"Restore the work autosaved {when}?\n(If you do not, it is deleted.)")
    box.setDetailedText(f"Recovery file: {path}")
    box.setStandardButtons(QMessageBox.Yes | QMessageBox.No)
    box.setDefaultButton(QMessageBox.Yes)
    return box.exec() == QMessageBox.Yes


def ask_outside_reference(parent: QWidget, project: str, target: str, why: str) -> bool:
    """A project names its network file outside its own folder tree: open that file anyway?"""
    box = QMessageBox(QMessageBox.Warning, "Network file outside the project's folder",
                      f"{Path(project).name} takes its network from a file outside its folder:\n{target}",
                      parent=parent)
    box.setInformativeText(f"The name {why}. Open that file only if you trust the project.\n"
                           "Open it?")
    box.setStandardButtons(QMessageBox.Open | QMessageBox.Cancel)
    box.setDefaultButton(QMessageBox.Cancel)
    return box.exec() == QMessageBox.Open


LAST_FOLDER_KEY = "dialogs/lastFolder"


def last_folder() -> str:
    """The folder of the last file opened or saved through these dialogs ('' at first)."""
    value = settings.settings().value(LAST_FOLDER_KEY, "")
    return value if isinstance(value, str) and Path(value).is_dir() else ""


def in_last_folder(suggested: str) -> str:
    """A bare suggested file name placed in the last folder used (else home); a path with a folder is kept."""
    if suggested and Path(suggested).parent != Path("."):
        return suggested
    folder = last_folder() or str(Path.home())
    return str(Path(folder) / suggested) if suggested else folder


def remember_folder(path: str) -> None:
    if path:
        settings.settings().setValue(LAST_FOLDER_KEY, str(Path(path).resolve().parent))


def open_file(parent: QWidget, title: str, filters: list[str], folder: str = "") -> tuple[str, str]:
    """(path, chosen filter); path is '' when the user cancels. Opens in the last folder used."""
    return _open_file_impl(parent, title, filters, folder)


def open_folder(parent: QWidget, title: str) -> str:
    """A folder the user picks ('' when cancelled), starting in the last folder used."""
    return _open_folder_impl(parent, title)


def save_file(parent: QWidget, title: str, filters: list[str], suggested: str = "") -> tuple[str, str]:
    """(path, chosen filter); a bare suggested name starts in the last folder used."""
    return _save_file_impl(parent, title, filters, suggested)


# The dialogs themselves (tests replace open_file / save_file, and test these).
def _open_file_impl(parent, title, filters, folder=""):
    path, chosen = QFileDialog.getOpenFileName(parent, title, folder or last_folder(), ";;".join(filters))
    remember_folder(path)
    return path, chosen


def _open_folder_impl(parent, title):
    path = QFileDialog.getExistingDirectory(parent, title, last_folder())
    if path:
        settings.settings().setValue(LAST_FOLDER_KEY, str(Path(path).resolve()))
    return path


def _save_file_impl(parent, title, filters, suggested=""):
    path, chosen = QFileDialog.getSaveFileName(parent, title, in_last_folder(suggested), ";;".join(filters))
    remember_folder(path)
    return path, chosen


def error(parent: QWidget, title: str, message: str) -> None:
    box = QMessageBox(QMessageBox.Critical, title, message, parent=parent)
    box.exec()


def info(parent: QWidget, title: str, message: str) -> None:
    QMessageBox.information(parent, title, message)


def ask_input_size(parent: QWidget, file_name: str) -> str | None:
    """An ONNX model without a fixed input size: ask for one (e.g. 224x224)."""
    text, ok = QInputDialog.getText(parent, "Input size", f"{file_name} does not fix its input size.\n"
                                    "Image height × width to import it with (e.g. 224x224):", text="224x224")
    return text if ok and text.strip() else None
