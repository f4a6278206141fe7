"""A real (non-editable) wheel carries resources/ as `xbarscope_resources` and the engine finds it."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.packaging


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    src = out / "src"  # a copy: an in-tree build would reuse a stale build/ folder of the checkout
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".git", ".venv*", "build", "dist", "*.egg-info",
                                                             "__pycache__", ".*cache*", ".hypothesis"))
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(src)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    (whl,) = out.glob("xbarscope-*.whl")
    return whl


def test_the_wheel_contains_presets_style_and_icons(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    presets = {n for n in names if n.startswith("xbarscope_resources/presets/") and n.endswith(".json")}
    assert "xbarscope_resources/presets/vgg13-paper.json" in presets and len(presets) >= 10
    assert "xbarscope_resources/app/style.qss" in names
    assert "xbarscope_resources/icons/xbarscope.svg" in names
    assert "xbarscope_resources/icons/xbarscope.png" in names
    assert not any(n.startswith(("tests/", "packaging/", "resources/")) for n in names)


def test_an_installed_wheel_finds_its_presets(wheel, tmp_path):
    target = tmp_path / "site"
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
                           str(wheel)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    code = ("import engine, engine.resources as r, engine.presets as p; "
            "print(engine.__file__); print(r.resources_dir()); print(len(p.list_presets()))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(target)})
    assert proc.returncode == 0, proc.stderr
    engine_file, res_dir, count = proc.stdout.split("\n")[:3]
    assert Path(engine_file).is_relative_to(target)  # the wheel's engine, not the checkout's
    assert Path(res_dir) == target / "xbarscope_resources"
    assert int(count) >= 10
