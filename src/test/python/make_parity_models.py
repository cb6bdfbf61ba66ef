"""Reduced-width models with the op structure of torchvision's resnet18, vgg11_bn
and mobilenet_v2, exported at opset 13 and 17, with PyTorch goldens.

    /usr/bin/python3 src/test/python/make_parity_models.py          # committed small models
    /usr/bin/python3 src/test/python/make_parity_models.py --full DIR
                                  # the real torchvision architectures, full width, not committed

Random weights, but every BatchNorm gets non-trivial affine parameters and
running statistics, so a wrong BatchNorm (or a wrong Conv+BN fusion) shows.
Goldens (src/test/resources/golden/<name>/): input.npy, logits.npy (eager
PyTorch, eval mode) and tap.npy, the output of one named module recorded with
a forward hook; meta.json names that module.
"""
import json
import os
import sys

import torch
import torch.nn as nn
import torchvision
from torchvision.models.resnet import BasicBlock
from torchvision.models.vgg import make_layers

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_io import save_npy  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


class ResNet18Small(nn.Module):
    """torchvision's ResNet-18 layout (same module names and forward), widths / 16."""

    def __init__(self, widths=(4, 8, 16, 32), num_classes=5):
        super().__init__()
        self.inplanes = widths[0]
        self.conv1 = nn.Conv2d(1, widths[0], 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = self._make_layer(widths[0], 1)
        self.layer2 = self._make_layer(widths[1], 2)
        self.layer3 = self._make_layer(widths[2], 2)
        self.layer4 = self._make_layer(widths[3], 2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(widths[3], num_classes)

    def _make_layer(self, planes, stride):
        downsample = None
        if stride != 1 or self.inplanes != planes:
            downsample = nn.Sequential(nn.Conv2d(self.inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))
        layers = [BasicBlock(self.inplanes, planes, stride, downsample), BasicBlock(planes, planes)]
        self.inplanes = planes
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


class Vgg11BnSmall(nn.Module):
    """vgg11_bn's features (widths / 16) with a small three-layer head."""

    def __init__(self, num_classes=5):
        super().__init__()
        self.features = make_layers([4, "M", 8, "M", 16, 16, "M", 32, 32, "M", 32, 32, "M"], batch_norm=True)
        self.features[0] = nn.Conv2d(1, 4, 3, padding=1)
        self.avgpool = nn.AdaptiveAvgPool2d((2, 2))
        self.classifier = nn.Sequential(
            nn.Linear(32 * 4, 64), nn.ReLU(True), nn.Dropout(),
            nn.Linear(64, 64), nn.ReLU(True), nn.Dropout(),
            nn.Linear(64, num_classes))

    def forward(self, x):
        x = self.avgpool(self.features(x))
        return self.classifier(torch.flatten(x, 1))


def mobilenet_v2_small(num_classes=5):
    """torchvision's MobileNetV2 at width 0.25; the 1280-wide last conv cut to 64."""
    m = torchvision.models.mobilenet_v2(width_mult=0.25, num_classes=num_classes)
    first = m.features[0][0]
    m.features[0][0] = nn.Conv2d(1, first.out_channels, 3, 2, 1, bias=False)
    last = m.features[-1][0]
    m.features[-1][0] = nn.Conv2d(last.in_channels, 64, 1, bias=False)
    m.features[-1][1] = nn.BatchNorm2d(64)
    m.classifier[1] = nn.Linear(64, num_classes)
    return m


def randomize_batchnorm(model, gen):
    for mod in model.modules():
        if isinstance(mod, nn.modules.batchnorm._BatchNorm):
            n = mod.num_features
            mod.weight.data = torch.rand(n, generator=gen) + 0.5
            mod.bias.data = torch.randn(n, generator=gen) * 0.2
            mod.running_mean.data = torch.randn(n, generator=gen) * 0.2
            mod.running_var.data = torch.rand(n, generator=gen) + 0.5


def export(name, model, tap_module, in_channels, size, out_dir, golden_dir, opsets=(13, 17)):
    gen = torch.Generator().manual_seed(42)
    randomize_batchnorm(model, gen)
    model.eval()
    x = torch.randn(2, in_channels, size, size, generator=gen)
    recorded = {}
    handle = dict(model.named_modules())[tap_module].register_forward_hook(
        lambda m, i, o: recorded.__setitem__("tap", o.detach().clone()))
    with torch.no_grad():
        logits = model(x)
    handle.remove()
    os.makedirs(golden_dir, exist_ok=True)
    save_npy(os.path.join(golden_dir, "input.npy"), x.numpy())
    save_npy(os.path.join(golden_dir, "logits.npy"), logits.numpy())
    save_npy(os.path.join(golden_dir, "tap.npy"), recorded["tap"].numpy())
    with open(os.path.join(golden_dir, "meta.json"), "w") as f:
        json.dump({"model": name, "tap_module": tap_module}, f, indent=2)
    os.makedirs(out_dir, exist_ok=True)
    for opset in opsets:
        torch.onnx.export(model, x, os.path.join(out_dir, f"{name}_op{opset}.onnx"), opset_version=opset,
                          input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    print(f"{name}: {sum(p.numel() for p in model.parameters())} parameters", flush=True)


def main():
    torch.manual_seed(0)
    if len(sys.argv) == 3 and sys.argv[1] == "--full":
        out = sys.argv[2]
        for name, model, tap in [("resnet18", torchvision.models.resnet18(), "layer4"),
                                 ("vgg11_bn", torchvision.models.vgg11_bn(), "features"),
                                 ("mobilenet_v2", torchvision.models.mobilenet_v2(), "features")]:
            export(name, model, tap, 3, 224, out, os.path.join(out, "golden", name))
        return
    models_dir = os.path.join(ROOT, "src", "test", "resources", "models")
    golden = os.path.join(ROOT, "src", "test", "resources", "golden")
    export("resnet18s", ResNet18Small(), "layer4", 1, 64, models_dir, os.path.join(golden, "resnet18s"))
    export("vgg11bns", Vgg11BnSmall(), "features", 1, 64, models_dir, os.path.join(golden, "vgg11bns"))
    export("mobilenetv2s", mobilenet_v2_small(), "features", 1, 64, models_dir, os.path.join(golden, "mobilenetv2s"))


if __name__ == "__main__":
    main()
