"""Forward pass with every attention kept: tfviz's BertModel vs transformers eager.

Same weights (all-MiniLM-L6-v2), same token ids, 32 and 128 tokens, batch 1. tfviz keeps
Q, K, V, scores, weights and head outputs of every layer; transformers returns the weights
(``output_attentions=True``, ``attn_implementation="eager"``). Runs alternate between the two
so both see the same machine load; medians and their ratio are printed. On a machine with
CUDA the same is measured on the GPU.

    python benchmarks/bench_attention_forward.py [--threads 1] [--repeats 30]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch


def median_times(fns, repeats: int, sync) -> list[float]:
    for f in fns:  # warm-up
        f(), f()
    times = [[] for _ in fns]
    for _ in range(repeats):
        for i, f in enumerate(fns):
            sync()
            t0 = time.perf_counter()
            f()
            sync()
            times[i].append(time.perf_counter() - t0)
    return [statistics.median(t) for t in times]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=30)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    from transformers import AutoModel

    from tfviz.core.bert import load_bert

    bert = load_bert("minilm")
    ref = AutoModel.from_pretrained(str(bert.folder), attn_implementation="eager").eval()
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    print(f"threads: {args.threads}, repeats: {args.repeats}, torch {torch.__version__}")
    print("| device | tokens | tfviz (ms) | transformers eager (ms) | ratio |")
    print("|---|---|---|---|---|")
    for dev in devices:
        bert.model.to(dev)
        ref.to(dev)
        sync = torch.cuda.synchronize if dev == "cuda" else (lambda: None)
        for t in (32, 128):
            ids = torch.randint(1000, 29000, (1, t), generator=torch.Generator().manual_seed(t))
            ids[0, 0], ids[0, -1] = 101, 102
            ids = ids.to(dev)
            with torch.inference_mode():
                ours_w = torch.stack([tr.weights for tr in bert.model(ids).traces])
                ref_w = torch.stack(ref(ids, output_attentions=True).attentions)
                err = (ours_w - ref_w).abs().max().item()
                a, b = median_times([lambda: bert.model(ids), lambda: ref(ids, output_attentions=True)],
                                    args.repeats, sync)
            print(f"| {dev} | {t} | {a * 1e3:.2f} | {b * 1e3:.2f} | {a / b:.2f} |  (max |Δ| {err:.1e})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
