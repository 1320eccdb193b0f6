"""``tfviz lm ...``: the tiny GPT and BERT (and SmolLM2 where meaningful) without the GUI.

    tfviz lm next     --model gpt-en --json "To be or not to"
    tfviz lm fill     --model bert-en --json "To be or not to [MASK]"
    tfviz lm generate --model gpt-zh --prompt 子曰 --max-new-tokens 40 --temperature 0.8 --top-k 40 --seed 1
    tfviz lm eval     --model gpt-en --text val.txt --json
    tfviz lm compare  --lang en --text val.txt --json
    tfviz lm train    --model gpt --lang en [--corpus FILE] [--steps N] [--out DIR] [--device D]

Errors: one line on stderr, exit 2 for bad input. torch is imported inside :func:`run` only.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import sys
from pathlib import Path

MODEL_NAMES = ("gpt-en", "bert-en", "gpt-zh", "bert-zh", "smollm2")
DEVICES = ("auto", "cpu", "cuda", "mps")


def register(subparsers) -> None:
    p = subparsers.add_parser("lm", help="language models: a tiny GPT and BERT (and SmolLM2)")
    sub = p.add_subparsers(dest="lm_command", metavar="ACTION", required=True)

    def model_arg(sp, names=MODEL_NAMES):
        sp.add_argument("--model", required=True, choices=names)
        sp.add_argument("--weights-dir", type=Path, help="folder of weights (default: the shipped ones)")
        sp.add_argument("--device", default="cpu", choices=DEVICES, help="compute device (default: cpu)")

    n = sub.add_parser("next", help="the next-token distribution after TEXT (GPT models)")
    model_arg(n)
    n.add_argument("--json", action="store_true", help="print JSON")
    n.add_argument("text", help="the text so far")

    f = sub.add_parser("fill", help="BERT's guesses for every [MASK] in TEXT")
    model_arg(f, ("bert-en", "bert-zh"))
    f.add_argument("--json", action="store_true", help="print JSON")
    f.add_argument("text", help="text with one or more [MASK]")

    g = sub.add_parser("generate", help="generate text (temperature 0 = greedy)")
    model_arg(g)
    g.add_argument("--prompt", default="", help="text to continue (default: empty = from the end-of-text token)")
    g.add_argument("--max-new-tokens", type=int, default=50)
    g.add_argument("--temperature", type=float, default=1.0)
    g.add_argument("--top-k", type=int, default=0)
    g.add_argument("--top-p", type=float, default=1.0)
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--no-cache", action="store_true", help="recompute every position at every step")
    g.add_argument("--json", action="store_true", help="print JSON")

    e = sub.add_parser("eval", help="GPT: bits per UTF-8 byte and top-1; BERT: masked top-1 (15 %%, fixed seed)")
    model_arg(e, MODEL_NAMES[:4])
    e.add_argument("--text", required=True, type=Path, help="UTF-8 text file")
    e.add_argument("--json", action="store_true", help="print JSON")
    e.add_argument("--out", type=Path, help="also write the JSON to this file")

    c = sub.add_parser("compare", help="BERT vs GPT top-1 at the same masked positions")
    c.add_argument("--lang", required=True, choices=("en", "zh"))
    c.add_argument("--text", required=True, type=Path, help="UTF-8 text file")
    c.add_argument("--weights-dir", type=Path, help="folder of weights (default: the shipped ones)")
    c.add_argument("--device", default="cpu", choices=DEVICES)
    c.add_argument("--json", action="store_true", help="print JSON")
    c.add_argument("--out", type=Path, help="also write the JSON to this file")

    t = sub.add_parser("train", help="train a tiny GPT or BERT (progress on stderr)")
    t.add_argument("--model", required=True, choices=("gpt", "bert"))
    t.add_argument("--lang", required=True, choices=("en", "zh"))
    t.add_argument("--corpus", type=Path, help="UTF-8 text (default: the bundled corpus of --lang)")
    t.add_argument("--steps", type=int, help="optimizer steps (default: 1800 for en, 1200 for zh)")
    t.add_argument("--out", type=Path, help="folder to write into (default: the user data folder)")
    t.add_argument("--device", default="auto", choices=DEVICES)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--vocab-size", type=int, default=4096, help="BPE vocabulary, special tokens included")
    t.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch default)")

    if importlib.util.find_spec("tfviz.commands.lm_smollm2") is not None:
        importlib.import_module("tfviz.commands.lm_smollm2").add_subcommands(sub)
    p.set_defaults(func=run)


def _err(msg: str) -> int:
    print(f"tfviz lm: {msg}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    handler = {
        "next": _next, "fill": _fill, "generate": _generate, "eval": _eval, "compare": _compare, "train": _train,
    }.get(args.lm_command)
    if handler is None:  # a sub-command added by lm_smollm2 sets its own func
        return _err(f"unknown action {args.lm_command!r}")
    from tfviz.core.device import DeviceError
    from tfviz.core.lm.base import BadInput, ModelNotAvailable, WeightsError

    try:
        return handler(args)
    except (BadInput, WeightsError, ModelNotAvailable, DeviceError) as exc:
        return _err(str(exc))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return _err(str(exc))
    except BrokenPipeError:  # e.g. `| head`: the reader left; not an error of ours
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        return 0


def _device(name: str) -> str:
    from tfviz.core.device import resolve

    return resolve(name)


def _train(args: argparse.Namespace) -> int:
    from tfviz.core.lm.train import LMTrainer, default_config, prepare_data
    from tfviz.core.lm.weights import save_tokenizer, tokenizer_name, user_dir, weights_name

    if args.steps is not None and args.steps < 1:
        return _err("--steps must be at least 1")
    out = args.out or user_dir()
    from tfviz.core.io import check_writable

    check_writable(out / weights_name(args.model, args.lang))
    device = _device(args.device)
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    data = prepare_data(args.lang, args.corpus, args.vocab_size)
    over = {"seed": args.seed}
    if args.steps:
        over["steps"] = args.steps
    trainer = LMTrainer(default_config(args.model, args.lang, **over), data, device)
    import torch

    print(f"training {args.model}-{args.lang} on {device} ({torch.get_num_threads()} threads): "
          f"{trainer.info()['parameters']:,} parameters, vocabulary {data.tokenizer.vocab_size}, "
          f"{len(data.train_ids):,} training / {len(data.val_ids):,} validation tokens -> {out}",
          file=sys.stderr, flush=True)  # fmt: skip
    try:
        for rec in trainer.steps():
            if rec.step % 50 == 0 or rec.val_loss is not None or rec.done:
                val = "" if rec.val_loss is None else f"  val {rec.val_loss:.4f} ({rec.val_bits_per_byte:.3f} bits/byte){' *' if rec.best else ''}"
                print(f"step {rec.step}/{rec.total}  loss {rec.loss:.4f}{val}  lr {rec.lr:.2e}"
                      f"  {rec.tokens_per_s:,.0f} tok/s  {rec.seconds:.0f}s", file=sys.stderr, flush=True)  # fmt: skip
    except KeyboardInterrupt:
        print("cancelled; no weights written", file=sys.stderr)
        return 130
    save_tokenizer(data.tokenizer, out / tokenizer_name(args.lang))
    trainer.save(out / weights_name(args.model, args.lang))
    print(f"wrote {out / weights_name(args.model, args.lang)} (best validation loss {trainer.best_val:.4f} "
          f"at step {trainer.best_step}) and {out / tokenizer_name(args.lang)}", file=sys.stderr)  # fmt: skip
    return 0


def _load(args: argparse.Namespace, name: str | None = None):
    name = name or args.model
    device = _device(args.device)
    if args.weights_dir is not None and name != "smollm2":
        from tfviz.core.lm.tiny import load_dir

        kind, lang = name.split("-")
        return load_dir(args.weights_dir, kind, lang, device)
    from tfviz.core.lm.registry import load

    return load(name, device=device)


def _top_json(top) -> list[dict]:
    return [{"id": t.id, "token": t.token, "prob": round(float(t.prob), 6)} for t in top]


def _notice_window(model) -> None:
    if getattr(model, "windowed", 0):
        print(f"tfviz lm: note: the text is longer than the context of {model.name}; "
              f"the first {model.windowed} tokens were left out", file=sys.stderr)  # fmt: skip


def _next(args: argparse.Namespace) -> int:
    model = _load(args)
    if getattr(model, "kind", "gpt") != "gpt":
        return _err(f"{args.model} is a BERT: it fills [MASK] tokens (use `tfviz lm fill`), it does not predict the next token")
    ids = model.encode(args.text)
    from tfviz.core.lm.sampling import Sampling, shape_probs
    from tfviz.core.lm.sampling import top_tokens as tops

    probs = shape_probs(model.next_logits(ids), Sampling())
    _notice_window(model)
    top = [{"id": i, "token": model.token_str(i), "prob": round(p, 6)} for i, p in tops(probs, 10)]
    if args.json:
        print(json.dumps({"ids": ids, "tokens": [model.token_str(i) for i in ids], "top": top}, ensure_ascii=False))
        return 0
    for t in top:
        print(f"{t['prob']:8.2%}  {t['token']!r}")
    return 0


def _fill(args: argparse.Namespace) -> int:
    model = _load(args)
    fills = model.fill(args.text)
    if args.json:
        print(json.dumps({"masks": [{"position": f.position, "top": _top_json(f.top)} for f in fills]}, ensure_ascii=False))
        return 0
    for f in fills:
        print(f"[MASK] at token {f.position}: " + ", ".join(f"{t.token!r} {t.prob:.1%}" for t in f.top))
    return 0


def _generate(args: argparse.Namespace) -> int:
    from tfviz.core.lm.sampling import Sampling

    if args.max_new_tokens < 0:
        return _err("--max-new-tokens must be >= 0")
    sampling = Sampling(args.temperature, args.top_k, args.top_p)
    model = _load(args)
    if getattr(model, "kind", "gpt") != "gpt":
        return _err(f"{args.model} is a BERT: it cannot generate left to right (that is what the causal mask gives a GPT)")
    ids = model.encode(args.prompt)
    new = [s.token_id for s in model.generate(ids, args.max_new_tokens, sampling, args.seed, not args.no_cache)]
    text = model.decode(new)
    if args.json:
        print(json.dumps({"ids": new, "text": text}, ensure_ascii=False))
    else:
        print(args.prompt + text)
    return 0


def _read_text(path: Path) -> str:
    from tfviz.core.bpe.store import read_corpus

    return read_corpus(path)


def _write_out(path: Path | None, doc: dict, models=(), text: Path | None = None) -> None:
    """The printed figures plus, for the record, the text file and how each model was trained."""
    if path is not None:
        doc = {**doc, "text": text.name if text else None, "models": {
            m.name: {k: m.info.get(k) for k in ("parameters", "steps", "seconds", "tokens_per_s", "best_step",
                                                 "best_val_loss", "train_tokens", "torch", "device")}
            for m in models}}
        from tfviz.core.io import atomic_write

        atomic_write(path, json.dumps(doc, indent=1, ensure_ascii=False) + "\n")


def _eval(args: argparse.Namespace) -> int:
    from tfviz.core.lm.evaluate import bert_eval, gpt_eval

    model = _load(args)
    text = _read_text(args.text)
    res = gpt_eval(model, text) if model.kind == "gpt" else bert_eval(model, text)
    doc = res.to_json()
    _write_out(args.out, doc, [model], args.text)
    if args.json:
        print(json.dumps(doc))
    elif model.kind == "gpt":
        print(f"{args.model}: {res.bits_per_byte:.3f} bits per byte, top-1 {res.top1:.2%} ({res.tokens:,} tokens)")
    else:
        print(f"{args.model}: masked top-1 {res.masked_top1:.2%} ({res.positions:,} hidden tokens)")
    return 0


def _compare(args: argparse.Namespace) -> int:
    from tfviz.core.lm.evaluate import compare

    args.model = f"gpt-{args.lang}"
    gpt = _load(args, f"gpt-{args.lang}")
    bert = _load(args, f"bert-{args.lang}")
    res = compare(gpt, bert, _read_text(args.text))
    doc = res.to_json()
    _write_out(args.out, doc, [gpt, bert], args.text)
    if args.json:
        print(json.dumps(doc))
    else:
        print(f"{res.positions:,} hidden tokens: BERT (both sides) top-1 {res.bert_top1:.2%}, "
              f"GPT (left side only) top-1 {res.gpt_top1:.2%}")  # fmt: skip
    return 0
