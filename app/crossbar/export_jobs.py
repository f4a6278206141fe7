"""Export work that runs on a worker thread: animations (GIF, MP4) and cell maps (CSV, JSON).

Each request is a frozen dataclass; `run_export(request, progress, should_stop)` is the
engine-style function `app.workers.JobRunner` runs. No Qt objects: frames come from
`FrameRenderer` (numpy), files are written to a temporary name and renamed at the end,
so a cancelled or failed export leaves no half-written file behind.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from engine.errors import XbarError, check_cancel
from engine.plan import Plan

from .export_frames import FrameRenderer, FrameSpec
from .tile import KIND_NAMES, WEIGHT_CELL, Tile
from .trace_export import TraceRequest, write_trace

GIF_MEMORY = 768 << 20  # GIF frames are kept until the file is written: bound them


@dataclass(frozen=True, eq=False)
class AnimationRequest:
    spec: FrameSpec
    path: str
    first: int
    last: int  # inclusive
    step: int = 1
    fps: float = 10.0

    @property
    def cycles(self) -> range:
        return range(self.first, self.last + 1, max(1, self.step))


@dataclass(frozen=True, eq=False)
class CellMapRequest:
    plan: Plan
    a: int
    b: int
    group: int
    path: str
    weights: np.ndarray | None = field(default=None, repr=False)


@dataclass(frozen=True, eq=False)
class ExportResult:
    request: object
    path: str
    count: int  # frames written, or cells listed


def run_export(request, progress=None, should_stop=None) -> ExportResult:
    progress = progress or (lambda done, total, text: None)
    if isinstance(request, AnimationRequest):
        return _animation(request, progress, should_stop)
    if isinstance(request, CellMapRequest):
        return _cell_map(request, progress, should_stop)
    if isinstance(request, TraceRequest):
        return _trace(request, progress, should_stop)
    raise TypeError(f"not an export request: {type(request).__name__}")


def _temp(path: str) -> Path:
    p = Path(path)
    return p.with_name(f".{p.stem}.partial{p.suffix}")


def _finish(tmp: Path, path: str) -> None:
    os.replace(tmp, path)


def _animation(req: AnimationRequest, progress, should_stop) -> ExportResult:
    total = req.spec.plan.cycles
    if not (0 <= req.first <= req.last < total):
        raise XbarError(f"cycle range {req.first}…{req.last} is outside 0…{total - 1}")
    frames = req.cycles
    kind = Path(req.path).suffix.lower()
    if kind == ".gif" and len(frames) * req.spec.width * req.spec.height > GIF_MEMORY:
        raise XbarError(f"{len(frames):,} frames of {req.spec.width}×{req.spec.height} are too many for a GIF; "
                        "use a larger step, a smaller size or MP4")
    renderer = FrameRenderer(req.spec)
    tmp = _temp(req.path)
    try:
        if kind == ".gif":
            _write_gif(req, renderer, frames, tmp, progress, should_stop)
        elif kind == ".mp4":
            _write_mp4(req, renderer, frames, tmp, progress, should_stop)
        else:
            raise XbarError(f"cannot write '{kind}': choose .gif or .mp4")
        _finish(tmp, req.path)
    finally:
        tmp.unlink(missing_ok=True)
    return ExportResult(req, req.path, len(frames))


def _trace(req: TraceRequest, progress, should_stop) -> ExportResult:
    tmp = _temp(req.path)
    try:
        write_trace(req, tmp, progress, should_stop)
        _finish(tmp, req.path)
    finally:
        tmp.unlink(missing_ok=True)
    return ExportResult(req, req.path, req.last - req.first + 1)


def _write_gif(req, renderer, frames, tmp, progress, should_stop) -> None:
    """Pillow (imageio's GIF backend) fed palette images directly: the view's exact colours,
    no per-frame quantisation and no palette remapping."""
    from PIL import Image

    images = []
    for i, t in enumerate(frames):
        check_cancel(should_stop)
        im = Image.fromarray(renderer.render(t), mode="P")
        im.putpalette(renderer.palette_bytes())
        images.append(im)
        progress(i + 1, len(frames), f"frame of cycle {t:,}")
    check_cancel(should_stop)
    duration = max(20, round(1000 / req.fps))  # GIF delays are in 10 ms steps; 20 ms is the usual floor
    images[0].save(tmp, format="GIF", save_all=True, append_images=images[1:], duration=duration, loop=0,
                   optimize=False)


def _write_mp4(req, renderer, frames, tmp, progress, should_stop) -> None:
    import imageio.v2 as iio2

    try:
        import imageio_ffmpeg

        imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError) as e:
        raise XbarError("MP4 export needs ffmpeg: install imageio-ffmpeg or put an ffmpeg on the PATH "
                        f"(e.g. apt-get install ffmpeg); GIF export works without it ({e})") from None

    writer = iio2.get_writer(tmp, format="FFMPEG", mode="I", fps=req.fps, codec="libx264", quality=8,
                             macro_block_size=2, pixelformat="yuv420p", ffmpeg_log_level="error")
    try:
        for i, t in enumerate(frames):
            check_cancel(should_stop)
            writer.append_data(renderer.rgb(renderer.render(t)))
            progress(i + 1, len(frames), f"frame of cycle {t:,}")
    finally:
        writer.close()


# --- cell maps ---------------------------------------------------------------------------------
CSV_COLUMNS = ("row", "col", "kind", "input_channel", "pw_y", "pw_x", "copy", "wy", "wx",
               "output_channel", "bit", "ky", "kx")


def _cell_map(req: CellMapRequest, progress, should_stop) -> ExportResult:
    tile = Tile(req.plan, req.a, req.b)
    tmp = _temp(req.path)
    try:
        if Path(req.path).suffix.lower() == ".json":
            count = _cell_map_json(req, tile, tmp, progress, should_stop)
        else:
            count = _cell_map_csv(req, tile, tmp, progress, should_stop)
        _finish(tmp, req.path)
    finally:
        tmp.unlink(missing_ok=True)
    return ExportResult(req, req.path, count)


def _block_cells(tile: Tile, r0: int, r1: int):
    """Cells inside the block among rows r0..r1: row, col, kind, ky, kx (-1 off the kernel)."""
    _, kyt, kxt = tile._tables
    rp, cc = tile.row_pix[r0:r1], tile.col_copy
    kind = tile.kinds(r0, r1)
    r, c = np.nonzero(kind)
    k = kind[r, c]
    on = k == WEIGHT_CELL
    return r + r0, c, k, np.where(on, kyt[rp[r], cc[c]], -1), np.where(on, kxt[rp[r], cc[c]], -1)


def _cell_map_csv(req: CellMapRequest, tile: Tile, tmp: Path, progress, should_stop) -> int:
    p = req.plan
    rv, cv = tile.rows, tile.cols
    gi, go = req.group * p.group.in_c, req.group * p.group.out_c
    rows = p.array.rows
    chunk = max(1, (1 << 20) // p.array.cols)
    header = CSV_COLUMNS + (("weight",) if req.weights is not None else ())
    count = 0
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(header) + "\n")
        for r0 in range(0, rows, chunk):
            check_cancel(should_stop)
            r, c, kind, ky, kx = _block_cells(tile, r0, min(rows, r0 + chunk))
            k = cv.copy[c]
            cols = [r, c, np.asarray(KIND_NAMES, dtype=object)[kind], rv.c[r] + gi, rv.y[r], rv.x[r], k,
                    k // p.nw, k % p.nw, cv.oc[c] + go, cv.bit[c], ky, kx]
            if req.weights is not None:
                w = np.asarray(req.weights)[cv.oc[c] + go, rv.c[r], np.maximum(ky, 0), np.maximum(kx, 0)]
                cols.append(np.where(kind == WEIGHT_CELL, w, 0))
            if r.size:
                table = np.empty((r.size, len(cols)), dtype=object)
                for j, col in enumerate(cols):
                    table[:, j] = col
                np.savetxt(fh, table, fmt="%s", delimiter=",")
            count += int(r.size)
            progress(min(rows, r0 + chunk), rows, "rows")
    return count


def _cell_map_json(req: CellMapRequest, tile: Tile, tmp: Path, progress, should_stop) -> int:
    p = req.plan
    rv, cv = tile.rows, tile.cols
    gi, go = req.group * p.group.in_c, req.group * p.group.out_c
    used_r, used_c = np.flatnonzero(rv.used), np.flatnonzero(cv.used)
    cells = []
    rows = p.array.rows
    chunk = max(1, (1 << 20) // p.array.cols)
    for r0 in range(0, rows, chunk):
        check_cancel(should_stop)
        r, c, kind, ky, kx = _block_cells(tile, r0, min(rows, r0 + chunk))
        keep = kind == WEIGHT_CELL
        cells.append(np.column_stack([r[keep], c[keep], ky[keep], kx[keep]]))
        progress(min(rows, r0 + chunk), rows, "rows")
    weight_cells = np.concatenate(cells) if cells else np.zeros((0, 4), np.int64)
    doc = {
        "format": "xbarscope-cell-map", "version": 1,
        "layer": p.layer.to_dict(), "array": p.array.to_dict(), "method": p.method,
        "plan": p.to_dict(), "tile": {"row_tile": req.a, "col_tile": req.b, "group": req.group},
        "about": "rows and columns list what each used array row / column means (section 5 of the "
                 "mapping model); weight_cells lists [row, col, ky, kx] of every cell holding a weight; "
                 "other cells of the block (used row and used column) are zero cells",
        "rows": [{"row": int(r), "input_channel": int(rv.c[r]) + gi, "pw_pixel": [int(rv.y[r]), int(rv.x[r])]}
                 for r in used_r],
        "columns": [{"col": int(c), "copy": int(cv.copy[c]), "window": [int(cv.copy[c]) // p.nw, int(cv.copy[c]) % p.nw],
                     "output_channel": int(cv.oc[c]) + go, "bit": int(cv.bit[c])} for c in used_c],
        "weight_cells": weight_cells.astype(int).tolist(),
    }
    check_cancel(should_stop)
    tmp.write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")
    return len(weight_cells)
