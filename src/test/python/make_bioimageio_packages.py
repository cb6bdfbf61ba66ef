"""bioimage.io packages and preprocessing goldens for the Java tests, made with real PyTorch and NumPy.

Run from the repository root with Debian's PyTorch:

    /usr/bin/python3 src/test/python/make_bioimageio_packages.py

Writes under src/test/resources/bioimageio/
  demo.bioimageio/   the bundled demo classifier exported by `export_model.py --bioimageio` (0.5)
  demo-v04/          the demo classifier as a hand-written 0.4 package: TorchScript weights under
                     the old name pytorch_script, scale_range per_sample over "yx", class names
                     from an attached labels.txt
  nuclei-like/       a package written the way published Model Zoo packages are: 0.5 axis
                     objects, {min, step} sizes, ensure_dtype, zero_mean_unit_variance, a sigmoid
                     postprocessing, a halo of 8 px on the output's space axes, weights in ONNX and
                     TorchScript (plus a pytorch_state_dict entry pointing at a URL, as the zoo's
                     have); the model is a tiny conv net of ours
  nuclei-like-v04/   the same net and test tensors described in format 0.4 (axes letters, implicit
                     output shape, halo: [0, 0, 12, 12] per axis)
  preprocessing/     one case per op: input, kwargs and the NumPy result (cases.json)
  npy/               one small array saved in several dtypes, byte orders and memory orders

TorchScript archives (and the exported rdf's timestamp) differ byte-wise between runs, so their
sha256 in the rdf files changes with every regeneration; everything else is reproduced exactly.
"""
import hashlib
import json
import os
import shutil
import sys
import tempfile

import numpy as np
import torch
import torch.nn as nn
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
OUT = os.path.join(ROOT, "src", "test", "resources", "bioimageio")
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "src", "main", "python"))
import export_model  # noqa: E402
import make_demo  # noqa: E402

CLASSES = ["interphase", "mitotic", "speckled", "empty"]


def sha256(path):
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def demo_image(name):
    return np.array(Image.open(os.path.join(ROOT, "test-images", "demo", name))).astype(np.float32)


def demo_net():
    """DemoNet with the bundled demo.pt's weights (the ONNX and TorchScript demo are the same net)."""
    net = make_demo.DemoNet()
    net.load_state_dict(torch.jit.load(os.path.join(ROOT, "test-images", "models", "demo.pt")).state_dict())
    return net.eval()


def demo_package():
    """Exactly what a user runs: export_model.py --bioimageio on a model class and its state dict."""
    tmp = tempfile.mkdtemp()
    try:
        weights = os.path.join(tmp, "demo.pth")
        torch.save(demo_net().state_dict(), weights)
        test_input = os.path.join(tmp, "cell.npy")
        np.save(test_input, demo_image("cell_003.tif"))
        export_model.main(["--model", os.path.join(HERE, "make_demo.py") + ":DemoNet", "--weights", weights,
                           "--layer", "block4", "--input-shape", "1,1,128,128", "--classes", ",".join(CLASSES),
                           "--normalize", "percentile", "--out", os.path.join(tmp, "demo"), "--bioimageio",
                           "--author", "cnn-explain tests", "--license", "MIT",
                           "--description", "The cnn-explain demo classifier of synthetic nuclei"])
        target = os.path.join(OUT, "demo.bioimageio")
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(os.path.join(tmp, "demo.bioimageio"), target)
    finally:
        shutil.rmtree(tmp)


V04 = """format_version: 0.4.10
type: model
name: demo-cells-v04
description: The cnn-explain demo classifier, described by hand in format 0.4.
authors:
  - name: cnn-explain tests
cite:
  - text: cnn-explain
    url: https://github.com/
license: MIT
documentation: README.md
tags: [cnn-explain, classification]
timestamp: 2026-12-01T12:00:00Z
attachments:
  files: [labels.txt]

inputs:
  - name: image
    axes: bcyx
    data_type: float32
    data_range: [-.inf, .inf]
    shape: [1, 1, 128, 128]
    preprocessing:
      - name: scale_range
        kwargs:
          mode: per_sample
          axes: yx
          min_percentile: 1.0
          max_percentile: 99.8

outputs:
  - name: logits
    axes: bc
    data_type: float32
    data_range: [-.inf, .inf]
    shape: [1, 4]

test_inputs: [test_input.npy]
test_outputs: [test_output.npy]

weights:
  pytorch_script:
    source: weights.pt
    sha256: {sha}
"""


def v04_package():
    folder = os.path.join(OUT, "demo-v04")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    shutil.copy(os.path.join(ROOT, "test-images", "models", "demo.pt"), os.path.join(folder, "weights.pt"))
    raw = demo_image("cell_017.tif")[None, None]
    lo = np.percentile(raw.astype(np.float64), 1.0, axis=(2, 3), keepdims=True)
    hi = np.percentile(raw.astype(np.float64), 99.8, axis=(2, 3), keepdims=True)
    x = ((raw - lo) / (hi - lo + 1e-6)).astype(np.float32)
    with torch.no_grad():
        y = torch.jit.load(os.path.join(folder, "weights.pt"))(torch.from_numpy(x)).numpy()
    np.save(os.path.join(folder, "test_input.npy"), raw)
    np.save(os.path.join(folder, "test_output.npy"), y.astype(np.float32))
    with open(os.path.join(folder, "labels.txt"), "w") as fh:
        fh.write("\n".join(CLASSES) + "\n")
    with open(os.path.join(folder, "README.md"), "w") as fh:
        fh.write("# demo-cells-v04\n\nA hand-written bioimage.io 0.4 description of the cnn-explain demo model.\n")
    with open(os.path.join(folder, "rdf.yaml"), "w") as fh:
        fh.write(V04.replace("{sha}", sha256(os.path.join(folder, "weights.pt"))))


class TinyNucleusNet(nn.Module):
    """A fully convolutional foreground net, one logit per pixel (small, so the package stays small)."""

    def __init__(self):
        super().__init__()
        self.enc = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 8, 3, padding=1), nn.ReLU())
        self.out = nn.Conv2d(8, 1, 1)

    def forward(self, x):
        return self.out(self.enc(x))


NUCLEI = """%YAML 1.2
---
format_version: 0.5.4
type: model
name: nuclei-like
description: A tiny nucleus foreground net, described as Model Zoo packages are.
authors:
  - name: cnn-explain tests
    affiliation: cnn-explain
cite:
  - text: 'Ronneberger et al. U-net. MICCAI 2015.'
    doi: 10.1007/978-3-319-24574-4_28
license: MIT
documentation: README.md
covers: []
tags: [unet2d, pytorch, nucleus, segmentation]
timestamp: '2026-12-01T12:00:00+00:00'
inputs:
  - id: raw
    description: raw input
    axes:
      - type: batch
      - type: channel
        channel_names: [raw_intensity]
      - id: y
        type: space
        size:
          min: 16
          step: 8
      - type: space
        size:
          min: 16
          step: 8
    test_tensor:
      source: test_input.npy
      sha256: {sha_in}
    data:
      type: float32
    preprocessing:
      - id: ensure_dtype
        kwargs:
          dtype: float32
      - id: zero_mean_unit_variance
        kwargs:
          axes: [x, y]
      - id: ensure_dtype
        kwargs:
          dtype: float32
outputs:
  - id: probability
    description: foreground probability in [0,1]
    axes:
      - type: batch
      - type: channel
        channel_names: [foreground]
      - id: y
        type: space
        halo: 8
        size:
          tensor_id: raw
          axis_id: y
      - type: space
        halo: 8
        size:
          tensor_id: raw
          axis_id: x
    test_tensor:
      source: test_output.npy
      sha256: {sha_out}
    data:
      range: [0.0, 1.0]
    postprocessing:
      - id: sigmoid
      - id: ensure_dtype
        kwargs:
          dtype: float32
weights:
  onnx:
    source: weights.onnx
    sha256: {sha_onnx}
    opset_version: 17
    parent: pytorch_state_dict
  pytorch_state_dict:
    source: https://example.com/nuclei_like_weights.pth
    sha256: 0000000000000000000000000000000000000000000000000000000000000000
    architecture:
      callable: TinyNucleusNet
      source: make_bioimageio_packages.py
    pytorch_version: 1.13.0
  torchscript:
    source: weights.pt
    sha256: {sha_pt}
    parent: pytorch_state_dict
    pytorch_version: 1.13.0
config:
  bioimageio:
    reproducibility_tolerance:
      - relative_tolerance: 0.001
        absolute_tolerance: 0.0001
        mismatched_elements_per_million: 100
"""


def nuclei_package():
    folder = os.path.join(OUT, "nuclei-like")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    torch.manual_seed(0)
    net = TinyNucleusNet().eval()
    raw = demo_image("cell_005.tif")[None, None, 40:80, 30:78]       # 40 x 48 = min 16 + 3 and 4 steps of 8
    x = raw.astype(np.float64)
    x = ((x - x.mean(axis=(2, 3), keepdims=True)) / (x.std(axis=(2, 3), keepdims=True) + 1e-6)).astype(np.float32)
    example = torch.from_numpy(x)
    with torch.no_grad():
        y = torch.sigmoid(net(example)).numpy().astype(np.float32)
    torch.onnx.export(net, example, os.path.join(folder, "weights.onnx"), opset_version=17,
                      input_names=["raw"], output_names=["probability"],
                      dynamic_axes={"raw": {0: "b", 2: "y", 3: "x"}, "probability": {0: "b", 2: "y", 3: "x"}})
    torch.jit.trace(net, example).save(os.path.join(folder, "weights.pt"))
    np.save(os.path.join(folder, "test_input.npy"), raw.astype(np.float32))
    np.save(os.path.join(folder, "test_output.npy"), y)
    with open(os.path.join(folder, "README.md"), "w") as fh:
        fh.write("# nuclei-like\n\nA tiny untrained foreground net packaged like a Model Zoo U-Net.\n")
    text = NUCLEI
    for key, name in [("sha_in", "test_input.npy"), ("sha_out", "test_output.npy"), ("sha_onnx", "weights.onnx"),
                      ("sha_pt", "weights.pt")]:
        text = text.replace("{" + key + "}", sha256(os.path.join(folder, name)))
    with open(os.path.join(folder, "rdf.yaml"), "w") as fh:
        fh.write(text)


NUCLEI_V04 = """format_version: 0.4.10
type: model
name: nuclei-like-v04
description: The nuclei-like foreground net described in format 0.4.
authors:
  - name: cnn-explain tests
cite:
  - text: 'Ronneberger et al. U-net. MICCAI 2015.'
    doi: 10.1007/978-3-319-24574-4_28
license: MIT
documentation: README.md
tags: [unet2d, onnx, nucleus, segmentation]
timestamp: 2026-12-01T12:00:00Z

inputs:
  - name: raw
    axes: bcyx
    data_type: float32
    data_range: [-.inf, .inf]
    shape:
      min: [1, 1, 16, 16]
      step: [0, 0, 8, 8]
    preprocessing:
      - name: zero_mean_unit_variance
        kwargs:
          mode: per_sample
          axes: yx

outputs:
  - name: probability
    axes: bcyx
    data_type: float32
    data_range: [0.0, 1.0]
    halo: [0, 0, 12, 12]
    shape:
      reference_tensor: raw
      scale: [1.0, 1.0, 1.0, 1.0]
      offset: [0, 0, 0, 0]
    postprocessing:
      - name: sigmoid

test_inputs: [test_input.npy]
test_outputs: [test_output.npy]

weights:
  onnx:
    source: weights.onnx
    sha256: {sha_onnx}
    opset_version: 17
"""


def nuclei_v04_package():
    """The nuclei-like net and test tensors, copied, with a 0.4 description."""
    source = os.path.join(OUT, "nuclei-like")
    folder = os.path.join(OUT, "nuclei-like-v04")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    for name in ("weights.onnx", "test_input.npy", "test_output.npy"):
        shutil.copy(os.path.join(source, name), os.path.join(folder, name))
    with open(os.path.join(folder, "README.md"), "w") as fh:
        fh.write("# nuclei-like-v04\n\nThe nuclei-like foreground net described in bioimage.io format 0.4.\n")
    with open(os.path.join(folder, "rdf.yaml"), "w") as fh:
        fh.write(NUCLEI_V04.replace("{sha_onnx}", sha256(os.path.join(folder, "weights.onnx"))))


def preprocessing_goldens():
    """Each op on a (2, 6, 5) sample, the reference computed here in float64 NumPy."""
    folder = os.path.join(OUT, "preprocessing")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    rng = np.random.RandomState(7)
    x = (rng.randn(2, 6, 5) * [[[3.0]], [[0.5]]] + [[[10.0]], [[-1.0]]]).astype(np.float32)
    pixels = (rng.rand(2, 6, 5) * 250).astype(np.float32)
    d = x.astype(np.float64)

    def per_channel_pct(a, p):
        return np.percentile(a, p, axis=(1, 2), keepdims=True)

    def softmax(a):
        e = np.exp(a - a.max(axis=0, keepdims=True))
        return e / e.sum(axis=0, keepdims=True)

    cases = [
        ("scale_linear", {"gain": 2.0, "offset": -1.0}, x, d * 2 - 1),
        ("scale_linear", {"axis": "channel", "gain": [0.5, 3.0], "offset": [1.0, -2.0]}, x,
         d * np.array([0.5, 3.0]).reshape(2, 1, 1) + np.array([1.0, -2.0]).reshape(2, 1, 1)),
        ("scale_range", {"axes": ["y", "x"], "min_percentile": 1.0, "max_percentile": 99.8}, x,
         (d - per_channel_pct(d, 1.0)) / (per_channel_pct(d, 99.8) - per_channel_pct(d, 1.0) + 1e-6)),
        ("scale_range", {"min_percentile": 5, "max_percentile": 95, "eps": 1e-3}, x,
         (d - np.percentile(d, 5)) / (np.percentile(d, 95) - np.percentile(d, 5) + 1e-3)),
        ("scale_range", {"axes": ["x", "y"]}, x,
         (d - d.min(axis=(1, 2), keepdims=True)) / (d.max(axis=(1, 2), keepdims=True)
                                                    - d.min(axis=(1, 2), keepdims=True) + 1e-6)),
        ("zero_mean_unit_variance", {"axes": ["x", "y"]}, x,
         (d - d.mean(axis=(1, 2), keepdims=True)) / (d.std(axis=(1, 2), keepdims=True) + 1e-6)),
        ("zero_mean_unit_variance", {"axes": ["channel", "y", "x"], "eps": 0.01}, x,
         (d - d.mean()) / (d.std() + 0.01)),
        ("fixed_zero_mean_unit_variance", {"axis": "channel", "mean": [10.0, -1.0], "std": [3.0, 0.5]}, x,
         (d - np.array([10.0, -1.0]).reshape(2, 1, 1)) / (np.array([3.0, 0.5]).reshape(2, 1, 1) + 1e-6)),
        ("fixed_zero_mean_unit_variance", {"mean": 4.0, "std": 2.0}, x, (d - 4.0) / (2.0 + 1e-6)),
        ("clip", {"min": -0.5, "max": 9.0}, x, np.clip(d, -0.5, 9.0)),
        ("binarize", {"threshold": 9.5}, x, (d > 9.5).astype(np.float64)),
        ("sigmoid", {}, x, 1 / (1 + np.exp(-d))),
        ("softmax", {"axis": "channel"}, x, softmax(d)),
        ("ensure_dtype", {"dtype": "uint8"}, pixels, pixels.astype(np.uint8).astype(np.float64)),
        ("ensure_dtype", {"dtype": "int16"}, x, x.astype(np.int16).astype(np.float64)),
        ("ensure_dtype", {"dtype": "float32"}, x, d),
    ]
    listed = []
    for i, (op, kwargs, inp, expected) in enumerate(cases):
        np.save(os.path.join(folder, f"case{i:02d}_in.npy"), inp.astype(np.float32))
        np.save(os.path.join(folder, f"case{i:02d}_out.npy"), expected.astype(np.float32))
        listed.append({"op": op, "kwargs": kwargs, "input": f"case{i:02d}_in.npy", "expected": f"case{i:02d}_out.npy"})
    with open(os.path.join(folder, "cases.json"), "w") as fh:
        json.dump(listed, fh, indent=1)


def npy_variants():
    """One 2 x 3 x 4 array in the dtypes and layouts the reader must take; reference.npy is float32 C order."""
    folder = os.path.join(OUT, "npy")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    a = np.arange(24, dtype=np.float64).reshape(2, 3, 4) * 3 + 1
    np.save(os.path.join(folder, "reference.npy"), a.astype("<f4"))
    for dtype in ["<f4", ">f4", "<f8", ">f8", "|u1", "<u2", ">u2", "<i2", ">i4", "<i8", "<u4"]:
        name = dtype.replace("<", "le_").replace(">", "be_").replace("|", "")
        np.save(os.path.join(folder, name + ".npy"), a.astype(dtype))
        np.save(os.path.join(folder, name + "_fortran.npy"), np.asfortranarray(a.astype(dtype)))
    with open(os.path.join(folder, "v2_le_f4.npy"), "wb") as fh:   # format version 2.0 (4-byte header length)
        np.lib.format.write_array(fh, a.astype("<f4"), version=(2, 0))


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.set_num_threads(1)
    demo_package()
    v04_package()
    nuclei_package()
    nuclei_v04_package()
    preprocessing_goldens()
    npy_variants()
    print("wrote", OUT)


if __name__ == "__main__":
    main()
