"""Writes the bundled perceptual LUTs from Debian's matplotlib (python3-matplotlib).

    /usr/bin/python3 src/test/python/make_luts.py

viridis and inferno (CC0, by Stefan van der Walt and Nathaniel Smith) and turbo
(Apache-2.0, by Anton Mikhailov, Google) are sampled at 256 levels and written in
ImageJ's raw LUT format: 256 red, 256 green, 256 blue bytes. Fiji ships them as
mpl-*.lut files, plain ImageJ 1 does not; the plugin bundles these copies.
"""
import os

import numpy as np
from matplotlib import colormaps

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
OUT = os.path.join(ROOT, "src", "main", "resources", "org", "cnnexplain", "render", "luts")

os.makedirs(OUT, exist_ok=True)
for name in ("inferno", "viridis", "turbo"):
    rgba = colormaps[name](np.linspace(0, 1, 256))
    rgb = np.round(rgba[:, :3] * 255).astype(np.uint8)
    with open(os.path.join(OUT, name + ".lut"), "wb") as f:
        f.write(rgb.T.tobytes())
    print(name, rgb[0], rgb[128], rgb[255])
