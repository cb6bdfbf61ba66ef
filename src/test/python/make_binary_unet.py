"""A binary nucleus U-Net (one output channel, a sigmoid) and a tiny multi-label classifier
(one sigmoid per class), trained on the synthetic cells, with the goldens the sigmoid tests read.

    nice -n 10 /usr/bin/python3 src/test/python/make_binary_unet.py

- binary_unet: per-pixel "nucleus" (every nucleus, in focus or out of focus, is foreground; the
  mask comes from synthetic_cells.make_set(nuclei=True)), the most common kind of bioimage.io model.
  Trained on random 64 x 64 crops of 480 generated images (seed 1000) for a few CPU minutes; evaluated on the 600-image
  held-out split (seed 2000) whose first 15 per class are test-images/demo.
- multilabel: "cell" (a nucleus in focus), "mitotic", "speckled" from the same images: a mitotic
  image is both "cell" and "mitotic", so the classes are not exclusive.

Writes src/test/resources/models/{binary_unet,multilabel}.{onnx,json} and
src/test/resources/golden/sigmoid/: binary_demo.csv (per demo image: foreground fraction p > 0.5,
mean probability, from NumPy on the PyTorch output), binary_logits_first.npy, multilabel_demo.csv
(per demo image: the sigmoid probability of each class and the classes above 0.5).
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

MODELS = os.path.join(ROOT, "src", "test", "resources", "models")
GOLDEN = os.path.join(ROOT, "src", "test", "resources", "golden", "sigmoid")
MULTI = ["cell", "mitotic", "speckled"]


def block(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU(),
                         nn.Conv2d(cout, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU())


class BinaryUNet(nn.Module):
    """Two poolings to 32 x 32, a transposed convolution and a bilinear upsampling back, one output."""

    def __init__(self):
        super().__init__()
        self.enc1 = block(1, 8)
        self.enc2 = block(8, 16)
        self.bottleneck = block(16, 24)
        self.up2 = nn.ConvTranspose2d(24, 16, 2, stride=2)
        self.dec2 = block(32, 16)
        self.up1 = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False)
        self.dec1 = block(16 + 8, 8)
        self.head = nn.Conv2d(8, 1, 1)

    def forward(self, x):
        e1 = self.enc1(x)
        e2 = self.enc2(F.max_pool2d(e1, 2))
        b = self.bottleneck(F.max_pool2d(e2, 2))
        d2 = self.dec2(torch.cat([self.up2(b), e2], 1))
        d1 = self.dec1(torch.cat([self.up1(d2), e1], 1))
        return self.head(d1)


class MultiLabelNet(nn.Module):
    """Strided convolutions, global average pooling, one linear layer: one logit per class."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, 3, stride=2, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
            nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.Conv2d(16, 24, 3, stride=2, padding=1), nn.BatchNorm2d(24), nn.ReLU(),
            nn.Conv2d(24, 24, 3, padding=1), nn.BatchNorm2d(24), nn.ReLU())
        self.fc = nn.Linear(24, len(MULTI))

    def forward(self, x):
        return self.fc(self.features(x).mean((2, 3)))


def multi_targets(labels):
    """cell: any class but empty; mitotic; speckled."""
    return torch.tensor([[c != 3, c == 1, c == 2] for c in labels], dtype=torch.float32)


def augment(g, xb, yb, spatial):
    if spatial:   # a random 64 x 64 crop: a quarter of the cost, and the U-Net is fully convolutional
        y0, x0 = (int(v) for v in torch.randint(0, 65, (2,), generator=g))
        xb, yb = xb[:, :, y0:y0 + 64, x0:x0 + 64], yb[:, :, y0:y0 + 64, x0:x0 + 64]
    k = int(torch.randint(0, 4, (1,), generator=g))
    xb = torch.rot90(xb, k, (2, 3))
    yb = torch.rot90(yb, k, (2, 3)) if spatial else yb
    if torch.rand(1, generator=g) < 0.5:
        xb = xb.flip(3)
        yb = yb.flip(3) if spatial else yb
    return xb, yb


def train(model, x, y, epochs, batch, pos_weight, spatial):
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    steps = epochs * ((len(x) + batch - 1) // batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps)
    g = torch.Generator().manual_seed(0)
    for epoch in range(epochs):
        t0 = time.time()
        model.train()
        perm = torch.randperm(len(x), generator=g)
        total = 0.0
        for i in range(0, len(x), batch):
            idx = perm[i:i + batch]
            xb, yb = augment(g, x[idx], y[idx], spatial)
            loss = F.binary_cross_entropy_with_logits(model(xb), yb, pos_weight=pos_weight)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        print(f"epoch {epoch + 1}: loss {total / len(x):.4f} ({time.time() - t0:.0f} s)", flush=True)


def export(model, name, spec):
    x = torch.zeros(1, 1, 128, 128)
    torch.onnx.export(model, x, os.path.join(MODELS, name + ".onnx"), opset_version=13, input_names=["input"],
                      output_names=["logits"], dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    with open(os.path.join(MODELS, name + ".json"), "w") as f:
        json.dump(spec, f, indent=2)
    print(f"wrote {name}.onnx ({os.path.getsize(os.path.join(MODELS, name + '.onnx')) // 1024} KB)", flush=True)


def demo_indices(labels):
    """Where test-images/demo comes from in the held-out split: the first 15 of each class, in order."""
    keep = np.concatenate([np.flatnonzero(labels == c)[:15] for c in range(len(sc.CLASSES))])
    keep.sort()
    return keep


def binary(imgs, nuclei, test_imgs, test_nuclei, keep):
    model = BinaryUNet()
    share = float(nuclei.mean())
    train(model, to_tensor(imgs), torch.from_numpy(nuclei[:, None].astype(np.float32)), epochs=10, batch=16,
          pos_weight=torch.tensor([0.5 * (1 - share) / share]), spatial=True)
    model.eval()
    x = to_tensor(test_imgs)
    with torch.no_grad():
        logits = torch.cat([model(x[i:i + 50]) for i in range(0, len(x), 50)])[:, 0].numpy()
    pred = logits > 0
    inter = (pred & test_nuclei).sum((1, 2))
    union = (pred | test_nuclei).sum((1, 2))
    iou = float(np.mean(inter / np.maximum(union, 1)))
    print(f"binary U-Net held-out: mean nucleus IoU {iou:.3f} on {len(x)} images", flush=True)
    if iou < 0.6:
        raise SystemExit("IoU below 0.6: not writing the binary U-Net")
    export(model, "binary_unet", {
        "name": "binary-nuclei", "classes": ["nucleus"], "activation": "sigmoid",
        "input": {"axes": "bcyx", "shape": [1, 1, 128, 128]},
        "normalize": {"mode": "percentile", "low": 1.0, "high": 99.8}, "held_out_nucleus_iou": round(iou, 3)})
    probs = 1 / (1 + np.exp(-logits[keep].astype(np.float64)))
    with open(os.path.join(GOLDEN, "binary_demo.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["file", "foreground_fraction", "mean_probability", "min_abs_logit"])
        for n, i in enumerate(keep):
            w.writerow([f"cell_{n:03d}.tif", f"{(probs[n] > 0.5).mean():.8f}", f"{probs[n].mean():.8f}",
                        f"{np.abs(logits[i]).min():.6f}"])
    save_npy(os.path.join(GOLDEN, "binary_logits_first.npy"), logits[keep[:1]][:, None])


def multilabel(imgs, labels, test_imgs, test_labels, keep):
    model = MultiLabelNet()
    train(model, to_tensor(imgs), multi_targets(labels), epochs=10, batch=32, pos_weight=None, spatial=False)
    model.eval()
    with torch.no_grad():
        logits = model(to_tensor(test_imgs)).numpy()
    truth = multi_targets(test_labels).numpy() > 0.5
    accuracy = float(((logits > 0) == truth).mean())
    print(f"multi-label held-out: per-class accuracy {accuracy:.3f}", flush=True)
    export(model, "multilabel", {
        "name": "multilabel-cells", "classes": MULTI, "activation": "sigmoid",
        "input": {"axes": "bcyx", "shape": [1, 1, 128, 128]},
        "normalize": {"mode": "percentile", "low": 1.0, "high": 99.8},
        "held_out_per_class_accuracy": round(accuracy, 3)})
    probs = 1 / (1 + np.exp(-logits[keep].astype(np.float64)))
    with open(os.path.join(GOLDEN, "multilabel_demo.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["file"] + [f"p_{c}" for c in MULTI] + ["above", "min_distance_to_half"])
        for n in range(len(keep)):
            above = ";".join(c for c, p in zip(MULTI, probs[n]) if p > 0.5)
            w.writerow([f"cell_{n:03d}.tif"] + [f"{p:.7f}" for p in probs[n]]
                       + [above, f"{np.abs(probs[n] - 0.5).min():.6f}"])


def main():
    torch.set_num_threads(1)
    torch.manual_seed(0)
    os.makedirs(GOLDEN, exist_ok=True)
    t0 = time.time()
    imgs, _, labels, nuclei = sc.make_set(seed=1000, per_class=120, nuclei=True)
    test_imgs, _, test_labels, test_nuclei = sc.make_set(seed=2000, per_class=150, nuclei=True)
    keep = demo_indices(test_labels)
    print(f"generated data in {time.time() - t0:.0f} s; nuclei cover {nuclei.mean():.3f} of the pixels", flush=True)
    if "--multilabel-only" not in sys.argv:
        binary(imgs, nuclei, test_imgs, test_nuclei, keep)
    multilabel(imgs, labels, test_imgs, test_labels, keep)
    print(f"done in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
