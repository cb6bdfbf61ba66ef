"""The PyTorch side of the speed benchmark (.ci/bench SpeedBenchmark), run with Debian's torch.

    /usr/bin/python3 src/test/python/bench_pytorch.py export DIR
        writes DIR/<arch>.onnx (+ <arch>.json, the spec cnn-explain reads) for every architecture below:
        random weights from a fixed seed, eval mode, opset 13, as torch.onnx.export makes them
    /usr/bin/python3 src/test/python/bench_pytorch.py time --arch resnet18 --layer layer4 --batch 1,16 --runs 5
        times PyTorch eager on the same architecture and weights; prints one JSON object per line:
        {"arch", "batch", "case", "device", "ms": [wall ms per run], "cpu_ms": [this thread's CPU ms per run], "threads",
         "isa"}; --device cuda (the default when torch finds a GPU) or cpu
    /usr/bin/python3 src/test/python/bench_pytorch.py profile --arch densenet121 --batch 1,16 --runs 3
        CPU time of this thread per module type (Conv2d, BatchNorm2d, ...) in a forward pass (no_grad), one JSON
        object per batch size: {"arch", "batch", "case", "device", "total_ms", "ops": {type: [calls, ms]}}

Cases: "forward" (torch.no_grad), "floor" (forward + the gradient of the summed top-1 logits with respect
to the layer's output, nothing else), "gradcam" (pytorch-grad-cam's Grad-CAM written in plain torch:
hooks on the layer, backward through the whole model with parameter gradients as that library does,
channel weights = mean gradient, ReLU of the weighted sum, min-max scaled, upsampled bilinearly to the
input). Set DNNL_MAX_CPU_ISA=SSE41 in the environment to cap PyTorch's oneDNN as cnn-explain caps its own.
"""
import argparse
import json
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision


class Wide2048(nn.Module):
    """A small net whose last conv block has 2,048 channels at 7 × 7 (a ResNet-50 layer4 shape) at 224²."""

    def __init__(self, num_classes=10):
        super().__init__()
        def block(cin, cout, stride):
            return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout),
                                 nn.ReLU(inplace=True))
        self.stem = block(3, 32, 4)            # 56
        self.block1 = block(32, 128, 2)        # 28
        self.block2 = block(128, 256, 2)       # 14
        self.features = block(256, 2048, 2)    # 7 × 7 × 2048
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(2048, num_classes)

    def forward(self, x):
        x = self.features(self.block2(self.block1(self.stem(x))))
        return self.fc(torch.flatten(self.pool(x), 1))


# name -> (constructor, input size, default layer)
ARCHS = {
    "resnet18": (lambda: torchvision.models.resnet18(), 224, "layer4"),
    "mobilenet_v2": (lambda: torchvision.models.mobilenet_v2(), 128, "features.18"),
    "densenet121": (lambda: torchvision.models.densenet121(), 224, "features.norm5"),
    "wide2048": (lambda: Wide2048(), 224, "features"),
}


def build(arch):
    torch.manual_seed(0)
    model = ARCHS[arch][0]()
    # random BatchNorm statistics and affine parameters, so the model is not a trivial function
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.2, 0.2)
            m.running_var.uniform_(0.5, 1.5)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.2, 0.2)
    return model.eval()


def export(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    for arch, (_, size, _) in ARCHS.items():
        model = build(arch)
        x = torch.randn(1, 3, size, size)
        path = os.path.join(out_dir, arch + ".onnx")
        torch.onnx.export(model, x, path, opset_version=13, input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "n"}, "logits": {0: "n"}})
        with open(os.path.join(out_dir, arch + ".json"), "w") as f:
            json.dump({"name": arch, "input": {"axes": "bcyx", "shape": [1, 3, size, size]},
                       "normalize": {"mode": "none"}}, f)
        print("wrote", path, file=sys.stderr)


def module(model, path):
    m = model
    for part in path.split("."):
        m = getattr(m, part)
    return m


def timed(fn):
    """Wall-clock and this thread's CPU time of one call, in ms (with one torch thread the CPU time is the
    whole cost, and a loaded machine disturbs it far less than the wall clock)."""
    t0, c0 = time.perf_counter(), time.thread_time()
    fn()
    if torch.cuda.is_available():
        torch.cuda.synchronize()   # a GPU computes asynchronously: wait for it
    return (time.perf_counter() - t0) * 1e3, (time.thread_time() - c0) * 1e3


def cases(model, layer, x):
    target = module(model, layer)
    saved = {}

    def detach(_, __, out):
        # as cnn-explain's floor: the layer output detached and made to require a gradient, the rest of
        # the forward pass continuing from it, so the backward pass stops there
        saved["a"] = out.detach().requires_grad_()
        # a copy goes on: densenet121 applies an in-place ReLU to features.norm5, which a leaf must not see
        return saved["a"].clone()

    def forward():
        with torch.no_grad():
            model(x)

    def floor():
        for p in model.parameters():
            p.requires_grad_(False)
        h = target.register_forward_hook(detach)
        try:
            logits = model(x)
        finally:
            h.remove()
        score = logits.gather(1, logits.argmax(1, keepdim=True)).sum()
        torch.autograd.grad(score, saved["a"])

    def gradcam():
        # pytorch-grad-cam 1.5: parameters keep requires_grad, backward() through the whole model
        for p in model.parameters():
            p.requires_grad_(True)
        grads = {}

        def keep_grad(_, __, out):
            saved["a"] = out
            out.register_hook(lambda g: grads.__setitem__("g", g))
        h = target.register_forward_hook(keep_grad)
        try:
            logits = model(x)
        finally:
            h.remove()
        model.zero_grad()
        score = logits.gather(1, logits.argmax(1, keepdim=True)).sum()
        score.backward()
        a, g = saved["a"].detach(), grads["g"]
        cam = F.relu((g.mean((2, 3), keepdim=True) * a).sum(1, keepdim=True))
        lo = cam.amin((2, 3), keepdim=True)
        cam = cam - lo
        cam = cam / (1e-7 + cam.amax((2, 3), keepdim=True))
        F.interpolate(cam, size=x.shape[2:], mode="bilinear", align_corners=False).cpu().numpy()

    return {"forward": forward, "floor": floor, "gradcam": gradcam}


def time_arch(args):
    model = build(args.arch).to(args.device)
    size = args.size or ARCHS[args.arch][1]
    layer = args.layer or ARCHS[args.arch][2]
    for b in [int(v) for v in args.batch.split(",")]:
        x = torch.randn(b, 3, size, size, device=args.device)
        fns = {k: v for k, v in cases(model, layer, x).items() if k in args.cases.split(",")}
        times = {k: [] for k in fns}
        cpu = {k: [] for k in fns}
        for fn in fns.values():   # warm-up
            fn()
        for _ in range(args.runs):   # alternate the cases, one run each per round
            for k, fn in fns.items():
                wall, thread = timed(fn)
                times[k].append(wall)
                cpu[k].append(thread)
        for k, v in times.items():
            print(json.dumps({"arch": args.arch, "batch": b, "case": k, "device": str(x.device), "ms": v, "cpu_ms": cpu[k],
                              "threads": torch.get_num_threads(),
                              "isa": os.environ.get("DNNL_MAX_CPU_ISA", "ALL"), "torch": torch.__version__}),
                  flush=True)


def profile_arch(args):
    """CPU time of this thread per module type in a forward pass (no_grad), from hooks on every leaf module.
    What runs outside leaf modules (torch.cat, +, flatten, Python itself) is reported as "(functional and
    Python)": the run's total minus the modules'."""
    model = build(args.arch).to(args.device)
    size = args.size or ARCHS[args.arch][1]
    for b in [int(v) for v in args.batch.split(",")]:
        x = torch.randn(b, 3, size, size, device=args.device)
        totals = {}
        started = {}

        def pre(m, _):
            started[id(m)] = time.thread_time()

        def post(m, _, __):
            t = totals.setdefault(type(m).__name__, [0, 0.0])
            t[0] += 1
            t[1] += time.thread_time() - started.pop(id(m))
        leaves = [m for m in model.modules() if not list(m.children())]
        handles = [h for m in leaves for h in (m.register_forward_pre_hook(pre), m.register_forward_hook(post))]
        try:
            with torch.no_grad():
                model(x)   # warm-up
                totals.clear()
                whole = 0.0
                for _ in range(args.runs):
                    c0 = time.thread_time()
                    model(x)
                    whole += time.thread_time() - c0
        finally:
            for h in handles:
                h.remove()
        ops = {k: [v[0] / args.runs, v[1] * 1e3 / args.runs] for k, v in totals.items()}
        ops["(functional and Python)"] = [0, whole * 1e3 / args.runs - sum(v[1] for v in ops.values())]
        print(json.dumps({"arch": args.arch, "batch": b, "case": "forward", "device": str(x.device),
                          "total_ms": whole * 1e3 / args.runs, "ops": ops, "threads": torch.get_num_threads(),
                          "isa": os.environ.get("DNNL_MAX_CPU_ISA", "ALL"), "torch": torch.__version__}), flush=True)


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("export")
    e.add_argument("dir")
    t = sub.add_parser("time")
    t.add_argument("--arch", required=True, choices=sorted(ARCHS))
    t.add_argument("--layer")
    t.add_argument("--size", type=int)
    t.add_argument("--batch", default="1,16")
    t.add_argument("--runs", type=int, default=5)
    t.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    t.add_argument("--cases", default="forward,floor,gradcam")
    r = sub.add_parser("profile")
    for a in ("--arch", "--size", "--batch", "--runs", "--device"):
        r._add_action(next(x for x in t._actions if a in x.option_strings))
    args = p.parse_args()
    if args.cmd == "export":
        export(args.dir)
    elif args.cmd == "profile":
        profile_arch(args)
    else:
        time_arch(args)


if __name__ == "__main__":
    main()
