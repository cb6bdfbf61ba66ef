"""An independent re-implementation of how rules.json is applied: NumPy walks the tree, PyTorch
computes the pooled activations itself from the demo model (eager DemoNet with the weights of
demo.pt, a forward hook on the rule's layer), so nothing of the Java side is reused but the file.

    /usr/bin/python3 src/test/python/apply_rules.py RULES.json IMAGES_DIR OUT.json

Writes OUT.json: {"images": [{"image", "slice", "model_class", "tree_class", "used": {channel: value}}]}
in file-name order. The demo model's layers are its module names (block1 ... block4); the pooling
(max or mean over all positions) is the tree's "statistic". Images are read with PIL (the demo's
16-bit TIFFs, one plane each) and normalised as the demo's spec says (percentile 1 %-99.8 %).

The committed golden (src/test/resources/golden/rules/) is this script applied to the committed
demo_block4_max.json:

    /usr/bin/python3 src/test/python/apply_rules.py src/test/resources/golden/rules/demo_block4_max.json \
        test-images/demo src/test/resources/golden/rules/demo_block4_max_numpy.json
"""
import json
import os
import sys

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import synthetic_cells as sc  # noqa: E402
from make_demo import DemoNet  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
EXTENSIONS = (".tif", ".tiff", ".png", ".jpg", ".jpeg")


def load_model():
    scripted = torch.jit.load(os.path.join(ROOT, "test-images", "models", "demo.pt"))
    model = DemoNet()
    model.load_state_dict(scripted.state_dict())
    return model.eval()


def pooled(model, layer, statistic, x):
    """The layer's activations (1, C, h, w) pooled over positions to C values, and the logits."""
    seen = {}
    handle = getattr(model, layer).register_forward_hook(lambda m, i, o: seen.__setitem__("a", o.detach()))
    try:
        with torch.no_grad():
            logits = model(x)
    finally:
        handle.remove()
    a = seen["a"].flatten(2)
    values = a.amax(dim=2) if statistic == "max" else a.mean(dim=2)
    return values[0].numpy().astype(np.float32), logits[0].numpy()


def apply_tree(node, values):
    """Walks the tree: children[0] takes value <= threshold (compared in float64), children[1] the rest."""
    while "children" in node:
        v = np.float64(values[node["channel"]])
        node = node["children"][0] if v <= node["threshold"] else node["children"][1]
    return node["class_index"]


def used_channels(node, out):
    if "children" in node:
        out.add(node["channel"])
        for c in node["children"]:
            used_channels(c, out)
    return out


def main(rules_path, images_dir, out_path):
    torch.set_num_threads(1)
    with open(rules_path) as f:
        rules = json.load(f)
    layer = rules["layer"]
    statistic = rules["statistic"]
    channels = sorted(used_channels(rules["tree"], set()))
    model = load_model()
    out = []
    for name in sorted(os.listdir(images_dir)):
        if name.startswith(".") or not name.lower().endswith(EXTENSIONS):
            continue
        img = np.array(Image.open(os.path.join(images_dir, name))).astype(np.float32)
        x = torch.from_numpy(sc.percentile_normalize(img)[None, None].astype(np.float32))
        values, logits = pooled(model, layer, statistic, x)
        out.append({"image": name, "slice": 1, "model_class": int(np.argmax(logits)),
                    "tree_class": int(apply_tree(rules["tree"], values)),
                    "used": {str(c): float(values[c]) for c in channels}})
    with open(out_path, "w") as f:
        json.dump({"rules": os.path.basename(rules_path), "images": out}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
