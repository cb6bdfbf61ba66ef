"""Goldens for the neuron atlas and the class -> channel importance, by brute force with plain PyTorch on the
eager demo model over the 60 committed demo images.

    /usr/bin/python3 src/test/python/make_atlas_goldens.py

For block3 and block4 every activation of every image is kept in memory and sorted per channel by
(-activation, image, y, x) -- the tie order AtlasBuilder documents -- with no heap and no streaming. Writes
src/test/resources/golden/atlas/:
  <layer>_<mode>_where.npy   (C, 12, 2) int: image index (files sorted by name), flat position y*w+x
  <layer>_<mode>_act.npy     (C, 12) float: the activations, strongest first (12 = K 9 + 3 for near ties)
      mode 'distinct': one neuron per image and channel (its first maximum in row order); 'all': every position
  predicted.npy              (60,) int: top-1 class of each image
  importance_gradcam.npy     (classes, 64) float: mean over images predicted as each class of the Grad-CAM
                             weight (mean over positions of d logit_c / d block4) of each channel; NaN: no image
  projections.npy            (2, 128, 128) deconvnet projections of the strongest neuron of block4 channels 0 and 1
  meta.json                  files, layer sizes, the projected neurons
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_explain_goldens as eg  # noqa: E402
import synthetic_cells as sc  # noqa: E402
from golden_io import save_npy  # noqa: E402

KEEP = 12


def images():
    folder = os.path.join(eg.ROOT, "test-images", "demo")
    files = sorted(f for f in os.listdir(folder) if f.endswith(".tif"))
    x = np.stack([sc.percentile_normalize(np.array(Image.open(os.path.join(folder, f))).astype(np.float32))
                  for f in files])[:, None]
    return files, torch.from_numpy(x)


def top_lists(a, distinct):
    """a: (N, C, h, w) -> where (C, KEEP, 2), act (C, KEEP)."""
    n, c, h, w = a.shape
    flat = a.reshape(n, c, h * w)
    where = np.zeros((c, KEEP, 2), dtype=np.int64)
    act = np.zeros((c, KEEP), dtype=np.float32)
    for k in range(c):
        if distinct:
            pos = flat[:, k].argmax(axis=1)              # numpy: the first maximum
            img = np.arange(n)
            val = flat[img, k, pos]
        else:
            img = np.repeat(np.arange(n), h * w)
            pos = np.tile(np.arange(h * w), n)
            val = flat[:, k].reshape(-1)
        order = np.lexsort((pos, img, -val.astype(np.float64)))[:KEEP]
        where[k, :, 0] = img[order]
        where[k, :, 1] = pos[order]
        act[k] = val[order]
    return where, act


def main():
    torch.set_num_threads(1)
    model = eg.demo_model()
    for m in model.modules():
        if isinstance(m, nn.ReLU):
            m.inplace = False
    eg.use_rule_relus(model)          # the same forward; its backward follows RuleRelu.rule
    eg.RuleRelu.rule = "gradient"     # exact gradients for the importance
    files, x = images()
    out = os.path.join(eg.ROOT, "src", "test", "resources", "golden", "atlas")
    os.makedirs(out, exist_ok=True)

    store = {}
    hooks = [getattr(model, name).register_forward_hook(lambda mod, i, o, name=name: store.__setitem__(name, o))
             for name in ("block3", "block4")]
    logits = model(x)
    for h in hooks:
        h.remove()
    predicted = logits.argmax(dim=1)
    grads, = torch.autograd.grad(logits.gather(1, predicted[:, None]).sum(), store["block4"])
    weights = grads.mean(dim=(2, 3)).detach().numpy()
    classes = len(sc.CLASSES)
    importance = np.full((classes, weights.shape[1]), np.nan, dtype=np.float32)
    for c in range(classes):
        if (predicted == c).any():
            importance[c] = weights[predicted.numpy() == c].mean(axis=0)
    save_npy(os.path.join(out, "predicted.npy"), predicted.numpy())
    save_npy(os.path.join(out, "importance_gradcam.npy"), importance)

    for layer, modes in (("block3", ("distinct",)), ("block4", ("distinct", "all"))):
        a = store[layer].detach().numpy()
        for mode in modes:
            where, act = top_lists(a, mode == "distinct")
            save_npy(os.path.join(out, f"{layer}_{mode}_where.npy"), where)
            save_npy(os.path.join(out, f"{layer}_{mode}_act.npy"), act)

    # the deconvnet projection of one neuron alone: its activation as the seed, every other neuron zero
    a4 = store["block4"].detach()
    where, act = top_lists(a4.numpy(), True)
    projected = []
    projections = []
    for k in (0, 1):
        img, pos = int(where[k, 0, 0]), int(where[k, 0, 1])
        seed = torch.zeros((1,) + tuple(a4.shape[1:]))
        seed[0, k].view(-1)[pos] = a4[img, k].flatten()[pos]
        projections.append(eg.project(model, "block4", x[img:img + 1], seed, "deconvnet").detach().numpy()[0])
        projected.append({"channel": k, "image": img, "position": pos})
    save_npy(os.path.join(out, "projections.npy"), np.stack(projections))
    with open(os.path.join(out, "meta.json"), "w") as f:
        json.dump({"files": files, "keep": KEEP, "block3": list(store["block3"].shape[1:]),
                   "block4": list(store["block4"].shape[1:]), "projected": projected,
                   "predicted_counts": np.bincount(predicted.numpy(), minlength=classes).tolist()}, f, indent=1)
    print("predicted per class:", np.bincount(predicted.numpy(), minlength=classes).tolist())


if __name__ == "__main__":
    main()
