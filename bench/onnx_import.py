"""ONNX import benchmark: time and memory to open a ~100 MB model (printed, never asserted).

    .venv/bin/python bench/onnx_import.py [--mb 100]

Builds a VGG-like model (3x3 convs with random float32 weights, BatchNorm + Relu between,
a classifier) in a temporary folder, once with its weights inside the .onnx file and once
with them in an external-data file, then measures each in a fresh process:

- import time, Python peak (tracemalloc, which numpy allocations report to), the
  process's peak resident memory (VmHWM; it includes page-cache pages of the mapped file)
  and its private resident memory (RssAnon) after the import, both over the same process
  before the import;
- time to the first access of one large layer's weights (memory-mapped), and to
  quantize it to 8 bits;
- for comparison, `onnx.load` of the same file (everything in memory).
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build(folder: Path, mb: float, external: bool) -> Path:
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(0)
    chans = [3, 64, 128, 256, 512]
    deep = max(1, round((mb * 2**20 / 4 - 1.55e6 - 512 * 1000) / (512 * 512 * 9)))
    chans += [512] * deep
    nodes, inits, x, size = [], [], "x", 224
    for i, (cin, cout) in enumerate(zip(chans, chans[1:])):
        stride = 2 if i < 4 else 1
        w = rng.standard_normal((cout, cin, 3, 3), dtype=np.float32) * 0.05
        inits.append(numpy_helper.from_array(w, f"conv{i}.weight"))
        nodes.append(helper.make_node("Conv", [x, f"conv{i}.weight"], [f"c{i}"], name=f"conv{i}",
                                      pads=[1, 1, 1, 1], strides=[stride, stride]))
        bn = [numpy_helper.from_array(v.astype(np.float32), f"bn{i}.{k}") for k, v in
              (("s", np.ones(cout)), ("b", np.zeros(cout)), ("m", np.zeros(cout)), ("v", np.ones(cout)))]
        inits += bn
        nodes.append(helper.make_node("BatchNormalization", [f"c{i}"] + [t.name for t in bn], [f"n{i}"], name=f"bn{i}"))
        nodes.append(helper.make_node("Relu", [f"n{i}"], [f"r{i}"], name=f"relu{i}"))
        x = f"r{i}"
        size //= stride
    nodes.append(helper.make_node("GlobalAveragePool", [x], ["gap"], name="gap"))
    nodes.append(helper.make_node("Flatten", ["gap"], ["flat"], name="flatten"))
    inits.append(numpy_helper.from_array(rng.standard_normal((1000, 512), dtype=np.float32) * 0.05, "fc.weight"))
    nodes.append(helper.make_node("Gemm", ["flat", "fc.weight"], ["y"], name="fc", transB=1))
    graph = helper.make_graph(nodes, "vgg-like", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, 224, 224])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="bench")
    path = folder / ("external.onnx" if external else "embedded.onnx")
    if external:
        onnx.save_model(model, path, save_as_external_data=True, location="external.bin", size_threshold=1024)
    else:
        onnx.save_model(model, path)
    return path


def _status_mb(key: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _maxrss_mb() -> float:
    """Peak resident memory of this process. ru_maxrss survives exec (a child starts with its
    parent's peak), so on Linux read the memory map's own high-water mark instead."""
    hwm = _status_mb("VmHWM")
    return hwm if hwm is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _anon_mb() -> float:
    """Private (anonymous) resident memory: what the process really holds, without the
    page-cache pages of memory-mapped files, which the kernel shares and can drop."""
    return _status_mb("RssAnon") or 0.0


def measure(path: Path, how: str) -> dict:
    """Runs in a fresh process: one import of `path`, figures as a dict."""
    import tracemalloc

    import numpy as np  # noqa: F401
    import onnx

    from engine.onnx import import_onnx
    from engine.weights import quantize

    base, anon = _maxrss_mb(), _anon_mb()
    tracemalloc.start()
    t = time.perf_counter()
    if how == "onnx.load":
        kept = onnx.load(str(path))  # noqa: F841 (held until measured, as an app would)
        out = {}
    else:
        net = import_onnx(path).network
        out = {"layers": len(net.layers), "weights_mb": net.weights.nbytes() / 2**20}
    out["import_s"] = time.perf_counter() - t
    out["py_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
    out["rss_over_base_mb"] = _maxrss_mb() - base
    out["anon_after_mb"] = _anon_mb() - anon
    if how != "onnx.load":
        layer = net.layers[len(net.layers) // 2]
        t = time.perf_counter()
        w = net.weights_for(layer.name)
        out["first_access_ms"] = (time.perf_counter() - t) * 1e3
        t = time.perf_counter()
        total = float(w.sum())  # touches every page of the memory map
        out["read_all_ms"] = (time.perf_counter() - t) * 1e3
        t = time.perf_counter()
        q = quantize(w, 8)
        out["quantize_ms"] = (time.perf_counter() - t) * 1e3
        out["layer"] = f"{layer.name} {w.shape} {w.nbytes / 2**20:.1f} MB, scale {q.scale:.3g}, sum {total:.3g}"
        out["rss_after_access_mb"] = _maxrss_mb() - base
        out["anon_after_access_mb"] = _anon_mb() - anon
    tracemalloc.stop()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=100)
    ap.add_argument("--measure", nargs=2, metavar=("PATH", "HOW"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        print(json.dumps(measure(Path(args.measure[0]), args.measure[1])))
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for external in (False, True):
            t = time.perf_counter()
            path = build(folder, args.mb, external)
            files = sum(p.stat().st_size for p in folder.glob(path.stem + ".*"))
            print(f"\n{path.name}: {files / 2**20:.1f} MB on disk (built in {time.perf_counter() - t:.1f} s)")
            for how in ("xbarscope", "onnx.load"):
                run = subprocess.run([sys.executable, __file__, "--measure", str(path), how],
                                     capture_output=True, text=True, check=True, cwd=ROOT)
                r = json.loads(run.stdout)
                line = (f"  {how:<10} import {r['import_s']:.3f} s, Python peak {r['py_peak_mb']:.1f} MB, "
                        f"peak RSS +{r['rss_over_base_mb']:.1f} MB, private RSS after +{r['anon_after_mb']:.1f} MB")
                if how == "xbarscope":
                    line += (f"; {r['layers']} layers, {r['weights_mb']:.1f} MB of weights left on disk\n"
                             f"             first access {r['first_access_ms']:.2f} ms, reading all of it "
                             f"{r['read_all_ms']:.1f} ms, 8-bit quantize {r['quantize_ms']:.0f} ms "
                             f"({r['layer']})\n"
                             f"             then peak RSS +{r['rss_after_access_mb']:.1f} MB, private RSS "
                             f"+{r['anon_after_access_mb']:.1f} MB")
                print(line)


if __name__ == "__main__":
    main()
