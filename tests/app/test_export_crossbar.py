"""Exports of the crossbar view write valid files, off the GUI thread, and cancel cleanly."""
from __future__ import annotations

import csv
import json

import imageio.v3 as iio
import numpy as np
import pytest

from engine.layout import tile_layout

from app.crossbar import animation_dialog
from app.crossbar import palette as pal
from app.crossbar.animation_dialog import AnimationOptions
from app.crossbar.export_frames import FrameRenderer, FrameSpec
from app.crossbar.export_jobs import AnimationRequest, run_export

from .test_crossbar_support import SMALL, WEIGHTS, make_view  # noqa: F401 (fixture)


@pytest.fixture
def out(tmp_path):
    """A folder of its own (tmp_path also holds the test's private home)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@pytest.fixture
def view(make_view):
    return make_view(size=(1200, 800))


def export(qtbot, view, kind, path, timeout=20000):
    with qtbot.waitSignal(view.exports.done, timeout=timeout) as sig:
        assert view.exports.export(kind, str(path))
    qtbot.waitUntil(lambda: not view.exports.slot.busy)
    return sig.args[0]


@pytest.mark.parametrize("kind", ["gif", "mp4"])
def test_animation_has_one_frame_per_cycle(qtbot, view, out, monkeypatch, kind):
    monkeypatch.setattr(animation_dialog, "ask_animation_options",
                        lambda *a: AnimationOptions(first=2, last=13, step=1, fps=12, width=320, height=180))
    progress = []
    view.exports.slot.progress.connect(lambda d, t, s: progress.append((d, t)))
    result = export(qtbot, view, kind, out / f"play.{kind}")
    frames = iio.imread(out / f"play.{kind}", index=None)
    assert result.count == 12 and frames.shape[0] == 12
    assert frames.shape[1:3] == (180, 320)
    assert progress[-1] == (12, 12)
    assert list(out.iterdir()) == [out / f"play.{kind}"]  # no partial file left


def test_gif_frames_use_the_views_colours(qtbot, view, out):
    """Frame pixels are palette indices of the view's own table: the GIF decodes to them exactly."""
    spec = FrameSpec(view.panel.plan, mode="copy", width=640, height=360)
    run_export(AnimationRequest(spec, str(out / "a.gif"), 0, 3))
    frames = iio.imread(out / "a.gif", index=None)[..., :3]
    renderer = FrameRenderer(spec)
    for t in range(4):
        assert np.array_equal(frames[t], renderer.rgb(renderer.render(t)))
    # Every kernel copy's hue appears in the grid part of the frame, and the neutral greys.
    colours = {tuple(c) for c in frames[0].reshape(-1, 3)}
    for hx in pal.BASE_HUES[:4] + ("#a3aab4",):
        assert pal.hex_rgb(hx) in colours


def test_cell_map_csv_lists_every_block_cell(qtbot, view, out):
    view.set_weights(SMALL, WEIGHTS)
    view.set_cycle(4)
    result = export(qtbot, view, "csv", out / "cells.csv")
    ref = tile_layout(view.panel.plan, 0, 0)
    with open(out / "cells.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert result.count == len(rows) == int(ref.block.sum())
    assert sum(r["kind"] == "weight" for r in rows) == int(ref.weight.sum())
    assert {r["kind"] for r in rows} == {"weight", "zero"}
    cell = next(r for r in rows if (r["row"], r["col"]) == ("22", "29"))
    assert (cell["input_channel"], cell["pw_y"], cell["pw_x"], cell["copy"], cell["output_channel"],
            cell["bit"], cell["ky"], cell["kx"]) == ("1", "1", "2", "3", "2", "1", "0", "1")
    assert int(cell["weight"]) == WEIGHTS[2, 1, 0, 1]


def test_cell_map_json(qtbot, view, out):
    view.set_cycle(9)  # row tile 1
    export(qtbot, view, "json", out / "cells.json")
    doc = json.loads((out / "cells.json").read_text())
    ref = tile_layout(view.panel.plan, 1, 0)
    assert doc["tile"] == {"row_tile": 1, "col_tile": 0, "group": 0}
    assert len(doc["weight_cells"]) == int(ref.weight.sum())
    assert {tuple(c[:2]) for c in doc["weight_cells"]} == set(zip(*(v.tolist() for v in np.nonzero(ref.weight))))
    assert doc["rows"][0] == {"row": 0, "input_channel": 2, "pw_pixel": [0, 0]}
    assert len(doc["rows"]) == 16 and len(doc["columns"]) == 32


def test_png_and_svg_of_the_view(qtbot, view, out):
    assert view.exports.export("png", str(out / "grid.png"))
    img = iio.imread(out / "grid.png")
    assert img.shape[1] >= 1600 and img.ndim == 3
    assert view.exports.export("svg", str(out / "grid.svg"))
    text = (out / "grid.svg").read_text(encoding="utf-8")
    assert "<svg" in text and "</svg>" in text


def test_cancel_stops_the_export_and_leaves_no_file(qtbot, view, out, monkeypatch):
    monkeypatch.setattr(animation_dialog, "ask_animation_options",
                        lambda *a: AnimationOptions(first=0, last=17, step=1, fps=12, width=1920, height=1080))
    job_started = []
    view.exports.slot.progress.connect(lambda d, t, s: job_started.append(d) or view.exports.slot.cancel())
    with qtbot.waitSignal(view.exports.slot.cancelled, timeout=20000):
        assert view.exports.export("gif", str(out / "long.gif"))
        assert view.exports.progress.isVisibleTo(view)  # progress bar and cancel button while it runs
    qtbot.waitUntil(lambda: not view.exports.slot.busy)
    assert job_started and len(job_started) < 18
    assert list(out.iterdir()) == []
    assert not view.exports.progress.isVisibleTo(view)


def test_a_bad_range_fails_with_a_message(qtbot, view, out, dialog_script):
    req = view.exports.animation_request(str(out / "x.gif"), AnimationOptions(first=5, last=99))
    with qtbot.waitSignal(view.exports.slot.failed, timeout=5000) as sig:
        view.exports.start(req)
    assert "outside 0…17" in sig.args[0] and dialog_script.errors


def test_frames_without_freetype_use_the_bitmap_font(out, monkeypatch):
    """A bundle may leave Pillow's FreeType out: frames still render, with the small font."""
    from PIL import ImageFont

    from .test_crossbar_support import small_plan

    def no_freetype(*a, **k):
        raise ImportError("The _imagingft C module is not installed")

    monkeypatch.setattr(ImageFont, "truetype", no_freetype)
    monkeypatch.setattr(ImageFont, "load_default", no_freetype)
    run_export(AnimationRequest(FrameSpec(small_plan(), width=320, height=180), str(out / "b.gif"), 0, 2))
    assert iio.imread(out / "b.gif", index=None).shape[0] == 3


def test_mp4_without_ffmpeg_says_what_to_install(out, monkeypatch):
    import imageio_ffmpeg

    from engine.errors import XbarError

    from .test_crossbar_support import small_plan

    def missing():
        raise RuntimeError("No ffmpeg exe could be found")

    monkeypatch.setattr(imageio_ffmpeg, "get_ffmpeg_exe", missing)
    with pytest.raises(XbarError, match="MP4 export needs ffmpeg"):
        run_export(AnimationRequest(FrameSpec(small_plan(), width=320, height=180), str(out / "c.mp4"), 0, 2))
    assert list(out.iterdir()) == []
