"""Runs an exported ONNX model without onnxruntime, to check it against PyTorch.

Uses ``onnx.reference.ReferenceEvaluator`` when the installed ``onnx`` has it (1.13+); Debian
bookworm ships onnx 1.12, so otherwise a small NumPy interpreter covers the operators that
``torch.onnx.export`` emits for CLIP towers at opset 17. It is a test tool: slow, exact enough
(float32 math), and it raises on any operator or attribute it does not know.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable, Union

import numpy as np
import onnx
from onnx import numpy_helper

Array = np.ndarray


def _attrs(node: onnx.NodeProto) -> dict:
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _conv(x: Array, w: Array, b: Array | None, at: dict) -> Array:
    if at.get("group", 1) != 1 or any(d != 1 for d in at.get("dilations", [1, 1])):
        raise NotImplementedError("Conv: only group=1, dilation=1")
    sh, sw = at.get("strides", [1, 1])
    pt, pl, pb, pr = at.get("pads", [0, 0, 0, 0])
    x = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)))
    n, _, h, wd = x.shape
    oc, _, kh, kw = w.shape
    oh, ow = (h - kh) // sh + 1, (wd - kw) // sw + 1
    out = np.zeros((n, oc, oh, ow), dtype=np.float32)
    for i in range(kh):
        for j in range(kw):
            patch = x[:, :, i : i + sh * oh : sh, j : j + sw * ow : sw]
            out += np.einsum("nchw,oc->nohw", patch, w[:, :, i, j])
    if b is not None:
        out += b.reshape(1, -1, 1, 1)
    return out


def _layer_norm(x: Array, scale: Array, bias: Array | None, at: dict) -> Array:
    axis = at.get("axis", -1)
    axes = tuple(range(axis % x.ndim, x.ndim))
    mean = x.mean(axis=axes, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=axes, keepdims=True)
    y = (x - mean) / np.sqrt(var + at.get("epsilon", 1e-5)) * scale
    return y + bias if bias is not None else y


def _softmax(x: Array, at: dict) -> Array:
    axis = at.get("axis", -1)
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _slice(x: Array, starts: Array, ends: Array, axes: Array | None = None, steps: Array | None = None) -> Array:
    axes = axes if axes is not None else np.arange(len(starts))
    steps = steps if steps is not None else np.ones(len(starts), dtype=np.int64)
    index = [slice(None)] * x.ndim
    for s, e, a, st in zip(starts, ends, axes, steps):
        index[int(a)] = slice(int(s), int(max(min(e, 2**62), -(2**62))), int(st))
    return x[tuple(index)]


def _reshape(x: Array, shape: Array) -> Array:
    target = [x.shape[i] if d == 0 else int(d) for i, d in enumerate(shape)]
    return x.reshape(target)


def _gemm(a: Array, b: Array, c: Array | None, at: dict) -> Array:
    a = a.T if at.get("transA", 0) else a
    b = b.T if at.get("transB", 0) else b
    y = at.get("alpha", 1.0) * (a @ b)
    return y + at.get("beta", 1.0) * c if c is not None else y


_ONNX_TO_NP = {1: np.float32, 6: np.int32, 7: np.int64, 9: np.bool_, 10: np.float16, 11: np.float64}

_OPS: dict[str, Callable[..., Array]] = {
    "Add": lambda at, a, b: a + b,
    "Sub": lambda at, a, b: a - b,
    "Mul": lambda at, a, b: a * b,
    "Div": lambda at, a, b: (a // b) if np.issubdtype(a.dtype, np.integer) else a / b,
    "Sqrt": lambda at, a: np.sqrt(a),
    "Pow": lambda at, a, b: np.power(a, b).astype(a.dtype),
    "Sigmoid": lambda at, a: 1.0 / (1.0 + np.exp(-a)),
    "MatMul": lambda at, a, b: a @ b,
    "Gemm": lambda at, a, b, c=None: _gemm(a, b, c, at),
    "Conv": lambda at, x, w, b=None: _conv(x, w, b, at),
    "LayerNormalization": lambda at, x, s, b=None: _layer_norm(x, s, b, at),
    "ReduceMean": lambda at, x: x.mean(axis=tuple(at["axes"]), keepdims=bool(at.get("keepdims", 1))),
    "Softmax": lambda at, x: _softmax(x, at),
    "Identity": lambda at, x: x,
    "Shape": lambda at, x: np.array(x.shape, dtype=np.int64),
    "Cast": lambda at, x: x.astype(_ONNX_TO_NP[at["to"]]),
    "Unsqueeze": lambda at, x, axes: np.expand_dims(x, tuple(int(a) for a in axes)),
    "Squeeze": lambda at, x, axes=None: np.squeeze(x, axis=None if axes is None else tuple(int(a) for a in axes)),
    "Gather": lambda at, x, i: np.take(x, i, axis=at.get("axis", 0)),
    "Concat": lambda at, *xs: np.concatenate(xs, axis=at["axis"]),
    "Reshape": lambda at, x, s: _reshape(x, s),
    "Transpose": lambda at, x: np.transpose(x, at.get("perm")),
    "Slice": lambda at, x, *r: _slice(x, *r),
    "Flatten": lambda at, x: x.reshape(int(np.prod(x.shape[: at.get("axis", 1)])), -1),
    "ConstantOfShape": lambda at, s: np.full(tuple(int(d) for d in s), numpy_helper.to_array(at["value"]).item()
                                             if "value" in at else 0.0,
                                             dtype=numpy_helper.to_array(at["value"]).dtype if "value" in at
                                             else np.float32),
    "Range": lambda at, s, l, d: np.arange(s, l, d, dtype=np.asarray(s).dtype),
    "ArgMax": lambda at, x: np.expand_dims(np.argmax(x, axis=at.get("axis", 0)), at.get("axis", 0))
    if at.get("keepdims", 1) else np.argmax(x, axis=at.get("axis", 0)),
    "Expand": lambda at, x, s: x * np.ones(tuple(int(d) for d in s), dtype=x.dtype),
    "Equal": lambda at, a, b: a == b,
    "Where": lambda at, c, a, b: np.where(c, a, b),
}


def _run_numpy(model: onnx.ModelProto, feeds: dict[str, Array]) -> list[Array]:
    env: dict[str, Array] = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    env.update(feeds)
    for node in model.graph.node:
        at = _attrs(node)
        if node.op_type == "Constant":
            env[node.output[0]] = numpy_helper.to_array(at["value"])
            continue
        op = _OPS.get(node.op_type)
        if op is None:
            raise NotImplementedError(f"operator {node.op_type} is not implemented by onnx_check")
        args = [env[name] if name else None for name in node.input]
        while args and args[-1] is None:
            args.pop()
        result = op(at, *args)
        if isinstance(result, np.ndarray) and result.dtype == np.float64:
            result = result.astype(np.float32)
        env[node.output[0]] = np.asarray(result)
    return [env[o.name] for o in model.graph.output]


def run_onnx(path: Union[str, Path], feeds: dict[str, Array]) -> list[Array]:
    """Outputs of the ONNX model at ``path`` for ``feeds`` (input name -> array)."""
    try:
        from onnx.reference import ReferenceEvaluator  # type: ignore[import-not-found]
    except ImportError:
        return _run_numpy(onnx.load(str(path)), feeds)
    return list(ReferenceEvaluator(str(path)).run(None, feeds))


def check_model_folder(folder: Union[str, Path]) -> float:
    """Max |ONNX - golden| over the golden inputs of a model folder, after L2 normalization."""
    folder = Path(folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    (role, input_name), = manifest["inputs"].items()
    file = "pixel_values.npy" if manifest["modality"] == "image" else "input_ids.npy"
    feeds = {input_name: np.load(folder / "golden" / file)}
    (out,) = run_onnx(folder / manifest["onnx_file"], feeds)
    out = out / np.linalg.norm(out, axis=-1, keepdims=True)
    return float(np.abs(out - np.load(folder / "golden" / "embeddings.npy")).max())
