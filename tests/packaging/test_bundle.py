"""The frozen desktop app: build the PyInstaller bundle, then run it as a user would.

Slow (about a minute to build): marked `packaging`, skip locally with -m "not packaging".
Set XBARSCOPE_BUNDLE=dist/XbarScope to test a bundle built already instead of building one.
"""
from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from engine import __version__

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.packaging


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    given = os.environ.get("XBARSCOPE_BUNDLE")
    if given:
        return Path(given).resolve()
    out = tmp_path_factory.mktemp("pyinstaller")
    proc = subprocess.run(["bash", str(ROOT / "packaging" / "build.sh"), "--dist", str(out / "dist"),
                           "--work", str(out / "build")], env={**os.environ, "PYTHON": sys.executable},
                          capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, f"packaging/build.sh failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    return out / "dist" / "XbarScope"


def run_app(bundle: Path, tmp_path: Path, *args: str, timeout: float = 300, platform: str = "offscreen",
            prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    """The launcher, from a foreign folder, with a clean home and no display, as in CI."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    keep = ("PATH", "TMPDIR", "SYSTEMROOT")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(HOME=str(home), QT_QPA_PLATFORM=platform, LANG="C.UTF-8")
    return subprocess.run([*prefix, str(bundle / "XbarScope"), *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=timeout)


def test_the_bundle_has_its_launcher_resources_and_no_other_qt_binding(bundle):
    assert (bundle / "XbarScope").is_file() and os.access(bundle / "XbarScope", os.X_OK)
    internal = bundle / "_internal"
    presets = sorted(p.name for p in (internal / "resources" / "presets").glob("*.json"))
    assert "vgg13-paper.json" in presets and len(presets) >= 10
    assert (internal / "resources" / "icons" / "xbarscope.png").is_file()
    for other in ("PyQt5", "PyQt6", "PySide2", "tkinter", "matplotlib", "scipy", "pytest"):
        assert not (internal / other).exists(), f"{other} should not be in the bundle"
    assert not (internal / "PySide6" / "Qt" / "translations").exists()
    dangling = [str(p.relative_to(bundle)) for p in bundle.rglob("*") if p.is_symlink() and not p.exists()]
    assert not dangling, f"links to pruned libraries: {dangling}"
    size_mb = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file()) / 2**20
    assert size_mb < 300, f"the bundle grew to {size_mb:.0f} MB (181 MB when this test was written)"


def test_version_is_the_package_version(bundle, tmp_path):
    proc = run_app(bundle, tmp_path, "--version", timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["xbarscope", __version__]


def test_self_test_maps_a_preset_and_renders_the_crossbar(bundle, tmp_path):
    proc = run_app(bundle, tmp_path, "--self-test")
    assert proc.returncode == 0, f"--self-test failed:\n{proc.stdout}\n{proc.stderr}"
    out = proc.stdout
    assert f"XbarScope {__version__}" in out and "frozen bundle" in out
    assert f"resources: {bundle / '_internal' / 'resources'}" in out  # found inside the bundle
    for step in ("window:", "mapping: vgg13-paper", "crossbar view:", "window picture:", "exports: GIF"):
        assert step in out, f"no '{step}' line in:\n{out}"
    assert out.rstrip().endswith("xbarscope self-test passed")


def test_self_test_in_a_real_window_under_xvfb(bundle, tmp_path):
    """The xcb platform plugin and the X libraries it loads, in a window on a virtual display."""
    if not shutil.which("xvfb-run"):
        pytest.skip("needs xvfb-run: apt-get install xvfb xauth (CI installs it)")
    proc = run_app(bundle, tmp_path, "--self-test", platform="xcb",
                   prefix=("xvfb-run", "-a", "-s", "-screen 0 1600x1000x24"))
    assert proc.returncode == 0, f"--self-test under Xvfb failed:\n{proc.stdout}\n{proc.stderr}"
    assert "platform xcb" in proc.stdout and "self-test passed" in proc.stdout


def test_screenshot_writes_a_png_of_the_window(bundle, tmp_path):
    proc = run_app(bundle, tmp_path, "--screenshot", "out.png", "--network", "resnet18-paper", "--size", "1200x800")
    assert proc.returncode == 0, f"--screenshot failed:\n{proc.stdout}\n{proc.stderr}"
    data = (tmp_path / "out.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    assert struct.unpack(">II", data[16:24]) == (1200, 800)
    assert len(data) > 30_000  # a drawn window, not a blank picture


def test_a_bad_flag_fails_in_words(bundle, tmp_path):
    proc = run_app(bundle, tmp_path, "--network", "no-such-net", "--screenshot", "x.png", timeout=60)
    assert proc.returncode == 2
    assert "no-such-net" in proc.stderr and "Traceback" not in proc.stderr
