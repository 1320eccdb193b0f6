"""Training throughput (tokens per second) of the tiny GPT and BERT, CPU and CUDA if present.

    python benchmarks/bench_lm_train.py [--steps 20] [--threads 1 2]

The shipped size (4 layers, 4 heads, d 192, context 128, vocabulary 4,096, batch 16 x 128
tokens), random token ids, AdamW steps with gradient clipping as in ``train.py``; the first
3 steps are warm-up and not counted.
"""

from __future__ import annotations

import argparse
import time


def throughput(kind: str, device: str, steps: int) -> float:
    import numpy as np
    import torch
    import torch.nn.functional as F

    from tfviz.core.lm.model import LMConfig, TinyLM

    torch.manual_seed(0)
    net = TinyLM(LMConfig(kind, 4096)).to(device)
    opt = torch.optim.AdamW(net.parameters(), lr=1e-3)
    rng = np.random.default_rng(0)
    x = torch.as_tensor(rng.integers(0, 4093, (16, 128)), device=device)
    y = x.clone()
    if kind == "bert":
        y[torch.as_tensor(rng.random((16, 128)) > 0.15, device=device)] = -100
    for i in range(steps + 3):
        if i == 3:
            if device == "cuda":
                torch.cuda.synchronize()
            t = time.perf_counter()
        logits = net(x).logits
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), ignore_index=-100)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()
    if device == "cuda":
        torch.cuda.synchronize()
    return steps * x.numel() / (time.perf_counter() - t)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    args = ap.parse_args()
    import torch

    for n in args.threads:
        torch.set_num_threads(n)
        for kind in ("gpt", "bert"):
            print(f"cpu  {n} thread(s)  {kind:4s}  {throughput(kind, 'cpu', args.steps):9,.0f} tokens/s")
    if torch.cuda.is_available():
        for kind in ("gpt", "bert"):
            print(f"cuda ({torch.cuda.get_device_name()})  {kind:4s}  {throughput(kind, 'cuda', args.steps * 10):9,.0f} tokens/s")
    else:
        print("cuda: not available on this machine")


if __name__ == "__main__":
    main()
