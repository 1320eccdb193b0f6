"""Training speed: ``tfviz bpe train`` against HF ``tokenizers`` BpeTrainer, measured in one run.

    python benchmarks/bench_bpe_train.py [--rounds 3] [--corpora ../shared/corpora]

Both sides are whole processes (start-up, reading, pre-tokenization with the GPT-4 pattern,
4,096 merges, writing the result), timed by wall clock, alternated, best of ``--rounds``.
Also: the Chinese corpus, and the speed-up over a naive recount-per-merge trainer (in-process,
300 merges on the first 200,000 characters; both give the same merges).

The machine is shared by several processes, so each figure is the best of several rounds;
the ratio is what matters.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def timed(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child) for one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env())
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def compare(corpus: Path, vocab_size: int, rounds: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        ours = [sys.executable, "-m", "tfviz", "bpe", "train", str(corpus), "--vocab-size", str(vocab_size),
                "--pattern", "gpt4", "--out", f"{tmp}/tfviz.json", "--quiet"]
        hf = [sys.executable, str(HERE / "_hf_train.py"), str(corpus), str(vocab_size), f"{tmp}/hf.json"]
        best = {"tfviz": (1e9, 0.0), "hf": (1e9, 0.0)}
        for _ in range(rounds):
            for key, cmd in (("tfviz", ours), ("hf", hf)):
                wall, cpu = timed(cmd)
                if wall < best[key][0]:
                    best[key] = (wall, cpu)
    return best


def naive_speedup(corpus: Path) -> tuple[float, float]:
    sys.path.insert(0, str(ROOT))
    from tfviz.core.bpe.naive import naive_merges
    from tfviz.core.bpe.trainer import count_pieces, train_merges

    pieces = count_pieces([corpus.read_text(encoding="utf-8")[:200_000]], "gpt4")
    start = time.perf_counter()
    fast = [s.pair for s in train_merges(pieces, 300)]
    t_fast = time.perf_counter() - start
    start = time.perf_counter()
    slow = naive_merges(pieces, 300)
    t_slow = time.perf_counter() - start
    assert fast == slow, "incremental and naive trainers disagree"
    return t_fast, t_slow


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    ap.add_argument("--vocab-size", type=int, default=4352)
    args = ap.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print(f"| corpus | tfviz bpe train (wall / CPU) | HF BpeTrainer (wall / CPU) | ratio (wall) |")
    print("|---|---|---|---|")
    for name in ("en_shakespeare.txt", "zh_classical.txt"):
        best = compare(args.corpora / name, args.vocab_size, args.rounds)
        (tw, tc), (hw, hc) = best["tfviz"], best["hf"]
        print(f"| {name} | {tw:.2f} s / {tc:.2f} s | {hw:.2f} s / {hc:.2f} s | {tw / hw:.2f} |", flush=True)
    t_fast, t_slow = naive_speedup(args.corpora / "en_shakespeare.txt")
    print(f"\nnaive recount per merge vs incremental, 300 merges on 200,000 characters: "
          f"{t_slow:.2f} s vs {t_fast:.2f} s ({t_slow / t_fast:.0f}x faster), same merges")


if __name__ == "__main__":
    main()
