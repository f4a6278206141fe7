"""SCALE-Sim as SCALE-Sim reads it, NeuroSim V1.0's 7 columns, large GEMM sides, the import
notes of each format, the chain check and the one-line refusal of unknown files.

SCALE-Sim's reader (topology_utils / run_nets) skips line 1 without reading it and skips rows
that are not complete layers; its GEMM mode reads `name, M, N, K` rows. NeuroSim counts
`(IFM-K+1)/stride` input vectors per axis. The files below are written in those shapes.
"""
import pytest

from engine import ArraySpec, ConvLayer, FormatError
from engine.formats import detect_format, load_network
from engine.layers import MAX_SPATIAL
from engine.methods import DEFAULT_METHODS, map_layer
from engine.network import chain_notes

TYPO = "Layer, IFMAP Width, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"


def _write(tmp_path, text, name="t.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_typo_header_and_section_rows_load(tmp_path):
    path = _write(tmp_path, TYPO + "\nAlphaGoZero,\nConv, 19, 19, 3, 3, 17, 256, 1,\n"
                  "Res_conv1, 19, 19, 3, 3, 256, 256, 1,\nRes_conv1, 19, 19, 3, 3, 256, 256, 1,\n"
                  "\nTransformer,\nFFN1, 1, 1, 1, 1, 512, 2048, 1,\n")
    assert detect_format(path) == "scalesim"
    net = load_network(path)
    assert [x.name for x in net.layers] == ["Conv", "Res_conv1", "Res_conv1#2", "FFN1"]
    assert net.layers[0] == ConvLayer("Conv", 19, 19, 17, 256, 3, 3)
    assert net.layers[3].kind == "linear"
    notes = "\n".join(net.notes)
    assert "Lines 3, 8: section titles (AlphaGoZero, Transformer) skipped" in notes
    assert "SCALE-Sim skips unread" in notes and "IFMAP Width, IFMAP Width" in notes
    assert "Line 6: a layer name used before" in notes


def test_a_partial_row_is_still_an_error(tmp_path):
    with pytest.raises(FormatError) as e:
        load_network(_write(tmp_path, TYPO + "a, 8, 8, 3, 3, 1, 4, 1,\nb, 8, 8,\n"))
    assert e.value.line == 3 and "expected 8 columns" in str(e.value)


@pytest.mark.parametrize("header", ["Layer,M,N,K\n", "Layer, M, N, K,\n", "whatever\n"])
def test_gemm_files_are_fully_connected_layers_over_m_vectors(tmp_path, header):
    path = _write(tmp_path, header + "QKT,1024,1024,64\nFF1, 16384, 3072, 1600,\nvec,1,10,512\n")
    if header != "whatever\n":  # SCALE-Sim's own headers tell the format; any line 1 reads when asked
        assert detect_format(path) == "scalesim"
    net = load_network(path, "scalesim")
    qkt, ff1, vec = net.layers
    assert qkt == ConvLayer("QKT", 1024, 1, 64, 1024, 1, 1)  # M positions, K inputs, N outputs
    assert (qkt.out_h * qkt.out_w, qkt.macs) == (1024, 1024 * 1024 * 64)
    assert (ff1.in_h, ff1.in_c, ff1.out_c) == (16384, 1600, 3072)
    assert vec.kind == "linear" and (vec.in_c, vec.out_c) == (512, 10)
    assert any("applied to M input vectors" in n and "cycles scale with M" in n for n in net.notes)
    plan = map_layer(qkt, ArraySpec(512, 512), "im2col")
    assert plan.cycles == 1024 * 1 * 2  # one cycle per input vector per column tile


def test_a_gemm_row_with_a_word_names_the_column(tmp_path):
    with pytest.raises(FormatError) as e:
        load_network(_write(tmp_path, "Layer,M,N,K\nx,8,eight,8\n"))
    assert e.value.line == 2 and "column N: 'eight' is not a whole number" in str(e.value)


def test_line_one_is_never_a_layer(tmp_path):
    path = _write(tmp_path, "a, 8, 8, 3, 3, 1, 4, 1,\nb, 8, 8, 3, 3, 1, 4, 1,\n")
    net = load_network(path, "scalesim")
    assert [x.name for x in net.layers] == ["b"]
    assert any("SCALE-Sim skips its first line unread" in n for n in net.notes)


@pytest.mark.parametrize("side", [8448, 10000, 12544, 16384])
def test_large_gemm_sides_import_and_map(tmp_path, side):
    net = load_network(_write(tmp_path, f"Layer, M, N, K,\nbig, {side}, 1024, {side},\n"))
    (layer,) = net.layers
    assert layer.in_h == side and layer.in_c == side
    for method in DEFAULT_METHODS:
        assert map_layer(layer, ArraySpec(512, 512), method).cycles > 0
    wide = ConvLayer("wide", 7, side, 2, 2, 3, 3)  # a side, not channels
    assert map_layer(wide, ArraySpec(512, 512), "vw-sdk").cycles > 0


def test_absurd_sides_are_still_refused(tmp_path):
    with pytest.raises(FormatError) as e:
        load_network(_write(tmp_path, f"Layer, M, N, K,\nhuge, {MAX_SPATIAL + 1}, 4, 4,\n"))
    assert e.value.line == 2 and f"larger than the supported maximum {MAX_SPATIAL:,}" in str(e.value)
    with pytest.raises(FormatError, match="too large to map"):  # the work guard protects memory
        load_network(_write(tmp_path, f"Layer, M, N, K,\nhuge, {MAX_SPATIAL}, {1 << 20}, {1 << 20},\n"))


def test_neurosim_v1_seven_columns_read_with_stride_1(tmp_path):
    path = _write(tmp_path, "32,32,3,3,3,16,0\n32,32,16,3,3,32,1\n16,16,32,3,3,64,0\n", "NetWork.csv")
    assert detect_format(path) == "neurosim"
    net = load_network(path)
    assert all(x.stride_h == x.stride_w == 1 and x.pad_h == 1 for x in net.layers)
    assert net.layers[2] == ConvLayer("layer3", 16, 16, 32, 64, 3, 3, pad_h=1, pad_w=1)
    notes = "\n".join(net.notes)
    assert "Every row: 7 columns as NeuroSim V1.0 writes them" in notes and "stride 1" in notes
    # NeuroSim's own count (no padding): 30*30 + 30*30 + 14*14 against 32*32*2 + 16*16.
    assert "1,996 in all for this file, against 2,304 output positions" in notes


def test_neurosim_short_rows_say_what_fits(tmp_path):
    with pytest.raises(FormatError) as e:
        load_network(_write(tmp_path, "8,8,1,3,3,4\n"))
    assert "found 6; NeuroSim V1.0 files have 7 (no stride column)" in str(e.value)


def test_chain_check_names_both_layers_and_accepts_flattening():
    a = ConvLayer("a", 8, 8, 3, 16, 3, 3, pad_h=1, pad_w=1)
    b = ConvLayer("b", 8, 8, 16, 16, 3, 3, pad_h=1, pad_w=1)
    fc = ConvLayer.linear("fc", 16 * 8 * 8, 10)
    assert chain_notes([a, b, fc]) == []
    short = ConvLayer("short", 8, 8, 3, 16, 1, 1)  # takes a's input: a shortcut
    notes = chain_notes([a, b, short, ConvLayer.linear("fc2", 100, 10)])
    assert notes[0] == "Chain check: layer 'short' takes 3 channels of 8x8; 'b' before it gives 16 channels of 8x8."
    assert "layer 'fc2' takes 100 features; 'short' before it gives 16 channels of 8x8 (1024 values)" in notes[1]
    assert "not errors" in notes[-1]


def test_native_lists_get_no_chain_check(tmp_path):
    path = _write(tmp_path, "name,in_h,in_w,in_c,out_c,k_h,k_w\na,8,8,3,16,3,3\nb,4,4,1,2,1,1\n")
    assert load_network(path).notes == ()


@pytest.mark.parametrize("text, name", [
    ("layer;h;w\nconv1;3;3\n", "f.txt"),
    ("just words here\n", "x.dat"),
])
def test_unknown_files_get_one_line_naming_every_format_tried(tmp_path, text, name):
    with pytest.raises(FormatError) as e:
        load_network(_write(tmp_path, text, name))
    message = str(e.value)
    assert "\n" not in message and e.value.line == 1
    for fmt in ("JSON", "XbarScope CSV", "SCALE-Sim", "NeuroSim", "Timeloop/CiMLoop", "ONNX"):
        assert fmt in message
    assert "invalid JSON" not in message
