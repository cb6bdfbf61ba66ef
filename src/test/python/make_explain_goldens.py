"""Goldens for every explanation method, computed with plain torch autograd on
the eager models (no explanation library), following the definitions of the
papers as pytorch-grad-cam implements them.

    /usr/bin/python3 src/test/python/make_explain_goldens.py

For the demo model (two demo images) and the reduced resnet18 / mobilenet_v2
models (their parity inputs) it writes src/test/resources/golden/<model>/explain/:
  activations.npy            the layer's activations (N, C, h, w)
  <method>.npy               maps at layer resolution (N, h, w)
  <method>_input.npy         the same upsampled to the input (bilinear, align_corners=False)
  deconvnet|guided|gradient_peak.npy   projections of the top-3 channels' peaks of sample 0 (3, H, W)
  deconvnet|guided|gradient_class.npy  projections of the target class of sample 0 (1, H, W)
  guidedgradcam.npy          guided backprop (class) x Grad-CAM at input resolution, sample 0 (1, H, W)
  meta.json                  layer, classes, peak channels
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_parity_models as pm  # noqa: E402
import synthetic_cells as sc  # noqa: E402
from golden_io import save_npy  # noqa: E402
from make_demo import DemoNet  # noqa: E402

ROOT = pm.ROOT


class RuleRelu(torch.autograd.Function):
    """ReLU whose backward follows a rule: deconvnet, guided or gradient."""
    rule = "gradient"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        if RuleRelu.rule == "deconvnet":
            return g.clamp(min=0)
        if RuleRelu.rule == "guided":
            return g.clamp(min=0) * (x > 0)
        return g * (x > 0)


def use_rule_relus(model):
    for m in model.modules():
        if isinstance(m, nn.ReLU):
            m.forward = lambda x: RuleRelu.apply(x)


def forward_with_layer(model, layer, x):
    store = {}
    def hook(module, inputs, output):
        # keep the layer's own output; the model goes on with a copy, so an in-place op after the
        # layer (DenseNet's F.relu(features, inplace=True)) cannot overwrite what we recorded
        store["a"] = output
        return output.clone()

    h = dict(model.named_modules())[layer].register_forward_hook(hook)
    logits = model(x)
    h.remove()
    return logits, store["a"]


def cam_weights(name, a, g):
    if name == "gradcam":
        return g.mean(dim=(2, 3))
    if name == "gradcampp":
        g2 = g ** 2
        g3 = g2 * g
        sum_a = a.sum(dim=(2, 3), keepdim=True)
        aij = g2 / (2 * g2 + sum_a * g3 + 1e-6)
        aij = torch.where(g != 0, aij, torch.zeros_like(aij))
        return (torch.clamp(g, min=0) * aij).sum(dim=(2, 3))
    if name == "xgradcam":
        sum_a = a.sum(dim=(2, 3), keepdim=True)
        return (g * a / (sum_a + 1e-7)).sum(dim=(2, 3))
    raise ValueError(name)


def eigencam(a):
    maps = []
    for sample in a.double().numpy():
        c = sample.shape[0]
        x = sample.reshape(c, -1).T
        x = x - x.mean(axis=0)
        _, _, vt = np.linalg.svd(x, full_matrices=True)
        proj = x @ vt[0, :]
        if (proj * sample.reshape(c, -1).sum(axis=0)).sum() < 0:   # the sign convention documented in EigenCam.java
            proj = -proj
        maps.append(proj.reshape(sample.shape[1:]))
    return torch.from_numpy(np.stack(maps)).float()


def scorecam(model, x, a, classes, batch=16):
    with torch.no_grad():
        up = F.interpolate(a, size=x.shape[2:], mode="bilinear", align_corners=False)
        flat = up.view(up.size(0), up.size(1), -1)
        maxs, mins = flat.max(dim=-1)[0][:, :, None, None], flat.min(dim=-1)[0][:, :, None, None]
        up = (up - mins) / (maxs - mins + 1e-8)
        weights = []
        for i in range(x.shape[0]):
            masked = x[i][None] * up[i][:, None]
            scores = torch.cat([model(masked[j:j + batch])[:, classes[i]] for j in range(0, masked.shape[0], batch)])
            weights.append(torch.softmax(scores, dim=0))
        return torch.stack(weights)


def project(model, layer, x, seeds, rule):
    """Signal at the input for seeds (K, C, h, w) placed on the layer output of input x (1, ...)."""
    RuleRelu.rule = rule
    xs = x.repeat(seeds.shape[0], 1, 1, 1).requires_grad_(True)
    _, a = forward_with_layer(model, layer, xs)
    g, = torch.autograd.grad(a, xs, grad_outputs=seeds)
    return g.sum(dim=1)


def project_class(model, x, cls, rule):
    RuleRelu.rule = rule
    xs = x.clone().requires_grad_(True)
    logits = model(xs)
    g, = torch.autograd.grad(logits[0, cls], xs)
    return g.sum(dim=1)


def upsample(maps, size):
    return F.interpolate(maps[:, None], size=size, mode="bilinear", align_corners=False)[:, 0]


def write(name, model, layer, x, fc, full=True):
    """full=False: only activations, Grad-CAM and the peak projections (for models whose forward uses
    functional ReLUs after the layer, which the class-signal rules of an eager model would not replace)."""
    out = os.path.join(ROOT, "src", "test", "resources", "golden", name, "explain")
    os.makedirs(out, exist_ok=True)
    model.eval()
    use_rule_relus(model)
    RuleRelu.rule = "gradient"
    size = x.shape[2:]

    logits, a = forward_with_layer(model, layer, x)
    classes = logits.argmax(dim=1)
    g, = torch.autograd.grad(logits.gather(1, classes[:, None]).sum(), a)
    a, g = a.detach(), g.detach()
    save_npy(os.path.join(out, "activations.npy"), a.numpy())

    maps = {}
    for m in ("gradcam", "gradcampp", "xgradcam") if full else ("gradcam",):
        maps[m] = torch.relu((cam_weights(m, a, g)[:, :, None, None] * a).sum(dim=1))
    if full:
        maps["layercam"] = torch.relu((torch.clamp(g, min=0) * a).sum(dim=1))
        maps["hirescam"] = torch.relu((g * a).sum(dim=1))
        maps["eigencam"] = torch.relu(eigencam(a))
        maps["scorecam"] = torch.relu((scorecam(model, x, a, classes)[:, :, None, None] * a).sum(dim=1))
        w = fc.weight.detach()[classes]                       # CAM: the linear layer's rows, kept signed
        maps["cam"] = (w[:, :, None, None] * a).sum(dim=1)
    for m, v in maps.items():
        save_npy(os.path.join(out, m + ".npy"), v.numpy())
        save_npy(os.path.join(out, m + "_input.npy"), upsample(v, size).numpy())

    x0 = x[:1]
    a0 = a[:1]
    c = a0.shape[1]
    peaks = a0[0].view(c, -1).max(dim=1)[0]
    top = torch.argsort(peaks, descending=True)[:3]
    seeds = torch.zeros((len(top),) + tuple(a0.shape[1:]))
    for i, k in enumerate(top):
        pos = int(a0[0, k].flatten().argmax())
        seeds[i, k].view(-1)[pos] = a0[0, k].flatten()[pos]
    for rule in ("deconvnet", "guided", "gradient"):
        save_npy(os.path.join(out, rule + "_peak.npy"), project(model, layer, x0, seeds, rule).detach().numpy())
        if full:
            save_npy(os.path.join(out, rule + "_class.npy"),
                     project_class(model, x0, int(classes[0]), rule).detach().numpy())
    if full:
        guided = project_class(model, x0, int(classes[0]), "guided").detach()
        save_npy(os.path.join(out, "guidedgradcam.npy"), (guided * upsample(maps["gradcam"][:1], size)).numpy())
    with open(os.path.join(out, "meta.json"), "w") as f:
        json.dump({"layer": layer, "classes": classes.tolist(), "peak_channels": top.tolist(), "full": full}, f,
                  indent=2)
    print(f"{name}: layer {layer}, classes {classes.tolist()}, peak channels {top.tolist()}")


def demo_model():
    scripted = torch.jit.load(os.path.join(ROOT, "test-images", "models", "demo.pt"))
    model = DemoNet()
    model.load_state_dict(scripted.state_dict())
    return model.eval()


def first_demo_image(class_name):
    import csv
    with open(os.path.join(ROOT, "test-images", "demo", "labels.csv")) as f:
        return next(row["file"] for row in csv.DictReader(f) if row["class"] == class_name)


def demo_input():
    """The first mitotic and the first speckled demo image (ExplainParityTest picks the same)."""
    import tifffile
    images = [tifffile.imread(os.path.join(ROOT, "test-images", "demo", first_demo_image(c)))
              for c in ("mitotic", "speckled")]
    return torch.from_numpy(np.stack([sc.percentile_normalize(i) for i in images])[:, None])


def parity_models():
    """Rebuilds the parity models exactly as make_parity_models.py made them (same seeds, same order)."""
    torch.manual_seed(0)
    built = {"resnet18s": pm.ResNet18Small(), "vgg11bns": pm.Vgg11BnSmall(), "mobilenetv2s": pm.mobilenet_v2_small()}
    for name, model in built.items():
        pm.randomize_batchnorm(model, torch.Generator().manual_seed(42))
        model.eval()
        x = torch.from_numpy(np.load(os.path.join(ROOT, "src", "test", "resources", "golden", name, "input.npy")))
        ref = np.load(os.path.join(ROOT, "src", "test", "resources", "golden", name, "logits.npy"))
        with torch.no_grad():
            assert np.allclose(model(x).numpy(), ref, atol=1e-5), name + ": rebuilt weights differ"
    return built


def main():
    torch.set_num_threads(2)
    demo = demo_model()
    for m in demo.modules():
        if isinstance(m, nn.ReLU):
            m.inplace = False
    write("demo", demo, "block4", demo_input(), demo.fc)
    models = parity_models()
    for name, layer, fc in [("resnet18s", "layer4", models["resnet18s"].fc),
                            ("mobilenetv2s", "features", models["mobilenetv2s"].classifier[1])]:
        model = models[name]
        for m in model.modules():
            if isinstance(m, nn.ReLU):
                m.inplace = False
        x = torch.from_numpy(np.load(os.path.join(ROOT, "src", "test", "resources", "golden", name, "input.npy")))
        write(name, model, layer, x, fc)
    import make_family_models as fm
    torch.manual_seed(0)
    fams = fm.families()
    for name in ("densenets", "efficientnets"):
        model = fams[name]
        pm.randomize_batchnorm(model, torch.Generator().manual_seed(42))
        model.eval()
        for m in model.modules():
            if isinstance(m, nn.ReLU):
                m.inplace = False
        x = torch.from_numpy(np.load(os.path.join(ROOT, "src", "test", "resources", "golden", name, "input.npy")))
        ref = np.load(os.path.join(ROOT, "src", "test", "resources", "golden", name, "logits.npy"))
        with torch.no_grad():
            assert np.allclose(model(x).numpy(), ref, atol=1e-5), name + ": rebuilt weights differ"
        write(name, model, "features", x, None, full=False)


if __name__ == "__main__":
    main()
