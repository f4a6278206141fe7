"""The trace export (issue 15, item 4): a range of cycles' values as JSON or CSV.

JSON: one object. Once per trace: the layer, array, method, order, `seed`, where the
weights came from, the integer operands `X` (IC, H, W) and `W` (OC, IC/g, Kh, Kw)
(nested lists; `extra` and the compression's masks for a compressed plan), and `trace`,
one object per cycle:

    {"cycle": t, "group": g, "region": r, "tile": [b, a], "pw": [py, px], "reprogram": bool,
     "rows":    [[row, input channel, [y, x] or null for padding, input value], ...],
     "columns": [[column, copy, output channel, bit slice, [y, x] of the OFM, partial sum], ...]}

`rows` lists the driven rows, `columns` the columns feeding an output (past-edge and
unused ones left out). An output's value is the sum over cycles and columns of
`partial * 2**(bit * cell_bits)`: the direct convolution of X and W (`reference` says
which reference a compressed plan computes). `pw` of a region plan counts in its region.

CSV: one record per line, `record` saying what it is, in long form so that a spreadsheet
or `read_trace_csv` can take it back (`CSV_FIELDS` are the columns, empty where a record
has no such field):

- `seed` (value), `cell_bits` (value), `groups` (value), `stride` and `padding` (y, x);
- `x`: ic, y, x, value; `w`: oc, ic (within the group), ky, kx, value;
- `cycle`: cycle, group, region, b, a, py, px, value = 1 if the array was reprogrammed;
- `row`: cycle, index = row, ic, y, x (empty for padding), value = input value;
- `col`: cycle, index = column, copy, oc, bit, y, x of the OFM, value = partial sum.
"""
from __future__ import annotations

import csv
import io
import json

import numpy as np

from .errors import XbarError
from .trace import CycleValues, Trace, TraceOperands

ROW_FIELDS = ["row", "channel", "ifm", "value"]
COLUMN_FIELDS = ["column", "copy", "channel", "bit", "ofm", "partial"]
CSV_FIELDS = ["record", "cycle", "group", "region", "b", "a", "py", "px", "index", "copy", "oc", "ic", "bit",
              "y", "x", "ky", "kx", "value"]

MAX_TRACE_CYCLES = 100_000
MAX_TRACE_ENTRIES = 4_000_000  # row and column entries of one trace (a few hundred MB of text at most)
MAX_TRACE_OPERANDS = 1 << 23  # values of X, W (and compensatory weights) written once per trace


def size_problem(plan, first: int, last: int, operand_values: int) -> str | None:
    """Why a trace of cycles first..last of `plan`, with `operand_values` values of X, W (and
    compensatory weights) written once, is too large to write; or None."""
    n = last - first + 1
    if n > MAX_TRACE_CYCLES:
        return f"{n:,} cycles asked; a trace holds at most {MAX_TRACE_CYCLES:,} (give --cycles A..B)"
    per = plan.array.rows + plan.array.cols
    if n * per > MAX_TRACE_ENTRIES:
        return (f"{n:,} cycles on a {plan.array.label()} array are up to {n * per:,} row and column entries; "
                f"a trace holds at most {MAX_TRACE_ENTRIES:,} (ask at most {max(1, MAX_TRACE_ENTRIES // per):,} cycles)")
    if operand_values > MAX_TRACE_OPERANDS:
        return (f"layer '{plan.layer.name}': its operands are {operand_values:,} values; a trace writes X and W "
                f"once and holds at most {MAX_TRACE_OPERANDS:,}")
    return None


def operand_values(plan) -> int:
    """Values of X, W and compensatory weights a trace of `plan` writes."""
    L = plan.layer
    n = L.in_c * L.in_h * L.in_w + L.out_c * L.group_in_c * L.k_h * L.k_w
    if plan.compression is not None and plan.compression.extra is not None:
        n += plan.copies * L.out_c * L.group_in_c * plan.pix_h * plan.pix_w
    return n


def _pix(y: int, x: int):
    return None if y < 0 else [y, x]


def cycle_dict(cv: CycleValues) -> dict:
    c = cv.cycle
    r = np.flatnonzero(cv.driven)
    k = np.flatnonzero(cv.feeding)
    rows, cols = cv.rows, cv.cols
    return {"cycle": c.index, "group": c.group, "region": c.region, "tile": [c.b, c.a], "pw": [c.py, c.px],
            "reprogram": cv.tile_change,
            "rows": [[i, ch, _pix(y, x), v] for i, ch, y, x, v in
                     zip(r.tolist(), rows.c[r].tolist(), rows.iy[r].tolist(), rows.ix[r].tolist(),
                         cv.row_values[r].tolist())],
            "columns": [[i, cp, oc, b, [y, x], v] for i, cp, oc, b, y, x, v in
                        zip(k.tolist(), cv.col_copy[k].tolist(), cols.oc[k].tolist(), cv.col_bit[k].tolist(),
                            cols.oy[k].tolist(), cols.ox[k].tolist(), cv.partial[k].tolist())]}


def _compression(trace: Trace) -> dict | None:
    comp = trace.plan.compression
    if comp is None:
        return None
    d = {"kind": comp.kind, "weight_keep": comp.weight_keep.astype(np.uint8).tolist(),
         "oc_keep": None if comp.oc_keep is None else comp.oc_keep.tolist()}
    if comp.extra is not None:
        d["extra_mask"] = comp.extra.astype(np.uint8).tolist()
    return d


def _once(trace: Trace, ops: TraceOperands, first: int, last: int, head: dict) -> dict:
    """The fields a trace holds once: `head` (network, layer, method, array, ...) first."""
    d = dict(head)
    d.update({"order": trace.schedule.order, "cycles_total": trace.total, "first_cycle": first, "last_cycle": last,
              "seed": ops.seed, "weights": ops.weights, "weight_scale": ops.scale,
              "reference": "direct convolution" if trace.plan.compression is None else
              "the compressed layer: engine.simulate.expected_output (per-copy masked weights, extra weights)",
              "row_fields": ROW_FIELDS, "column_fields": COLUMN_FIELDS,
              "X": trace.x.tolist(), "W": trace.w.tolist()})
    comp = _compression(trace)
    if comp is not None:
        d["compression"] = comp
        if trace.extra is not None:
            d["extra"] = trace.extra.tolist()
    return d


def trace_json(trace: Trace, ops: TraceOperands, first: int, last: int, head: dict) -> dict:
    """The JSON object of cycles first..last (`write_trace_json` writes it without holding it)."""
    d = _once(trace, ops, first, last, head)
    d["trace"] = [cycle_dict(trace.cycle(t)) for t in range(first, last + 1)]
    return d


def write_trace_json(out, trace: Trace, ops: TraceOperands, first: int, last: int, head: dict) -> None:
    """`trace_json` as compact JSON on the text stream `out`, one cycle at a time: a trace of
    millions of entries never sits in memory as Python lists."""
    once = json.dumps(_once(trace, ops, first, last, head), separators=(",", ":"))
    out.write(once[:-1] + ',"trace":[')
    for t in range(first, last + 1):
        out.write(("," if t > first else "") + json.dumps(cycle_dict(trace.cycle(t)), separators=(",", ":")))
    out.write("]}\n")


def _blank(**kv) -> list:
    return [kv.get(f, "") for f in CSV_FIELDS]


def write_trace_csv(out, trace: Trace, ops: TraceOperands, first: int, last: int) -> None:
    """Cycles first..last as CSV records (see the module docstring) on the text stream `out`."""
    w = csv.writer(out, lineterminator="\n")
    L = trace.plan.layer
    w.writerow(CSV_FIELDS)
    w.writerow(_blank(record="seed", value=ops.seed))
    w.writerow(_blank(record="cell_bits", value=trace.plan.array.cell_bits))
    w.writerow(_blank(record="groups", value=L.groups))
    w.writerow(_blank(record="stride", y=L.stride_h, x=L.stride_w))
    w.writerow(_blank(record="padding", y=L.pad_h, x=L.pad_w))
    for (c, y, x), v in np.ndenumerate(trace.x):
        w.writerow(_blank(record="x", ic=c, y=y, x=x, value=int(v)))
    for (o, c, ky, kx), v in np.ndenumerate(trace.w):
        w.writerow(_blank(record="w", oc=o, ic=c, ky=ky, kx=kx, value=int(v)))
    for t in range(first, last + 1):
        d = cycle_dict(trace.cycle(t))
        (b, a), (py, px) = d["tile"], d["pw"]
        w.writerow(_blank(record="cycle", cycle=t, group=d["group"], region=d["region"], b=b, a=a, py=py, px=px,
                          value=int(d["reprogram"])))
        for r, c, pix, v in d["rows"]:
            y, x = pix if pix is not None else ("", "")
            w.writerow(_blank(record="row", cycle=t, index=r, ic=c, y=y, x=x, value=v))
        for col, cp, oc, bit, (y, x), v in d["columns"]:
            w.writerow(_blank(record="col", cycle=t, index=col, copy=cp, oc=oc, bit=bit, y=y, x=x, value=v))


def trace_csv(trace: Trace, ops: TraceOperands, first: int, last: int) -> str:
    out = io.StringIO()
    write_trace_csv(out, trace, ops, first, last)
    return out.getvalue()


def _dense(entries: list[tuple[tuple[int, ...], int]]) -> list:
    """Nested lists of the array whose entries (index tuple, value) are given, all of them."""
    if not entries:
        return []
    idx = np.array([e[0] for e in entries])
    a = np.zeros(tuple(idx.max(axis=0) + 1), dtype=np.int64)
    a[tuple(idx.T)] = [e[1] for e in entries]
    return a.tolist()


def read_trace_csv(text: str) -> dict:
    """A CSV trace back as the JSON export's `seed`, `cell_bits`, `X`, `W` and `trace` (and
    `groups`, `stride`, `padding`), so either export can be checked the same way."""
    reader = csv.reader(io.StringIO(text, newline=""))
    if next(reader, None) != CSV_FIELDS:
        raise XbarError(f"not a trace CSV: the first line must be {','.join(CSV_FIELDS)}")
    d: dict = {"trace": []}
    xs, ws = [], []
    for line, cells in enumerate(reader, start=2):
        if len(cells) != len(CSV_FIELDS):
            raise XbarError(f"trace CSV, line {line}: {len(cells)} fields, expected {len(CSV_FIELDS)}")
        f = dict(zip(CSV_FIELDS, cells))
        i = {k: int(v) for k, v in f.items() if k != "record" and v != ""}
        kind = f["record"]
        if kind in ("seed", "cell_bits", "groups"):
            d[kind] = i["value"]
        elif kind in ("stride", "padding"):
            d[kind] = [i["y"], i["x"]]
        elif kind == "x":
            xs.append(((i["ic"], i["y"], i["x"]), i["value"]))
        elif kind == "w":
            ws.append(((i["oc"], i["ic"], i["ky"], i["kx"]), i["value"]))
        elif kind == "cycle":
            d["trace"].append({"cycle": i["cycle"], "group": i["group"], "region": i["region"],
                               "tile": [i["b"], i["a"]], "pw": [i["py"], i["px"]], "reprogram": bool(i["value"]),
                               "rows": [], "columns": []})
        elif kind == "row":
            pix = [i["y"], i["x"]] if "y" in i else None
            d["trace"][-1]["rows"].append([i["index"], i["ic"], pix, i["value"]])
        elif kind == "col":
            d["trace"][-1]["columns"].append([i["index"], i["copy"], i["oc"], i["bit"], [i["y"], i["x"]], i["value"]])
        else:
            raise XbarError(f"trace CSV, line {line}: unknown record '{kind}'")
    d["X"], d["W"] = _dense(xs), _dense(ws)
    return d
