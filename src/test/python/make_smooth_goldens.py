"""Goldens for Smooth Grad-CAM++ and eigensmooth on the demo model, with plain torch autograd.

    /usr/bin/python3 src/test/python/make_smooth_goldens.py

Smooth Grad-CAM++ (Omeiza et al. 2019) as SmoothGradCamPlusPlus.java documents it: D1, D2, D3 are the
means over noisy copies of g, g^2, g^3 (g = dy^c/dA at the layer, c = the class of the clean image),
alpha = D2 / (2 D2 + sum(A) D3 + 1e-6) (0 where D2 = 0), w = sum alpha * relu(D1), A of the clean image.
Copy k of image i is x_i + sigma_i * eps[i, k] with sigma_i = noise * (max - min of x_i); the standard
normal eps is written out so that the Java test adds the very same noise.

Writes into src/test/resources/golden/demo/explain/:
  smoothgradcampp.npy, smoothgradcampp_input.npy   maps at block3 (N, h, w) and upsampled (N, H, W)
  smoothgradcampp_noise.npy                        eps (N, samples, C, H, W)
  gradcam_eigensmooth.npy                          Grad-CAM at block4 with eigen_smooth: first principal component
                                                   of w_k A_k (numpy SVD, sign as EigenCam.java fixes it)
  smooth.json                                      samples, noise, layer, classes
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_explain_goldens as eg  # noqa: E402
from golden_io import save_npy  # noqa: E402

SAMPLES = 4
NOISE = 0.15
# block3, not block4: between block4 and the logits lie only global average pooling and a linear layer, so
# dy/dA at block4 is w_c / (h w) whatever the input, and Smooth Grad-CAM++ there is exactly Grad-CAM++.
LAYER = "block3"


def demo_input():
    """The images make_explain_goldens.demo_input picks (first mitotic, first speckled), read with PIL."""
    from PIL import Image
    import synthetic_cells as sc
    images = [np.array(Image.open(os.path.join(eg.ROOT, "test-images", "demo", eg.first_demo_image(c))))
              for c in ("mitotic", "speckled")]
    return torch.from_numpy(np.stack([sc.percentile_normalize(i.astype(np.float64)) for i in images])[:, None]).float()


def layer_grads(model, x, cls, layer=LAYER):
    logits, a = eg.forward_with_layer(model, layer, x)
    g, = torch.autograd.grad(logits[:, cls].sum(), a)
    return a.detach(), g.detach()


def principal_projection(v):
    """v (C, h, w) -> first principal component projection (h, w), positions as observations."""
    c = v.shape[0]
    x = v.reshape(c, -1).T.astype(np.float64)
    x = x - x.mean(axis=0)
    _, _, vt = np.linalg.svd(x, full_matrices=False)
    proj = x @ vt[0]
    if (proj * v.reshape(c, -1).sum(axis=0)).sum() < 0:
        proj = -proj
    return proj.reshape(v.shape[1:])


def main():
    torch.set_num_threads(1)
    model = eg.demo_model()
    for m in model.modules():
        if isinstance(m, nn.ReLU):
            m.inplace = False
    x = demo_input()
    ref = np.load(os.path.join(eg.ROOT, "src", "test", "resources", "golden", "demo", "explain", "activations.npy"))
    out = os.path.join(eg.ROOT, "src", "test", "resources", "golden", "demo", "explain")
    eps = torch.randn((x.shape[0], SAMPLES) + tuple(x.shape[1:]), generator=torch.Generator().manual_seed(10))
    with torch.no_grad():
        logits, clean4 = eg.forward_with_layer(model, "block4", x)
        _, clean = eg.forward_with_layer(model, LAYER, x)
    classes = logits.argmax(dim=1)
    assert np.allclose(clean4.numpy(), ref, atol=1e-4), "the inputs differ from make_explain_goldens.py's"
    maps, eigen = [], []
    for i in range(x.shape[0]):
        xi = x[i]
        sigma = NOISE * float(xi.max() - xi.min())
        copies = xi[None] + sigma * eps[i]
        _, g = layer_grads(model, copies, int(classes[i]))
        d1, d2, d3 = g.mean(0), (g ** 2).mean(0), (g ** 3).mean(0)
        a = clean[i]
        sum_a = a.sum(dim=(1, 2), keepdim=True)
        alpha = torch.where(d2 != 0, d2 / (2 * d2 + sum_a * d3 + 1e-6), torch.zeros_like(d2))
        w = (alpha * torch.relu(d1)).sum(dim=(1, 2))
        maps.append(torch.relu((w[:, None, None] * a).sum(0)))
        # eigensmooth of plain Grad-CAM on the clean image
        _, g0 = layer_grads(model, xi[None], int(classes[i]), "block4")
        w0 = g0[0].mean(dim=(1, 2))
        eigen.append(np.maximum(principal_projection((w0[:, None, None] * clean4[i]).numpy()), 0))
    maps = torch.stack(maps)
    save_npy(os.path.join(out, "smoothgradcampp.npy"), maps.numpy())
    save_npy(os.path.join(out, "smoothgradcampp_input.npy"), eg.upsample(maps, x.shape[2:]).numpy())
    save_npy(os.path.join(out, "smoothgradcampp_noise.npy"), eps.numpy())
    save_npy(os.path.join(out, "gradcam_eigensmooth.npy"), np.stack(eigen))
    with open(os.path.join(out, "smooth.json"), "w") as f:
        json.dump({"samples": SAMPLES, "noise": NOISE, "layer": LAYER, "classes": classes.tolist()}, f, indent=2)
    print("smooth goldens: classes", classes.tolist(), "max map", float(maps.max()))


if __name__ == "__main__":
    main()
