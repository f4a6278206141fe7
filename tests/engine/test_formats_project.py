"""Project files: exact round trip, network_file references, atomic saving, validation."""
import json
import os
import shutil
from dataclasses import FrozenInstanceError, replace
from pathlib import Path

import pytest

from engine import ArraySpec, ConvLayer, FormatError, XbarError
from engine.formats import Project, load_network, load_project, save_project, textio
from engine.network import Network

SAMPLES = Path(__file__).parent.parent / "data" / "samples"
NET = Network("tiny", (ConvLayer("c1", 16, 16, 3, 8, 3, 3, pad_h=1, pad_w=1),
                       ConvLayer("dw", 16, 16, 8, 8, 3, 3, 2, 1, groups=8),
                       ConvLayer.linear("fc", 2048, 10)), description="for tests")
ARRAY = ArraySpec(256, 128, 2, 8)


def _project(**changes):
    base = Project(NET, ARRAY, ("vw-sdk", "im2col"), {"order": "input-stationary", "bits": [1, 2]},
                   {"layer": 2, "zoom": 1.5, "panels": {"left": True}})
    return replace(base, **changes) if changes else base


def test_project_round_trips_exactly(tmp_path):
    project = _project()
    save_project(project, tmp_path / "p.json")
    back = load_project(tmp_path / "p.json")
    assert back == project
    assert back.methods == ("vw-sdk", "im2col") and back.array.weight_bits == 8
    assert back.options["bits"] == [1, 2] and back.view["panels"] == {"left": True}
    assert back.network.layers[1].groups == 8 and back.network.description == "for tests"
    save_project(back, tmp_path / "again.json")
    assert (tmp_path / "again.json").read_bytes() == (tmp_path / "p.json").read_bytes()


def test_project_document_has_the_documented_shape(tmp_path):
    save_project(_project(), tmp_path / "p.json")
    doc = json.loads((tmp_path / "p.json").read_text())
    assert list(doc) == ["format", "version", "network", "array", "methods", "options", "view"]
    assert (doc["format"], doc["version"]) == ("xbarscope-project", 1)
    assert doc["network"]["format"] == "xbarscope-layers" and len(doc["network"]["layers"]) == 3
    assert doc["array"] == {"rows": 256, "cols": 128, "cell_bits": 2, "weight_bits": 8}


def test_defaults_and_load_network_on_a_project(tmp_path):
    project = Project(NET, ARRAY)
    assert project.methods == ("im2col", "sdk", "vw-sdk") and project.options == {} and project.view == {}
    save_project(project, tmp_path / "p.json")
    assert load_project(tmp_path / "p.json") == project
    assert load_network(tmp_path / "p.json") == NET


def test_project_is_immutable_and_hashable():
    project = _project()
    with pytest.raises(FrozenInstanceError):
        project.methods = ("sdk",)
    with pytest.raises(TypeError):
        project.options["order"] = "x"
    assert hash(project) == hash(_project()) and len({project, _project()}) == 1
    assert project != _project(view={})


def test_network_file_is_resolved_from_the_project_folder_and_kept(tmp_path):
    (tmp_path / "nets").mkdir()
    shutil.copy(SAMPLES / "scalesim-mobilnet_paper.csv", tmp_path / "nets" / "mb.csv")
    (tmp_path / "p.json").write_text(json.dumps({
        "format": "xbarscope-project", "version": 1, "network_file": "nets/mb.csv",
        "array": {"rows": 512, "cols": 512}, "methods": ["sdk"]}))
    project = load_project(tmp_path / "p.json")
    assert len(project.network.layers) == 28 and project.network.layers[1].groups == 32
    assert project.network_file == "nets/mb.csv" and project.methods == ("sdk",)
    assert any("depthwise" in n for n in project.network.notes)
    save_project(project, tmp_path / "q.json")
    doc = json.loads((tmp_path / "q.json").read_text())
    assert doc["network_file"] == "nets/mb.csv" and "network" not in doc
    assert load_project(tmp_path / "q.json") == project


def test_network_file_errors_name_both_files(tmp_path):
    (tmp_path / "bad.csv").write_text("8,8,1,3,3,4,0,1\n8,8,4,3,3,x,0,1\n")
    (tmp_path / "p.json").write_text('{"format": "xbarscope-project", "version": 1,\n'
                                      ' "network_file": "bad.csv",\n "array": {}}')
    with pytest.raises(FormatError) as e:
        load_project(tmp_path / "p.json")
    assert e.value.path == str(tmp_path / "p.json") and e.value.line == 2
    assert "bad.csv, line 2" in str(e.value) and "C_out" in str(e.value)


def test_network_file_may_not_name_a_project(tmp_path):
    save_project(_project(), tmp_path / "inner.json")
    (tmp_path / "p.json").write_text('{"format": "xbarscope-project", "version": 1, '
                                      '"network_file": "p.json", "array": {}}')
    with pytest.raises(FormatError, match="network_file must name a layer list"):
        load_project(tmp_path / "p.json")


def test_saving_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "p.json"
    save_project(_project(), path)
    before = path.read_bytes()

    def crash(src, dst):
        assert Path(src).parent == Path(dst).parent  # the temp file sits in the same folder
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(textio.os, "replace", crash)
    with pytest.raises(FormatError, match="No space left on device"):
        save_project(_project(methods=("sdk",)), path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["p.json"]  # no temp file left behind


def test_saving_keeps_the_file_mode(tmp_path):
    path = tmp_path / "p.json"
    save_project(_project(), path)
    os.chmod(path, 0o640)
    save_project(_project(view={}), path)
    assert path.stat().st_mode & 0o777 == 0o640 and load_project(path).view == {}


@pytest.mark.parametrize("kwargs, words", [
    ({"methods": ("im2col", "fast")}, "'fast' is not a method"),
    ({"methods": ()}, "non-empty"),
    ({"methods": ("sdk", "sdk")}, "twice"),
    ({"methods": "sdk"}, "list of method names"),
    ({"options": {"x": float("nan")}}, "options.x"),
    ({"options": {1: 2}}, "keys must be text"),
    ({"view": {"w": object()}}, "view.w: 'object' values cannot be saved"),
    ({"view": []}, "view: must be an object"),
    ({"network_file": " "}, "network_file"),
])
def test_invalid_projects_are_refused_by_field(kwargs, words):
    with pytest.raises(XbarError, match=words.replace("(", r"\(").replace(".", r"\.")):
        Project(NET, ARRAY, **kwargs)


@pytest.mark.parametrize("doc, line, words", [
    ('{"format": "xbarscope-project",\n "version": 2}', 2, "newer"),
    ('{"format": "xbarscope-project",\n "version": "1"}', 2, "whole number"),
    ('{"format": "xbarscope-layers", "version": 1}', 1, "expected 'xbarscope-project'"),
    ('{"format": "xbarscope-project", "version": 1,\n "netwrk": {}}', 2, "unknown key 'netwrk'"),
    ('{"format": "xbarscope-project", "version": 1, "array": {}}', None, "either 'network' or"),
    ('{"format": "xbarscope-project", "version": 1,\n "network": {"layers": '
     '[{"in_h": 1, "in_w": 1, "in_c": 1, "out_c": 1, "k_h": 1, "k_w": 1}]}}', None, "needs 'array'"),
    ('{"format": "xbarscope-project", "version": 1,\n "network": {"layers": '
     '[{"in_h": 1, "in_w": 1, "in_c": 1, "out_c": 1, "k_h": 1, "k_w": 1}]},\n'
     ' "array": {"rows": -4}}', 3, "array: rows: must be at least 1"),
    ('{"format": "xbarscope-project", "version": 1,\n "network": {"layers": '
     '[{"in_h": 1, "in_w": 1, "in_c": 1, "out_c": 1, "k_h": 1, "k_w": 1}]},\n'
     ' "array": {},\n "methods": ["im2col", "magic"]}', 4, "'magic' is not a method"),
    ('{"format": "xbarscope-project", "version": 1,\n "network": {"layers": '
     '[{"name": "a", "in_h": 1, "in_w": 1, "in_c": 1, "out_c": 1, "k_h": 3, "k_w": 1}]},\n'
     ' "array": {}}', 2, "layer 'a': k_h: kernel height 3"),
])
def test_project_file_errors_name_file_and_line(tmp_path, doc, line, words):
    path = tmp_path / "p.json"
    path.write_text(doc)
    with pytest.raises(FormatError) as e:
        load_project(path)
    assert e.value.path == str(path) and e.value.line == line and words in str(e.value)


def test_read_project_reads_inline_projects_and_names_referenced_files(tmp_path):
    import json

    from engine.formats.project import read_project

    ref = tmp_path / "p.xbarscope.json"
    ref.write_text(json.dumps({"format": "xbarscope-project", "version": 1, "network_file": "models/m.onnx",
                               "array": {"rows": 64, "cols": 64}}))
    found = read_project(ref)  # named, not read: it need not exist
    assert (found.ref, found.target, found.outside) == ("models/m.onnx", tmp_path / "models" / "m.onnx", None)
    inline = tmp_path / "q.xbarscope.json"
    save_project(Project(Network("n", (ConvLayer("c", 8, 8, 3, 4, 3, 3),)), ArraySpec(64, 64)), inline)
    assert read_project(inline) == load_project(inline)
    bad = tmp_path / "r.json"
    bad.write_text('{"format": "something-else"}')
    with pytest.raises(XbarError, match="r.json"):
        read_project(bad)


# --- the chip spec (issue 16: the chip view's spec is saved in the project) ------------------
def test_chip_spec_round_trips_and_old_projects_have_none(tmp_path):
    import json

    from engine.chip import ChipSpec

    chip = ChipSpec(arrays=300, arrays_per_tile=4, input_bits=6, dac_bits=2, adc_bits=9, columns_per_adc=4,
                    t_read_ns=12.5, reprogram_ns=0)
    save_project(_project(chip=chip), tmp_path / "p.json")
    doc = json.loads((tmp_path / "p.json").read_text())
    assert doc["chip"] == chip.to_dict()
    back = load_project(tmp_path / "p.json")
    assert back.chip == chip and back == _project(chip=chip)
    save_project(_project(), tmp_path / "old.json")  # no chip: no key, and it reads back without one
    assert "chip" not in json.loads((tmp_path / "old.json").read_text())
    assert load_project(tmp_path / "old.json").chip is None


_CHIP_DOC = ('{"format": "xbarscope-project", "version": 1,\n "network": {"layers": '
             '[{"in_h": 1, "in_w": 1, "in_c": 1, "out_c": 1, "k_h": 1, "k_w": 1}]},\n "array": {},\n'
             ' "chip": {"arrays": 64,\n  %s}}')


@pytest.mark.parametrize("field, line, words", [
    ('"adc_bits": 0', 5, "chip: adc_bits: must be from 1"),
    ('"dac_bits": 4, "input_bits": 2', 5, "chip: dac_bits: 4 DAC bits are more than the 2 input bits"),
    ('"t_read_ns": "fast"', 5, "chip: t_read_ns: must be a number of nanoseconds"),
    ('"arays": 3', 5, "chip: arays: unknown field"),
])
def test_chip_errors_name_the_field_and_its_line(tmp_path, field, line, words):
    path = tmp_path / "p.json"
    path.write_text(_CHIP_DOC % field)
    with pytest.raises(FormatError) as e:
        load_project(path)
    assert e.value.line == line and words in str(e.value)


def test_chip_that_is_not_an_object_is_refused_at_its_line(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(_CHIP_DOC.replace('{"arrays": 64,\n  %s}', "[1, 2]"))
    with pytest.raises(FormatError) as e:
        load_project(path)
    assert e.value.line == 4 and "chip: spec: must be a mapping" in str(e.value)


def test_project_refuses_a_chip_that_is_not_a_chip_spec():
    with pytest.raises(XbarError, match="chip: must be a ChipSpec"):
        Project(NET, ARRAY, chip={"arrays": 4})
