"""Reduced-width members of the model families biologists fine-tune, exported at
opset 11, 13 and 17, with PyTorch goldens (forward parity).

    /usr/bin/python3 src/test/python/make_family_models.py
    /usr/bin/python3 src/test/python/make_family_models.py --full DIR   # full size, not committed

Same op structure as torchvision's densenet121 (concat, average pooling),
efficientnet_b0 (SiLU, squeeze-and-excitation), mobilenet_v3_small (hardswish,
hardsigmoid), squeezenet1_1 (ceil-mode pooling, concat) and shufflenet_v2_x0_5
(channel shuffle: reshape/transpose/split), with fewer and narrower layers so that
the committed files stay small. Writes src/test/resources/models/<name>_op<k>.onnx
and src/test/resources/golden/<name>/{input,logits}.npy.
"""
import os
import sys

import torch
import torch.nn as nn
import torchvision
from torchvision.models.efficientnet import _efficientnet_conf
from torchvision.models.mobilenetv3 import _mobilenet_v3_conf
from torchvision.models.squeezenet import Fire

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_io import save_npy  # noqa: E402
import make_parity_models as pm  # noqa: E402
from make_parity_models import randomize_batchnorm  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


class SqueezeNet11Small(nn.Module):
    """squeezenet1_1's layout (ceil-mode max pooling, Fire modules, conv classifier), narrower."""

    def __init__(self, num_classes=5):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, 3, stride=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(3, 2, ceil_mode=True),
            Fire(16, 4, 8, 8), Fire(16, 4, 8, 8),
            nn.MaxPool2d(3, 2, ceil_mode=True),
            Fire(16, 8, 16, 16), Fire(32, 8, 16, 16),
            nn.MaxPool2d(3, 2, ceil_mode=True),
            Fire(32, 8, 16, 16))
        self.classifier = nn.Sequential(nn.Dropout(0.5), nn.Conv2d(32, num_classes, 1), nn.ReLU(inplace=True),
                                        nn.AdaptiveAvgPool2d((1, 1)))

    def forward(self, x):
        return torch.flatten(self.classifier(self.features(x)), 1)


def families():
    setting, last = _efficientnet_conf("efficientnet_b0", width_mult=0.1, depth_mult=0.25)
    v3_setting, v3_last = _mobilenet_v3_conf("mobilenet_v3_small", width_mult=0.1)
    return {
        "densenets": torchvision.models.DenseNet(growth_rate=4, block_config=(2, 2, 2, 2), num_init_features=8,
                                                 bn_size=2, num_classes=5),
        "efficientnets": torchvision.models.EfficientNet(setting, dropout=0.2, last_channel=64, num_classes=5),
        "mobilenetv3s": torchvision.models.MobileNetV3(v3_setting, last_channel=64, num_classes=5),
        "squeezenets": SqueezeNet11Small(),
        "shufflenets": torchvision.models.ShuffleNetV2([2, 2, 2], [8, 16, 32, 64, 64], num_classes=5),
    }


def export(name, model, x):
    """The model's goldens for input x (input.npy, logits.npy) and its ONNX files at opset 11, 13 and 17."""
    models_dir = os.path.join(ROOT, "src", "test", "resources", "models")
    golden = os.path.join(ROOT, "src", "test", "resources", "golden", name)
    os.makedirs(golden, exist_ok=True)
    with torch.no_grad():
        logits = model(x)
    save_npy(os.path.join(golden, "input.npy"), x.numpy())
    save_npy(os.path.join(golden, "logits.npy"), logits.numpy())
    for opset in (11, 13, 17):
        torch.onnx.export(model, x, os.path.join(models_dir, f"{name}_op{opset}.onnx"), opset_version=opset,
                          input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    size = os.path.getsize(os.path.join(models_dir, f"{name}_op17.onnx"))
    print(f"{name}: {sum(p.numel() for p in model.parameters())} parameters, {size // 1024} KB per file")


def full(out):
    """The real torchvision architectures, full width, 224 x 224, 3 channels: for a manual check, not committed."""
    for name in ("densenet121", "efficientnet_b0", "mobilenet_v3_small", "squeezenet1_1", "shufflenet_v2_x0_5"):
        tap = "features" if name != "shufflenet_v2_x0_5" else "conv5"
        pm.export(name, getattr(torchvision.models, name)(), tap, 3, 224, out, os.path.join(out, "golden", name),
                  opsets=(11, 13, 17))


def main():
    torch.manual_seed(0)
    if len(sys.argv) == 3 and sys.argv[1] == "--full":
        full(sys.argv[2])
        return
    for name, model in families().items():
        gen = torch.Generator().manual_seed(42)
        randomize_batchnorm(model, gen)
        model.eval()
        export(name, model, torch.randn(2, 3, 64, 64, generator=gen))


if __name__ == "__main__":
    main()
