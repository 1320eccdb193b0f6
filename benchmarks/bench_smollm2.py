"""SmolLM2-135M-Instruct: tfviz's own decoder against transformers, same GGUF, same machine.

    python benchmarks/bench_smollm2.py [--threads 2] [--device cpu] [--new-tokens 64]

Each side runs in its own process (so each peak memory is its own), one after the other,
with the same torch thread count:

1. load to first token: read + dequantize the GGUF, build the model and the tokenizer, then
   one greedy token after the prompt (transformers: ``from_pretrained(dir, gguf_file=...)``
   for model and tokenizer, ``generate(max_new_tokens=1)``);
2. greedy generation of 64 tokens after a 32-token prompt with a KV cache (transformers:
   ``generate(do_sample=False)``), as tokens per second; the ids of both must be equal;
3. peak resident memory of the process (``ru_maxrss``), and on CUDA the peak GPU memory.

The ratio printed is tfviz time / transformers time (below 1.0 = tfviz faster).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

PROMPT = (
    "Once upon a time, in a small village by the sea, there lived an old fisherman who rowed out "
    "every morning before dawn. One day his net came up heavy, and in it lay a bottle"
)


def _peak_rss_mb() -> float:
    import resource

    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 2**20


def _gpu_peak_mb(device: str) -> float | None:
    import torch

    if device == "cuda":
        torch.cuda.synchronize()
        return torch.cuda.max_memory_allocated() / 2**20
    return None


def child_tfviz(device: str, n_new: int) -> dict:
    from tfviz.core.lm.sampling import Sampling
    from tfviz.core.lm.smollm2 import load

    greedy = Sampling(temperature=0)
    t0 = time.perf_counter()
    model = load(device)
    ids = model.encode(PROMPT)[:32]
    next(iter(model.generate(ids, 1, greedy)))
    first = time.perf_counter() - t0
    t1 = time.perf_counter()
    out = [s.token_id for s in model.generate(ids, n_new, greedy, stop_at_end=False)]
    gen = time.perf_counter() - t1
    return {"first_token_s": first, "generate_s": gen, "ids": out, "prompt": ids,
            "peak_rss_mb": _peak_rss_mb(), "gpu_peak_mb": _gpu_peak_mb(device)}  # fmt: skip


def child_hf(device: str, n_new: int) -> dict:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging

    from tfviz.core.lm.fetch import find_gguf

    logging.disable_progress_bar()
    path = find_gguf()
    t0 = time.perf_counter()
    tok = AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
    model = AutoModelForCausalLM.from_pretrained(str(path.parent), gguf_file=path.name, dtype=torch.float32)
    model = model.to(device).eval()
    ids = torch.tensor([tok.encode(PROMPT)[:32]], device=device)
    kw = {"do_sample": False, "eos_token_id": None, "pad_token_id": 0}
    with torch.no_grad():
        model.generate(ids, max_new_tokens=1, **kw)
        first = time.perf_counter() - t0
        t1 = time.perf_counter()
        out = model.generate(ids, max_new_tokens=n_new, min_new_tokens=n_new, **kw)
        gen = time.perf_counter() - t1
    return {"first_token_s": first, "generate_s": gen, "ids": out[0, ids.shape[1]:].tolist(),
            "prompt": ids[0].tolist(), "peak_rss_mb": _peak_rss_mb(), "gpu_peak_mb": _gpu_peak_mb(device)}  # fmt: skip


def run_child(side: str, args) -> dict:
    cmd = [sys.executable, __file__, "--child", side, "--threads", str(args.threads), "--device", args.device,
           "--new-tokens", str(args.new_tokens)]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{side} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--new-tokens", type=int, default=64)
    ap.add_argument("--child", choices=("tfviz", "hf"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        import torch

        torch.set_num_threads(args.threads)
        fn = child_tfviz if args.child == "tfviz" else child_hf
        print(json.dumps(fn(args.device, args.new_tokens)))
        return
    ours, ref = run_child("tfviz", args), run_child("hf", args)
    n = args.new_tokens
    print(f"SmolLM2-135M-Instruct (GGUF Q4_1 -> float32) on {args.device}, {args.threads} torch threads, "
          f"32-token prompt, greedy {n} new tokens")  # fmt: skip
    for name, r in (("tfviz", ours), ("transformers", ref)):
        gpu = "" if r["gpu_peak_mb"] is None else f", GPU peak {r['gpu_peak_mb']:.0f} MB"
        print(f"  {name:13s} load to first token {r['first_token_s']:6.2f} s   generate {r['generate_s']:6.2f} s "
              f"({n / r['generate_s']:5.1f} tokens/s)   peak RSS {r['peak_rss_mb']:6.0f} MB{gpu}")  # fmt: skip
    print(f"  ratio tfviz / transformers: load to first token {ours['first_token_s'] / ref['first_token_s']:.2f}, "
          f"generation time {ours['generate_s'] / ref['generate_s']:.2f}")  # fmt: skip
    same = ours["prompt"] == ref["prompt"] and ours["ids"] == ref["ids"]
    print(f"  same prompt ids and same {n} generated ids: {same}")
    if not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
