"""Small ONNX models built in code with onnx.helper, for the import tests (no downloads).

Weights are small whole numbers stored as float32, so a model run by onnx's reference
evaluator gives exact integers to compare with the engine's direct convolution.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17


class Graph:
    """Collects nodes and initializers; `model()` wraps them with one 4-D float input."""

    def __init__(self, input_shape, seed: int = 0, input_name: str = "x"):
        self.nodes, self.inits, self.rng = [], [], np.random.default_rng(seed)
        self.input = helper.make_tensor_value_info(input_name, TensorProto.FLOAT, list(input_shape))
        self.last = input_name
        self.weights: dict[str, np.ndarray] = {}  # node name -> weight as the node holds it

    def init(self, name: str, array: np.ndarray) -> str:
        self.inits.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def int_weights(self, shape, bits: int = 4) -> np.ndarray:
        """Whole numbers in [-hi, hi], hi reached: quantizing to `bits` bits gives scale 1."""
        hi = (1 << (bits - 1)) - 1
        w = self.rng.integers(-hi, hi + 1, size=shape).astype(np.float32)
        w.flat[0] = hi
        return w

    def node(self, op: str, inputs, name: str, out: str | None = None, **attrs) -> str:
        out = out or f"{name}_out"
        self.nodes.append(helper.make_node(op, list(inputs), [out], name=name, **attrs))
        self.last = out
        return out

    def conv(self, name, ic, oc, k, x=None, groups=1, bias=False, **attrs) -> str:
        kh, kw = (k, k) if isinstance(k, int) else k
        w = self.int_weights((oc, ic // groups, kh, kw))
        self.weights[name] = w
        inputs = [x or self.last, self.init(f"{name}.weight", w)]
        if bias:
            inputs.append(self.init(f"{name}.bias", np.zeros(oc, np.float32)))
        return self.node("Conv", inputs, name, group=groups, **attrs)

    def gemm(self, name, fin, fout, x=None, trans_b=1) -> str:
        w = self.int_weights((fout, fin) if trans_b else (fin, fout))
        self.weights[name] = w
        return self.node("Gemm", [x or self.last, self.init(f"{name}.weight", w)], name, transB=trans_b)

    def matmul(self, name, fin, fout, x=None) -> str:
        w = self.int_weights((fin, fout))
        self.weights[name] = w
        return self.node("MatMul", [x or self.last, self.init(f"{name}.weight", w)], name)

    def batchnorm(self, name, c, x=None) -> str:
        ones, zeros = np.ones(c, np.float32), np.zeros(c, np.float32)
        ins = [self.init(f"{name}.{p}", v) for p, v in
               (("scale", ones), ("bias", zeros), ("mean", zeros), ("var", ones))]
        return self.node("BatchNormalization", [x or self.last] + ins, name)

    def model(self, out_shape=None, name: str = "test") -> onnx.ModelProto:
        out = helper.make_tensor_value_info(self.last, TensorProto.FLOAT, out_shape)
        graph = helper.make_graph(self.nodes, name, [self.input], [out], initializer=self.inits)
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                                 producer_name="xbarscope-tests")


def save(model: onnx.ModelProto, path: Path) -> Path:
    path.write_bytes(model.SerializeToString())
    return path


def resnet_block(c_in: int = 16, c_out: int = 32, size: int = 16) -> Graph:
    """conv-bn-relu-conv-bn + 1x1 stride-2 projection, add, relu, pool, flatten, gemm."""
    g = Graph((1, c_in, size, size))
    x = g.last
    g.conv("conv1", c_in, c_out, 3, x=x, strides=[2, 2], pads=[1, 1, 1, 1])
    g.batchnorm("bn1", c_out)
    g.node("Relu", [g.last], "relu1")
    g.conv("conv2", c_out, c_out, 3, pads=[1, 1, 1, 1])
    main = g.batchnorm("bn2", c_out)
    g.conv("proj", c_in, c_out, 1, x=x, strides=[2, 2])
    short = g.batchnorm("proj_bn", c_out)
    g.node("Add", [main, short], "add")
    g.node("Relu", [g.last], "relu2")
    g.node("GlobalAveragePool", [g.last], "pool")
    g.node("Flatten", [g.last], "flatten")
    g.gemm("fc", c_out, 10)
    return g


def reference_run(model: onnx.ModelProto, x: np.ndarray, outputs: list[str]) -> list[np.ndarray]:
    """Run the model with onnx's reference evaluator and return intermediate tensors."""
    from onnx.reference import ReferenceEvaluator

    m = onnx.ModelProto()
    m.CopyFrom(model)
    del m.graph.output[:]
    m.graph.output.extend(helper.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in outputs)
    return ReferenceEvaluator(m).run(None, {m.graph.input[0].name: x.astype(np.float32)})
