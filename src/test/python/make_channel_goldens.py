"""Per-channel attribution goldens: deconvnet, guided backprop and the gradient of a
3-channel input keep one map per input channel (no sum over channels).

    /usr/bin/python3 src/test/python/make_channel_goldens.py

Builds the reduced resnet18 of make_parity_models.py with a 3-channel first convolution
(seeded), exports it as src/test/resources/models/resnet18s3_op13.onnx, and writes into
src/test/resources/golden/resnet18s3/ the usual input/logits/tap goldens and, under explain/:
  deconvnet|guided|gradient_peak.npy    the top-3 layer4 channels' peaks of sample 0, (3, C, H, W)
  deconvnet|guided|gradient_class.npy   the predicted class of sample 0, (1, C, H, W)
  guidedgradcam.npy                     guided backprop (class) x Grad-CAM upsampled, (1, C, H, W)
  meta.json                             layer, classes, peak channels
Plain torch autograd on the eager model; ReLU backward replaced as make_explain_goldens.py does.
"""
import json
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_parity_models as pm  # noqa: E402
from golden_io import save_npy  # noqa: E402
from make_explain_goldens import RuleRelu, forward_with_layer, upsample, use_rule_relus  # noqa: E402

ROOT = pm.ROOT
NAME = "resnet18s3"
LAYER = "layer4"


def model3():
    torch.manual_seed(0)
    m = pm.ResNet18Small()
    m.conv1 = nn.Conv2d(3, 4, 7, 2, 3, bias=False)
    return m


def project(model, x, seeds, rule):
    """Per-channel signal at the input (K, C, H, W) for seeds (K, c, h, w) on the layer's output."""
    RuleRelu.rule = rule
    xs = x.repeat(seeds.shape[0], 1, 1, 1).requires_grad_(True)
    _, a = forward_with_layer(model, LAYER, xs)
    g, = torch.autograd.grad(a, xs, grad_outputs=seeds)
    return g


def project_class(model, x, cls, rule):
    RuleRelu.rule = rule
    xs = x.clone().requires_grad_(True)
    g, = torch.autograd.grad(model(xs)[0, cls], xs)
    return g


def main():
    torch.set_num_threads(1)
    model = model3()
    models_dir = os.path.join(ROOT, "src", "test", "resources", "models")
    golden = os.path.join(ROOT, "src", "test", "resources", "golden", NAME)
    pm.export(NAME, model, LAYER, 3, 64, models_dir, golden, opsets=(13,))
    for m in model.modules():
        if isinstance(m, nn.ReLU):
            m.inplace = False
    use_rule_relus(model)
    RuleRelu.rule = "gradient"
    x = torch.from_numpy(__import__("numpy").load(os.path.join(golden, "input.npy")))
    out = os.path.join(golden, "explain")
    os.makedirs(out, exist_ok=True)

    logits, a = forward_with_layer(model, LAYER, x[:1])
    cls = int(logits.argmax(dim=1)[0])
    g, = torch.autograd.grad(logits[0, cls], a)
    a, g = a.detach(), g.detach()
    gradcam = torch.relu((g.mean(dim=(2, 3))[:, :, None, None] * a).sum(dim=1))
    c = a.shape[1]
    top = torch.argsort(a[0].view(c, -1).max(dim=1)[0], descending=True)[:3]
    seeds = torch.zeros((len(top),) + tuple(a.shape[1:]))
    for i, k in enumerate(top):
        pos = int(a[0, k].flatten().argmax())
        seeds[i, k].view(-1)[pos] = a[0, k].flatten()[pos]
    for rule in ("deconvnet", "guided", "gradient"):
        save_npy(os.path.join(out, rule + "_peak.npy"), project(model, x[:1], seeds, rule).detach().numpy())
        save_npy(os.path.join(out, rule + "_class.npy"), project_class(model, x[:1], cls, rule).detach().numpy())
    guided = project_class(model, x[:1], cls, "guided").detach()
    save_npy(os.path.join(out, "guidedgradcam.npy"), (guided * upsample(gradcam, x.shape[2:])[:, None]).numpy())
    with open(os.path.join(out, "meta.json"), "w") as f:
        json.dump({"layer": LAYER, "classes": [cls], "peak_channels": top.tolist()}, f, indent=2)
    print(f"{NAME}: class {cls}, peak channels {top.tolist()}")


if __name__ == "__main__":
    main()
