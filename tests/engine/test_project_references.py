"""A project's network_file stays in the project's folder tree (issue 13 item 6).

An absolute name, one that climbs out with `..`, or one that leaves through a link is refused
(naming the project, its line and why) unless the caller allows it: the app asks the user,
and its own autosave, which always names an absolute path, is allowed. A folder of numbered
Timeloop/CiMLoop layer files may be the network_file too.
"""
import json
import os

import pytest

from engine import FormatError
from engine.cli import main
from engine.formats import load_project
from engine.formats.project import read_project

LAYERS = "8,8,1,3,3,4,0,1\n8,8,4,3,3,6,0,1\n"  # native CSV: two layers


def _project(folder, ref) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "p.xbarscope.json"
    path.write_text('{"format": "xbarscope-project", "version": 1,\n'
                    f' "network_file": {json.dumps(ref)},\n "array": {{"rows": 64, "cols": 64}}}}\n')
    return path


@pytest.mark.parametrize("where,ref,why", [
    ("absolute", None, "is an absolute path"),
    ("parent", "../net.csv", "climbs out of"),
    ("deeper", "sub/../../net.csv", "climbs out of"),
])
def test_references_leaving_the_tree_are_refused_unless_allowed(tmp_path, where, ref, why):
    (tmp_path / "net.csv").write_text(LAYERS)
    path = _project(tmp_path / "project", ref or str(tmp_path / "net.csv"))
    (tmp_path / "project" / "sub").mkdir()
    with pytest.raises(FormatError) as e:
        load_project(path)
    assert e.value.path == str(path) and e.value.line == 2
    assert why in str(e.value) and "a project may name files in its own folder tree only" in str(e.value)
    found = read_project(path)  # the app reads this first and asks
    assert why in found.outside and found.target.resolve() == (tmp_path / "net.csv").resolve()
    assert [layer.out_c for layer in load_project(path, outside_ok=True).network.layers] == [4, 6]


def test_a_link_that_leaves_the_tree_is_refused(tmp_path):
    (tmp_path / "net.csv").write_text(LAYERS)
    path = _project(tmp_path / "project", "net.csv")
    os.symlink(tmp_path / "net.csv", tmp_path / "project" / "net.csv")
    with pytest.raises(FormatError, match="leads out of .* through a link"):
        load_project(path)


@pytest.mark.parametrize("ref", ["net.csv", "nets/net.csv", "nets/../net.csv", "./nets/net.csv"])
def test_references_inside_the_tree_load(tmp_path, ref):
    (tmp_path / "nets").mkdir()
    (tmp_path / "nets" / "net.csv").write_text(LAYERS)
    (tmp_path / "net.csv").write_text(LAYERS)
    path = _project(tmp_path, ref)
    assert read_project(path).outside is None
    assert len(load_project(path).network.layers) == 2


def test_a_folder_of_timeloop_layer_files_is_a_network_file(tmp_path):
    pytest.importorskip("yaml")
    layers = tmp_path / "workloads" / "tiny"
    layers.mkdir(parents=True)
    for i, (c, m) in enumerate([(3, 16), (16, 32)]):
        (layers / f"{i}.yaml").write_text(
            f"problem:\n  instance: {{C: {c}, M: {m}, P: 8, Q: 8, R: 3, S: 3}}\n")
    project = load_project(_project(tmp_path, "workloads/tiny"))
    assert [(layer.in_c, layer.out_c, layer.in_h) for layer in project.network.layers] == [(3, 16, 10), (16, 32, 10)]
    assert project.network_file == "workloads/tiny"
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "a.csv").write_text(LAYERS)
    with pytest.raises(FormatError, match="network_file: .*is a folder, not a file"):
        load_project(_project(tmp_path, "other"))


def test_the_cli_refuses_a_reference_that_leaves_the_tree(tmp_path, capsys):
    (tmp_path / "net.csv").write_text(LAYERS)
    path = _project(tmp_path / "project", "../net.csv")
    assert main(["map", "--network", str(path), "--methods", "im2col"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1
    assert "p.xbarscope.json, line 2" in err and "'../net.csv' climbs out of" in err
