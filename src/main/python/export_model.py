#!/usr/bin/env python3
"""Exports a PyTorch classifier for cnn-explain: ONNX (every method) and TorchScript
cut at a layer into features(x) and head(f) (predictions, gradients, Feature Maps,
CAM and the Grad-CAM family at that layer), plus the spec file with class names,
input shape and normalisation.

    python3 export_model.py --model torchvision:resnet18 --weights cells.pth --num-classes 4 \\
        --layer layer4 --input-shape 1,3,224,224 --classes interphase,mitotic,speckled,empty \\
        --normalize percentile --out cells

writes cells.onnx, cells.pt and cells.json. With --bioimageio it also writes a bioimage.io
model package (format 0.5) in cells.bioimageio/ and cells.bioimageio.zip: bioimageio.yaml, both
weights, and a test input and output (.npy) made from --test-input (an image as .npy, (H, W) or
(C, H, W) raw pixels) or random pixels, so `cnn-explain check --model cells.bioimageio.zip` (and
bioimage.io's own tools) can verify it. --model is one of
  torchvision:<name>            a torchvision architecture (with --num-classes), weights from --weights
  path/to/file.py:<Class>       your own nn.Module class (constructor keyword arguments: --kwargs JSON)
  path/to/model.pth             a whole pickled model (torch.save(model, ...))
--weights is a state dict (torch.save(model.state_dict(), ...)); a checkpoint dict with a
"state_dict" or "model" entry also works.

The cut: the chosen module becomes a leaf of a torch.fx trace; everything up to its
output is features(x), the rest head(f). A layer is a valid cut only when its output is
the one value the rest of the network uses (the end of a ResNet stage, of a feature
extractor); otherwise the export stops and names what crosses the cut. Needs PyTorch
(1.13 or later); no other package.
"""
import argparse
import datetime
import hashlib
import importlib.util
import json
import os
import shutil
import sys
import zipfile

import torch
import torch.fx as fx
import torch.nn as nn


def fail(message):
    sys.exit("export_model: " + message)


def load_model(spec, weights, num_classes, kwargs):
    if spec.startswith("torchvision:"):
        import torchvision
        name = spec.split(":", 1)[1]
        if not hasattr(torchvision.models, name):
            fail(f"torchvision has no model '{name}'")
        args = dict(kwargs)
        if num_classes:
            args["num_classes"] = num_classes
        model = getattr(torchvision.models, name)(**args)
    elif ":" in spec and spec.split(":", 1)[0].endswith(".py"):
        path, cls = spec.rsplit(":", 1)
        module_spec = importlib.util.spec_from_file_location("user_model", path)
        module = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(module)
        if not hasattr(module, cls):
            fail(f"{path} defines no '{cls}'")
        model = getattr(module, cls)(**kwargs)
    elif os.path.isfile(spec):
        model = torch.load(spec, map_location="cpu")
        if not isinstance(model, nn.Module):
            fail(f"{spec} holds a {type(model).__name__}, not a model; give the architecture with --model and this"
                 " file with --weights")
    else:
        fail(f"--model '{spec}' is neither torchvision:<name>, file.py:<Class>, nor a model file")
    if weights:
        state = torch.load(weights, map_location="cpu")
        if isinstance(state, dict):
            state = state.get("state_dict", state.get("model", state))
        model.load_state_dict(state)
    return model.eval()


class _CutTracer(fx.Tracer):
    """Traces through every module except the one to cut at, which stays one call."""

    def __init__(self, layer):
        super().__init__()
        self.layer = layer

    def is_leaf_module(self, m, qualname):
        return qualname == self.layer or super().is_leaf_module(m, qualname)


def split(model, layer):
    """(features, head) GraphModules with head(features(x)) == model(x)."""
    names = [n for n, _ in model.named_modules() if n]
    if layer not in names:
        fail(f"no module '{layer}' in the model; modules: {', '.join(names[:40])}{' ...' if len(names) > 40 else ''}")
    tracer = _CutTracer(layer)
    graph = tracer.trace(model)
    nodes = list(graph.nodes)
    cut = next((n for n in nodes if n.op == "call_module" and n.target == layer), None)
    if cut is None:
        fail(f"module '{layer}' is not called in forward()")
    before = nodes[:nodes.index(cut) + 1]
    after = nodes[nodes.index(cut) + 1:]
    inside = set(before)

    features = fx.Graph()
    env = {}
    for n in before:
        env[n] = features.node_copy(n, lambda a: env[a])
    features.output(env[cut])

    head = fx.Graph()
    env2 = {cut: head.placeholder("f")}

    def value(a):
        if a not in env2:
            if a in inside and a.op == "get_attr":      # a weight used on both sides: read it again
                env2[a] = head.node_copy(a, lambda b: env2[b])
            else:
                fail(f"cannot cut at '{layer}': '{a.name}' is computed before it and used after it (a skip"
                     " connection crosses the cut); choose a layer whose output is all the rest of the network uses")
        return env2[a]

    for n in after:
        if n.op == "output":
            head.output(fx.node.map_arg(n.args[0], value))
        else:
            for a in n.all_input_nodes:
                value(a)
            env2[n] = head.node_copy(n, value)
    return fx.GraphModule(tracer.root, features), fx.GraphModule(tracer.root, head)


class Cut(nn.Module):
    """The model as features(x) and head(f); forward(x) = head(features(x))."""

    def __init__(self, features, head):
        super().__init__()
        self.feature_part = features
        self.head_part = head

    def features(self, x):
        return self.feature_part(x)

    def head(self, f):
        return self.head_part(f)

    def forward(self, x):
        return self.head(self.features(x))


def _sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            h.update(block)
    return h.hexdigest()


def bioimageio_preprocessing(a, channels):
    """The --normalize mode as bioimage.io 0.5 preprocessing steps."""
    per_channel = ["y", "x"]
    if a.normalize == "none":
        steps = []
    elif a.normalize == "minmax":
        steps = [{"id": "scale_range", "kwargs": {"axes": per_channel, "min_percentile": 0.0, "max_percentile": 100.0}}]
    elif a.normalize == "percentile":
        steps = [{"id": "scale_range", "kwargs": {"axes": per_channel, "min_percentile": 1.0, "max_percentile": 99.8}}]
    elif a.normalize == "zscore":
        steps = [{"id": "zero_mean_unit_variance", "kwargs": {"axes": per_channel}}]
    else:
        mean = [float(v) for v in a.mean.split(",")]
        std = [float(v) for v in a.std.split(",")]
        steps = [{"id": "scale_linear", "kwargs": {"gain": a.scale}}] if a.scale else []
        steps.append({"id": "fixed_zero_mean_unit_variance",
                      "kwargs": {"axis": "channel", "mean": mean, "std": std} if len(mean) > 1
                      else {"mean": mean[0], "std": std[0]}})
    return [{"id": "ensure_dtype", "kwargs": {"dtype": "float32"}}] + steps


def numpy_preprocess(steps, x):
    """What the steps mean, in NumPy (the package's test output is computed from this)."""
    import numpy as np
    x = x.astype(np.float64)
    for step in steps:
        kw = step.get("kwargs", {})
        if step["id"] == "scale_range":
            lo = np.percentile(x, kw["min_percentile"], axis=(-2, -1), keepdims=True)
            hi = np.percentile(x, kw["max_percentile"], axis=(-2, -1), keepdims=True)
            x = (x - lo) / (hi - lo + 1e-6)
        elif step["id"] == "zero_mean_unit_variance":
            x = (x - x.mean(axis=(-2, -1), keepdims=True)) / (x.std(axis=(-2, -1), keepdims=True) + 1e-6)
        elif step["id"] == "scale_linear":
            x = x * kw["gain"]
        elif step["id"] == "fixed_zero_mean_unit_variance":
            mean = np.asarray(kw["mean"], dtype=np.float64).reshape(-1, 1, 1)
            std = np.asarray(kw["std"], dtype=np.float64).reshape(-1, 1, 1)
            x = (x - mean) / (std + 1e-6)
    return x.astype(np.float32)


def write_bioimageio(a, model, shape, classes, onnx_path, pt_path):
    """A bioimage.io 0.5 package of the exported model, with test tensors; returns its folder."""
    import numpy as np
    if len(shape) != 4:
        fail("--bioimageio writes 2-D models (input N,C,H,W)")
    folder = a.out + ".bioimageio"
    if os.path.exists(folder):
        shutil.rmtree(folder)
    os.makedirs(folder)
    c, h, w = shape[1], shape[2], shape[3]
    if a.test_input:
        raw = np.load(a.test_input).astype(np.float32)
        raw = raw[None] if raw.ndim == 2 else raw
        if raw.shape != (c, h, w):
            fail(f"--test-input has shape {raw.shape}, the model takes {(c, h, w)}")
    else:
        raw = (np.random.RandomState(0).rand(c, h, w) * 255).astype(np.float32)
    raw = raw[None]
    steps = bioimageio_preprocessing(a, c)
    with torch.no_grad():
        out = model(torch.from_numpy(numpy_preprocess(steps, raw)))
        if a.postprocessing == "sigmoid":
            out = torch.sigmoid(out)
        elif a.postprocessing == "softmax":
            out = torch.softmax(out, dim=1)
    np.save(os.path.join(folder, "test_input.npy"), raw)
    np.save(os.path.join(folder, "test_output.npy"), out.numpy().astype(np.float32))
    shutil.copy(onnx_path, os.path.join(folder, "weights.onnx"))
    shutil.copy(pt_path, os.path.join(folder, "weights.pt"))
    names = classes or [f"class{i}" for i in range(out.shape[1])]
    out_axes = [{"type": "batch"}, {"type": "channel", "channel_names": names}]
    if out.dim() == 4:
        out_axes += [{"type": "space", "id": "y", "size": {"tensor_id": "input", "axis_id": "y"}},
                     {"type": "space", "id": "x", "size": {"tensor_id": "input", "axis_id": "x"}}]
    with open(os.path.join(folder, "README.md"), "w") as fh:
        fh.write(f"# {os.path.basename(a.out)}\n\nExported with cnn-explain's export_model.py.\n")
    rdf = {
        "format_version": "0.5.4",
        "type": "model",
        "name": os.path.basename(a.out),
        "description": a.description or f"{os.path.basename(a.out)}, exported with cnn-explain's export_model.py",
        "authors": [{"name": a.author}],
        "cite": [{"text": "cnn-explain export_model.py", "url": "https://github.com/"}],
        "license": a.license,
        "documentation": "README.md",
        "tags": ["cnn-explain"],
        "timestamp": datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat(),
        "inputs": [{
            "id": "input",
            "axes": [{"type": "batch"}, {"type": "channel", "channel_names": [f"c{i}" for i in range(c)]},
                     {"type": "space", "id": "y", "size": h}, {"type": "space", "id": "x", "size": w}],
            "test_tensor": {"source": "test_input.npy", "sha256": _sha256(os.path.join(folder, "test_input.npy"))},
            "data": {"type": "float32"},
            "preprocessing": steps,
        }],
        "outputs": [{
            "id": "output",
            "axes": out_axes,
            "test_tensor": {"source": "test_output.npy", "sha256": _sha256(os.path.join(folder, "test_output.npy"))},
            "postprocessing": [] if a.postprocessing == "none" else [{"id": a.postprocessing}],
        }],
        "weights": {
            "onnx": {"source": "weights.onnx", "sha256": _sha256(os.path.join(folder, "weights.onnx")),
                     "opset_version": a.opset},
            "torchscript": {"source": "weights.pt", "sha256": _sha256(os.path.join(folder, "weights.pt")),
                            "pytorch_version": torch.__version__.split("+")[0]},
        },
        "config": {"cnn-explain": {"classes": list(names)}},
    }
    try:
        import yaml
        text = yaml.safe_dump(rdf, sort_keys=False)
    except ImportError:      # YAML is a superset of JSON
        text = json.dumps(rdf, indent=2)
    with open(os.path.join(folder, "bioimageio.yaml"), "w") as fh:
        fh.write(text)
    with zipfile.ZipFile(folder + ".zip", "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted(os.listdir(folder)):
            z.write(os.path.join(folder, f), f)
    return folder


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", required=True)
    p.add_argument("--weights")
    p.add_argument("--num-classes", type=int)
    p.add_argument("--kwargs", default="{}", help="constructor keyword arguments as JSON")
    p.add_argument("--layer", help="module to cut the TorchScript file at (e.g. layer4, features); none: no cut")
    p.add_argument("--input-shape", required=True, help="e.g. 1,3,224,224 (or 1,1,16,64,64 for a 3-D model)")
    p.add_argument("--classes", help="class names, comma-separated, in output order")
    p.add_argument("--normalize", default="percentile", choices=["none", "minmax", "percentile", "zscore", "fixed"])
    p.add_argument("--mean", help="per-channel means for --normalize fixed, comma-separated")
    p.add_argument("--std", help="per-channel standard deviations for --normalize fixed")
    p.add_argument("--scale", type=float, help="for --normalize fixed: multiply pixels by this first (e.g. 1/255)")
    p.add_argument("--opset", type=int, default=17)
    p.add_argument("--out", required=True, help="output path without extension")
    p.add_argument("--bioimageio", action="store_true", help="also write a bioimage.io 0.5 package (folder and .zip)")
    p.add_argument("--test-input", help="--bioimageio: the package's test image, a .npy of raw pixels")
    p.add_argument("--postprocessing", default="none", choices=["none", "sigmoid", "softmax"],
                   help="--bioimageio: the score activation the package declares")
    p.add_argument("--author", default="unknown", help="--bioimageio: author name")
    p.add_argument("--license", default="CC-BY-4.0", help="--bioimageio: SPDX licence id")
    p.add_argument("--description", help="--bioimageio: one-sentence description")
    a = p.parse_args(argv)

    model = load_model(a.model, a.weights, a.num_classes, json.loads(a.kwargs))
    shape = [int(s) for s in a.input_shape.split(",")]
    x = torch.rand(*shape)
    with torch.no_grad():
        reference = model(x)

    torch.onnx.export(model, x, a.out + ".onnx", opset_version=a.opset, input_names=["input"],
                      output_names=["logits"], dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})

    if a.layer:
        features, head = split(model, a.layer)
        wrapped = Cut(features, head).eval()
        with torch.no_grad():
            f = wrapped.features(x)
        scripted = torch.jit.trace_module(wrapped, {"forward": x, "features": x, "head": f})
    else:
        scripted = torch.jit.trace(model, x)
    with torch.no_grad():
        error = (scripted(x) - reference).abs().max().item()
    if error > 1e-4 * max(1.0, reference.abs().max().item()):
        fail(f"the TorchScript module differs from the model by {error}")
    scripted.save(a.out + ".pt")

    spec = {"name": os.path.basename(a.out), "input": {"axes": "bczyx" if len(shape) == 5 else "bcyx",
                                                       "shape": shape}}
    if a.classes:
        spec["classes"] = a.classes.split(",")
        if len(spec["classes"]) != reference.shape[1]:
            fail(f"{len(spec['classes'])} class names for {reference.shape[1]} outputs")
    norm = {"mode": a.normalize}
    if a.normalize == "percentile":
        norm.update({"low": 1.0, "high": 99.8})
    if a.normalize == "fixed":
        if not (a.mean and a.std):
            fail("--normalize fixed needs --mean and --std")
        norm.update({"mean": [float(v) for v in a.mean.split(",")], "std": [float(v) for v in a.std.split(",")]})
        if a.scale:
            norm["scale"] = a.scale
    spec["normalize"] = norm
    with open(a.out + ".json", "w") as fh:
        json.dump(spec, fh, indent=2)
    cut = f", TorchScript cut at '{a.layer}'" if a.layer else ", TorchScript without a cut"
    print(f"wrote {a.out}.onnx, {a.out}.pt{cut}, {a.out}.json")
    if a.bioimageio:
        folder = write_bioimageio(a, model, shape, spec.get("classes"), a.out + ".onnx", a.out + ".pt")
        print(f"wrote {folder}/ and {folder}.zip (bioimage.io 0.5)")


if __name__ == "__main__":
    main()
