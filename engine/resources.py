"""Find files under `resources/` from a source checkout, an installed wheel or a PyInstaller bundle."""
from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:  # PyInstaller bundles the folder as `resources/`
        return Path(frozen) / "resources"
    checkout = Path(__file__).resolve().parent.parent / "resources"
    if checkout.is_dir():
        return checkout
    import xbarscope_resources  # installed wheel: the folder is a package of its own

    return Path(xbarscope_resources.__file__).parent


def resource_path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
