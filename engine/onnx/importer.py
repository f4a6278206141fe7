"""ONNX model -> Network with lazy weights and an import report.

Steps: walk the file's wire format (big weights stay on disk), check every initializer's
declaration, fix the input size where the model leaves it open, run shape inference,
then turn each Conv/Gemm/MatMul node with a constant weight into a layer, in graph order.
Whatever a step cannot do for one node is reported and the rest of the model imports;
only a damaged file, or a model with no layer to map, is an error (FormatError).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from ..errors import Cancelled, FormatError, XbarError, check_cancel
from ..layers import safe_name
from ..network import Network
from ..weights import LazyWeight, WeightStore
from .layers import BUILDERS, INPUT_SIZE_HINT, NOT_MAPPED, Context, Skip
from .reader import read_model
from .tensors import ExternalDataMissing, TensorError, TensorRef, shape_only, tensor_ref

WEIGHTS_UNAVAILABLE = "weights not available"  # opens the import note of a shape-only model
NCHW_FROM_NHWC = [0, 3, 1, 2]  # the Transpose keras2onnx puts after an NHWC image input

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class OnnxImport:
    """The network (with weights and report lines in `notes`) and the report's details."""

    network: Network
    skipped: tuple[tuple[str, str, str], ...]  # (node, op type, why), nodes that could map but did not
    unmapped: tuple[tuple[str, str], ...]  # (node, op type): not crossbar work (pooling, activations...)

    @property
    def needs_input_size(self) -> bool:
        """Some layers were skipped because the model leaves its input size open."""
        return any(INPUT_SIZE_HINT in why for _, _, why in self.skipped)


class InputSizeNeeded(FormatError):
    """No layer imports until the open input size is given: ask for H x W, import again
    with input_size=(H, W)."""


class _Steps:
    """Progress in percent over the stages; checks cancellation at every step."""

    def __init__(self, progress: Progress | None, should_stop):
        self.progress, self.should_stop, self.last = progress, should_stop, None

    def __call__(self, lo: int, hi: int, fraction: float, text: str) -> None:
        check_cancel(self.should_stop)
        done = lo + int((hi - lo) * min(max(fraction, 0.0), 1.0))
        if self.progress is not None and (done, text) != self.last:
            self.last = (done, text)
            self.progress(done, 100, text)


def _shapes(graph) -> dict[str, tuple | None]:
    out = {}
    for vi in (*graph.input, *graph.value_info, *graph.output):
        t = vi.type.tensor_type if vi.type.HasField("tensor_type") else None
        if t is None or not t.HasField("shape"):
            continue
        out[vi.name] = tuple(d.dim_value if d.HasField("dim_value") else (d.dim_param or None)
                             for d in t.shape.dim)
    return out


def _nhwc_inputs(graph) -> set[str]:
    """Graph inputs that a Transpose to NCHW follows (keras2onnx): their H, W are dims 1, 2."""
    from onnx import helper

    out = set()
    for node in graph.node:
        if _op(node) == "Transpose" and node.input:
            perm = next((helper.get_attribute_value(a) for a in node.attribute if _text(a.name) == "perm"), None)
            if perm is not None and list(perm) == NCHW_FROM_NHWC:
                out.add(node.input[0])
    return out


def _fix_input_size(graph, input_size, constants) -> list[str]:
    """Set open spatial dims of the 4-D graph inputs to `input_size` (height x width: NCHW
    dims 2, 3, or dims 1, 2 of an NHWC input that a Transpose to NCHW follows)."""
    notes, fixed = [], []
    nhwc = _nhwc_inputs(graph)
    for inp in graph.input:
        t = inp.type.tensor_type
        if inp.name in constants or not t.HasField("shape") or len(t.shape.dim) != 4:
            continue
        dims = t.shape.dim
        spatial = [dims[1], dims[2]] if inp.name in nhwc else [dims[2], dims[3]]
        layout = " (NHWC: a Transpose to NCHW follows it)" if inp.name in nhwc else ""
        if all(d.HasField("dim_value") for d in spatial):
            fixed.append(f"'{inp.name}' {spatial[0].dim_value}x{spatial[1].dim_value}{layout}")
            continue
        was = "x".join(str(d.dim_value) if d.HasField("dim_value") else (d.dim_param or "?") for d in spatial)
        for d, v in zip(spatial, input_size):
            if not d.HasField("dim_value"):
                d.dim_value = v
        notes.append(f"input '{inp.name}' taken as {spatial[0].dim_value}x{spatial[1].dim_value} "
                     f"(the model leaves it open: {was}){layout}")
    if not notes:
        h, w = input_size
        notes.append(f"input size {h}x{w} not used: the model fixes its inputs "
                     f"({', '.join(fixed) or 'no 4-D image input'})")
    return notes


def _infer(model, notes: list[str]):
    import onnx

    try:
        return onnx.shape_inference.infer_shapes(model)
    except Exception as e:  # InferenceError, or a RuntimeError for an opset it does not know
        first = (str(e).strip().splitlines() or [type(e).__name__])[0][:200]
        notes.append(f"shape inference failed ({first}); sizes come from the shapes the file declares")
        return model


def _attrs(node) -> dict:
    from onnx import helper

    out = {}
    for a in node.attribute:
        try:
            out[_text(a.name)] = helper.get_attribute_value(a)
        except Exception:  # a damaged attribute: None, which every builder refuses with its name
            out[_text(a.name)] = None
    return out


def _text(value) -> str:
    # Protobuf hands back bytes for a proto2 string that is not valid UTF-8 (a damaged name).
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _label(node, index: int) -> str:
    out = node.output[0] if node.output else ""
    return _text(node.name) or _text(out) or f"{_op(node)}_{index}"


def _op(node) -> str:
    op, domain = _text(node.op_type), _text(node.domain)
    return op if domain in ("", "ai.onnx") else f"{domain}.{op}"


class _Constants:
    """Initializers (checked up front) and Constant-node tensors (checked when used), seen
    through Identity nodes (exporters put them in front of shared weights) and through a
    Transpose of a constant (folded: the weight is read transposed).

    An initializer whose external data file is missing is kept by its shape alone
    (`missing`): a shape-only model still imports, without weights."""

    def __init__(self, graph, path: Path, slices: dict, steps):
        self.path, self.refs, self.nodes, self.alias = path, {}, {}, {}
        self.transposes, self.folded, self.missing = {}, [], {}
        consumer = {}
        for i, node in enumerate(graph.node):
            for name in node.input:
                consumer.setdefault(name, _label(node, i))
            if _op(node) == "Constant" and node.output:
                self.nodes[node.output[0]] = (node, i)
            if _op(node) == "Identity" and node.input and node.output:
                self.alias[node.output[0]] = node.input[0]
            if _op(node) == "Transpose" and len(node.input) == 1 and node.output:
                self.transposes[node.output[0]] = (node, i)
        count = max(len(graph.initializer), 1)
        for i, t in enumerate(graph.initializer):
            steps(60, 65, i / count, "checking weights")
            try:
                self.refs[t.name] = tensor_ref(t, path.parent, slices.get(i), path)
            except ExternalDataMissing as e:
                self.refs[t.name] = shape_only(t, e)
                self.missing[t.name] = e.location
            except (TensorError, OSError) as e:
                where = f"node '{consumer[t.name]}': " if t.name in consumer else ""
                raise FormatError(path, f"{where}{e}") from None

    def _transposed(self, name: str, depth: int):
        node, index = self.transposes[name]
        base = self.get(node.input[0], depth + 1)
        if base is None:
            return None
        perm = _attrs(node).get("perm")
        ndim = len(base.shape)
        perm = list(range(ndim))[::-1] if perm is None else list(perm)
        if sorted(perm) != list(range(ndim)):
            return None  # a damaged perm: not a constant we can fold; the node stays unmapped
        self.folded.append(_label(node, index))

        def read(base=base, perm=perm):
            values = base.reader()
            return None if values is None else np.transpose(values, perm)

        return TensorRef(name, base.data_type, tuple(base.shape[p] for p in perm), read, base.available)

    def get(self, name: str, depth: int = 0):
        for _ in range(len(self.alias)):  # bounded: a damaged graph may loop
            if name in self.refs or name not in self.alias:
                break
            name = self.alias[name]
        if name not in self.refs and name in self.transposes and depth < 16:
            ref = self._transposed(name, depth)
            if ref is not None:
                self.refs[name] = ref
        if name not in self.refs and name in self.nodes:
            node, index = self.nodes[name]
            value = next((a.t for a in node.attribute if a.name == "value"), None)
            try:
                self.refs[name] = None if value is None else tensor_ref(value, self.path.parent)
            except TensorError as e:
                raise FormatError(self.path, f"node '{_label(node, index)}': {e}") from None
        return self.refs.get(name)


def _grouped(unmapped: list[tuple[str, str]]) -> list[str]:
    lines = []
    for op, n in Counter(op for _, op in unmapped).items():
        names = [name for name, o in unmapped if o == op]
        shown = ", ".join(names[:6]) + (f", ... (+{n - 6} more)" if n > 6 else "")
        lines.append(f"not mapped onto crossbars: {n} {op} node{'s' * (n > 1)} ({shown})")
    return lines


def _walk(graph, shapes, constants: _Constants, steps):
    ctx = Context(shapes, constants.get, _attrs)
    layers, weights, notes, skipped, unmapped, used, biased = [], {}, [], [], [], set(), []
    shape_only_layers = []
    total = max(len(graph.node), 1)
    for i, node in enumerate(graph.node):
        steps(80, 100, i / total, "reading layers")
        label, op = _label(node, i), _op(node)
        if op not in BUILDERS:
            if op in NOT_MAPPED:
                skipped.append((label, op, f"XbarScope does not map {op} nodes"))
            else:
                unmapped.append((label, op))
            continue
        base = safe_name(label)  # a model's node names may hold anything; layer names may not
        name, k = base, 1
        while name in used:  # ONNX node names need not be unique; layer names must be
            k += 1
            name = f"{base}#{k}"
        try:
            built = BUILDERS[op](ctx, node, name)
        except Skip as e:
            skipped.append((label, op, str(e)))
            continue
        except FormatError:  # a damaged weight tensor: the file is wrong, not just this node
            raise
        except (ArithmeticError, LookupError, TypeError, ValueError) as e:  # odd attributes
            skipped.append((label, op, f"cannot be read ({type(e).__name__}: {e})"))
            continue
        used.add(name)
        layers.append(built.layer)
        ref = constants.get(node.input[1]) if len(node.input) > 1 else None
        if ref is not None and not ref.available:
            shape_only_layers.append(name)
        else:
            weights[name] = built.weight
        notes += built.notes
        if built.has_bias:
            biased.append(name)
    if biased:
        notes.append(f"{len(biased)} layer{'s' * (len(biased) > 1)} have a bias: it is added after the "
                     f"crossbar and is not part of the mapping")
    if shape_only_layers:
        files = sorted(set(constants.missing.values()))
        shown = ", ".join(f"'{f[:80]}'" for f in files[:3]) + (" ..." if len(files) > 3 else "")
        every = len(shape_only_layers) == len(layers)
        which = f"all {len(layers)} layers" if every else f"{len(shape_only_layers)} of the {len(layers)} layers"
        notes.insert(0, f"{WEIGHTS_UNAVAILABLE} for {which}: their external data file{'s' * (len(files) > 1)} {shown} "
                     f"{'are' if len(files) > 1 else 'is'} not next to the model. The layers were imported "
                     f"from the declared weight shapes (cycles need only shapes); weight colouring and "
                     f"magnitude or L1 pruning rules are off for them, and verify uses random weights")
    folded = set(constants.folded)
    if folded:
        unmapped = [(n, op) for n, op in unmapped if not (op == "Transpose" and n in folded)]
        names = sorted(folded)
        notes.append(f"{len(names)} Transpose node{'s' * (len(names) > 1)} of a constant weight folded into "
                     f"the weight ({', '.join(names[:6])}{' ...' if len(names) > 6 else ''})")
    return layers, weights, notes, skipped, unmapped


def _import(path: Path, input_size, steps) -> OnnxImport:
    model, slices = read_model(path, lambda f: steps(0, 60, f, "reading the file"))
    graph = model.graph
    constants = _Constants(graph, path, slices, steps)
    notes = []
    if input_size is not None:
        notes += _fix_input_size(graph, input_size, constants.refs)
    steps(65, 80, 0.0, "inferring shapes")
    inferred = _infer(model, notes)
    layers, weights, layer_notes, skipped, unmapped = _walk(inferred.graph, _shapes(inferred.graph), constants, steps)
    found = len(layers) + len(skipped)
    if not layers:
        if not found:
            raise FormatError(path, "the model has no Conv, Gemm or MatMul node to map onto crossbars")
        reasons = "; ".join(f"node '{n}' ({op}): {why}" for n, op, why in skipped[:3])
        error = InputSizeNeeded if any(INPUT_SIZE_HINT in why for _, _, why in skipped) else FormatError
        raise error(path, f"no layer could be imported: {reasons}" + (" ..." if len(skipped) > 3 else ""))
    producer = " ".join(_text(x) for x in (model.producer_name, model.producer_version) if x) or "unknown producer"
    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), None)
    summary = (f"ONNX model from {producer}, opset {opset}: {len(layers)} layers from {found} "
               f"Conv/Gemm/MatMul nodes; {len(unmapped)} other nodes not mapped onto crossbars")
    report = ([summary] + [f"skipped node '{n}' ({op}): {why}" for n, op, why in skipped]
              + notes + layer_notes + _grouped(unmapped))
    net = Network(name=path.stem, layers=tuple(layers), description=f"ONNX model {graph.name or path.name}",
                  source=str(path), notes=tuple(report), weights=WeightStore(weights) if weights else None)
    steps(100, 100, 1.0, "done")
    return OnnxImport(net, tuple(skipped), tuple(unmapped))


def import_onnx(path, input_size: tuple[int, int] | None = None, progress: Progress | None = None,
                should_stop: Callable[[], bool] | None = None) -> OnnxImport:
    """Import an ONNX model. `input_size=(H, W)` fixes spatial sizes the model leaves open.

    `progress(done, total, text)` goes from 0 to 100; `should_stop()` true raises Cancelled.
    Anything wrong with the file raises FormatError naming it (and the node, where known).
    """
    path = Path(path)
    try:
        import onnx  # noqa: F401
    except ImportError:
        raise FormatError(path, "reading ONNX models needs the 'onnx' package: pip install onnx") from None
    if input_size is not None:
        input_size = check_input_size(input_size)
    try:
        return _import(path, input_size, _Steps(progress, should_stop))
    except (FormatError, Cancelled):
        raise
    except XbarError as e:
        raise FormatError(path, str(e)) from None
    except MemoryError:
        raise FormatError(path, "there is not enough memory to read this model") from None
    except Exception as e:  # never let a damaged file escape as another exception type
        raise FormatError(path, f"cannot be read as an ONNX model ({type(e).__name__}: {e})") from None


def weights_unavailable(net: Network) -> bool:
    """The network is (partly) shape-only: an imported model whose weight data is missing."""
    return any(note.startswith(WEIGHTS_UNAVAILABLE) for note in net.notes)


def check_input_size(size) -> tuple[int, int]:
    from ..layers import MAX_SPATIAL

    try:
        h, w = size
    except (TypeError, ValueError):
        raise XbarError(f"input size must be (height, width), got {size!r}") from None
    for v in (h, w):
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= MAX_SPATIAL:
            raise XbarError(f"input size {size!r}: height and width must be whole numbers from 1 to {MAX_SPATIAL}")
    return h, w


def parse_input_size(text: str) -> tuple[int, int]:
    """'224x224' or '224' -> (224, 224); XbarError naming the option otherwise."""
    parts = str(text).strip().lower().replace("*", "x").split("x")
    if not 1 <= len(parts) <= 2 or not all(p.strip().isascii() and p.strip().isdigit() for p in parts):
        raise XbarError(f"--input-size: '{text}' is not HxW (e.g. 224x224)")
    nums = [int(p) for p in parts] * (3 - len(parts))
    return check_input_size((nums[0], nums[1]))


def load_onnx(path, input_size=None, progress=None, should_stop=None) -> Network:
    """`import_onnx(...).network`: the layers, `notes` (the import report) and `weights`."""
    return import_onnx(path, input_size, progress, should_stop).network


__all__ = ["InputSizeNeeded", "LazyWeight", "OnnxImport", "WEIGHTS_UNAVAILABLE", "check_input_size", "import_onnx",
           "load_onnx", "parse_input_size", "weights_unavailable"]
