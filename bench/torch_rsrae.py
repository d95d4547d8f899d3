#!/usr/bin/python3
"""PyTorch twin of `rsrae train --preset reference`, for timing side by side.

Same model (784-392-196-128 | A 16x128 orthogonal | 128-392-784, LeakyReLU,
sigmoid output), same losses (per-sample L2 norms summed, ||AA^T - I||_F^2),
AdamW lr 0.01 with OneCycleLR, batch 64 with the last incomplete batch
dropped, on the reference selection of Fashion-MNIST (class 4 and the first
100 of classes 0, 1, 2, 8). Prints one line per epoch and the median epoch
time after the warm-up epoch.

  /usr/bin/python3 bench/torch_rsrae.py --threads 1 [--blas-threads 2] [--epochs 6]

Threads are fixed through the environment before torch is imported:
Debian's torch runs sgemm in OpenBLAS's own pthread pool, which
torch.set_num_threads does not reach.
"""
import argparse
import gzip
import os
import statistics
import time

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--blas-threads", type=int, default=None)
ap.add_argument("--epochs", type=int, default=6, help="timed epochs after one warm-up epoch")
ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
args = ap.parse_args()
os.environ["OMP_NUM_THREADS"] = str(args.threads)
os.environ["OPENBLAS_NUM_THREADS"] = str(args.blas_threads or args.threads)

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402


def idx(name, header):
    with gzip.open(os.path.join(args.data, name)) as f:
        return np.frombuffer(f.read(), np.uint8, offset=header)


def reference_selection():
    x = idx("train-images-idx3-ubyte.gz", 16).reshape(-1, 784)
    y = idx("train-labels-idx1-ubyte.gz", 8)
    rows = [np.nonzero(y == 4)[0]] + [np.nonzero(y == c)[0][:100] for c in (0, 1, 2, 8)]
    return torch.from_numpy(x[np.concatenate(rows)].astype(np.float32) / 255.0)


def mlp(sizes):
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(nn.LeakyReLU(0.01))
    return nn.Sequential(*layers)


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = mlp([784, 392, 196, 128])
        self.A = nn.Parameter(nn.init.orthogonal_(torch.empty(16, 128)))
        self.decoder = mlp([16, 128, 392, 784])

    def loss(self, x):
        z = self.encoder(x)
        az = z @ self.A.t()
        recon = torch.sigmoid(self.decoder(az))
        rec = torch.linalg.norm(x - recon, dim=1).sum()
        res = torch.linalg.norm(z - az @ self.A, dim=1).sum()
        ortho = ((self.A @ self.A.t() - torch.eye(16)) ** 2).sum()
        return rec + res + ortho


def main():
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    x = reference_selection()
    batch, steps = 64, x.shape[0] // 64
    model = Model()
    opt = torch.optim.AdamW(model.parameters(), lr=0.01)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.01, epochs=args.epochs + 1,
                                                steps_per_epoch=steps)
    gen = torch.Generator().manual_seed(0)
    times = []
    for epoch in range(args.epochs + 1):
        t0 = time.perf_counter()
        order = torch.randperm(x.shape[0], generator=gen)
        for s in range(steps):
            loss = model.loss(x[order[s * batch:(s + 1) * batch]])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
        times.append(time.perf_counter() - t0)
        print(f"epoch {epoch}  {times[-1]:.4f} s  loss {loss.item():.3f}", flush=True)
    print(f"torch {torch.__version__} threads {args.threads} blas_threads "
          f"{os.environ['OPENBLAS_NUM_THREADS']} epoch_median_s {statistics.median(times[1:]):.4f}")


if __name__ == "__main__":
    main()
