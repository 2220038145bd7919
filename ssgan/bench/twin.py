"""A PyTorch twin of ssgan-go's semi-supervised GAN, for side-by-side accuracy and speed comparisons.

Same network (the course's discriminator; the generator upsampling with 3x3 convolutions and
depth-to-space), same initialisation (He normal), losses, two simultaneous Adam players (lr 3e-4,
beta1 0.5, x0.9 per epoch), dropout in training only, and inference BN statistics recomputed from real
images after each epoch. It reads the split that `ssgan experiment` wrote (split.json) so both sides
train on exactly the same images and labels.

    python twin.py --data_file test_32x32_first10k.mat --split split.json --out DIR \
        [--seeds 1,2,3] [--configs ssgan,supervised_only] [--epochs 25] [--d_size 64] [--g_size 32]
"""
import argparse
import json
import math
import os
import time

import numpy as np
import scipy.io
import torch
import torch.nn as nn
import torch.nn.functional as F

NUM_CLASSES = 10


def load(path):
    mat = scipy.io.loadmat(path)
    x = mat["X"].transpose(3, 2, 0, 1).astype(np.float32) / 127.5 - 1  # N, C, H, W in [-1, 1]
    y = (mat["y"].ravel().astype(np.int64)) % 10  # 10 means the digit 0
    return torch.from_numpy(x), torch.from_numpy(y)


def init_weights(m):
    """GoMLX's default: He normal, stddev sqrt(2 / fan_in); zero biases."""
    if isinstance(m, (nn.Conv2d, nn.Linear)):
        nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")
        if m.bias is not None:
            nn.init.zeros_(m.bias)


class Discriminator(nn.Module):
    def __init__(self, d, extra_class, drop=0.5, input_drop=0.2):
        super().__init__()
        self.in_drop, self.drop1, self.drop3 = nn.Dropout(input_drop), nn.Dropout(drop), nn.Dropout(drop)
        self.c1 = nn.Conv2d(3, d, 3, 2)
        self.c2, self.b2 = nn.Conv2d(d, d, 3, 2, bias=False), nn.BatchNorm2d(d)
        self.c3, self.b3 = nn.Conv2d(d, d, 3, 2, bias=False), nn.BatchNorm2d(d)
        self.c4, self.b4 = nn.Conv2d(d, 2 * d, 3, 1, 1, bias=False), nn.BatchNorm2d(2 * d)
        self.c5, self.b5 = nn.Conv2d(2 * d, 2 * d, 3, 1, 1, bias=False), nn.BatchNorm2d(2 * d)
        self.c6 = nn.Conv2d(2 * d, 2 * d, 3, 1, 0)
        self.logits = nn.Linear(2 * d, NUM_CLASSES + int(extra_class))

    def forward(self, x):
        lrelu = lambda t: F.leaky_relu(t, 0.2)
        same2 = lambda t: F.pad(t, (0, 1, 0, 1))  # TensorFlow's "same" for a 3x3 stride-2 conv on even sizes.
        x = self.in_drop(x)
        x = self.drop1(lrelu(self.c1(same2(x))))
        x = lrelu(self.b2(self.c2(same2(x))))
        x = self.drop3(lrelu(self.b3(self.c3(same2(x)))))
        x = lrelu(self.b4(self.c4(x)))
        x = lrelu(self.b5(self.c5(x)))
        features = lrelu(self.c6(x)).mean(dim=(2, 3))
        return self.logits(features), features


class Generator(nn.Module):
    def __init__(self, g, z_dim):
        super().__init__()
        self.g4 = 4 * g
        self.dense, self.b0 = nn.Linear(z_dim, 4 * 4 * 4 * g), nn.BatchNorm2d(4 * g)
        # Resize-convolution, as ssgan-go's default generator (-upsample resize): nearest-neighbour doubling,
        # then a "same" 3x3 convolution.
        self.u1, self.b1 = nn.Conv2d(4 * g, 2 * g, 3, 1, 1, bias=False), nn.BatchNorm2d(2 * g)
        self.u2, self.b2 = nn.Conv2d(2 * g, g, 3, 1, 1, bias=False), nn.BatchNorm2d(g)
        self.u3 = nn.Conv2d(g, 3, 3, 1, 1)

    def forward(self, z):
        lrelu = lambda t: F.leaky_relu(t, 0.2)
        up = lambda t: F.interpolate(t, scale_factor=2, mode="nearest")
        x = lrelu(self.b0(self.dense(z).view(-1, self.g4, 4, 4)))
        x = lrelu(self.b1(self.u1(up(x))))
        x = lrelu(self.b2(self.u2(up(x))))
        return torch.tanh(self.u3(up(x)))


def gan_logit(logits, extra_class):
    lse = torch.logsumexp(logits[:, :NUM_CLASSES], dim=1)
    return lse - logits[:, NUM_CLASSES] if extra_class else lse


@torch.no_grad()
def refresh_bn(D, x_pool, batch, batches, gen):
    """Precise BN: inference statistics = average batch statistics of real images, dropout off."""
    D.train()
    for m in D.modules():
        if isinstance(m, nn.Dropout):
            m.eval()
        if isinstance(m, nn.BatchNorm2d):
            m.reset_running_stats()
            m.momentum = None  # Cumulative average.
    order = torch.randperm(len(x_pool), generator=gen)
    for k in range(min(batches, math.ceil(len(x_pool) / batch))):
        D(x_pool[order[k * batch:(k + 1) * batch]])
    D.eval()


@torch.no_grad()
def accuracy(D, x, y, batch):
    D.eval()
    right = 0
    for i in range(0, len(x), batch):
        logits, _ = D(x[i:i + batch])
        right += (logits[:, :NUM_CLASSES].argmax(1) == y[i:i + batch]).sum().item()
    return right / len(x)


def run(x_pool, y_pool, mask, x_test, y_test, args, seed, supervised_only):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    D = Discriminator(args.d_size, args.extra_class, args.drop, args.input_drop)
    G = Generator(args.g_size, args.z_dim)
    D.apply(init_weights)
    G.apply(init_weights)
    opt_d = torch.optim.Adam(D.parameters(), lr=args.lr, betas=(0.5, 0.999), eps=1e-8)
    opt_g = torch.optim.Adam(G.parameters(), lr=args.lr, betas=(0.5, 0.999), eps=1e-8)
    history = []
    for epoch in range(1, args.epochs + 1):
        D.train()
        G.train()
        order = torch.randperm(len(x_pool), generator=gen)
        steps, d_sum, g_sum, correct, labelled = 0, 0.0, 0.0, 0.0, 0.0
        start = time.perf_counter()
        for i in range(0, len(x_pool), args.batch):
            idx = order[i:i + args.batch]
            x, y, m = x_pool[idx], y_pool[idx], mask[idx]
            logits, real_features = D(x)
            ce = F.cross_entropy(logits, y, reduction="none")
            supervised = (ce * m).sum() / m.sum().clamp(min=1)
            if supervised_only:
                d_loss, g_loss = supervised, torch.zeros(())
                opt_d.zero_grad()
                d_loss.backward()
                opt_d.step()
            else:
                z = torch.randn(len(idx), args.z_dim, generator=gen)
                fake_logits, fake_features = D(G(z))
                real_gan, fake_gan = gan_logit(logits, args.extra_class), gan_logit(fake_logits, args.extra_class)
                unsup = F.binary_cross_entropy_with_logits(real_gan, torch.ones_like(real_gan)) + \
                    F.binary_cross_entropy_with_logits(fake_gan, torch.zeros_like(fake_gan))
                d_loss = supervised + unsup
                g_loss = (real_features.mean(0) - fake_features.mean(0)).abs().mean()
                # Simultaneous: both gradients from this one forward pass, each player its own variables.
                d_grads = torch.autograd.grad(d_loss, list(D.parameters()), retain_graph=True)
                g_grads = torch.autograd.grad(g_loss, list(G.parameters()))
                for p, gr in zip(D.parameters(), d_grads):
                    p.grad = gr
                for p, gr in zip(G.parameters(), g_grads):
                    p.grad = gr
                opt_d.step()
                opt_g.step()
            with torch.no_grad():
                correct += ((logits[:, :NUM_CLASSES].argmax(1) == y).float() * m).sum().item()
                labelled += m.sum().item()
            d_sum += d_loss.item()
            g_sum += g_loss.item()
            steps += 1
        seconds = time.perf_counter() - start
        for o in (opt_d, opt_g):
            for group in o.param_groups:
                group["lr"] *= 0.9
        refresh_bn(D, x_pool, args.batch, 20, gen)
        test_acc = accuracy(D, x_test, y_test, args.batch)
        em = {"epoch": epoch, "train_acc": correct / max(labelled, 1), "test_acc": test_acc, "d_loss": d_sum / steps,
              "g_loss": g_sum / steps, "epoch_seconds": seconds, "step_seconds": seconds / steps}
        history.append(em)
        print(json.dumps(em), flush=True)
    return history


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data_file", required=True)
    ap.add_argument("--split", required=True, help="split.json written by `ssgan experiment`")
    ap.add_argument("--out", required=True)
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--configs", default="ssgan,supervised_only")
    ap.add_argument("--epochs", type=int, default=25)
    ap.add_argument("--d_size", type=int, default=64)
    ap.add_argument("--g_size", type=int, default=32)
    ap.add_argument("--z_dim", type=int, default=100)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--extra_class", action="store_true")
    ap.add_argument("--drop", type=float, default=0.5)
    ap.add_argument("--input_drop", type=float, default=0.2)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    x, y = load(args.data_file)
    split = json.load(open(args.split))
    pool = split["pool"]
    x_pool, y_pool, x_test, y_test = x[:pool], y[:pool], x[pool:], y[pool:]
    mask = torch.zeros(pool)
    mask[split["labelled"]] = 1
    runs = []
    for config in args.configs.split(","):
        for seed in [int(s) for s in args.seeds.split(",")]:
            print(f"== twin {config}, seed {seed}", flush=True)
            start = time.perf_counter()
            history = run(x_pool, y_pool, mask, x_test, y_test, args, seed, config == "supervised_only")
            runs.append({"config": config, "seed": seed, "history": history, "seconds": time.perf_counter() - start})
    os.makedirs(args.out, exist_ok=True)
    report = {"backend": f"PyTorch {torch.__version__} CPU, {args.threads} threads", "runs": runs}
    json.dump(report, open(os.path.join(args.out, "twin.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
