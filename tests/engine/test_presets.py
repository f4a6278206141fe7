"""The built-in presets: generated files up to date, layer counts and shapes, published totals."""
import importlib.util
import json
import re
import sys
import types
from dataclasses import replace

import pytest

from engine import ArraySpec, DEFAULT_METHODS, XbarError, map_layer
from engine.network import network_to_dict
from engine.presets import list_presets, load_preset, preset_names, resolve_network
from engine.resources import resource_path

PAPER = ("vgg13-paper", "resnet18-paper")
REAL = ("resnet20", "wrn16-4", "vgg13", "vgg16", "resnet18", "resnet34", "resnet50", "mobilenet-v2")
COUNTS = {  # name: (conv layers, linear layers)
    "vgg13-paper": (10, 0), "resnet18-paper": (5, 0), "cnn8-svhn": (7, 0),
    "resnet20": (21, 1), "wrn16-4": (16, 1), "vgg13": (10, 3), "vgg16": (13, 3),
    "resnet18": (20, 1), "resnet34": (36, 1), "resnet50": (53, 1), "mobilenet-v2": (52, 1),
}


def _generator():
    path = resource_path("presets", "make_presets.py")
    spec = importlib.util.spec_from_file_location("make_presets", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_json_is_the_generators_output():
    gen = _generator()
    docs = gen.build()
    assert {p.stem for p in resource_path("presets").glob("*.json")} == set(docs)
    for name, doc in docs.items():
        text = resource_path("presets", f"{name}.json").read_text(encoding="utf-8")
        assert text == gen.render(doc), f"{name}.json is stale: run resources/presets/make_presets.py"


def test_list_order_and_names():
    names = [n for n, _ in list_presets()]
    assert names[:2] == list(PAPER)
    assert names == list(preset_names())
    assert set(names) == set(COUNTS)


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_preset_loads_and_round_trips(name):
    net = load_preset(name)
    assert net.name == name and net.source == f"preset:{name}"
    assert len(net.description) > 80
    assert load_preset(name) is net  # cached
    # The files hold network.py's canonical form, so saving a preset gives back the same document.
    gen_doc = _generator().build()[name]
    assert network_to_dict(net) == gen_doc


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_layer_counts(name):
    layers = load_preset(name).layers
    assert (sum(x.kind == "conv" for x in layers), sum(x.kind == "linear" for x in layers)) == COUNTS[name]


def test_default_arrays():
    assert load_preset("vgg13-paper").array == ArraySpec(512, 512, 1, 1)
    assert load_preset("resnet18-paper").array == ArraySpec(512, 512, 1, 1)
    assert load_preset("cnn8-svhn").array == ArraySpec(256, 512, 1, 1)
    assert all(load_preset(n).array is None for n in REAL)


@pytest.mark.parametrize("name, totals", [
    ("vgg13-paper", (243736, 114697, 77102)),  # mapping model, section 8
    ("resnet18-paper", (20041, 7240, 4294)),
])
def test_paper_totals(name, totals):
    net = load_preset(name)
    assert all((x.stride_h, x.stride_w, x.pad_h, x.pad_w) == (1, 1, 0, 0) for x in net.layers)
    got = tuple(sum(map_layer(x, net.array, m).cycles for x in net.layers) for m in DEFAULT_METHODS)
    assert got == totals


# --- shape tracing: each layer's input follows from what came before ---

BLOCK = re.compile(r"^(layer\d+\.\d+|block\d+\.layer\.\d+|features\.\d+)\.")
SHORTCUT = re.compile(r"\.(downsample\.0|shortcut\.0|convShortcut)$")
GLOBAL = "global average pool"
MAXPOOL_2 = (2, 2, 0)
RESNET_POOLS = {"layer1.0.conv1": (3, 2, 1), "fc": GLOBAL}
POOLS = {  # pools before the named layer: (kernel, stride, padding) or GLOBAL
    "vgg13": {f"features.{i}": MAXPOOL_2 for i in (5, 10, 15, 20)} | {"classifier.0": MAXPOOL_2},
    "vgg16": {f"features.{i}": MAXPOOL_2 for i in (5, 10, 17, 24)} | {"classifier.0": MAXPOOL_2},
    "resnet18": RESNET_POOLS, "resnet34": RESNET_POOLS, "resnet50": RESNET_POOLS,
    "resnet20": {"linear": GLOBAL}, "wrn16-4": {"fc": GLOBAL}, "mobilenet-v2": {"classifier.1": GLOBAL},
}
# Networks whose every block adds its input back (through a projection where shapes change).
# MobileNetV2 adds only where shapes already match, so it has nothing to check there.
ALWAYS_RESIDUAL = {"resnet18", "resnet34", "resnet50", "resnet20", "wrn16-4"}


def _in(x):
    return x.in_h, x.in_w, x.in_c


def _out(x):
    return x.out_h, x.out_w, x.out_c


def _pool(shape, op):
    h, w, c = shape
    if op == GLOBAL:
        return 1, 1, c
    k, s, p = op
    return (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1, c


def trace(layers, pools, residual):
    """Follow the main path; a shortcut conv must read its block's input and match its output."""
    shape = _in(layers[0])
    block = block_in = None
    projected = False
    for x in layers:
        if SHORTCUT.search(x.name):
            assert _in(x) == block_in and _out(x) == shape, x.name
            projected = True
            continue
        m = BLOCK.match(x.name)
        if (m and m.group(1)) != block:
            if residual and block is not None and not projected:
                assert shape == block_in, f"identity shortcut of {block}: {shape} != {block_in}"
            if x.name in pools:
                shape = _pool(shape, pools[x.name])
            block, block_in, projected = m and m.group(1), shape, False
        elif x.name in pools:
            shape = _pool(shape, pools[x.name])
        if x.kind == "linear":
            assert x.in_c == shape[0] * shape[1] * shape[2], x.name
            shape = (1, 1, x.out_c)
        else:
            assert _in(x) == shape, x.name
            shape = _out(x)
    return shape


@pytest.mark.parametrize("name", REAL)
def test_real_networks_chain(name):
    net = load_preset(name)
    classes = 10 if name in ("resnet20", "wrn16-4") else 1000
    assert _in(net.layers[0]) == ((32, 32, 3) if classes == 10 else (224, 224, 3))
    assert trace(net.layers, POOLS[name], name in ALWAYS_RESIDUAL) == (1, 1, classes)


def test_trace_catches_a_missing_projection():
    layers = [x for x in load_preset("resnet18").layers if x.name != "layer3.0.downsample.0"]
    with pytest.raises(AssertionError, match="layer3.0"):
        trace(layers, POOLS["resnet18"], True)


def test_trace_catches_a_wrong_size():
    layers = list(load_preset("vgg16").layers)
    layers[7] = replace(layers[7], in_h=56, in_w=56)  # features.17 reads the 28x28 map
    with pytest.raises(AssertionError, match="features.17"):
        trace(layers, POOLS["vgg16"], False)


def _layer(preset, name):
    return next(x for x in load_preset(preset).layers if x.name == name)


def _spec(x):
    return (x.in_h, x.in_c, x.out_c, x.k_h, x.stride_h, x.pad_h, x.groups, x.out_h)


@pytest.mark.parametrize("preset, name, spec", [  # in, IC, OC, K, stride, pad, groups, out
    ("vgg13-paper", "conv1_1", (224, 3, 64, 3, 1, 0, 1, 222)),
    ("vgg13-paper", "conv5_2", (14, 512, 512, 3, 1, 0, 1, 12)),
    ("resnet18-paper", "conv1", (112, 3, 64, 7, 1, 0, 1, 106)),
    ("cnn8-svhn", "conv1", (40, 3, 24, 5, 1, 0, 1, 36)),
    ("cnn8-svhn", "conv7", (5, 64, 256, 5, 1, 0, 1, 1)),
    ("resnet18", "conv1", (224, 3, 64, 7, 2, 3, 1, 112)),
    ("resnet18", "layer2.0.downsample.0", (56, 64, 128, 1, 2, 0, 1, 28)),
    ("resnet34", "layer3.5.conv2", (14, 256, 256, 3, 1, 1, 1, 14)),
    ("resnet50", "layer1.0.downsample.0", (56, 64, 256, 1, 1, 0, 1, 56)),
    ("resnet50", "layer2.0.conv1", (56, 256, 128, 1, 1, 0, 1, 56)),  # v1.5: not strided
    ("resnet50", "layer2.0.conv2", (56, 128, 128, 3, 2, 1, 1, 28)),  # v1.5: strided
    ("resnet50", "layer4.2.conv3", (7, 512, 2048, 1, 1, 0, 1, 7)),
    ("resnet20", "layer3.0.shortcut.0", (16, 32, 64, 1, 2, 0, 1, 8)),
    ("wrn16-4", "block1.layer.0.convShortcut", (32, 16, 64, 1, 1, 0, 1, 32)),
    ("wrn16-4", "block3.layer.0.conv1", (16, 128, 256, 3, 2, 1, 1, 8)),
    ("mobilenet-v2", "features.1.conv.0.0", (112, 32, 32, 3, 1, 1, 32, 112)),
    ("mobilenet-v2", "features.14.conv.1.0", (14, 576, 576, 3, 2, 1, 576, 7)),
    ("mobilenet-v2", "features.17.conv.2", (7, 960, 320, 1, 1, 0, 1, 7)),
    ("mobilenet-v2", "features.18.0", (7, 320, 1280, 1, 1, 0, 1, 7)),
])
def test_known_layers(preset, name, spec):
    assert _spec(_layer(preset, name)) == spec


def test_known_classifiers():
    assert [(x.in_c, x.out_c) for x in load_preset("vgg16").layers[-3:]] == [(25088, 4096), (4096, 4096), (4096, 1000)]
    assert (_layer("resnet50", "fc").in_c, _layer("mobilenet-v2", "classifier.1").in_c) == (2048, 1280)


def test_mobilenet_depthwise_layers():
    dw = [x for x in load_preset("mobilenet-v2").layers if x.groups > 1]
    assert len(dw) == 17
    assert all(x.groups == x.in_c == x.out_c and x.k_h == 3 for x in dw)
    assert sum(x.stride_h == 2 for x in dw) == 4  # plus the stem: 224 -> 7 is five halvings


# --- lookup errors and resolve_network ---

def test_unknown_preset_lists_known_names():
    with pytest.raises(XbarError, match=r"unknown preset 'vgg19'.*vgg13-paper.*mobilenet-v2"):
        load_preset("vgg19")


def test_resolve_preset_name():
    assert resolve_network("resnet50") is load_preset("resnet50")


def test_resolve_unknown_name_that_is_not_a_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(XbarError, match=r"'resnet51' is neither a preset nor an existing file; presets: vgg13-paper"):
        resolve_network("resnet51")
    with pytest.raises(XbarError, match="is a folder, not a network file"):
        resolve_network(tmp_path)


def test_resolve_file_goes_through_formats(tmp_path, monkeypatch):
    # engine.formats is written separately; a stand-in checks the routing on its own.
    seen = []
    fake = types.ModuleType("engine.formats")
    fake.load_network = lambda path: seen.append(path) or load_preset("resnet20")
    monkeypatch.setitem(sys.modules, "engine.formats", fake)
    path = tmp_path / "vgg13"  # a file named like a preset is still a file when given as a path
    path.write_text("{}")
    assert resolve_network(path) is load_preset("resnet20")
    assert seen == [path]


def test_resolve_file_round_trip(tmp_path):
    formats = pytest.importorskip("engine.formats")
    if not hasattr(formats, "load_network"):
        pytest.skip("engine.formats.load_network is not there yet")
    path = tmp_path / "net.json"
    path.write_text(json.dumps(network_to_dict(load_preset("wrn16-4"))))
    assert resolve_network(str(path)).layers == load_preset("wrn16-4").layers
