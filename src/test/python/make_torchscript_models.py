"""TorchScript test modules beyond demo.pt (which make_demo.py scripts with features()/head()).

    /usr/bin/python3 src/test/python/make_torchscript_models.py

golden/demo/demo_forward_only.pt: the demo's weights traced as one forward(), as most
users' TorchScript files are: it predicts, but has no cut for maps at a layer.
"""
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_demo import DemoNet  # noqa: E402
from make_parity_models import ROOT  # noqa: E402


class ForwardOnly(nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return self.net(x)


def main():
    scripted = torch.jit.load(os.path.join(ROOT, "test-images", "models", "demo.pt"))
    demo = DemoNet()
    demo.load_state_dict(scripted.state_dict())
    demo.eval()
    out = os.path.join(ROOT, "src", "test", "resources", "golden", "demo", "demo_forward_only.pt")
    torch.jit.trace(ForwardOnly(demo), torch.zeros(1, 1, 128, 128)).save(out)
    print(out, os.path.getsize(out) // 1024, "KB")


if __name__ == "__main__":
    main()
