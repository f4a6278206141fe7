"""Timeloop / CiMLoop problem YAML: single layer files, numbered layer folders, include_text
and the `<<<:` merge key, and the limits on what an include may reach.

The files are written here in the shape Timeloop's CNN-layer problems and CiMLoop's workload
folders take (a base file with an anchored `problem_base`, layer files that include it and
merge over it); they are not copies of those projects' files.
"""
import os
import subprocess
import sys

import pytest

pytest.importorskip("yaml")

from engine import ConvLayer, FormatError  # noqa: E402
from engine.formats import FORMATS, detect_format, load_network  # noqa: E402
from engine.formats.yamltext import MAX_INCLUDE_DEPTH  # noqa: E402

BASE = """\
problem_base_ignore: &problem_base
  version: 0.4
  instance:
    N: BATCH_SIZE          # symbolic: not used by XbarScope
    X: ENCODED_INPUT_BITS
    C: 1
    H: 1                   # placeholders that fit no layer
    W: 1
    G: 1
    R: 1
    S: 1
    Hdilation: 1
    Hstride: 1
    Wdilation: 1
    Wstride: 1
    M: 1
    P: 1
    Q: 1
  shape:
    dimensions: [C, M, R, S, N, P, Q, X, Y, Z, G]
"""


def layer_file(instance: str, include: str = "../problem_base.yaml") -> str:
    return (f"{{{{include_text('{include}')}}}}\nproblem:\n  <<<: *problem_base\n"
            f"  instance: {{{instance}}}\n  name: Conv2d\n  histograms:\n    Inputs: [0, 0.5, 0.5]\n")


@pytest.fixture
def workloads(tmp_path):
    """workloads/problem_base.yaml and workloads/tiny/{0,1,2,10}.yaml, CiMLoop's layout."""
    root = tmp_path / "workloads"
    net = root / "tiny"
    net.mkdir(parents=True)
    (root / "problem_base.yaml").write_text(BASE)
    (net / "0.yaml").write_text(layer_file("C: 3, M: 16, P: 30, Q: 30, R: 3, S: 3"))
    (net / "1.yaml").write_text(layer_file("C: 16, M: 32, P: 14, Q: 14, R: 3, S: 3, Hstride: 2, Wstride: 2"))
    (net / "2.yaml").write_text(layer_file("C: 32, M: 32, P: 14, Q: 14, G: 32, R: 3, S: 3"))
    (net / "10.yaml").write_text(layer_file("C: 6272, M: 10"))
    (net / "notes.yaml").write_text("anything: 1\n")  # no number: not a layer
    (net / "README.txt").write_text("not YAML")
    return net


def test_cimloop_folder_is_one_network_in_numeric_order(workloads):
    assert detect_format(workloads) == "timeloop"
    net = load_network(workloads)
    assert net.name == "tiny" and net.source == str(workloads)
    assert [x.name for x in net.layers] == ["0", "1", "2", "10"]  # 10 after 2, not after 1
    l0, l1, l2, fc = net.layers
    # Output size first: H = (P-1)*Hstride + R, padding 0; the base's H: 1 is a placeholder.
    assert l0 == ConvLayer("0", 32, 32, 3, 16, 3, 3)
    assert l1 == ConvLayer("1", 29, 29, 16, 32, 3, 3, 2, 2)
    assert (l1.out_h, l1.out_w) == (14, 14)
    assert l2 == ConvLayer("2", 16, 16, 32 * 32, 32 * 32, 3, 3, groups=32)  # C, M per group
    assert fc.kind == "linear" and (fc.in_c, fc.out_c) == (6272, 10)
    notes = "\n".join(net.notes)
    assert "4 layer files read in numeric order (0.yaml ... 10.yaml)" in notes
    assert "H = (P-1)*Hstride + R" in notes and "padding 0" in notes
    assert "placeholder" in notes and "notes.yaml" in notes
    assert "Layer '2': G groups" in notes
    assert "Chain check: layer '1' takes 16 channels of 29x29; '0' before it gives 16 channels of 30x30" in notes


def test_merge_is_recursive_and_the_layer_file_wins(workloads):
    (workloads / "0.yaml").write_text(
        "{{include_text('../problem_base.yaml')}}\n"
        "problem:\n  <<<: *problem_base\n  instance:\n    C: 8\n    M: 4\n    P: 6\n    Q: 5\n"
        "    R: 3\n    S: 1\n    H: 8\n    W: 5\n")
    (layer,) = load_network(workloads / "0.yaml").layers
    # Merged over the base: Hstride, G ... from it; H, W given and fitting (no padding needed).
    assert layer == ConvLayer("0", 8, 5, 8, 4, 3, 1)


def test_given_input_size_that_needs_padding(tmp_path):
    path = tmp_path / "same.yaml"
    path.write_text("problem:\n  instance: {C: 4, M: 4, P: 8, Q: 8, R: 3, S: 3, H: 8, W: 8}\n")
    net = load_network(path)
    assert net.layers == (ConvLayer("same", 8, 8, 4, 4, 3, 3, pad_h=1, pad_w=1),)
    assert any("zero padding that gives its output size" in n for n in net.notes)


def test_plain_timeloop_files_old_and_new_forms(tmp_path):
    new = tmp_path / "conv1.yml"
    new.write_text("problem:\n  shape:\n    name: CNN-Layer\n    dimensions: [C, M, R, S, N, P, Q]\n"
                   "  instance:\n    C: 3\n    M: 96\n    R: 11\n    S: 11\n    N: 4\n    P: 55\n    Q: 55\n"
                   "    Wstride: 4\n    Hstride: 4\n")
    old = tmp_path / "old.txt"  # dimensions straight under problem:, not a .yaml name
    old.write_text("problem:\n  R: 3\n  S: 3\n  P: 8\n  Q: 8\n  C: 2\n  M: 4\n  N: 1\n")
    net = load_network(new)
    assert net.layers == (ConvLayer("conv1", 227, 227, 3, 96, 11, 11, 4, 4),)
    assert any("batch N > 1 not used" in n for n in net.notes)
    assert detect_format(old) == "timeloop"
    assert load_network(old).layers == (ConvLayer("old", 10, 10, 2, 4, 3, 3),)


def test_different_strides_are_read_as_pytorch2timeloop_writes_them(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("problem:\n  instance: {C: 1, M: 1, P: 4, Q: 4, R: 3, S: 3, Hstride: 2, Wstride: 1}\n")
    net = load_network(path)
    assert net.layers == (ConvLayer("s", 9, 6, 1, 1, 3, 3, 2, 1),)
    assert any("Hstride and Wstride differ" in n for n in net.notes)


@pytest.mark.parametrize("body, words", [
    ("problem:\n  instance: {C: BATCH, M: 4}\n", "problem.instance.C: 'BATCH' is not a whole number"),
    ("problem:\n  instance: {C: 4, M: 4, R: 3, S: 3, Hdilation: 2}\n", "dilation 2x1 is not supported"),
    ("problem:\n  shape: {dimensions: [M, N, K]}\n  instance: {M: 4, N: 4, K: 4}\n", "not a CNN layer's"),
    ("arch:\n  nodes: []\n", "no 'problem:' section"),
    ("problem: [1, 2]\n", "'problem:' must be a mapping"),
    ("problem:\n  instance: {C: 0, M: 4}\n", "in_c: must be at least 1"),
    ("problem:\n  instance: {C: 4\n", "invalid YAML"),
    ("problem:\n  instance: {C: 4, M: {{ M }}}\n", "XbarScope resolves only"),
    ("problem:\n  <<<: 3\n  instance: {C: 4}\n", "'<<<:' must name a mapping"),
    ("problem:\n  instance: !!python/object:os.system {C: 4}\n", "invalid YAML"),
])
def test_bad_layer_files(tmp_path, body, words):
    path = tmp_path / "bad.yaml"
    path.write_text(body)
    with pytest.raises(FormatError) as e:
        load_network(path)
    assert e.value.path == str(path) and words in str(e.value)


def test_yaml_errors_never_say_json(tmp_path):
    path = tmp_path / "layer.yaml"
    path.write_text("{problem: {instance: {C: 4, M: [}}")
    with pytest.raises(FormatError) as e:
        load_network(path)
    assert "invalid YAML" in str(e.value) and "JSON" not in str(e.value)
    flow = tmp_path / "flow.txt"  # YAML flow style, which starts like JSON
    flow.write_text("{problem: {instance: {C: 4, M: 8, P: 2, Q: 2}}}\n")
    assert load_network(flow).layers == (ConvLayer("flow", 2, 2, 4, 8, 1, 1),)


def test_alias_bombs_stop_with_a_message(tmp_path):
    # b_i = {n: b_i-1, m: b_i-1} is small as aliases; merging it into itself doubles each level.
    lines = ["b0: &b0 {x: 1}"] + [f"b{i}: &b{i} {{n: *b{i - 1}, m: *b{i - 1}}}" for i in range(1, 30)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\nproblem:\n  <<<: [*b29, *b29]\n  instance: {C: 1}\n")
    with pytest.raises(FormatError, match="expands to more than 1,000,000 nodes"):
        load_network(path)


# --- include limits -------------------------------------------------------------------------

def test_include_climbing_two_folders_up_is_refused(workloads):
    (workloads.parent.parent / "secret.yaml").write_text(BASE)
    (workloads / "0.yaml").write_text(layer_file("C: 1", include="../../secret.yaml"))
    with pytest.raises(FormatError) as e:
        load_network(workloads / "0.yaml")
    assert "include_text('../../secret.yaml') leads outside" in str(e.value) and e.value.line == 1
    with pytest.raises(FormatError, match="leads outside"):
        load_network(workloads)  # the folder's files have the same limit


@pytest.mark.parametrize("location", ["/etc/passwd", "C:\\\\base.yaml", "\\\\\\\\server\\\\share\\\\b.yaml"])
def test_absolute_includes_are_refused(workloads, location):
    (workloads / "0.yaml").write_text(layer_file("C: 1", include=location))
    with pytest.raises(FormatError, match="is an absolute path"):
        load_network(workloads / "0.yaml")


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_an_include_through_a_link_that_leaves_the_tree_is_refused(workloads):
    outside = workloads.parent.parent / "elsewhere"
    outside.mkdir()
    (outside / "problem_base.yaml").write_text(BASE)
    (workloads.parent / "problem_base.yaml").unlink()
    os.symlink(outside / "problem_base.yaml", workloads.parent / "problem_base.yaml")
    with pytest.raises(FormatError, match="leads outside"):
        load_network(workloads / "0.yaml")


def test_nested_includes_cycles_and_depth(tmp_path):
    top = tmp_path / "net"
    top.mkdir()
    (top / "base.yaml").write_text(BASE)
    (top / "mid.yaml").write_text("{{include_text('base.yaml')}}\n")
    (top / "0.yaml").write_text(layer_file("C: 2, M: 2", include="mid.yaml"))
    assert load_network(top / "0.yaml").layers[0].in_c == 2  # two levels: fine
    (top / "a.yaml").write_text("{{include_text('b.yaml')}}\n")
    (top / "b.yaml").write_text("{{include_text(\"a.yaml\")}}\n")
    (top / "1.yaml").write_text(layer_file("C: 1", include="a.yaml"))
    with pytest.raises(FormatError, match="makes a cycle: 1.yaml -> a.yaml -> b.yaml -> a.yaml"):
        load_network(top / "1.yaml")
    for i in range(MAX_INCLUDE_DEPTH + 2):
        (top / f"d{i}.yaml").write_text(f"{{{{include_text('d{i + 1}.yaml')}}}}\n")
    (top / f"d{MAX_INCLUDE_DEPTH + 2}.yaml").write_text(BASE)
    (top / "2.yaml").write_text(layer_file("C: 1", include="d0.yaml"))
    with pytest.raises(FormatError, match=f"nested more than {MAX_INCLUDE_DEPTH} levels"):
        load_network(top / "2.yaml")


def test_missing_include_names_the_file(workloads):
    (workloads / "0.yaml").write_text(layer_file("C: 1", include="../nope.yaml"))
    with pytest.raises(FormatError, match="nope.yaml: file not found"):
        load_network(workloads / "0.yaml")


# --- folders ----------------------------------------------------------------------------------

def test_other_folders_are_refused_clearly(tmp_path):
    (tmp_path / "a.csv").write_text("8,8,1,3,3,4,0,1\n")
    for call in (load_network, detect_format):
        with pytest.raises(FormatError, match="is a folder, not a file; XbarScope opens a folder only when "
                                              "it holds numbered Timeloop/CiMLoop layer files"):
            call(tmp_path)
    with pytest.raises(FormatError, match="not format 'csv'"):
        load_network(tmp_path, "csv")


def test_folder_load_reports_progress_and_cancels(workloads):
    from engine import Cancelled

    seen = []
    load_network(workloads, progress=lambda done, total, text: seen.append((done, total)))
    assert seen == [(0, 4), (1, 4), (2, 4), (3, 4)]
    with pytest.raises(Cancelled):
        load_network(workloads, should_stop=lambda: True)


def test_registry_and_cli_take_a_folder(workloads):
    assert FORMATS["timeloop"].extensions == (".yaml", ".yml") and not FORMATS["timeloop"].writable
    out = subprocess.run([sys.executable, "-m", "engine.cli", "map", "--network", str(workloads),
                          "--format", "csv", "--methods", "im2col"], capture_output=True, text=True,
                         cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[1].startswith("0,im2col,")
    assert "note: 4 layer files read in numeric order" in out.stderr
