"""Single-op models for the ops whose export details matter, with PyTorch goldens.

    /usr/bin/python3 src/test/python/make_op_models.py

ConvTranspose2d as U-Nets use it (kernel 2, stride 2) and with padding,
output_padding, groups and dilation; exported at opset 13. Writes
src/test/resources/models/<name>_op13.onnx and src/test/resources/golden/<name>/{input,logits}.npy.
"""
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_io import save_npy  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))

CASES = {
    "convt_unet": nn.ConvTranspose2d(8, 4, 2, stride=2),
    "convt_padded": nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1),
    "convt_grouped": nn.ConvTranspose2d(4, 6, 3, stride=1, padding=1, groups=2, bias=False),
    "convt_dilated": nn.ConvTranspose2d(4, 4, 3, stride=3, padding=2, dilation=2),
}


def main():
    torch.manual_seed(0)
    for name, module in CASES.items():
        module.eval()
        x = torch.randn(2, module.in_channels, 7, 6)
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
