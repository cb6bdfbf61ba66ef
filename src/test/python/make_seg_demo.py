"""A trained U-Net for the demo images: per-pixel classes background, interphase,
mitotic, speckled (the class-defining object of synthetic_cells.py; out-of-focus
distractor cells are background). For the segmentation truth test.

    /usr/bin/python3 src/test/python/make_seg_demo.py

Trained on 1,600 generated images (seed 1000, as the classifier's training set but
fewer), evaluated on a 600-image held-out split (seed 2000, whose first 15 per class
are test-images/demo). Writes src/test/resources/models/seg_demo.{onnx,json} and
src/test/resources/golden/seg_demo/logits_first.npy (the output for the first demo image).
"""
import csv
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import synthetic_cells as sc  # noqa: E402
from golden_io import save_npy  # noqa: E402
from make_demo import to_tensor  # noqa: E402
from make_parity_models import ROOT  # noqa: E402

CLASSES = ["background", "interphase", "mitotic", "speckled"]


def block(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU(),
                         nn.Conv2d(cout, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU())


class SegNet(nn.Module):
    """Three poolings down to 16 x 16, transposed convolutions and a bilinear upsampling back."""

    def __init__(self):
        super().__init__()
        self.enc1 = block(1, 16)
        self.enc2 = block(16, 32)
        self.enc3 = block(32, 48)
        self.bottleneck = block(48, 64)
        self.up3 = nn.ConvTranspose2d(64, 48, 2, stride=2)
        self.dec3 = block(96, 48)
        self.up2 = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False)
        self.dec2 = block(48 + 32, 32)
        self.up1 = nn.ConvTranspose2d(32, 16, 2, stride=2)
        self.dec1 = block(32, 16)
        self.head = nn.Conv2d(16, len(CLASSES), 1)

    def forward(self, x):
        e1 = self.enc1(x)
        e2 = self.enc2(F.max_pool2d(e1, 2))
        e3 = self.enc3(F.max_pool2d(e2, 2))
        b = self.bottleneck(F.max_pool2d(e3, 2))
        d3 = self.dec3(torch.cat([self.up3(b), e3], 1))
        d2 = self.dec2(torch.cat([self.up2(d3), e2], 1))
        d1 = self.dec1(torch.cat([self.up1(d2), e1], 1))
        return self.head(d1)


def label_maps(masks, labels):
    """Per-pixel class: the object's class (label + 1) inside its mask, else background."""
    out = np.zeros(masks.shape, dtype=np.int64)
    for i, (m, c) in enumerate(zip(masks, labels)):
        if sc.CLASSES[c] != "empty":
            out[i][m > 0] = c + 1
    return torch.from_numpy(out)


def train(model, x, y, epochs=12, batch=32):
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    steps = epochs * ((len(x) + batch - 1) // batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps)
    weights = torch.tensor([0.2, 1.0, 1.0, 1.0])   # objects cover a few % of the pixels
    g = torch.Generator().manual_seed(0)
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(x), generator=g)
        total = 0.0
        for i in range(0, len(x), batch):
            idx = perm[i:i + batch]
            xb, yb = x[idx], y[idx]
            k = int(torch.randint(0, 4, (1,), generator=g))
            xb, yb = torch.rot90(xb, k, (2, 3)), torch.rot90(yb, k, (1, 2))
            if torch.rand(1, generator=g) < 0.5:
                xb, yb = xb.flip(3), yb.flip(2)
            loss = F.cross_entropy(model(xb), yb, weight=weights)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        print(f"epoch {epoch + 1}: loss {total / len(x):.4f}", flush=True)


def evaluate(model, x, y, labels):
    with torch.no_grad():
        pred = torch.cat([model(x[i:i + 50]) for i in range(0, len(x), 50)]).argmax(1)
    ious, right = [], 0
    for i, c in enumerate(labels):
        counts = torch.bincount(pred[i].flatten(), minlength=len(CLASSES))
        counts[0] = 0
        dominant = int(counts.argmax()) if counts.sum() > 0 else 0
        truth = 0 if sc.CLASSES[c] == "empty" else c + 1
        right += dominant == truth
        if truth:
            inter = ((pred[i] > 0) & (y[i] > 0)).sum().item()
            union = ((pred[i] > 0) | (y[i] > 0)).sum().item()
            ious.append(inter / max(union, 1))
    return right / len(labels), float(np.mean(ious))


def main():
    torch.set_num_threads(2)
    torch.manual_seed(0)
    t0 = time.time()
    imgs, masks, labels = sc.make_set(seed=1000, per_class=400)
    test_imgs, test_masks, test_labels = sc.make_set(seed=2000, per_class=150)
    print(f"generated data in {time.time() - t0:.0f} s", flush=True)
    model = SegNet()
    train(model, to_tensor(imgs), label_maps(masks, labels))
    model.eval()
    accuracy, iou = evaluate(model, to_tensor(test_imgs), label_maps(test_masks, test_labels), test_labels)
    print(f"held-out: dominant class right {accuracy:.4f}, object IoU {iou:.3f} on {len(test_labels)} images")
    if accuracy < 0.9:
        raise SystemExit("below 90 %: not writing the model")

    models = os.path.join(ROOT, "src", "test", "resources", "models")
    x = torch.zeros(1, 1, 128, 128)
    torch.onnx.export(model, x, os.path.join(models, "seg_demo.onnx"), opset_version=13, input_names=["input"],
                      output_names=["logits"], dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    with open(os.path.join(models, "seg_demo.json"), "w") as f:
        json.dump({"name": "seg-demo", "classes": CLASSES, "input": {"axes": "bcyx", "shape": [1, 1, 128, 128]},
                   "normalize": {"mode": "percentile", "low": 1.0, "high": 99.8},
                   "held_out_dominant_class_accuracy": accuracy, "held_out_object_iou": round(iou, 3)}, f, indent=2)

    import tifffile
    with open(os.path.join(ROOT, "test-images", "demo", "labels.csv")) as f:
        files = [row["file"] for row in csv.DictReader(f)]   # the first is cell_000.tif
    demo = to_tensor([tifffile.imread(os.path.join(ROOT, "test-images", "demo", files[0]))])
    with torch.no_grad():
        logits = model(demo)
    golden = os.path.join(ROOT, "src", "test", "resources", "golden", "seg_demo")
    os.makedirs(golden, exist_ok=True)
    save_npy(os.path.join(golden, "logits_first.npy"), logits[:1].numpy())
    print(f"wrote seg_demo ({os.path.getsize(os.path.join(models, 'seg_demo.onnx')) // 1024} KB)"
          f" in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
