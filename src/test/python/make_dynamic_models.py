"""Models exported the way most people export a fully convolutional network, with
dynamic height and width, and PyTorch goldens at two sizes (one non-square).

    /usr/bin/python3 src/test/python/make_dynamic_models.py

    torch.onnx.export(..., dynamic_axes={"input": {0: "batch", 2: "h", 3: "w"}, ...})

resnet18s and mobilenetv2s (make_parity_models.py) and the U-Net of
make_volume_seg_models.py, same seeds, exported at opset 13 and 17 as
src/test/resources/models/<name>_dyn_op<k>.onnx. Goldens under
src/test/resources/golden/dynamic/<name>_<h>x<w>/: input.npy, logits.npy,
gradcam.npy (at the layer), gradcam_input.npy (bilinear, align_corners=False,
to the input) and meta.json (layer, target classes). The classifiers' target is
the top-1 logit; the U-Net's is Seg-Grad-CAM's default: the most frequent
predicted non-background class summed over the pixels predicted as it.

One more U-Net case, unet_<h>x<w>_padded, has a size that is not a multiple
of 4 (the U-Net pools twice and concatenates the skips): the engine pads it at
the bottom and right by mirroring (numpy 'reflect', torch F.pad mode "reflect")
up to the next multiple, and crops every result back. The golden does the same
in PyTorch: pad, run, crop the logits and the input-resolution map; the region
of the target is the predicted pixels inside the image (never the padding); the
layer map keeps ceil(size / stride) rows and columns.
All with plain torch autograd on the eager model.
"""
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_io import save_npy  # noqa: E402
from make_explain_goldens import forward_with_layer  # noqa: E402
from make_parity_models import ROOT, ResNet18Small, mobilenet_v2_small, randomize_batchnorm  # noqa: E402
from make_volume_seg_models import UNet, segmentation_classes, upsample  # noqa: E402

MODELS = os.path.join(ROOT, "src", "test", "resources", "models")
GOLDEN = os.path.join(ROOT, "src", "test", "resources", "golden", "dynamic")
SIZES = [(64, 64), (40, 72)]


def gradcam(model, layer, x, valid=None):
    """Grad-CAM of every sample for its default target; valid = (h, w) of the image inside a padded x."""
    logits, a = forward_with_layer(model, layer, x)
    out = logits.detach()
    if out.dim() == 2:
        classes = out.argmax(dim=1).tolist()
        w = F.one_hot(out.argmax(dim=1), out.shape[1]).float()
    else:
        inside = torch.zeros(out.shape[2:])
        h, wd = valid if valid else out.shape[2:]
        inside[:h, :wd] = 1
        classes = []
        w = torch.zeros_like(out)
        for i in range(out.shape[0]):
            pred = out[i].argmax(dim=0)
            pred = torch.where(inside > 0, pred, torch.full_like(pred, -1))
            counts = torch.bincount(pred[inside > 0].flatten(), minlength=out.shape[1])
            counts[0] = 0
            c = int(counts.argmax()) if counts.sum() > 0 else 0
            classes.append(c)
            w[i, c] = (pred == c).float()
    g, = torch.autograd.grad((logits * w).sum(), a)
    a, g = a.detach(), g.detach()
    cam = torch.relu((g.mean(dim=(2, 3), keepdim=True) * a).sum(dim=1))
    return logits.detach(), cam, classes


def write(name, model, layer, x, padded_to=None):
    h, w = x.shape[2:]
    tag = f"{name}_{h}x{w}" + ("_padded" if padded_to else "")
    out = os.path.join(GOLDEN, tag)
    os.makedirs(out, exist_ok=True)
    save_npy(os.path.join(out, "input.npy"), x.numpy())
    xp = x
    if padded_to:
        xp = F.pad(x, (0, padded_to[1] - w, 0, padded_to[0] - h), mode="reflect")
    logits, cam, classes = gradcam(model, layer, xp, valid=(h, w) if padded_to else None)
    cam_input = upsample(cam, xp.shape[2:])[:, :h, :w]
    if padded_to:
        stride = xp.shape[2] // cam.shape[1]
        cam = cam[:, :math.ceil(h / stride), :math.ceil(w / stride)]
        if logits.dim() == 4:
            logits = logits[:, :, :h, :w]
    save_npy(os.path.join(out, "logits.npy"), logits.numpy())
    save_npy(os.path.join(out, "gradcam.npy"), cam.numpy())
    save_npy(os.path.join(out, "gradcam_input.npy"), cam_input.numpy())
    with open(os.path.join(out, "meta.json"), "w") as f:
        json.dump({"model": name, "layer": layer, "classes": classes}, f, indent=2)
    print(tag, layer, classes, tuple(logits.shape), tuple(cam.shape))


def export(name, model, channels):
    x = torch.randn(1, channels, 64, 64)
    for opset in (13, 17):
        path = os.path.join(MODELS, f"{name}_dyn_op{opset}.onnx")
        axes = {"input": {0: "batch", 2: "h", 3: "w"}, "logits": {0: "batch"}}
        if name == "unet":
            axes["logits"] = {0: "batch", 2: "h", 3: "w"}
        torch.onnx.export(model, x, path, opset_version=opset, input_names=["input"], output_names=["logits"],
                          dynamic_axes=axes)
        print(path, os.path.getsize(path) // 1024, "KB")


def main():
    torch.manual_seed(0)
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(42)
    unet = UNet()
    models = [("resnet18s", ResNet18Small(), "layer4"), ("mobilenetv2s", mobilenet_v2_small(), "features"),
              ("unet", unet, "dec2")]
    for name, model, layer in models:
        randomize_batchnorm(model, gen)
        model.eval()
        if model is unet:   # centre the class scores so that every class is predicted somewhere
            with torch.no_grad():
                unet.head.bias -= unet(torch.randn(2, 1, 64, 64, generator=gen)).mean(dim=(0, 2, 3))
        export(name, model, 1)
        for h, w in SIZES:
            write(name, model, layer, torch.randn(2, 1, h, w, generator=gen))
    write("unet", unet, "dec2", torch.randn(2, 1, 37, 50, generator=gen), padded_to=(40, 52))


if __name__ == "__main__":
    main()
