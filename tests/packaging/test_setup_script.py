"""setup.sh: a set-up done for the tests or a --self-test can open a window afterwards, and its
output stays plain text when it goes to a file or a CI log."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.packaging


@pytest.mark.skipif(not (ROOT / ".venv" / "bin" / "python").exists(), reason="needs the .venv setup.sh made")
def test_setup_output_to_a_file_has_no_escape_codes_and_the_window_libraries_are_there(tmp_path):
    log = tmp_path / "setup.log"
    with log.open("w") as out:  # not a terminal
        proc = subprocess.run(["./setup.sh", "run", "--version"], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                              timeout=900, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    text = log.read_text()
    assert proc.returncode == 0, text[-2000:]
    assert "\x1b[" not in text
    if subprocess.run(["sh", "-c", "command -v dpkg-query"], capture_output=True).returncode == 0:
        # What Qt's xcb plugin loads: installed whatever setup.sh was first run for.
        for pkg in ("libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1", "libxkbcommon-x11-0"):
            status = subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg], capture_output=True, text=True)
            assert "install ok installed" in status.stdout, f"{pkg} is not installed after setup.sh"
