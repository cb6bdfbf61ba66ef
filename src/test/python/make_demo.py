"""Builds the demo data set and trains the demo classifier with real PyTorch.

Run from the repository root with Debian's PyTorch:

    /usr/bin/python3 src/test/python/make_demo.py

Writes
  test-images/demo/cell_NNN.tif          held-out images (16-bit, 128x128)
  test-images/demo/masks/cell_NNN.png    mask of the class-defining object (empty for 'empty')
  test-images/demo/labels.csv            file,label,class
  test-images/models/demo.onnx           the classifier, ONNX opset 13
  test-images/models/demo.pt             the same as TorchScript, with features()/head()
  test-images/models/demo.json           spec: classes, input shape, normalisation
  src/test/resources/golden/demo/        PyTorch logits of the committed images
and prints the accuracy on a 600-image held-out split (150 per class).
"""
import csv
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import synthetic_cells as sc  # noqa: E402
from golden_io import save_npy  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
COMMITTED_PER_CLASS = 15


def conv_block(cin, cout, pool=True):
    layers = [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]
    if pool:
        layers.append(nn.MaxPool2d(2))
    return nn.Sequential(*layers)


class DemoNet(nn.Module):
    """Four conv blocks, global average pooling, one linear layer (so CAM applies)."""

    def __init__(self, n_classes=len(sc.CLASSES)):
        super().__init__()
        self.block1 = conv_block(1, 16)
        self.block2 = conv_block(16, 32)
        self.block3 = conv_block(32, 64)
        self.block4 = conv_block(64, 64, pool=False)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, n_classes)

    @torch.jit.export
    def features(self, x):
        return self.block4(self.block3(self.block2(self.block1(x))))

    @torch.jit.export
    def head(self, f):
        # view(size(0), -1) rather than flatten: exported models are full of this shape arithmetic
        return self.fc(self.pool(f).view(f.size(0), -1))

    def forward(self, x):
        return self.head(self.features(x))


def to_tensor(images):
    return torch.from_numpy(np.stack([sc.percentile_normalize(i) for i in images])[:, None])


def train(model, x, y, epochs=8, batch=64):
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=epochs * ((len(x) + batch - 1) // batch))
    g = torch.Generator().manual_seed(0)
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(x), generator=g)
        total = 0.0
        for i in range(0, len(x), batch):
            idx = perm[i:i + batch]
            xb = x[idx]
            # flips and 90-degree turns: the classes do not depend on orientation
            if torch.rand(1, generator=g) < 0.5:
                xb = xb.flip(3)
            xb = torch.rot90(xb, int(torch.randint(0, 4, (1,), generator=g)), (2, 3))
            loss = nn.functional.cross_entropy(model(xb), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        print(f"epoch {epoch + 1}: loss {total / len(x):.4f}", flush=True)


def main():
    torch.set_num_threads(2)
    torch.manual_seed(0)
    t0 = time.time()
    train_imgs, _, train_labels = sc.make_set(seed=1000, per_class=600)
    test_imgs, test_masks, test_labels = sc.make_set(seed=2000, per_class=150)
    print(f"generated data in {time.time() - t0:.0f} s", flush=True)

    model = DemoNet()
    train(model, to_tensor(train_imgs), torch.from_numpy(train_labels).long())
    model.eval()
    with torch.no_grad():
        logits = model(to_tensor(test_imgs))
    accuracy = (logits.argmax(1).numpy() == test_labels).mean()
    print(f"held-out accuracy: {accuracy:.4f} on {len(test_labels)} images")
    if accuracy < 0.95:
        raise SystemExit("accuracy below 95 %: not writing the demo model")

    # the committed part of the held-out split: the first 15 images of each class
    keep = np.concatenate([np.flatnonzero(test_labels == c)[:COMMITTED_PER_CLASS] for c in range(len(sc.CLASSES))])
    keep.sort()
    demo_dir = os.path.join(ROOT, "test-images", "demo")
    os.makedirs(os.path.join(demo_dir, "masks"), exist_ok=True)
    import tifffile
    rows = []
    for n, i in enumerate(keep):
        name = f"cell_{n:03d}"
        tifffile.imwrite(os.path.join(demo_dir, name + ".tif"), test_imgs[i], imagej=True)
        Image.fromarray((test_masks[i] * 255).astype(np.uint8)).save(os.path.join(demo_dir, "masks", name + ".png"))
        rows.append((name + ".tif", int(test_labels[i]), sc.CLASSES[test_labels[i]]))
    with open(os.path.join(demo_dir, "labels.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["file", "label", "class"])
        w.writerows(rows)

    model_dir = os.path.join(ROOT, "test-images", "models")
    os.makedirs(model_dir, exist_ok=True)
    example = to_tensor(test_imgs[keep[:2]])
    torch.onnx.export(model, example, os.path.join(model_dir, "demo.onnx"), opset_version=13,
                      input_names=["image"], output_names=["logits"],
                      dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}})
    torch.jit.script(model).save(os.path.join(model_dir, "demo.pt"))
    spec = {
        "name": "demo-cells",
        "description": "Synthetic widefield nuclear stain: interphase, mitotic or speckled cell in focus, or none (cnn-explain demo).",
        "classes": sc.CLASSES,
        "input": {"axes": "bcyx", "shape": [1, 1, sc.SIZE, sc.SIZE]},
        "normalize": {"mode": "percentile", "low": 1.0, "high": 99.8},
        "output": "logits",
        "held_out_accuracy": round(float(accuracy), 4),
    }
    with open(os.path.join(model_dir, "demo.json"), "w") as f:
        json.dump(spec, f, indent=2)

    golden_dir = os.path.join(ROOT, "src", "test", "resources", "golden", "demo")
    os.makedirs(golden_dir, exist_ok=True)
    with torch.no_grad():
        save_npy(os.path.join(golden_dir, "logits.npy"), model(to_tensor(test_imgs[keep])).numpy())
    print("wrote demo set, model and goldens")


if __name__ == "__main__":
    main()
