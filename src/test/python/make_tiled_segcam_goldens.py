"""A U-Net exported with a FIXED input size, as most people export one, and PyTorch
goldens of Seg-Grad-CAM on fields larger than that size, computed by running the same
eager module WHOLE on the field with plain torch autograd.

    /usr/bin/python3 src/test/python/make_tiled_segcam_goldens.py

The engine explains such a field in tiles (fit=tile): the tiles grown by the U-Net's halo,
the field's target y = sum over M of out_c (M = the ROI, else the pixels predicted as c,
c = the dominant non-background class of the whole field) split over the tiles' cores.
These goldens never tile: they are the whole-field answer the tiles must reproduce.

Model: the 3-class U-Net of make_volume_seg_models.py (two poolings, a transposed
convolution, a bilinear Upsample, skips), seeded weights and batch-norm statistics,
exported at opset 13 with input 1 x 1 x 64 x 64 as
src/test/resources/models/unet64_op13.onnx.

Goldens under src/test/resources/golden/tiled_segcam/: the fields field_<h>x<w>.npy
(1, 1, H, W) and per case <case>/map.npy (the method's map at the layer, h x w) and
meta.json (input, layer, method, target, class, roi as x, y, width, height). Cases:
  gradcam_top1:      Grad-CAM at dec2, 160 x 192, default target (predicted pixels of the dominant class)
  gradcam_roi:       Grad-CAM at dec2, same field, class 2 summed over the rectangle of meta["roi"]
  gradcampp_top1:    Grad-CAM++ at bottleneck (stride 4), same field, default target
  layercam_roi:      LayerCAM at dec2, same field, class 1 over the rectangle
  eigencam_top1:     Eigen-CAM at dec2 (no gradient: the activations assembled from the tiles' cores)
  gradcam_padded:    Grad-CAM at dec2, a 130 x 150 field: mirrored (numpy 'reflect') at the bottom and
                     right to 132 x 152, the multiple of 4 the U-Net needs, the target summed over the
                     pixels inside the image only, the map kept on ceil(size / 2) rows and columns
"""
import json
import math
import os
import shutil
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_io import save_npy  # noqa: E402
from make_explain_goldens import forward_with_layer  # noqa: E402
from make_parity_models import ROOT, randomize_batchnorm  # noqa: E402
from make_volume_seg_models import UNet  # noqa: E402

MODELS = os.path.join(ROOT, "src", "test", "resources", "models")
GOLDEN = os.path.join(ROOT, "src", "test", "resources", "golden", "tiled_segcam")


def target_weights(logits, cls, roi, valid):
    """1 on class c where the target sums: the ROI, else the pixels predicted as c, inside the image only."""
    out = logits[0]
    h, w = out.shape[1:]
    inside = torch.zeros(h, w)
    inside[:valid[0], :valid[1]] = 1
    if cls is None:
        pred = out.argmax(dim=0)[inside > 0]
        counts = torch.bincount(pred.flatten(), minlength=out.shape[0])
        counts[0] = 0
        cls = int(counts.argmax())
    if roi is not None:
        x, y, rw, rh = roi
        region = torch.zeros(h, w)
        region[y:y + rh, x:x + rw] = 1
    else:
        region = (out.argmax(dim=0) == cls).float() * inside
    wts = torch.zeros_like(logits)
    wts[0, cls] = region
    return wts, cls, int(region.sum())


def cam(method, a, g):
    if method == "gradcam":
        m = (g.mean(dim=(2, 3), keepdim=True) * a).sum(dim=1)
    elif method == "gradcampp":
        g2 = g ** 2
        g3 = g2 * g
        sum_a = a.sum(dim=(2, 3), keepdim=True)
        aij = g2 / (2 * g2 + sum_a * g3 + 1e-6)
        aij = torch.where(g != 0, aij, torch.zeros_like(aij))
        w = (torch.clamp(g, min=0) * aij).sum(dim=(2, 3), keepdim=True)
        m = (w * a).sum(dim=1)
    elif method == "layercam":
        m = (torch.clamp(g, min=0) * a).sum(dim=1)
    elif method == "eigencam":   # the first principal component of the positions, signed as EigenCam.java says
        sample = a[0].double().numpy()
        c = sample.shape[0]
        x = sample.reshape(c, -1).T
        x = x - x.mean(axis=0)
        _, _, vt = np.linalg.svd(x, full_matrices=False)
        proj = x @ vt[0, :]
        if (proj * sample.reshape(c, -1).sum(axis=0)).sum() < 0:
            proj = -proj
        m = torch.from_numpy(proj.reshape(sample.shape[1:])).float()[None]
    else:
        raise ValueError(method)
    return torch.relu(m)[0]


def write(name, model, x, field, layer, method, cls=None, roi=None, padded_to=None):
    h, w = x.shape[2:]
    xp = x if padded_to is None else F.pad(x, (0, padded_to[1] - w, 0, padded_to[0] - h), mode="reflect")
    logits, a = forward_with_layer(model, layer, xp)
    wts, cls, count = target_weights(logits.detach(), cls, roi, (h, w))
    g, = torch.autograd.grad((logits * wts).sum(), a)
    m = cam(method, a.detach(), g.detach())
    if padded_to is not None:
        stride = xp.shape[2] // m.shape[0]
        m = m[:math.ceil(h / stride), :math.ceil(w / stride)]
    out = os.path.join(GOLDEN, name)
    os.makedirs(out, exist_ok=True)
    if not os.path.exists(os.path.join(GOLDEN, field)):
        save_npy(os.path.join(GOLDEN, field), x.numpy())
    save_npy(os.path.join(out, "map.npy"), m.numpy())
    meta = {"input": field, "layer": layer, "method": method, "target": "top1" if roi is None and name.endswith("top1") or
            padded_to else str(cls), "class": cls, "roi": roi, "pixels": count}
    with open(os.path.join(out, "meta.json"), "w") as f:
        json.dump(meta, f, indent=2)
    print(name, layer, method, "class", cls, "pixels", count, tuple(m.shape), "max %.4g" % float(m.max()))


def main():
    torch.manual_seed(0)
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(7)
    unet = UNet()
    randomize_batchnorm(unet, gen)
    unet.eval()
    with torch.no_grad():   # centre the class scores so that every class is predicted somewhere
        unet.head.bias -= unet(torch.randn(2, 1, 64, 64, generator=gen)).mean(dim=(0, 2, 3))
    os.makedirs(MODELS, exist_ok=True)
    if os.path.isdir(GOLDEN):
        shutil.rmtree(GOLDEN)
    path = os.path.join(MODELS, "unet64_op13.onnx")
    torch.onnx.export(unet, torch.randn(1, 1, 64, 64), path, opset_version=13, input_names=["input"],
                      output_names=["logits"])
    print(path, os.path.getsize(path) // 1024, "KB")
    # a smooth field, so that the predicted classes form regions larger than a pixel
    x = F.avg_pool2d(torch.randn(1, 1, 160 + 4, 192 + 4, generator=gen), 5, stride=1) * 2.0
    roi = [40, 30, 90, 70]   # x, y, width, height: across several tiles' cores and halos
    field = "field_160x192.npy"
    write("gradcam_top1", unet, x, field, "dec2", "gradcam")
    write("gradcam_roi", unet, x, field, "dec2", "gradcam", cls=2, roi=roi)
    write("gradcampp_top1", unet, x, field, "bottleneck", "gradcampp")
    write("layercam_roi", unet, x, field, "dec2", "layercam", cls=1, roi=roi)
    write("eigencam_top1", unet, x, field, "dec2", "eigencam")
    xs = F.avg_pool2d(torch.randn(1, 1, 130 + 4, 150 + 4, generator=gen), 5, stride=1) * 2.0
    write("gradcam_padded", unet, xs, "field_130x150.npy", "dec2", "gradcam", padded_to=(132, 152))


if __name__ == "__main__":
    main()
