"""File > Export Report and `xbarscope --report`: one self-contained HTML file whose figures are
the engine's, formatted as in the app, with an embedded picture per layer."""
from __future__ import annotations

import base64
import struct
from html.parser import HTMLParser

import pytest

from app.main import main
from app.report import export_report_dialog, write_report
from app.report.build import IMG_PREFIX, ReportInputs, build_html
from engine import ArraySpec, ConvLayer
from engine.batch import MapRequest, map_network
from engine.errors import Cancelled

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class Sections(HTMLParser):
    """Text and image sources per section: the layer sections by id, everything else under 'page'."""

    def __init__(self):
        super().__init__()
        self.layers: dict[str, dict] = {}
        self.text: list[str] = []
        self.images: list[str] = []
        self._layer = None
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section":
            if "layer" in (a.get("class") or "").split():
                self._layer = self.layers.setdefault(a["id"], {"images": [], "text": []})
                self._depth = 0
            self._depth += 1
        if tag == "img":
            (self._layer["images"] if self._layer else self.images).append(a.get("src", ""))

    def handle_endtag(self, tag):
        if tag == "section" and self._layer is not None:
            self._depth -= 1
            if self._depth == 0:
                self._layer = None

    def handle_data(self, data):
        (self._layer["text"] if self._layer else self.text).append(data)


def parse(html: str) -> Sections:
    p = Sections()
    p.feed(html)
    return p


def png_size(src: str) -> tuple[int, int]:
    data = base64.b64decode(src[len(IMG_PREFIX):], validate=True)
    assert data[:8] == PNG_MAGIC and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_cli_report_of_vgg13_holds_the_paper_totals_and_a_picture_per_layer(tmp_path, capsys):
    out = tmp_path / "r.html"
    assert main(["--report", str(out), "--network", "vgg13-paper"]) == 0
    printed = capsys.readouterr().out.strip().splitlines()
    assert printed[-1] == str(out)
    html = out.read_text(encoding="utf-8")
    page = parse(html)
    text = " ".join(page.text)
    for total in ("243,736", "114,697", "77,102"):  # im2col / SDK / VW-SDK, as the app writes them
        assert total in text
    assert "efficiency 74.4 % (bound / cycles)" in text  # VW-SDK: 57,327 / 77,102
    assert "3.16× vs im2col" in text
    assert "512 × 512 cells · 1-bit cells · 1-bit weights" in text and "preset vgg13-paper" in text
    assert len(page.layers) == 10
    for section in page.layers.values():
        assert sum(src.startswith(IMG_PREFIX) for src in section["images"]) >= 1
    assert "24,642" in " ".join(page.layers["layer-2"]["text"])  # conv1_2's VW-SDK cycles in its caption
    w, h = png_size(page.layers["layer-1"]["images"][0])
    assert 600 <= w <= 1200 and 300 <= h <= 1500
    charts = [s for s in page.images if s.startswith(IMG_PREFIX)]
    assert len(charts) == 2 and all(png_size(s)[0] >= 800 for s in charts)
    # Self-contained: no file, stylesheet or script fetched from anywhere.
    assert "<script" not in html and "<link" not in html and 'src="http' not in html
    assert not list(tmp_path.glob(".*.tmp"))  # the temporary file was renamed


def test_cli_report_errors_exit_2_with_one_line(tmp_path, capsys):
    assert main(["--report", str(tmp_path / "r.html"), "--network", "no-such-network"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("xbarscope: ") and "no-such-network" in err[0]

    assert main(["--report", str(tmp_path / "missing" / "r.html"), "--network", "vgg13-paper"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("xbarscope: cannot write") and "does not exist" in err[0]

    assert main(["--report", str(tmp_path / "r.html"), "--screenshot", str(tmp_path / "s.png"),
                 "--network", "vgg13-paper"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--report and --screenshot cannot be used together" in err[0]

    assert main(["--report", str(tmp_path / "r.html"), "--network", "vgg13-paper", "--cycle", "3"]) == 2
    assert "go with --screenshot" in capsys.readouterr().err
    assert not (tmp_path / "r.html").exists()


def _small_result(name="<b>&x"):
    layers = (ConvLayer(name, 8, 8, 4, 8, 3, 3, pad_h=1, pad_w=1), ConvLayer("fc", 1, 1, 32, 10, 1, 1, kind="linear"))
    return map_network(MapRequest(layers, ArraySpec(64, 64), ("im2col", "sdk", "vw-sdk")))


def test_names_are_escaped_everywhere(tmp_path, qapp):
    result = _small_result()
    out = write_report(tmp_path / "n.html", result, "net <script>alert(1)</script>",
                       network_source="file a&b.csv", methods=("im2col", "sdk", "vw-sdk"))
    html = out.read_text(encoding="utf-8")
    assert "<b>&x" not in html and "<script>" not in html
    assert "&lt;b&gt;&amp;x" in html and "a&amp;b.csv" in html
    page = parse(html)
    assert "1. <b>&x " in " ".join(page.layers["layer-1"]["text"])  # read back as the plain name
    assert all(any(s.startswith(IMG_PREFIX) for s in sec["images"]) for sec in page.layers.values())


def test_build_is_pure_and_uses_the_results_table_texts():
    result = _small_result("c1")
    fake = b"\x89PNG fake"
    html = build_html(ReportInputs(result, "tiny", ("vw-sdk", "im2col", "sdk"), "sdk"),
                      {"comparison": fake}, [fake, None])
    page = parse(html)
    assert len(page.layers) == 2
    assert page.layers["layer-1"]["images"] == [IMG_PREFIX + base64.b64encode(fake).decode()]
    assert page.layers["layer-2"]["images"] == []  # no picture: said in words
    text = " ".join(page.text)
    assert "SDK plan of each layer" in text
    from app.models.result_rows import build_rows

    total = next(r for r in build_rows(result) if r.is_total and r.method == "vw-sdk")
    assert f"efficiency {total.texts['efficiency']} (bound / cycles)" in text
    # Methods in the registry's order, whatever order they were given in.
    assert text.index("im2col") < text.index("VW-SDK")


def test_cancel_leaves_no_file(tmp_path, qapp):
    calls = []

    def stop():
        calls.append(1)
        return len(calls) > 1

    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(Cancelled):
        write_report(folder / "c.html", _small_result(), "tiny", should_stop=stop)
    assert list(folder.iterdir()) == []


def test_menu_command_writes_the_report_of_the_window(qtbot, open_app_window, tmp_path, dialog_script):
    w = open_app_window("vgg13-paper")
    with qtbot.waitSignal(w.mapping.result_ready, timeout=10000):
        assert w.mapping.run()
    w.selection.select(0, "sdk")  # the plan the user looks at is the one pictured
    dialog_script.save_path = str(tmp_path / "menu")
    written = export_report_dialog(w)
    assert written == tmp_path / "menu.html" and dialog_script.errors == []
    text = " ".join(parse(written.read_text(encoding="utf-8")).text)
    assert "77,102" in text and "SDK plan of each layer" in text

    # File > Export Report (Ctrl+Shift+E) runs the same command.
    dialog_script.save_path = str(tmp_path / "from-menu.html")
    assert w.commands["export_report"] in w.menuBar().actions()[0].menu().actions()
    w.commands["export_report"].trigger()
    assert (tmp_path / "from-menu.html").is_file() and dialog_script.errors == []

    dialog_script.save_path = str(tmp_path / "unwritable" / "r.html")
    assert export_report_dialog(w) is None
    assert dialog_script.errors and "does not exist" in dialog_script.errors[-1][1]


def test_menu_command_cancel_and_stale_results_write_nothing(qtbot, open_app_window, tmp_path, dialog_script,
                                                             monkeypatch):
    from PySide6.QtWidgets import QProgressDialog

    from app.models.layer_rows import COLUMN_INDEX

    w = open_app_window("vgg13-paper")
    with qtbot.waitSignal(w.mapping.result_ready, timeout=10000):
        assert w.mapping.run()
    folder = tmp_path / "out"
    folder.mkdir()
    dialog_script.save_path = str(folder / "r.html")
    with monkeypatch.context() as m:  # (not monkeypatch.undo(): that would bring back the real dialogs)
        m.setattr(QProgressDialog, "wasCanceled", lambda self: True)  # Cancel pressed at once
        assert export_report_dialog(w) is None
    assert dialog_script.errors == [] and list(folder.iterdir()) == []
    assert "cancelled" in w.statusBar().currentMessage()

    w.mapping.auto_run = False  # keep the edited inputs unmapped
    model = w.layer_model
    assert model.setData(model.index(1, COLUMN_INDEX["in_c"]), "128")
    assert export_report_dialog(w) is None
    assert "out of date" in dialog_script.errors[-1][1] and list(folder.iterdir()) == []


def test_the_report_has_the_chip_view_of_the_window(qtbot, open_app_window, tmp_path, dialog_script):
    """The Chip section: every method on the window's chip spec (the Chip view's table), then
    the selected method's figures, each as app.chip_figures words it from engine.chip_alloc."""
    from app.chip_figures import TABLE_COLUMNS, figure_lines, table_row
    from app.chip_wiring import _set_spec
    from engine.chip import ChipSpec
    from engine.chip_alloc import allocate

    w = open_app_window("vgg13-paper")
    with qtbot.waitSignal(w.mapping.result_ready, timeout=10000):
        assert w.mapping.run()
    w.selection.select(0, "sdk")
    spec = ChipSpec(arrays=40, adc_bits=5)
    _set_spec(w, spec)
    assert w.chip_spec == spec
    dialog_script.save_path = str(tmp_path / "chip.html")
    written = export_report_dialog(w)
    html = written.read_text(encoding="utf-8")
    text = " ".join(parse(html).text)
    assert '<h2 id="chip">Chip</h2>' in html and "40 arrays in tiles of 8" in text and "5-bit ADCs" in text
    result = w.mapping.result
    for column in TABLE_COLUMNS:
        assert column in text
    methods = [m for m in result.request.methods if m in w.array_editor.methods()]
    for m in methods:
        row = table_row(m, allocate(result.chip_needs(m), spec))
        assert "".join(f'<td class="{k}">{v}</td>' for k, v in zip(["text"] + ["num"] * 6, row)) in html
    for line, warn in figure_lines(allocate(result.chip_needs("sdk"), spec)):
        assert line in text
    assert "SDK on this chip" in text


def test_a_chip_the_plans_cannot_use_is_said_in_its_section(qapp):
    from engine.chip import ChipSpec

    result = _small_result()  # 64 columns: 128 columns per ADC is more than an array has
    html = build_html(ReportInputs(result, "tiny", ("vw-sdk",), "vw-sdk", chip=ChipSpec(columns_per_adc=128)), {},
                      [None, None])
    assert '<p class="warn">The chip does not suit these plans: columns_per_adc' in html
    assert 'id="chip"' not in build_html(ReportInputs(result, "tiny", ("vw-sdk",), "vw-sdk"), {}, [None, None])
