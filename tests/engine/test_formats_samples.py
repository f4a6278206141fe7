"""The layer lists researchers' tools ship (tests/data/samples, unedited) read as they mean."""
from pathlib import Path

import pytest

from engine.formats import FORMATS, detect_format, load_network

SAMPLES = Path(__file__).parent.parent / "data" / "samples"
NEUROSIM = SAMPLES / "neurosim-NetWork_ResNet18.csv"
RESNET50 = SAMPLES / "scalesim-Resnet50.csv"
MOBILENET = SAMPLES / "scalesim-mobilnet_paper.csv"


@pytest.mark.parametrize("path, fmt", [(NEUROSIM, "neurosim"), (RESNET50, "scalesim"),
                                       (MOBILENET, "scalesim")])
def test_samples_are_detected_by_content(path, fmt):
    assert detect_format(path) == fmt
    assert fmt in FORMATS and ".csv" in FORMATS[fmt].extensions


def test_neurosim_resnet18_layers():
    net = load_network(NEUROSIM)
    layers = net.layers
    assert len(layers) == 21
    assert [x.name for x in layers[:3]] == ["layer1", "layer2", "layer3"]
    first = layers[0]
    assert (first.in_h, first.in_w, first.in_c, first.out_c, first.k_h, first.k_w) == (224, 224, 3, 64, 7, 7)
    assert (first.stride_h, first.stride_w, first.pad_h, first.pad_w) == (2, 2, 3, 3)
    shortcut = layers[7]  # 56,56,64,1,1,128,0,2: the 1x1 stride-2 downsampling branch
    assert (shortcut.in_h, shortcut.k_h, shortcut.out_c, shortcut.stride_h, shortcut.pad_h) == \
        (56, 1, 128, 2, 0)
    assert shortcut.out_h == 28
    fc = layers[-1]
    assert fc.kind == "linear" and (fc.in_c, fc.out_c) == (512, 1000)
    assert sum(x.kind == "linear" for x in layers) == 1
    assert net.name == "neurosim-NetWork_ResNet18" and net.source == str(NEUROSIM)


def test_neurosim_same_padding_makes_the_layer_chain_consistent():
    """With k//2 padding every main-path layer feeds the next (halved where pool_after is 1).

    With padding 0 instead, the 3x3 layers would shrink 56 -> 54 and this would fail.
    """
    layers = load_network(NEUROSIM).layers
    assert layers[0].out_h == 112 and layers[1].in_h == 56  # 7x7/2 on 224, then pooling
    pooled_after = {0, 19}  # the rows with a 1 in column 7
    prev = None
    for i, layer in enumerate(layers):
        is_shortcut = layer.k_h == 1 and layer.stride_h == 2  # takes the block's input
        if layer.kind == "linear" or is_shortcut:
            continue
        if prev is not None:
            j, p = prev
            assert layer.in_h == (p.out_h // 2 if j in pooled_after else p.out_h), layer.name
        prev = (i, layer)
    assert [x.out_h for x in layers if x.k_h == 3 and x.stride_h == 1] == \
        [x.in_h for x in layers if x.k_h == 3 and x.stride_h == 1]


def test_neurosim_notes_report_padding_pooling_and_fc():
    notes = load_network(NEUROSIM).notes
    assert any("padding" in n and "21 layers" in n and "same" in n for n in notes)
    assert any("pool" in n.lower() for n in notes)
    assert any(n.startswith("Line 21:") and "fully connected" in n for n in notes)


def test_scalesim_resnet50_layers():
    net = load_network(RESNET50)
    layers = net.layers
    assert len(layers) == 54
    conv1 = layers[0]
    assert conv1.name == "Conv1"
    assert (conv1.in_h, conv1.in_w, conv1.k_h, conv1.k_w, conv1.in_c, conv1.out_c) == (224, 224, 7, 7, 3, 64)
    assert (conv1.stride_h, conv1.stride_w) == (2, 2)  # the empty Stride W column: same as Strides
    assert all(x.pad_h == x.pad_w == 0 for x in layers)
    by_name = {x.name: x for x in layers}
    assert (by_name["CB3s"].in_c, by_name["CB3s"].out_c, by_name["CB3s"].stride_h) == (256, 512, 2)
    assert [x.name for x in layers if x.stride_h == 2] == \
        ["Conv1", "CB3a_1", "CB3s", "CB4a_1", "CB4s", "CB5a_1", "CB5s"]
    fc = by_name["FC6"]
    assert fc.kind == "linear" and (fc.in_c, fc.out_c) == (2048, 1000)
    assert any("Eh, Ew, e2" in n for n in net.notes)
    assert any("padding" in n for n in net.notes)
    assert any(n.startswith("Line 56:") and "fully connected" in n for n in net.notes)


def test_scalesim_mobilenet_depthwise_rows_become_depthwise_layers():
    net = load_network(MOBILENET)
    layers = net.layers
    assert len(layers) == 28
    dw = [x for x in layers if "_dw" in x.name]
    assert len(dw) == 13
    for i, layer in enumerate(layers):
        if "_dw" in layer.name:
            c = layers[i - 1].out_c
            assert (layer.in_c, layer.out_c, layer.groups) == (c, c, c), layer.name
    by_name = {x.name: x for x in layers}
    assert (by_name["Conv2_dw"].groups, by_name["Conv2_dw"].stride_h) == (32, 1)
    conv4 = by_name["Conv4_dw"]
    assert (conv4.groups, conv4.stride_h, conv4.in_h) == (64, 2, 112)
    assert by_name["Conv14_dw_0"].groups == 512  # a tab-indented row
    assert by_name["Conv18_dw"].groups == 1024
    conv11 = by_name["Conv11"]  # the row without a trailing comma
    assert (conv11.in_c, conv11.out_c, conv11.stride_h) == (256, 256, 1)
    assert (by_name["Conv1"].in_c, by_name["Conv1"].out_c, by_name["Conv1"].stride_h) == (3, 32, 2)
    fc = by_name["FC"]  # spaces around the values
    assert fc.kind == "linear" and (fc.in_c, fc.out_c) == (1024, 1000)
    note = next(n for n in net.notes if "depthwise" in n)
    assert note.startswith("Lines 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28:")


@pytest.mark.parametrize("path", [NEUROSIM, RESNET50, MOBILENET])
def test_windows_line_ends_and_a_bom_read_the_same(tmp_path, path):
    data = path.read_bytes()
    assert b"\r" not in data
    copy = tmp_path / path.name
    copy.write_bytes(b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n"))
    original, variant = load_network(path), load_network(copy)
    assert variant.layers == original.layers and variant.notes == original.notes


def test_samples_notes_check_the_layer_chain():
    """The chain check names both layers where an input differs from the output before it."""
    notes = load_network(NEUROSIM).notes
    assert not any("'layer2' takes" in n for n in notes)  # 112x112 pooled (column 7) to 56x56: no note
    assert "Chain check: layer 'layer8' takes 64 channels of 56x56; 'layer7' before it gives 128 " \
           "channels of 28x28." in notes  # ResNet's 1x1 downsampling shortcut reads the block's input
    notes = load_network(RESNET50).notes
    assert any(n.startswith("Chain check: layer 'CB2s' takes 64 channels") for n in notes)  # the shortcut


def test_a_pooling_marked_in_a_neurosim_file_halves_the_size_the_chain_expects(tmp_path):
    path = tmp_path / "NetWork.csv"
    path.write_text("32,32,3,3,3,16,1,1\n16,16,16,3,3,16,1,1\n9,9,16,3,3,8,0,1\n4,4,8,3,3,8,0,1\n")
    notes = [n for n in load_network(path).notes if n.startswith("Chain check: layer")]
    assert notes == [  # 32 -> 16 after the pooling (fine), 16 -> 8 expected but 9 read, no pooling after 3
        "Chain check: layer 'layer3' takes 16 channels of 9x9; 'layer2' before it gives 16 channels of 16x16 "
        "before its 2x2 pooling.",
        "Chain check: layer 'layer4' takes 8 channels of 4x4; 'layer3' before it gives 8 channels of 9x9."]


# The copy the project's steering keeps beside the checkout (and CI beside its clone), unedited.
SHARED = Path(__file__).resolve().parents[3] / "shared" / "samples"


@pytest.mark.skipif(not SHARED.is_dir(), reason="no shared/samples beside this checkout")
def test_shared_samples_import_unedited_as_the_test_copies_do():
    files = sorted(SHARED.glob("*.csv"))
    assert files
    for path in files:
        net = load_network(path)
        assert net.layers and net.layers == load_network(SAMPLES / path.name).layers, path.name
