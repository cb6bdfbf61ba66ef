"""TorchScript test modules beyond demo.pt (which make_demo.py scripts with features()/head()).

    /usr/bin/python3 src/test/python/make_torchscript_models.py

- golden/demo/demo_forward_only.pt: the demo's weights traced as one forward(), as most
  users' TorchScript files are: it predicts, but has no cut for maps at a layer.
- models/resnet18s_cut.{onnx,pt,json}: the reduced resnet18 of the parity tests exported by
  the user-facing helper src/main/python/export_model.py, cut at layer4 (the layer of its
  explanation goldens), so the Java tests check the helper's output against those goldens.
Also checks that the helper refuses a cut that a skip connection crosses.
"""
import os
import subprocess
import sys
import tempfile

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_demo import DemoNet  # noqa: E402
from make_explain_goldens import parity_models  # noqa: E402
from make_parity_models import ROOT  # noqa: E402

HELPER = os.path.join(ROOT, "src", "main", "python", "export_model.py")


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

    resnet = parity_models()["resnet18s"]
    models = os.path.join(ROOT, "src", "test", "resources", "models")
    with tempfile.TemporaryDirectory() as tmp:
        weights = os.path.join(tmp, "resnet18s.pth")
        torch.save(resnet.state_dict(), weights)
        module = os.path.join(ROOT, "src", "test", "python", "make_parity_models.py") + ":ResNet18Small"
        common = [sys.executable, HELPER, "--model", module, "--weights", weights, "--input-shape", "1,1,64,64",
                  "--normalize", "none", "--opset", "13"]
        subprocess.run(common + ["--layer", "layer4", "--out", os.path.join(models, "resnet18s_cut"),
                                 "--classes", "a,b,c,d,e"], check=True)
        crossing = subprocess.run(common + ["--layer", "layer4.0.conv1", "--out", os.path.join(tmp, "bad")],
                                  capture_output=True, text=True)
        assert crossing.returncode != 0 and "skip connection crosses the cut" in crossing.stderr, crossing.stderr
        print("refused:", crossing.stderr.strip())


if __name__ == "__main__":
    main()
