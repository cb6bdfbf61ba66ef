"""A small ResNet-style classifier exported with its BatchNormalization nodes kept, and its goldens.

    /usr/bin/python3 src/test/python/make_bn_kept_model.py

torch.onnx.export folds BatchNorm into the preceding Conv in eval mode; exported with
training=TrainingMode.PRESERVE (the model in eval mode) the BatchNormalization nodes stay after their
Conv, as they do in graphs from other exporters. cnn-explain folds them itself when nobody taps the
Conv's own output; these goldens check that the logits and Grad-CAM at the BN output and at the Conv
output stay those of plain torch autograd.

Writes src/test/resources/models/bnkept_op13.onnx and src/test/resources/golden/bnkept/
{input, logits, gradcam_bn, gradcam_conv}.npy (Grad-CAM of the top-1 logit at layer resolution, after
the ReLU, unscaled) and meta.json (the two layers' node names).
"""
import io
import json
import os
import sys

import onnx
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_io import save_npy  # noqa: E402
from make_parity_models import randomize_batchnorm  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=True)
        self.bn2 = nn.BatchNorm2d(cout)
        self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
        return self.relu(y + self.down(x))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, 1, 1), nn.BatchNorm2d(8), nn.ReLU())
        self.layer1 = Block(8, 16, 2)
        self.layer2 = Block(16, 24, 2)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(24, 5)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.layer2(self.layer1(self.stem(x)))), 1))


def gradcam(model, module, x):
    saved = {}

    def hook(_, __, out):
        saved["a"] = out.detach().requires_grad_()
        return saved["a"]
    h = module.register_forward_hook(hook)
    logits = model(x)
    h.remove()
    score = logits.gather(1, logits.argmax(1, keepdim=True)).sum()
    g, = torch.autograd.grad(score, saved["a"])
    a = saved["a"].detach()
    return torch.relu((g.mean((2, 3), keepdim=True) * a).sum(1))


def main():
    torch.manual_seed(0)
    model = Net()
    randomize_batchnorm(model, torch.Generator().manual_seed(42))
    model.eval()
    x = torch.randn(2, 3, 32, 32)
    f = io.BytesIO()
    torch.onnx.export(model, x[:1], f, opset_version=13, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "n"}, "logits": {0: "n"}},
                      training=torch.onnx.TrainingMode.PRESERVE)
    m = onnx.load_from_string(f.getvalue())
    nodes = m.graph.node
    bn = [n for n in nodes if n.op_type == "BatchNormalization"]
    assert len(bn) == 7, [n.op_type for n in nodes]
    # layer2's second conv and its BatchNorm: the nodes the test explains
    conv_node = next(n for n in nodes if n.op_type == "Conv" and "layer2/conv2" in n.name)
    bn_node = next(n for n in bn if n.input[0] == conv_node.output[0])
    models = os.path.join(ROOT, "src/test/resources/models")
    golden = os.path.join(ROOT, "src/test/resources/golden/bnkept")
    os.makedirs(golden, exist_ok=True)
    onnx.save(m, os.path.join(models, "bnkept_op13.onnx"))
    with torch.no_grad():
        logits = model(x)
    save_npy(os.path.join(golden, "input.npy"), x.numpy())
    save_npy(os.path.join(golden, "logits.npy"), logits.numpy())
    save_npy(os.path.join(golden, "gradcam_bn.npy"), gradcam(model, model.layer2.bn2, x).numpy())
    save_npy(os.path.join(golden, "gradcam_conv.npy"), gradcam(model, model.layer2.conv2, x).numpy())
    with open(os.path.join(golden, "meta.json"), "w") as out:
        json.dump({"conv": conv_node.name, "bn": bn_node.name, "batchnorms": len(bn)}, out)
    print("wrote", models, golden, conv_node.name, bn_node.name)


if __name__ == "__main__":
    main()
