"""A 3-D CNN for z-stacks and a small 2-D U-Net, exported at opset 11, 13 and 17,
with PyTorch goldens for the forward pass, Grad-CAM and the backprop rules.

    /usr/bin/python3 src/test/python/make_volume_seg_models.py

net3d: Conv3d, BatchNorm3d, ReLU, MaxPool3d, 3-D global average pooling, Linear;
input (N, 1, 8, 32, 32). Grad-CAM at block3 gives (N, 4, 8, 8) maps, upsampled
trilinearly (align_corners=False) to the stack.

unet: encoder-decoder with a transposed convolution, a bilinear Upsample (ONNX
Resize), skip concatenations and a per-pixel 3-class output (N, 3, 32, 32). Its
target is Seg-Grad-CAM's (Vinogradova et al. 2020): the sum of class c's output
over a region, the ROI given in meta.json, or, by default, the pixels predicted
as c, where c is the most frequent non-background (non-0) class.

Writes src/test/resources/models/<name>_op<k>.onnx and
src/test/resources/golden/<name>/{input,logits}.npy and explain/ with
activations, gradcam(_input), <rule>_class and <rule>_peak for both models,
and the same for the U-Net's default (predicted-region) target under explain/region_*.
All with plain torch autograd on the eager model.
"""
import json
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_io import save_npy  # noqa: E402
from make_explain_goldens import RuleRelu, forward_with_layer, use_rule_relus  # noqa: E402
from make_family_models import export  # noqa: E402
from make_parity_models import ROOT, randomize_batchnorm  # noqa: E402


def block3d(cin, cout):
    return nn.Sequential(nn.Conv3d(cin, cout, 3, padding=1), nn.BatchNorm3d(cout), nn.ReLU())


class Net3d(nn.Module):
    def __init__(self, classes=3):
        super().__init__()
        self.block1 = block3d(1, 8)
        self.pool1 = nn.MaxPool3d(2)
        self.block2 = block3d(8, 16)
        self.pool2 = nn.MaxPool3d((1, 2, 2))
        self.block3 = block3d(16, 16)
        self.fc = nn.Linear(16, classes)

    def forward(self, x):
        x = self.block3(self.pool2(self.block2(self.pool1(self.block1(x)))))
        return self.fc(torch.flatten(F.adaptive_avg_pool3d(x, 1), 1))


def block2d(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU())


class UNet(nn.Module):
    def __init__(self, classes=3):
        super().__init__()
        self.enc1 = block2d(1, 8)
        self.enc2 = block2d(8, 16)
        self.bottleneck = block2d(16, 32)
        self.up2 = nn.ConvTranspose2d(32, 16, 2, stride=2)
        self.dec2 = block2d(32, 16)
        self.up1 = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False)
        self.dec1 = block2d(16 + 8, 8)
        self.head = nn.Conv2d(8, classes, 1)

    def forward(self, x):
        e1 = self.enc1(x)
        e2 = self.enc2(F.max_pool2d(e1, 2))
        b = self.bottleneck(F.max_pool2d(e2, 2))
        d2 = self.dec2(torch.cat([self.up2(b), e2], dim=1))
        d1 = self.dec1(torch.cat([self.up1(d2), e1], dim=1))
        return self.head(d1)


def region_weights(logits, cls, roi):
    """Seg-Grad-CAM's target as weights on the output: 1 on class c inside the region."""
    w = torch.zeros_like(logits)
    for i in range(logits.shape[0]):
        region = roi if roi is not None else (logits[i].argmax(dim=0) == cls[i]).float()
        w[i, cls[i]] = region
    return w


def segmentation_classes(logits, roi):
    """The most frequent predicted non-background class (inside the ROI when one is given), else 0."""
    out = []
    for i in range(logits.shape[0]):
        pred = logits[i].argmax(dim=0)
        if roi is not None:
            pred = pred[roi > 0]
        counts = torch.bincount(pred.flatten(), minlength=logits.shape[1])
        counts[0] = 0
        out.append(int(counts.argmax()) if counts.sum() > 0 else 0)
    return out


def upsample(maps, size):
    mode = "trilinear" if len(size) == 3 else "bilinear"
    return F.interpolate(maps[:, None], size=size, mode=mode, align_corners=False)[:, 0]


def write(name, model, layer, x, roi=None, prefix="", peaks=True):
    """Grad-CAM and the three rules' class (and peak) projections of sample 0, for the model's target."""
    out = os.path.join(ROOT, "src", "test", "resources", "golden", name, "explain")
    os.makedirs(out, exist_ok=True)
    RuleRelu.rule = "gradient"
    spatial_out = None

    def target_weights(logits):
        if logits.dim() == 2:
            return F.one_hot(logits.argmax(dim=1), logits.shape[1]).float(), logits.argmax(dim=1).tolist()
        cls = segmentation_classes(logits, roi)
        return region_weights(logits.detach(), cls, roi), cls

    logits, a = forward_with_layer(model, layer, x)
    w, classes = target_weights(logits.detach())
    g, = torch.autograd.grad((logits * w).sum(), a)
    a, g = a.detach(), g.detach()
    dims = tuple(range(2, a.dim()))
    gradcam = torch.relu((g.mean(dim=dims, keepdim=True) * a).sum(dim=1))
    save_npy(os.path.join(out, prefix + "gradcam.npy"), gradcam.numpy())
    save_npy(os.path.join(out, prefix + "gradcam_input.npy"), upsample(gradcam, x.shape[2:]).numpy())

    x0 = x[:1]
    for rule in ("deconvnet", "guided", "gradient"):
        RuleRelu.rule = rule
        xs = x0.clone().requires_grad_(True)
        y = model(xs)
        gx, = torch.autograd.grad((y * w[:1]).sum(), xs)
        save_npy(os.path.join(out, prefix + rule + "_class.npy"), gx.sum(dim=1).detach().numpy())
    RuleRelu.rule = "gradient"
    if not peaks:
        return {"layer": layer, "classes": classes}

    save_npy(os.path.join(out, "activations.npy"), a.numpy())
    c = a.shape[1]
    peaks = a[0].reshape(c, -1).max(dim=1)[0]
    top = torch.argsort(peaks, descending=True)[:3]
    seeds = torch.zeros((len(top),) + tuple(a.shape[1:]))
    for i, k in enumerate(top):
        pos = int(a[0, k].flatten().argmax())
        seeds[i, k].view(-1)[pos] = a[0, k].flatten()[pos]
    for rule in ("deconvnet", "guided", "gradient"):
        RuleRelu.rule = rule
        xs = x0.repeat(len(top), *([1] * (x.dim() - 1))).requires_grad_(True)
        _, ak = forward_with_layer(model, layer, xs)
        gx, = torch.autograd.grad(ak, xs, grad_outputs=seeds)
        save_npy(os.path.join(out, prefix + rule + "_peak.npy"), gx.sum(dim=1).detach().numpy())
    RuleRelu.rule = "gradient"
    return {"layer": layer, "classes": classes, "peak_channels": top.tolist()}


def main():
    torch.manual_seed(0)
    torch.set_num_threads(2)
    gen = torch.Generator().manual_seed(42)

    net3d = Net3d()
    randomize_batchnorm(net3d, gen)
    net3d.eval()
    x3 = torch.randn(2, 1, 8, 32, 32, generator=gen)
    export("net3d", net3d, x3)
    use_rule_relus(net3d)
    meta = write("net3d", net3d, "block3", x3)
    with open(os.path.join(ROOT, "src", "test", "resources", "golden", "net3d", "explain", "meta.json"), "w") as f:
        json.dump(meta, f, indent=2)
    print("net3d", meta)

    unet = UNet()
    randomize_batchnorm(unet, gen)
    unet.eval()
    xu = torch.randn(2, 1, 32, 32, generator=gen)
    with torch.no_grad():   # centre the class scores so that all three classes are predicted somewhere
        unet.head.bias -= unet(xu).mean(dim=(0, 2, 3))
    export("unet", unet, xu)
    use_rule_relus(unet)
    box = {"x": 8, "y": 10, "width": 12, "height": 14}
    roi = torch.zeros(32, 32)
    roi[box["y"]:box["y"] + box["height"], box["x"]:box["x"] + box["width"]] = 1
    meta = write("unet", unet, "bottleneck", xu, roi=roi)
    meta["roi"] = box
    meta["region"] = write("unet", unet, "bottleneck", xu, roi=None, prefix="region_", peaks=False)
    with open(os.path.join(ROOT, "src", "test", "resources", "golden", "unet", "explain", "meta.json"), "w") as f:
        json.dump(meta, f, indent=2)
    print("unet", meta)


if __name__ == "__main__":
    main()
