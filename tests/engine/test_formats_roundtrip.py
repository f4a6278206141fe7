"""Writing every writable format and reading it back; what each format cannot express."""
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from engine import ConvLayer, FormatError
from engine.formats import FORMATS, load_network, save_network
from engine.network import Network

SAMPLES = Path(__file__).parent.parent / "data" / "samples"
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")),
                min_size=1, max_size=12)


_safe_names = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,8}", fullmatch=True).filter(lambda n: "_dw" not in n)


@st.composite
def conv_layers(draw, name, padding=True, groups=True, per_axis_strides=True):
    h, w = draw(st.integers(1, 40)), draw(st.integers(1, 40))
    ph = draw(st.integers(0, 3)) if padding else 0
    pw = draw(st.integers(0, 3)) if padding else 0
    kh, kw = draw(st.integers(1, h + 2 * ph)), draw(st.integers(1, w + 2 * pw))
    sh = draw(st.integers(1, 4))
    sw = draw(st.integers(1, 4)) if per_axis_strides else sh
    g = draw(st.sampled_from([1, 2, 4])) if groups else 1
    ic, oc = g * draw(st.integers(1, 16)), g * draw(st.integers(1, 16))
    return ConvLayer(name, h, w, ic, oc, kh, kw, sh, sw, ph, pw, g)


@st.composite
def networks(draw, layer, names=names):
    labels = draw(st.lists(names, min_size=1, max_size=6, unique=True))
    layers = [draw(layer(n)) for n in labels]
    if draw(st.booleans()):
        layers.append(ConvLayer.linear(draw(names.filter(lambda n: n not in labels)),
                                       draw(st.integers(1, 4096)), draw(st.integers(1, 4096))))
    return Network("net", tuple(layers))


@pytest.mark.parametrize("fmt", ["json", "csv"])
@FUZZ
@given(net=networks(conv_layers))
def test_native_formats_round_trip_exactly(tmp_path_factory, fmt, net):
    path = tmp_path_factory.mktemp("rt") / f"net.{fmt}"
    save_network(net, path, fmt)
    back = load_network(path)
    assert back.layers == net.layers
    if fmt == "json":
        assert back == net  # the name travels too


def test_native_json_keeps_network_fields(tmp_path):
    from engine import ArraySpec

    net = Network("vgg", (ConvLayer("c1", 8, 8, 3, 4, 3, 3, pad_h=1, pad_w=1),),
                  array=ArraySpec(128, 256, 2, 8), description="two words")
    save_network(net, tmp_path / "n.json")
    back = load_network(tmp_path / "n.json")
    assert back == net and back.array.cols == 256 and back.description == "two words"


def _neurosim_layer(name):
    return conv_layers(name, padding=False, groups=False, per_axis_strides=False).map(
        lambda x: ConvLayer(x.name, x.in_h, x.in_w, x.in_c, x.out_c, x.k_h, x.k_w, x.stride_h,
                            x.stride_w, x.k_h // 2, x.k_w // 2)
    ).filter(lambda x: (x.in_h, x.in_w, x.k_h, x.k_w) != (1, 1, 1, 1))


@FUZZ
@given(net=networks(_neurosim_layer, names=st.from_regex(r"[a-z]{1,6}", fullmatch=True)).map(
    lambda n: Network("n", tuple(ConvLayer(**{**x.to_dict(), "name": f"layer{i + 1}"})
                                 for i, x in enumerate(n.layers)))))
def test_neurosim_round_trips_same_padded_layers(tmp_path_factory, net):
    path = tmp_path_factory.mktemp("ns") / "NetWork.csv"
    save_network(net, path, "neurosim")
    assert load_network(path).layers == net.layers


def test_neurosim_sample_is_written_back_byte_for_byte(tmp_path):
    """pool_after is inferred from the sizes, and comes out as NeuroSim wrote it."""
    save_network(load_network(SAMPLES / "neurosim-NetWork_ResNet18.csv"), tmp_path / "n.csv", "neurosim")
    assert (tmp_path / "n.csv").read_bytes() == (SAMPLES / "neurosim-NetWork_ResNet18.csv").read_bytes()


def test_neurosim_export_loses_padding(tmp_path):
    net = Network("n", (ConvLayer("a", 8, 8, 1, 2, 3, 3), ConvLayer("b", 6, 6, 2, 2, 3, 3, pad_h=2, pad_w=2)))
    save_network(net, tmp_path / "n.csv", "neurosim")
    assert (tmp_path / "n.csv").read_text() == "8,8,1,3,3,2,0,1\n6,6,2,3,3,2,0,1\n"
    assert [x.pad_h for x in load_network(tmp_path / "n.csv").layers] == [1, 1]


@FUZZ
@given(net=networks(lambda n: conv_layers(n, padding=False, groups=False).filter(
    lambda x: (x.in_h, x.in_w, x.k_h, x.k_w) != (1, 1, 1, 1)), names=_safe_names),  # would be FC
       dw=st.booleans())
def test_scalesim_round_trips_unpadded_layers(tmp_path_factory, net, dw):
    layers = list(net.layers)
    if dw:  # a depthwise layer after the first: written as (1, 1), read back over its filters
        c = layers[0].out_c
        layers.insert(1, ConvLayer("x_dw", 9, 9, c, c, 3, 3, 1, 2, groups=c))
    net = Network("n", tuple(layers))
    path = tmp_path_factory.mktemp("ss") / "topo.csv"
    save_network(net, path, "scalesim")
    assert load_network(path).layers == net.layers


def test_scalesim_sample_round_trips(tmp_path):
    net = load_network(SAMPLES / "scalesim-mobilnet_paper.csv")
    save_network(net, tmp_path / "m.csv", "scalesim")
    text = (tmp_path / "m.csv").read_text()
    assert text.splitlines()[0] == ("Layer name, IFMAP Height, IFMAP Width, Filter Height, "
                                    "Filter Width, Channels, Num Filter, Strides,")
    assert "Conv2_dw,112,112,3,3,1,1,1,\n" in text
    assert load_network(tmp_path / "m.csv").layers == net.layers


def test_scalesim_export_folds_padding_and_marks_depthwise(tmp_path):
    net = Network("n", (ConvLayer("a", 8, 8, 3, 16, 3, 3, 1, 2, pad_h=1, pad_w=2),
                        ConvLayer("sep", 8, 4, 16, 16, 3, 3, groups=16, pad_h=1, pad_w=1)))
    save_network(net, tmp_path / "t.csv", "scalesim")
    lines = (tmp_path / "t.csv").read_text().splitlines()
    assert lines[0].endswith("Strides, Stride W,")  # strides differ per axis in layer a
    assert lines[1:] == ["a,10,12,3,3,3,16,1,2,", "sep_dw,10,6,3,3,1,1,1,1,"]
    a, sep = load_network(tmp_path / "t.csv").layers
    assert (a.out_h, a.out_w, a.pad_h) == (net.layers[0].out_h, net.layers[0].out_w, 0)
    assert (sep.name, sep.groups, sep.in_c, sep.out_h) == ("sep_dw", 16, 16, 8)


@pytest.mark.parametrize("fmt, layers, words", [
    ("neurosim", [ConvLayer("g", 8, 8, 4, 4, 3, 3, groups=2)], "grouped"),
    ("neurosim", [ConvLayer("s", 8, 8, 4, 4, 3, 3, 1, 2)], "stride"),
    ("scalesim", [ConvLayer("g", 8, 8, 4, 8, 3, 3, groups=2)], "grouped"),
    ("scalesim", [ConvLayer("a,b", 8, 8, 4, 8, 3, 3)], "commas"),
    ("scalesim", [ConvLayer("a", 8, 8, 4, 8, 3, 3), ConvLayer("d", 6, 6, 4, 4, 3, 3, groups=4)],
     "must have 4 filters"),
    ("scalesim", [ConvLayer("a", 8, 8, 4, 8, 3, 3), ConvLayer("x_dw", 6, 6, 1, 1, 3, 3)],
     "read back as a depthwise layer"),
])
def test_what_a_format_cannot_express_is_refused_by_name(tmp_path, fmt, layers, words):
    path = tmp_path / "out.csv"
    with pytest.raises(FormatError) as e:
        save_network(Network("n", tuple(layers)), path, fmt)
    assert words in str(e.value) and layers[-1].name in str(e.value)
    assert e.value.path == str(path) and not path.exists()


def test_save_picks_the_format_from_the_extension_and_refuses_unknown(tmp_path):
    net = Network("n", (ConvLayer("a", 4, 4, 1, 1, 3, 3),))
    save_network(net, tmp_path / "n.csv")
    assert (tmp_path / "n.csv").read_text().startswith("name,type,in_h,")
    with pytest.raises(FormatError, match="give a format"):
        save_network(net, tmp_path / "n.txt")
    with pytest.raises(FormatError, match="unknown format 'yaml'; known: json, csv, neurosim, scalesim"):
        save_network(net, tmp_path / "n.csv", "yaml")
    with pytest.raises(FormatError, match="unknown format 'project'"):
        save_network(net, tmp_path / "n.json", "project")


def test_registry_lists_every_format_for_dialogs():
    assert list(FORMATS) == ["json", "csv", "neurosim", "scalesim", "timeloop", "project", "onnx"]
    assert [f.name for f in FORMATS.values() if f.writable] == ["json", "csv", "neurosim", "scalesim"]
    assert FORMATS["scalesim"].file_filter == "SCALE-Sim topology (*.csv)"
    assert all(f.description and f.extensions for f in FORMATS.values())
