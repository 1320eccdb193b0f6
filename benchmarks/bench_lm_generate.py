"""Generation speed of the tiny GPT with and without the KV cache.

    python benchmarks/bench_lm_generate.py [--model gpt-en] [--threads 1] [--weights-dir DIR]

Generates 600 tokens greedily from a short prompt, twice: with the KV cache (each step runs the
network on the one new token and reuses the keys and values of all earlier positions) and
without it (each step recomputes the whole window). Reports the mean time per token for the
tokens at positions 10-73 and 500-563 (64 tokens each).

The tiny GPT reads at most 128 positions. Past that the window slides: the oldest half is
dropped and the rest recomputed once, then the cache grows again, so a range of 64 tokens holds
exactly one slide and its mean is the steady cost per token. Without the cache every step
recomputes up to 128 positions; with it, one.
"""

from __future__ import annotations

import argparse
import statistics


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="gpt-en")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--weights-dir", default=None)
    ap.add_argument("--tokens", type=int, default=600)
    args = ap.parse_args()

    import torch

    from tfviz.core.lm.sampling import Sampling

    torch.set_num_threads(args.threads)
    kind, lang = args.model.split("-")
    if args.weights_dir:
        from tfviz.core.lm.tiny import load_dir

        model = load_dir(args.weights_dir, kind, lang)
    else:
        from tfviz.core.lm.registry import load

        model = load(args.model)
    prompt = model.encode("To be, or not to be" if lang == "en" else "子曰：")
    print(f"{args.model}, {torch.get_num_threads()} thread(s), context {model.context_length}, "
          f"prompt {len(prompt)} tokens, {args.tokens} new tokens, greedy")  # fmt: skip
    rows = {}
    ids = {}
    for use_cache in (True, False):
        steps = list(model.generate(prompt, args.tokens, Sampling(temperature=0), use_cache=use_cache))
        ids[use_cache] = [s.token_id for s in steps]
        at = {s.position: s.seconds for s in steps}
        rows[use_cache] = [statistics.mean(at[p] for p in range(a, a + 64)) * 1000 for a in (10, 500)]
    assert ids[True] == ids[False], "cached and uncached generation differ"
    print("                  pos 10-73   pos 500-563   ratio 500/10")
    for use_cache, label in ((True, "KV cache   "), (False, "no cache   ")):
        a, b = rows[use_cache]
        print(f"{label}  {a:9.2f} ms  {b:9.2f} ms  {b / a:9.2f}")
    print(f"speed-up of the cache at position 500: {rows[False][1] / rows[True][1]:.1f}x")


if __name__ == "__main__":
    main()
