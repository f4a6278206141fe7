"""`xbarscope` / `python -m app` flags, run as a user would: in a separate process."""
from __future__ import annotations

import os
import subprocess
import sys

from PySide6.QtGui import QImage

from engine import __version__


def run_app(tmp_path, *args, timeout=120):
    env = dict(os.environ, HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_DATA_HOME=str(tmp_path / "data"))
    env.pop("QT_QPA_PLATFORM", None)  # --screenshot must pick offscreen by itself
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True,
                          timeout=timeout, env=env)


def test_screenshot_renders_the_mapped_window(tmp_path):
    out = tmp_path / "shot.png"
    done = run_app(tmp_path, "--screenshot", str(out), "--network", "resnet18-paper",
                   "--array", "256x256", "--size", "1200x800")
    assert done.returncode == 0, done.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1200, 800)
    assert not (tmp_path / "config").exists() or not any((tmp_path / "config").rglob("*.conf"))


def test_screenshot_to_an_svg_name_writes_a_drawing(tmp_path, qapp):
    from PySide6.QtSvg import QSvgRenderer

    out = tmp_path / "shot.svg"
    done = run_app(tmp_path, "--screenshot", str(out), "--network", "resnet18-paper", "--layer", "2",
                   "--size", "1200x800")
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    assert "<svg" in text and 'd=""' not in text
    renderer = QSvgRenderer(str(out))
    assert renderer.isValid() and renderer.defaultSize().width() > 0


def test_version(tmp_path):
    done = run_app(tmp_path, "--version")
    assert done.returncode == 0 and done.stdout.strip() == f"xbarscope {__version__}"


def test_unknown_network_fails_in_words(tmp_path):
    done = run_app(tmp_path, "--screenshot", str(tmp_path / "x.png"), "--network", "no-such-net")
    assert done.returncode == 2
    assert "xbarscope: 'no-such-net' is neither a preset nor an existing file" in done.stderr
    assert "Traceback" not in done.stderr


def test_bad_array_and_size_fail_in_words(tmp_path):
    done = run_app(tmp_path, "--screenshot", str(tmp_path / "x.png"), "--array", "big")
    assert done.returncode == 2 and "is not ROWSxCOLS" in done.stderr
    done = run_app(tmp_path, "--screenshot", str(tmp_path / "x.png"), "--size", "10x10")
    assert done.returncode == 2 and "--size" in done.stderr


def test_self_test_passes_from_source(tmp_path):
    done = run_app(tmp_path, "--self-test")
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith("xbarscope self-test passed")
