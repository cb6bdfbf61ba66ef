"""A whole field of view for the fit=tile tests: a 1024 x 1024 widefield image holding a few tens of
demo-class cells (interphase, mitotic, speckled) at known random positions among out-of-focus
distractor cells, acquired with the demo's own microscope model (synthetic_cells.acquire: blur,
uneven illumination, background, shot and read noise).

Run from the repository root with Debian's Python:

    /usr/bin/python3 src/test/python/make_field.py

Writes
  test-images/field/field.tif      the 16-bit field
  test-images/field/objects.png    8-bit label image: object i (1-based, as in objects.csv) where its mask is
  test-images/field/objects.csv    id,class_index,class,y,x  (centre in pixels)

The cells are drawn exactly as in the demo images (synthetic_cells._nucleus, _mitotic, _speckled),
each on a 128 x 128 patch around its centre, at least MIN_GAP pixels apart, so that a model-sized
tile centred on one holds at most the edges of its neighbours, as the demo images hold their
out-of-focus neighbours.
"""
import csv
import os
import sys

import numpy as np
from PIL import Image
from scipy import ndimage

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import synthetic_cells as sc  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
SIZE = 1024
PER_CLASS = 12
DISTRACTORS = 40
MIN_GAP = 100
MARGIN = 40
PATCH = sc.SIZE          # each cell is drawn on a demo-sized patch around its centre
SEED = 9


def main():
    rng = np.random.default_rng(SEED)
    labels = np.repeat(np.arange(3), PER_CLASS)
    rng.shuffle(labels)
    centres = []
    for _ in labels:
        for _ in range(10000):
            c = rng.uniform(MARGIN, SIZE - MARGIN, 2)
            if all(np.hypot(*(c - o)) >= MIN_GAP for o in centres):
                centres.append(c)
                break
        else:
            raise SystemExit("no room for another cell")
    half = PATCH // 2
    padded = SIZE + 2 * half
    density = np.zeros((padded, padded))
    ids = np.zeros((padded, padded), np.uint8)
    yy, xx = np.mgrid[0:PATCH, 0:PATCH].astype(np.float64)
    draw = {0: lambda cy, cx: sc._nucleus(rng, yy, xx, cy, cx, rng.uniform(0.9, 1.3), 0.12),
            1: lambda cy, cx: sc._mitotic(rng, yy, xx, cy, cx),
            2: lambda cy, cx: sc._speckled(rng, yy, xx, cy, cx)}
    radii = []
    for i, (label, (cy, cx)) in enumerate(zip(labels, centres)):
        y0, x0 = int(cy), int(cx)          # patch origin in padded coordinates (= centre - half + half)
        d, mask, radius = draw[int(label)](cy - y0 + half, cx - x0 + half)
        density[y0:y0 + PATCH, x0:x0 + PATCH] += d
        ids[y0:y0 + PATCH, x0:x0 + PATCH][mask] = i + 1
        radii.append(radius)

    distractors = np.zeros((padded, padded))
    placed = 0
    while placed < DISTRACTORS:
        r = rng.uniform(10, 16)
        c = rng.uniform(0, SIZE, 2)
        if any(np.hypot(*(c - o)) < r + ro + 3 for o, ro in zip(centres, radii)):
            continue
        y0, x0 = int(c[0]), int(c[1])
        cell = sc._ellipse(yy, xx, c[0] - y0 + half, c[1] - x0 + half, r, r * rng.uniform(0.7, 1.0),
                           rng.uniform(0, np.pi))
        distractors[y0:y0 + PATCH, x0:x0 + PATCH] += rng.uniform(0.2, 0.35) * cell
        placed += 1
    distractors = ndimage.gaussian_filter(distractors, rng.uniform(3.5, 5.0))

    crop = np.s_[half:half + SIZE, half:half + SIZE]
    image = sc.acquire(rng, density[crop], distractors[crop])
    out = os.path.join(ROOT, "test-images", "field")
    os.makedirs(out, exist_ok=True)
    Image.fromarray(image).save(os.path.join(out, "field.tif"))   # 16-bit grey TIFF ("I;16")
    Image.fromarray(ids[crop]).save(os.path.join(out, "objects.png"))
    with open(os.path.join(out, "objects.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "class_index", "class", "y", "x"])
        for i, (label, (cy, cx)) in enumerate(zip(labels, centres)):
            w.writerow([i + 1, int(label), sc.CLASSES[label], f"{cy:.2f}", f"{cx:.2f}"])
    print(f"{len(labels)} cells, {DISTRACTORS} distractors, {SIZE} x {SIZE}")


if __name__ == "__main__":
    main()
