"""Every kind of bad file gives a FormatError naming the file and, where known, the line."""
import pytest

from engine import ConvLayer, FormatError
from engine.formats import MAX_BYTES, MAX_LAYERS, load_network, save_network, textio
from engine.network import Network

NATIVE_HEADER = "name,type,in_h,in_w,in_c,out_c,k_h,k_w,stride_h,stride_w,pad_h,pad_w,groups\n"
SCALESIM_HEADER = ("Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, "
                   "Channels, Num Filter, Strides,\n")


def _error(tmp_path, content, name="f.csv", fmt=None) -> FormatError:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(FormatError) as e:
        load_network(path, fmt)
    assert e.value.path == str(path)
    assert str(e.value).startswith(f"{path}, line {e.value.line}:" if e.value.line else f"{path}:")
    return e.value


def test_malformed_csv_names_the_line_where_the_bad_row_starts(tmp_path):
    e = _error(tmp_path, NATIVE_HEADER + "c1,conv,8,8,1,1,3,3,1,1,0,0,1\n\"c2,conv,8,8\n\n")
    assert e.line == 3 and "malformed CSV" in str(e)
    e = _error(tmp_path, NATIVE_HEADER + "\"c1\"x,conv,8,8,1,1,3,3,1,1,0,0,1\n")
    assert e.line == 2 and "malformed CSV" in str(e)


# The row-level error classes: wrong column counts, non-numbers, negative or zero sizes.
# Each names the file, the line and the column.
P = pytest.param
NS_OK = "8,8,1,3,3,4,0,1\n"  # a valid NeuroSim row


@pytest.mark.parametrize("content, line, words", [
    P(NATIVE_HEADER + "c1,conv,8,8,1,1,3,3,1,1,0,0,1\nc2,conv,8,8,1\n", 3,
      "expected 13 columns, found 5", id="columns-native"),
    P(NS_OK + "8,8,4,3,3,4\n", 2, "expected 8 columns (IFM_H, IFM_W, C_in, K_H, K_W, C_out, "
      "pool_after, stride), found 6", id="columns-neurosim"),
    P(SCALESIM_HEADER + "a,8,8,3,3,1,4,1,\nb,8,8,3\n", 3, "expected 8 columns", id="columns-scalesim"),
    # SCALE-Sim skips line 1 unread: a short header is no error, a short row is.
    P("Layer name, IFMAP Height, Strides\na,1,1\n", 2, "expected 8 columns", id="columns-header"),
    P("name,in_h,in_w,in_c,out_c,k_h\n", 1, "lacks column(s) k_w", id="columns-missing"),
    P("name,in_h,in_w,in_c,out_c,k_h,k_w,colour\n", 1, "unknown column 'colour'", id="columns-unknown"),
    P(NS_OK + "8,eight,4,3,3,4,0,1\n", 2, "column IFM_W: 'eight' is not a whole number",
      id="number-word"),
    P("8,8,1,3,3,4,0,1.5\n", 1, "column stride: '1.5' is not a whole number", id="number-fraction"),
    P(SCALESIM_HEADER + "a,8,8,3,3,,4,1,\n", 2, "column Channels: is empty", id="number-empty"),
    P(SCALESIM_HEADER + "a,8,8,3,3,1,4,1,x\n", 2, "column Stride W: 'x'", id="number-stride-w"),
    P(NATIVE_HEADER + "c1,conv,8,8,1,1,3,3,1,1,0,0,٣\n", 2, "column groups: '٣'", id="number-unicode"),
    P("8,8,1,3,3,4,2,1\n", 1, "column pool_after: must be 0 or 1, got 2", id="number-pool"),
    P(NS_OK + "8,8,-4,3,3,4,0,1\n", 2, "in_c: must be at least 1, got -4 (column C_in)",
      id="size-negative"),
    P(SCALESIM_HEADER + "a,8,8,3,3,1,4,0,\n", 2,
      "stride_h: must be at least 1, got 0 (column Strides)", id="size-zero-stride"),
    P(NATIVE_HEADER + "c1,conv,8,0,1,1,3,3,1,1,0,0,1\n", 2,
      "in_w: must be at least 1, got 0 (column in_w)", id="size-zero"),
])
def test_bad_rows_name_file_line_and_column(tmp_path, content, line, words):
    e = _error(tmp_path, content)
    assert e.line == line and words in str(e)


def test_kernel_larger_than_padded_ifm_wraps_the_layer_error(tmp_path):
    e = _error(tmp_path, SCALESIM_HEADER + "ok,8,8,3,3,1,4,1,\nbig,5,5,7,3,4,4,1,\n")
    assert e.line == 3
    assert "layer 'big': k_h: kernel height 7 is larger than the padded input height 5" in str(e)
    assert "(column Filter Height)" in str(e)


def test_invalid_json_names_its_line(tmp_path):
    e = _error(tmp_path, '{\n "format": "xbarscope-layers",\n "layers": [\n  {"name": "a",}\n ]\n}',
               name="n.json")
    assert e.line == 4 and "invalid JSON" in str(e)


def test_json_layer_errors_name_the_layer_line(tmp_path):
    e = _error(tmp_path, '{"layers": [\n {"name": "a", "in_h": 4, "in_w": 4, "in_c": 1, "out_c": 1, '
               '"k_h": 3, "k_w": 3},\n {"name": "b", "in_h": 4, "in_w": 4, "in_c": 1, "out_c": 0, '
               '"k_h": 3, "k_w": 3}\n]}', name="n.json")
    assert e.line == 3 and "layer 'b': out_c: must be at least 1, got 0" in str(e)


@pytest.mark.parametrize("content, line, words", [
    ('{\n "format": "caffe",\n "layers": []}', 2, "format is 'caffe', expected 'xbarscope-layers'"),
    ('{\n "format": "xbarscope-layers",\n "version": 9,\n "layers": []}', 3, "version 9 is newer"),
    ('{"format": "xbarscope-layers",\n "layers": {}}', 2, "'layers' must be a non-empty list"),
    ('[1, 2]', None, "must be a JSON object"),
])
def test_wrong_format_and_version_fields(tmp_path, content, line, words):
    e = _error(tmp_path, content, name="n.json")
    assert e.line == line and words in str(e)


@pytest.mark.parametrize("content", ["", "\n  \n\t\n", "\ufeff"])
@pytest.mark.parametrize("name", ["f.csv", "f.json"])
def test_empty_files(tmp_path, content, name):
    assert "the file is empty" in str(_error(tmp_path, content, name=name))


@pytest.mark.parametrize("content, words", [
    ("# a comment\n,,,\n\n", "no SCALE-Sim header"),
    (SCALESIM_HEADER + ",,,,\n# nothing\n", "no layers"),
    (NATIVE_HEADER, "no layers"),
])
def test_files_without_layers(tmp_path, content, words):
    assert words in str(_error(tmp_path, content, fmt="scalesim" if "comment" in content else None))


def test_binary_garbage(tmp_path):
    e = _error(tmp_path, b"8,8,1,3,3,4,0,1\n\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", name="f.csv")
    assert e.line == 4 and "binary file" in str(e)  # the first NUL byte
    e = _error(tmp_path, b"\x7fELF\x02\x01\x01", name="f.json")
    assert e.line == 1 and ("not UTF-8" in str(e) or "invalid JSON" in str(e))


def test_non_utf8_bytes_name_their_line(tmp_path):
    e = _error(tmp_path, "name,in_h,in_w,in_c,out_c,k_h,k_w\n".encode() + b"caf\xe9,8,8,1,1,3,3\n")
    assert e.line == 2 and "not UTF-8" in str(e) and "0xe9" in str(e)


def test_files_over_20_mb_are_refused_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "huge.csv"
    with open(path, "wb") as f:
        f.truncate(MAX_BYTES + 1)  # sparse: costs no disk

    def no_reading(*args, **kwargs):
        raise AssertionError("the file was opened")

    monkeypatch.setattr(textio, "open", no_reading, raising=False)
    with pytest.raises(FormatError) as e:
        load_network(path)
    assert e.value.path == str(path) and "20 MB" in str(e.value)
    assert MAX_BYTES == 20 * 1024 * 1024


def test_more_than_100000_layers(tmp_path):
    e = _error(tmp_path, "4,4,1,1,1,1,0,1\n" * (MAX_LAYERS + 1))
    assert e.line == MAX_LAYERS + 1 and "more than 100000 layers" in str(e)
    e = _error(tmp_path, '{"layers": [\n' + ",".join(["{}"] * (MAX_LAYERS + 1)) + "]}", name="n.json")
    assert e.line == 1 and "100001 layers, more than the 100000" in str(e)


def test_repeated_layer_names_name_both_lines(tmp_path):
    e = _error(tmp_path, NATIVE_HEADER + "a,conv,8,8,1,1,3,3,1,1,0,0,1\nb,conv,8,8,1,1,3,3,1,1,0,0,1\n"
               "a,conv,8,8,1,1,3,3,1,1,0,0,1\n")
    assert e.line == 4 and "layer name 'a' is already used on line 2" in str(e)


def test_scalesim_repeats_names_as_scalesim_allows(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(SCALESIM_HEADER + "a,8,8,3,3,1,4,1,\nb,6,6,1,1,4,4,1,\na,6,6,1,1,4,4,1,\n")
    net = load_network(path)
    assert [x.name for x in net.layers] == ["a", "b", "a#2"]
    assert any(n.startswith("Line 4: a layer name used before") for n in net.notes)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(FormatError, match="file not found") as e:
        load_network(tmp_path / "nope.csv")
    assert e.value.path == str(tmp_path / "nope.csv")
    with pytest.raises(FormatError, match="is a folder"):
        load_network(tmp_path)


def test_unrecognised_content_and_unknown_format_name(tmp_path):
    e = _error(tmp_path, "layer;h;w\nconv1;3;3\n", name="f.txt")
    assert e.line == 1 and "not a layer file XbarScope knows" in str(e)
    e = _error(tmp_path, "8,8,1,3,3,4,0,1\n", fmt="tflite")
    assert "unknown format 'tflite'; known: json, csv, neurosim, scalesim" in str(e)


def test_explicit_format_that_does_not_fit(tmp_path):
    e = _error(tmp_path, "8,8,1,3,3,4,0,1\n", fmt="scalesim")
    assert e.line == 1 and "expected the SCALE-Sim header starting with 'Layer name'" in str(e)


def test_json_digits_python_reads_but_a_layer_cannot_hold(tmp_path):
    e = _error(tmp_path, '{"layers": [{"name": "a", "in_h": "²", "in_w": 1, "in_c": 1, "out_c": 1, '
               '"k_h": 1, "k_w": 1}]}', name="n.json")
    assert "line 1" in str(e) and "in_h: must be a whole number, got '²'" in str(e)


def test_a_nul_byte_in_a_file_name(tmp_path):
    with pytest.raises(FormatError, match="not a valid file name"):
        load_network(str(tmp_path / "a\0b.csv"))
    with pytest.raises(FormatError, match="not a valid file name"):
        save_network(Network("n", (ConvLayer("a", 1, 1, 1, 1, 1, 1),)), str(tmp_path / "a\0b.csv"))
