"""Exporting the values of a range of cycles: the same trace `xbarscope-cli trace` writes
(engine.trace_format), with the operands values mode shows. Runs in the export worker."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from engine.errors import XbarError, check_cancel
from engine.plan import Plan
from engine.trace import TraceOperands


@dataclass(frozen=True, eq=False)
class TraceRequest:
    plan: Plan
    operands: TraceOperands
    order: str
    first: int
    last: int  # inclusive
    path: str
    head: dict  # the JSON's leading fields: layer, method, array, plan


def trace_request(plan: Plan, operands: TraceOperands, order: str, first: int, last: int, path: str,
                  layer_index: int) -> TraceRequest:
    """A request, refused (XbarError) when the range or the trace is too large to write."""
    from engine.cli import layer_fields
    from engine.trace_format import operand_values, size_problem

    if not 0 <= first <= last < plan.cycles:
        raise XbarError(f"cycle range {first}…{last} is outside 0…{plan.cycles - 1}")
    problem = size_problem(plan, first, last, operand_values(plan))
    if problem:
        raise XbarError(problem.replace(" (give --cycles A..B)", ""))
    head = {"layer_index": layer_index, "layer": layer_fields(plan.layer), "method": plan.method,
            "array": plan.array.to_dict(), "plan": plan.to_dict()}
    return TraceRequest(plan, operands, order, first, last, path, head)


class _Stopping:
    """A text stream that checks the stop flag on every write (the writers write a cycle at a time)."""

    def __init__(self, out, should_stop, progress, total: int):
        self.out, self.should_stop, self.progress, self.total = out, should_stop, progress, total
        self.writes = 0

    def write(self, text: str) -> int:
        check_cancel(self.should_stop)
        self.writes += 1
        if self.writes % 256 == 0:
            self.progress(min(self.writes, self.total), self.total, "cycles")
        return self.out.write(text)


def write_trace(req: TraceRequest, tmp: Path, progress, should_stop) -> None:
    from engine.trace import Trace
    from engine.trace_format import write_trace_csv, write_trace_json

    trace = Trace.of(req.plan, req.operands, req.order)
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        out = _Stopping(fh, should_stop, progress, req.last - req.first + 1)
        if Path(req.path).suffix.lower() == ".csv":
            write_trace_csv(out, trace, req.operands, req.first, req.last)
        else:
            write_trace_json(out, trace, req.operands, req.first, req.last, req.head)
