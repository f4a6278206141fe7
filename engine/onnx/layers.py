"""One ONNX node -> one crossbar layer: Conv, Gemm and MatMul with a constant weight.

A builder returns the layer, its weight (lazy, `(OC, IC/g, Kh, Kw)`) and report lines,
or raises `Skip` with a reason naming what the node does that XbarScope cannot map; the
walk lists skipped nodes and goes on with the rest of the model.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ..errors import LayerError
from ..layers import ConvLayer
from ..weights import LazyWeight
from .tensors import TensorRef, type_name

INPUT_SIZE_HINT = "give the input size: input_size=(H, W) in Python, --input-size HxW on the command line"


class Skip(Exception):
    """The node cannot become a layer; the message says why."""


@dataclass
class Context:
    """What a builder may look up: shapes from inference, constants, attributes."""

    shapes: dict[str, tuple | None]
    constant: Callable[[str], TensorRef | None]
    attrs: Callable[[object], dict]


@dataclass
class Built:
    layer: ConvLayer
    weight: LazyWeight
    notes: list[str] = field(default_factory=list)
    has_bias: bool = False


def _dims(shape) -> str:
    return "(" + ", ".join("?" if d is None else str(d) for d in shape) + ")"


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _ints(attrs: dict, key: str, n: int, default: int) -> list[int]:
    value = attrs.get(key, [default] * n)
    if not isinstance(value, (list, tuple)) or len(value) != n or not all(isinstance(v, int) for v in value):
        raise Skip(f"attribute {key} {value!r} does not fit a {n}-D convolution")
    return list(value)


def _int(attrs: dict, key: str, default: int) -> int:
    value = attrs.get(key, default)
    if not isinstance(value, int):
        raise Skip(f"attribute {key} {value!r} is not a whole number")
    return value


def _float(attrs: dict, key: str, default: float) -> float:
    value = attrs.get(key, default)
    if not isinstance(value, (int, float)):
        raise Skip(f"attribute {key} {value!r} is not a number")
    return float(value)


def _pads(attrs: dict, sizes: list[int], kernel: list[int], strides: list[int]) -> list[tuple[int, int]]:
    """(begin, end) zero padding per spatial axis, auto_pad resolved."""
    n = len(sizes)
    auto = _text(attrs.get("auto_pad", "NOTSET"))
    if auto in ("NOTSET", ""):
        pads = _ints(attrs, "pads", 2 * n, 0)
        if min(pads) < 0:
            raise Skip(f"negative pads {pads} (cropping) are not supported")
        return [(pads[i], pads[i + n]) for i in range(n)]
    if auto == "VALID":
        return [(0, 0)] * n
    if auto not in ("SAME_UPPER", "SAME_LOWER"):
        raise Skip(f"auto_pad {auto!r} is not an ONNX padding mode")
    out = []
    for size, k, s in zip(sizes, kernel, strides):
        total = max((-(-size // s) - 1) * s + k - size, 0)
        small, big = total // 2, total - total // 2
        out.append((small, big) if auto == "SAME_UPPER" else (big, small))
    return out


def _symmetric(size: int, begin: int, end: int) -> tuple[int, int]:
    """(IFM size, pad) of a symmetric layer computing what (begin, end) padding computes.

    The layer keeps the smaller pad on both sides and takes the difference as zero rows
    (columns) added to the IFM on the side with more padding: the windows read the same
    pixels and the OFM is the same, so cycles and the functional proof are exact.
    """
    return size + abs(begin - end), min(begin, end)


def _layer(**kw) -> ConvLayer:
    try:
        return ConvLayer(**kw)
    except LayerError as e:
        raise Skip(str(e)) from None


def _constant_weight(ctx: Context, node, index: int, what: str) -> TensorRef:
    name = node.input[index] if len(node.input) > index else ""
    ref = ctx.constant(name) if name else None
    if ref is None:
        raise Skip(f"its {what} '{name}' is not a constant (the graph computes it or takes it as an "
                   f"input); XbarScope maps constant weights only")
    if not ref.convertible:
        raise Skip(f"its {what} '{name}' holds {type_name(ref.data_type)} values, not numbers")
    return ref


def conv(ctx: Context, node, name: str) -> Built:
    w = _constant_weight(ctx, node, 1, "weight")
    a = ctx.attrs(node)
    if len(w.shape) not in (3, 4):
        raise Skip(f"a {len(w.shape) - 2}-D convolution (weight shape {list(w.shape)}) is not supported; "
                   f"XbarScope maps 1-D and 2-D convolutions")
    n = len(w.shape) - 2
    dil = _ints(a, "dilations", n, 1)
    if any(d != 1 for d in dil):
        raise Skip(f"dilation {dil} is not supported (dilated kernels are not mapped)")
    group = _int(a, "group", 1)
    oc, icg, kernel = w.shape[0], w.shape[1], list(w.shape[2:])
    if "kernel_shape" in a and _ints(a, "kernel_shape", n, 1) != kernel:
        raise Skip(f"kernel_shape {a['kernel_shape']} disagrees with the weight's {kernel}")
    if group < 1:
        raise Skip(f"group {group!r} is not a positive whole number")
    strides = _ints(a, "strides", n, 1)
    if min(strides) < 1:
        raise Skip(f"strides {strides} must be at least 1")
    x_name = node.input[0]
    x = ctx.shapes.get(x_name)
    if x is None:
        raise Skip(f"the shape of its input '{x_name}' is not known; {INPUT_SIZE_HINT}")
    if len(x) != n + 2:
        raise Skip(f"its input '{x_name}' has shape {_dims(x)}, not (N, C{', H' * (n == 2)}, W)")
    if isinstance(x[1], int) and x[1] != icg * group:
        raise Skip(f"its input has {x[1]} channels; the weight with group {group} takes {icg * group}")
    sizes = list(x[2:])
    if not all(isinstance(s, int) for s in sizes):
        raise Skip(f"the spatial size of its input '{x_name}' {_dims(x)} is not fixed; {INPUT_SIZE_HINT}")
    pads = _pads(a, sizes, kernel, strides)
    notes = []
    if n == 1:  # a 1-D convolution is a 2-D one on a 1-pixel-high IFM
        sizes, kernel, strides, pads = [1] + sizes, [1] + kernel, [1] + strides, [(0, 0)] + pads
        notes.append(f"layer '{name}': 1-D convolution mapped on a 1 x {sizes[1]} IFM")
    (h, ph), (wd, pw) = _symmetric(sizes[0], *pads[0]), _symmetric(sizes[1], *pads[1])
    if (h, wd) != tuple(sizes):
        (t, b), (lf, r) = pads
        notes.append(f"layer '{name}': asymmetric pads (top {t}, bottom {b}, left {lf}, right {r}) mapped "
                     f"exactly as padding {ph}x{pw} on a {h}x{wd} IFM (the extra pad rows/columns "
                     f"taken as zero input pixels)")
    layer = _layer(name=name, in_h=h, in_w=wd, in_c=icg * group, out_c=oc, k_h=kernel[0], k_w=kernel[1],
                   stride_h=strides[0], stride_w=strides[1], pad_h=ph, pad_w=pw, groups=group)
    shape = (oc, icg, kernel[0], kernel[1])
    return Built(layer, LazyWeight(shape, lambda: w.float32().reshape(shape)), notes,
                 has_bias=len(node.input) > 2 and bool(node.input[2]))


def gemm(ctx: Context, node, name: str) -> Built:
    b = _constant_weight(ctx, node, 1, "weight (input B)")
    a = ctx.attrs(node)
    if len(b.shape) != 2:
        raise Skip(f"its weight has shape {list(b.shape)}, not a matrix")
    trans_a, trans_b, alpha = _int(a, "transA", 0), _int(a, "transB", 0), _float(a, "alpha", 1.0)
    out_f, in_f = b.shape if trans_b else b.shape[::-1]
    x = ctx.shapes.get(node.input[0])
    if x is not None and len(x) == 2 and isinstance(x[0 if trans_a else 1], int):
        k = x[0 if trans_a else 1]
        if k != in_f:
            raise Skip(f"its input has {k} features; the weight takes {in_f}")
    notes = [f"layer '{name}': Gemm alpha {alpha:g} folded into the weights"] if alpha != 1.0 else []

    def load():
        m = b.float32()
        m = m if trans_b else m.T
        return (m * alpha if alpha != 1.0 else m).reshape(out_f, in_f, 1, 1)

    layer = _layer(name=name, in_h=1, in_w=1, in_c=in_f, out_c=out_f, k_h=1, k_w=1, kind="linear")
    return Built(layer, LazyWeight((out_f, in_f, 1, 1), load), notes,
                 has_bias=len(node.input) > 2 and bool(node.input[2]))


def matmul(ctx: Context, node, name: str) -> Built:
    if len(node.input) > 1 and ctx.constant(node.input[1]) is None and ctx.constant(node.input[0]) is not None:
        raise Skip("its constant is the first input (W @ x); XbarScope maps x @ W, the weight second")
    b = _constant_weight(ctx, node, 1, "weight (input B)")
    if len(b.shape) not in (1, 2):
        raise Skip(f"its weight has shape {list(b.shape)}; batched weights are not supported")
    in_f, out_f = (b.shape[0], 1) if len(b.shape) == 1 else b.shape
    x = ctx.shapes.get(node.input[0])
    notes, h, w = [], 1, 1
    if x is not None and isinstance(x[-1], int) and x[-1] != in_f:
        raise Skip(f"its input has {x[-1]} features; the weight takes {in_f}")
    if x is not None and len(x) in (3, 4):
        # (batch, S, K) or (batch, H, W, K): one input vector per position, as a 1x1 convolution.
        pos = list(x[1:-1])
        if all(isinstance(p, int) for p in pos):
            h, w = pos[0], pos[1] if len(pos) == 2 else 1
            notes.append(f"layer '{name}': MatMul on a {_dims(x)} input mapped as a 1x1 convolution "
                         f"over {h}x{w} positions")
        else:
            notes.append(f"layer '{name}': its input {_dims(x)} has a position count the model does not "
                         f"fix; mapped as one vector per image")
    elif x is not None and len(x) > 4:
        raise Skip(f"its input has shape {_dims(x)}; MatMul inputs of rank 5 or more are not supported")

    def load():
        m = b.float32()
        return (m.reshape(in_f, 1) if m.ndim == 1 else m).T.reshape(out_f, in_f, 1, 1)

    kind = "linear" if (h, w) == (1, 1) else "conv"
    layer = _layer(name=name, in_h=h, in_w=w, in_c=in_f, out_c=out_f, k_h=1, k_w=1, kind=kind)
    return Built(layer, LazyWeight((out_f, in_f, 1, 1), load), notes)


BUILDERS = {"Conv": conv, "Gemm": gemm, "MatMul": matmul}
# Crossbar-like operators XbarScope does not map: reported as skipped, not as "other nodes".
NOT_MAPPED = ("ConvTranspose", "ConvInteger", "QLinearConv", "MatMulInteger", "QLinearMatMul",
              "DeformConv", "Einsum")
