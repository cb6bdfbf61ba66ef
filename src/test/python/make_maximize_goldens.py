"""Gradient golden for activation maximisation (ActivationMaximisationGradientTest), with plain torch autograd.

For two units in one batch — the mean of block4's channel 7 before its ReLU, and the mitotic logit — on the
scripted demo model (test-images/models/demo.pt, the same weights as demo.onnx), at fixed random parameters
p (2, 1, 128, 128) of the Fourier parameterisation, without warp:

    v = B (S * p) B^T,  u = sigmoid(v),  x = u  (range [0, 1])
    objective = sum over units of y_u(x) - decay * mean(u^2) - tv * (mean |d/dx u| + mean |d/dy u|)

with B the real orthonormal Fourier basis (a constant, cos/sin pairs, (-1)^j) and S = 1/max(f, 1/128)
normalised to unit mean square, as the Java class documents. Writes p and d objective / d p.

    /usr/bin/python3 src/test/python/make_maximize_goldens.py
"""
import math
import os

import numpy as np
import torch

from golden_io import save_npy

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..", "..")
OUT = os.path.join(ROOT, "src", "test", "resources", "golden", "maximize")
N = 128
DECAY = 0.3
TV = 0.05


def basis(n):
    b = np.zeros((n, n))
    f = np.zeros(n)
    j = np.arange(n)
    b[:, 0] = 1 / math.sqrt(n)
    for col in range(1, n):
        if n % 2 == 0 and col == n - 1:
            b[:, col] = (-1.0) ** j / math.sqrt(n)
            f[col] = 0.5
        else:
            k = (col + 1) // 2
            angle = 2 * math.pi * k * j / n
            b[:, col] = math.sqrt(2 / n) * (np.cos(angle) if col % 2 == 1 else np.sin(angle))
            f[col] = k / n
    return b, f


def main():
    torch.set_num_threads(1)
    model = torch.jit.load(os.path.join(ROOT, "test-images", "models", "demo.pt")).eval()
    b, f = basis(N)
    s = 1.0 / np.maximum(np.hypot(f[:, None], f[None, :]), 1.0 / N)
    s /= np.sqrt((s ** 2).mean())
    rng = np.random.default_rng(10)
    p = (0.5 * rng.standard_normal((2, 1, N, N))).astype(np.float32)
    pt = torch.tensor(p, dtype=torch.float64, requires_grad=True)
    bt = torch.tensor(b)
    v = bt @ (torch.tensor(s) * pt) @ bt.T
    u = torch.sigmoid(v)
    x = u.float()
    h = model.block3(model.block2(model.block1(x)))
    block4 = getattr(model.block4, "0")
    bn = getattr(model.block4, "1")
    pre = bn(block4(h))                                   # block4 before its ReLU
    logits = model(x)
    objective = pre[0, 7].mean() + logits[1, 1]
    tv = ((u[:, :, :, 1:] - u[:, :, :, :-1]).abs().mean() + (u[:, :, 1:, :] - u[:, :, :-1, :]).abs().mean())
    total = objective.double() - 2 * DECAY * (u ** 2).mean() - 2 * TV * tv
    total.backward()
    os.makedirs(OUT, exist_ok=True)
    save_npy(os.path.join(OUT, "p.npy"), p)
    save_npy(os.path.join(OUT, "gradient.npy"), pt.grad.numpy())
    print("objective", float(objective), "gradient max", float(pt.grad.abs().max()))


if __name__ == "__main__":
    main()
