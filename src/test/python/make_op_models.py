"""Single-op models for the ops whose export details matter, with PyTorch goldens.

    /usr/bin/python3 src/test/python/make_op_models.py

ConvTranspose2d/3d as U-Nets use it (kernel 2, stride 2) and with padding,
output_padding, groups and dilation; LeakyReLU, PReLU (per channel), ELU;
asymmetric padding before a conv; average pooling with and without
count_include_pad (and ceil mode); exported at opset 13. Writes
src/test/resources/models/<name>_op13.onnx and src/test/resources/golden/<name>/{input,logits}.npy.
"""
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_io import save_npy  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))

class AsymmetricPadConv(nn.Module):
    """TensorFlow-style SAME padding for an even kernel: one more pixel at the bottom/right."""

    def __init__(self):
        super().__init__()
        self.pad = nn.ZeroPad2d((0, 1, 0, 1))
        self.conv = nn.Conv2d(4, 4, 2)

    def forward(self, x):
        return self.conv(self.pad(x))


CASES = {
    "act_leakyrelu": nn.Sequential(nn.Conv2d(4, 4, 1), nn.LeakyReLU(0.2)),
    "act_prelu": nn.Sequential(nn.Conv2d(4, 4, 1), nn.PReLU(4, init=0.3)),
    "act_elu": nn.Sequential(nn.Conv2d(4, 4, 1), nn.ELU(0.7)),
    "pad_asymmetric": AsymmetricPadConv(),
    "avgpool_include": nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=True),
    "avgpool_exclude": nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False),
    "avgpool_ceil": nn.AvgPool2d(2, stride=2, ceil_mode=True, count_include_pad=False),
    "convt_unet": nn.ConvTranspose2d(8, 4, 2, stride=2),
    "convt_padded": nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1),
    "convt_grouped": nn.ConvTranspose2d(4, 6, 3, stride=1, padding=1, groups=2, bias=False),
    "convt_dilated": nn.ConvTranspose2d(4, 4, 3, stride=3, padding=2, dilation=2),
    "pad_reflect": nn.Conv2d(4, 4, 3, padding=1, padding_mode="reflect"),
    "pad_edge": nn.Conv2d(4, 4, 3, padding=2, padding_mode="replicate"),
    "convt3d_unet": nn.ConvTranspose3d(4, 2, 2, stride=2),
    "convt3d_padded": nn.ConvTranspose3d(2, 3, 3, stride=(1, 2, 2), padding=1, output_padding=(0, 1, 1)),
}


def main():
    torch.manual_seed(0)
    for name, module in CASES.items():
        module.eval()
        channels = module.in_channels if isinstance(module, (nn.ConvTranspose2d, nn.ConvTranspose3d)) else 4
        x = torch.randn(2, channels, 4, 7, 6) if isinstance(module, nn.ConvTranspose3d) else torch.randn(2, channels, 7, 6)
        with torch.no_grad():
            y = module(x)
        golden = os.path.join(ROOT, "src", "test", "resources", "golden", name)
        os.makedirs(golden, exist_ok=True)
        save_npy(os.path.join(golden, "input.npy"), x.numpy())
        save_npy(os.path.join(golden, "logits.npy"), y.numpy())
        torch.onnx.export(module, x, os.path.join(ROOT, "src", "test", "resources", "models", name + "_op13.onnx"),
                          opset_version=13, input_names=["input"], output_names=["output"])
        print(name, tuple(y.shape))


if __name__ == "__main__":
    main()
