"""``tfviz seq2seq train|eval|run``: the encoder-decoder models without the GUI.

    tfviz seq2seq train --task dates --model transformer [--out FILE]
    tfviz seq2seq eval  --task reverse --model rnn [--json] [--out FILE.json]
    tfviz seq2seq run   --task dates --model rnn-attn [--json] "Nov 29, 2026"
    tfviz seq2seq run   --task dates --model rnn-attn --json --input dates.txt

torch is imported inside :func:`run`, never at start-up.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from tfviz.commands._common import nonnegative_int, positive_int

TASKS = ("dates", "reverse")
MODELS = ("rnn", "rnn-attn", "transformer")


def register(subparsers) -> None:
    p = subparsers.add_parser("seq2seq", help="encoder-decoder models: RNN, attention RNN, Transformer")
    sub = p.add_subparsers(dest="s2s_command", metavar="ACTION", required=True)

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--task", required=True, choices=TASKS)
        sp.add_argument("--model", required=True, choices=MODELS)
        sp.add_argument("--threads", type=nonnegative_int, default=0, help="torch CPU threads (0: torch default)")

    t = sub.add_parser("train", help="train a model (progress on stderr)")
    common(t)
    t.add_argument("--out", type=Path, help="weights file to write (default: the user data folder)")
    t.add_argument("--steps", type=positive_int, help="maximum optimizer steps")
    t.add_argument("--seed", type=nonnegative_int, default=0)

    e = sub.add_parser("eval", help="exact-match accuracy on the fixed held-out set, overall and per input length")
    common(e)
    e.add_argument("--weights", type=Path, help="weights file (default: the shipped one)")
    e.add_argument("--json", action="store_true", help="print JSON")
    e.add_argument("--out", type=Path, help="also write the JSON to this file")

    r = sub.add_parser("run", help="decode inputs greedily")
    common(r)
    r.add_argument("--weights", type=Path, help="weights file (default: the shipped one)")
    r.add_argument("--json", action="store_true", help="one JSON object a line, with the attention matrix")
    r.add_argument("--input", type=Path, help="a UTF-8 file with one input a line")
    r.add_argument("text", nargs="?", help="the input text")
    p.set_defaults(func=run)


def _err(msg: str) -> int:
    print(f"tfviz seq2seq: {msg}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    if args.s2s_command == "run" and (args.text is None) == (args.input is None):
        return _err("give either TEXT or --input FILE (one of them)")
    from tfviz.core.io import WriteError, check_writable

    try:  # an --out that cannot be written is refused before any long work
        if getattr(args, "out", None) is not None:
            check_writable(args.out)
    except WriteError as exc:
        return _err(f"--out {exc}")
    import torch

    from tfviz.core.seq2seq.models import WeightsError

    if args.threads:
        torch.set_num_threads(args.threads)
    try:
        if args.s2s_command == "train":
            return _train(args)
        if args.s2s_command == "eval":
            return _eval(args)
        return _run(args)
    except BrokenPipeError:  # e.g. `| head`: the reader left; not an error of ours
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        return 0
    except (WeightsError, OSError, KeyError) as exc:  # WeightsError names the file and the problem
        return _err(str(exc))


def _device(args: argparse.Namespace) -> str:
    from tfviz.core.device import resolve

    return resolve(getattr(args, "device", None) or "auto")


def _load(args: argparse.Namespace):
    from tfviz.core.seq2seq.models import load, shipped_path

    path = args.weights or shipped_path(args.model, args.task)
    if not Path(path).is_file():
        raise FileNotFoundError(f"no weights file {path}")
    return load(path, kind=args.model, task_name=args.task).to(_device(args)), path


def _train(args: argparse.Namespace) -> int:
    from tfviz.core.io import WriteError, check_writable
    from tfviz.core.seq2seq.models import user_path
    from tfviz.core.seq2seq.train import Trainer, default_config

    over = {"seed": args.seed}
    if args.steps:
        over["steps"] = args.steps
    out = args.out or user_path(args.model, args.task)
    try:
        check_writable(out)
    except WriteError as exc:
        return _err(str(exc))
    trainer = Trainer(default_config(args.task, args.model, **over), device=_device(args))
    print(f"training {args.model} on {args.task}: {trainer.info()['parameters']:,} parameters -> {out}",
          file=sys.stderr)  # fmt: skip
    try:
        for rec in trainer.steps():
            if rec.step % 50 == 0 or rec.val_exact is not None or rec.done:
                val = "" if rec.val_exact is None else f"  val exact {rec.val_exact:.2%}"
                print(f"step {rec.step}/{rec.total}  loss {rec.loss:.4f}  acc {rec.accuracy:.2%}{val}"
                      f"  {rec.seconds:.0f}s", file=sys.stderr, flush=True)  # fmt: skip
    except KeyboardInterrupt:
        print("cancelled; no weights written", file=sys.stderr)
        return 130
    trainer.save(out)
    print(f"wrote {out}", file=sys.stderr)
    return 0


def _eval(args: argparse.Namespace) -> int:
    from tfviz.core.seq2seq.evaluate import evaluate
    from tfviz.core.seq2seq.models import read_info
    from tfviz.core.seq2seq.tasks import get_task

    model, path = _load(args)
    res = evaluate(model, get_task(args.task))
    info = read_info(path)
    doc = {**res.to_json(), "parameters": info.get("parameters"), "train_seconds": info.get("seconds"),
           "train_steps": info.get("steps")}  # fmt: skip
    if args.out:
        from tfviz.core.io import atomic_write

        atomic_write(args.out, json.dumps(doc, indent=1) + "\n")
    if args.json:
        print(json.dumps(doc))
        return 0
    print(f"{args.model} on {args.task}: exact match {res.exact:.2%} ({res.n} held-out inputs), "
          f"per-character {res.char:.2%}")  # fmt: skip
    print("length  n     exact    char")
    for n, (cnt, ex, ch) in sorted(res.by_length.items()):
        print(f"{n:6d} {cnt:4d}  {ex:7.2%}  {ch:7.2%}")
    return 0


def read_inputs(path: Path) -> list[str]:
    """One input a line (UTF-8; a trailing newline does not add an empty input)."""
    data = path.read_bytes()
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    out = []
    for i, raw in enumerate(lines, start=1):
        try:
            out.append(raw.decode("utf-8").rstrip("\r"))
        except UnicodeDecodeError as exc:
            raise ValueError(f"{path}:{i}: not valid UTF-8 ({exc.reason} at byte {exc.start})") from None
    return out


def _run(args: argparse.Namespace) -> int:
    from tfviz.core.seq2seq.decode import decode
    from tfviz.core.seq2seq.reference import judge
    from tfviz.core.seq2seq.tasks import get_task

    if args.input is not None:
        try:
            texts = read_inputs(args.input)
        except (OSError, ValueError) as exc:
            return _err(str(exc))
    else:
        texts = [args.text]
    task = get_task(args.task)
    model, _ = _load(args)
    for text in texts:
        res = decode(model, task, text)
        if not args.json:
            print(res.output)
            continue
        doc = {"input": text, "output": res.output, "used_input": res.text, "truncated": res.truncated,
               "unknown": list(res.unknown)}  # fmt: skip
        if res.alignment is not None:  # rows: output steps (last: </s>); columns: attention_columns
            doc["attention_columns"] = list(res.columns)
            doc["attention"] = [[round(float(v), 5) for v in row] for row in res.alignment]
        if res.valid_date is not None:
            doc["valid_date"] = res.valid_date
        verdict = judge(args.task, text, res.output)
        doc.update(in_domain=verdict.in_domain, expected=verdict.expected, correct=verdict.correct)
        doc["top"] = [[[char, round(prob, 5)] for char, prob in step.top] for step in res.steps]
        print(json.dumps(doc, ensure_ascii=False))
    return 0
