"""QSettings in one place: the organization name, recent files, window layout keys.

Tests redirect everything with QStandardPaths test mode and a temporary settings path
(see tests/app/conftest.py), so they never touch a user's files.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths

ORGANIZATION = "XbarScope"
APPLICATION = "XbarScope"
MAX_RECENT = 8


def settings() -> QSettings:
    return QSettings(QSettings.IniFormat, QSettings.UserScope, ORGANIZATION, APPLICATION)


def data_dir() -> Path:
    """The per-user folder for the recovery file (AppDataLocation)."""
    path = Path(QStandardPaths.writableLocation(QStandardPaths.AppDataLocation))
    path.mkdir(parents=True, exist_ok=True)
    return path


def recent_files() -> list[str]:
    value = settings().value("recentFiles", [])
    if isinstance(value, str):  # QSettings returns a lone string for a one-item list
        value = [value]
    return [v for v in (value or []) if isinstance(v, str)]


def add_recent_file(path: str) -> list[str]:
    path = str(Path(path).resolve())
    files = [path] + [f for f in recent_files() if f != path]
    files = files[:MAX_RECENT]
    settings().setValue("recentFiles", files)
    return files


def clear_recent_files() -> None:
    settings().setValue("recentFiles", [])
