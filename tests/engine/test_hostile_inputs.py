"""Hostile inputs: special files are refused in words and never waited on, odd names never
reach a traceback, CSV exports keep names from running as spreadsheet formulas.

Calls that could hang run in a subprocess with a timeout, so a hang fails the test instead
of stalling the suite."""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine import ConvLayer
from engine.cli import main
from engine.errors import FormatError, LayerError, XbarError
from engine.files import check_regular, open_regular
from engine.formats import load_network
from engine.formats.csvrows import spreadsheet_safe
from engine.layers import MAX_NAME, safe_name, shown_name
from engine.network import Network

ROOT = Path(__file__).resolve().parents[2]
fifo_only = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs mkfifo")


def cli(*args, timeout=60):
    """xbarscope-cli in its own process (stdin closed), with a time limit."""
    return subprocess.run([sys.executable, "-m", "engine", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=timeout, stdin=subprocess.DEVNULL)


@fifo_only
def test_a_project_whose_network_file_is_a_fifo_is_refused_at_once(tmp_path):
    os.mkfifo(tmp_path / "net.csv")
    project = tmp_path / "p.xbarscope.json"
    project.write_text(json.dumps({"format": "xbarscope-project", "version": 1, "network_file": "net.csv",
                                   "array": {"rows": 512, "cols": 512, "cell_bits": 1, "weight_bits": 1},
                                   "methods": ["sdk"]}))
    r = cli("map", "--network", str(project), timeout=30)  # hung forever before
    assert r.returncode == 2
    assert "network_file" in r.stderr and "is a FIFO (named pipe)" in r.stderr and "Traceback" not in r.stderr


@fifo_only
@pytest.mark.parametrize("command", ["map", "verify"])
def test_a_fifo_given_as_network_says_it_is_a_fifo(tmp_path, command):
    os.mkfifo(tmp_path / "layers.json")
    r = cli(command, "--network", str(tmp_path / "layers.json"), timeout=30)
    assert r.returncode == 2 and "is a FIFO (named pipe), not a network file" in r.stderr


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_devices_are_named_as_devices(device):
    if not Path(device).exists():
        pytest.skip(f"no {device}")
    r = cli("map", "--network", device, timeout=30)
    assert r.returncode == 2 and "is a device, not a network file" in r.stderr, r.stderr


def test_a_folder_is_named_as_a_folder(tmp_path):
    r = cli("map", "--network", str(tmp_path), timeout=30)
    assert r.returncode == 2 and "is a folder, not a network file" in r.stderr


@fifo_only
def test_the_readers_refuse_special_files_without_opening_them_for_a_blocking_read(tmp_path):
    import importlib.util

    os.mkfifo(tmp_path / "l.csv")
    names = [tmp_path / "l.csv"]
    if importlib.util.find_spec("onnx") is not None:  # the headless engine install has no onnx
        os.mkfifo(tmp_path / "m.onnx")
        names.append(tmp_path / "m.onnx")
    code = ("import sys\nfrom engine.formats import load_network\nfrom engine.errors import FormatError\n"
            "for p in sys.argv[1:]:\n    try:\n        load_network(p)\n    except FormatError as e:\n"
            "        print(e)\n")
    r = subprocess.run([sys.executable, "-c", code, *map(str, names)],
                       capture_output=True, text=True, timeout=30, cwd=ROOT)
    lines = r.stdout.splitlines()
    assert len(lines) == len(names) and all("is a FIFO (named pipe), not a file" in line for line in lines), r


@fifo_only
def test_open_regular_and_check_regular(tmp_path):
    os.mkfifo(tmp_path / "f")
    with pytest.raises(FormatError, match="FIFO"):
        open_regular(tmp_path / "f")  # non-blocking open: returns at once
    with pytest.raises(FormatError, match="FIFO"):
        check_regular(tmp_path / "f")
    with pytest.raises(FormatError, match="folder"):
        open_regular(tmp_path)
    with pytest.raises(FormatError, match="not found"):
        check_regular(tmp_path / "missing")
    (tmp_path / "ok.txt").write_text("x")
    with open_regular(tmp_path / "ok.txt") as f:
        assert f.read() == b"x"


@pytest.mark.parametrize("name", ["\ud800", "a\nb", "tab\there", "bell\x07", "rtl\u202eevil", "x" * 10_000,
                                  "line\u2028sep"])
def test_names_that_would_break_output_are_refused_with_a_message(tmp_path, name):
    with pytest.raises(LayerError) as e:
        ConvLayer(name, 8, 8, 3, 3, 3, 3)
    message = str(e.value)
    message.encode("utf-8")  # printable: no lone surrogate in the message itself
    assert "\n" not in message and len(message) < 400
    doc = {"format": "xbarscope-layers", "version": 1, "name": "n",
           "layers": [{"name": name, "type": "conv", "in_h": 8, "in_w": 8, "in_c": 3, "out_c": 3,
                       "k_h": 3, "k_w": 3}]}
    path = tmp_path / "layers.json"
    path.write_text(json.dumps(doc))  # json.dumps escapes the surrogate: the file is valid JSON
    for fmt in ("table", "json", "csv"):
        r = cli("map", "--network", str(path), "--format", fmt)
        assert r.returncode == 2 and "Traceback" not in r.stderr and "name" in r.stderr, r.stderr
    r = cli("verify", "--network", str(path))
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_shown_and_safe_names_escape_what_they_cannot_show():
    assert shown_name("a\ud800b\u202ec\n") == "a\\ud800b\\u202ec\\u000a"
    assert len(shown_name("y" * 500)) == 60
    assert ConvLayer(safe_name("node\u202e\n" + "z" * 400), 8, 8, 3, 3, 3, 3).name.startswith("node\\u202e")
    assert len(safe_name("z" * 400)) <= MAX_NAME
    assert Network("net\u202ename", (ConvLayer("a", 8, 8, 3, 3, 3, 3),)).name == "net\\u202ename"
    for fine in ("conv1_1", "层1", "/layer1/conv/Conv", "ä ö ü", "x" * MAX_NAME):
        assert ConvLayer(fine, 8, 8, 3, 3, 3, 3).name == fine


def test_csv_exports_keep_formula_names_as_text(capsys, tmp_path):
    assert spreadsheet_safe("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert [spreadsheet_safe(s) for s in ("+1", "-1", "@x", "\tq", "conv1")] == ["'+1", "'-1", "'@x", "'\tq", "conv1"]
    path = tmp_path / "l.csv"
    path.write_text("name,in_h,in_w,in_c,out_c,k_h,k_w\n=cmd|' /C calc'!A0,8,8,3,3,3,3\n@sum,8,8,3,3,3,3\n")
    assert main(["map", "--network", str(path), "--format", "csv", "--methods", "sdk"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["layer"] for r in rows] == ["'=cmd|' /C calc'!A0", "'@sum"]


def test_repeated_names_are_checked_in_one_pass_and_listed_briefly():
    layers = tuple(ConvLayer(f"l{i % 50_000}", 8, 8, 3, 3, 3, 3) for i in range(100_000))
    with pytest.raises(XbarError) as e:
        Network("big", layers)
    assert "repeated: l0, l1, l10, " in str(e.value) and "(+49990 more)" in str(e.value)
