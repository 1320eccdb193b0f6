"""``tfviz attention``: the attention weights of a real BERT for a sentence.

    tfviz attention "The animal didn't cross the street because it was too tired."
    tfviz attention --layer 2 --head 5 --causal "The cat sat on the mat."
    tfviz attention --json --model minilm "hello world"      # {"tokens": [...], "attentions": [...]}
    tfviz attention --model path/to/bert-folder "我爱自然语言处理"
    echo "from a pipe" | tfviz attention --json -

Layers and heads are numbered from 0 (as in ``outputs.attentions[layer][:, head]`` of
Hugging Face ``transformers``). ``--json`` prints attentions nested as
``[layer][head][query][key]``; with ``--layer`` / ``--head`` only those are included (the
nesting depth stays four). Tokens are the model's wordpieces, ``[CLS]`` and ``[SEP]`` included.

torch is imported inside :func:`run` only; loading reads safetensors directly.
"""

from __future__ import annotations

import argparse
import json
import sys


def register(subparsers) -> None:
    p = subparsers.add_parser("attention", help="attention weights of a pretrained BERT (MiniLM-L6 by default)")
    p.add_argument("text", nargs="+", metavar="TEXT", help="the sentence ('-' reads standard input)")
    p.add_argument("--model", default="minilm", metavar="minilm|DIR",
                   help="'minilm' (bundled all-MiniLM-L6-v2) or a BERT folder with config.json, "
                        "model.safetensors, vocab.txt")
    p.add_argument("--layer", type=int, metavar="L", help="only this layer (0-based)")
    p.add_argument("--head", type=int, metavar="H", help="only this head (0-based)")
    p.add_argument("--causal", action="store_true",
                   help="apply a causal (look-ahead) mask: what a decoder would be allowed to see")
    p.add_argument("--json", action="store_true", help='print {"tokens": [...], "attentions": [...]}')
    p.set_defaults(func=run)


def _fail(message: str) -> int:
    print(f"tfviz attention: {message}", file=sys.stderr)
    return 2


def _check_index(value: int | None, count: int, what: str) -> str | None:
    if value is not None and not 0 <= value < count:
        return f"--{what} {value} is out of range; this model has {count} {what}s (0..{count - 1})"
    return None


def run(args: argparse.Namespace) -> int:
    text = " ".join(args.text)
    if text == "-":
        from tfviz.commands._common import read_stdin

        try:
            text = read_stdin()
        except ValueError as exc:
            return _fail(str(exc))
    if not text.strip():
        return _fail("the text is empty; give a sentence, e.g. tfviz attention \"The cat sat.\"")

    import torch

    from tfviz.core.bert import BertLoadError, analyze, load_bert
    from tfviz.core.device import DeviceError, resolve, run_with_fallback

    try:
        device = resolve(getattr(args, "device", None) or "auto")
    except DeviceError as exc:
        return _fail(str(exc))
    try:
        bert = load_bert(args.model, device="cpu")
    except BertLoadError as exc:
        return _fail(str(exc))
    cfg = bert.config
    for value, count, what in ((args.layer, cfg.num_layers, "layer"), (args.head, cfg.num_heads, "head")):
        problem = _check_index(value, count, what)
        if problem:
            return _fail(problem)

    def work(dev: str):
        bert.model.to(dev)
        bert.device = dev
        return analyze(bert, [text], causal=args.causal)

    with torch.inference_mode():
        res, used = run_with_fallback(work, device, notify=lambda m: print(m, file=sys.stderr))
    if res.truncated:
        print(f"tfviz attention: the text is longer than the model's {cfg.max_positions} positions; "
              f"only the first {res.shape[3]} tokens (with [CLS] and [SEP]) were used", file=sys.stderr)
    layers = range(cfg.num_layers) if args.layer is None else [args.layer]
    heads = range(cfg.num_heads) if args.head is None else [args.head]
    weights = res.weights[:, 0]  # (L, H, T, T)
    tokens = list(res.tokens[0])
    if args.json:
        chosen = weights[list(layers)][:, list(heads)].astype("float64").round(7)  # (L', H', T, T)
        out = {"tokens": tokens, "attentions": chosen.tolist(), "layers": list(layers), "heads": list(heads),
               "model": cfg.name, "causal": args.causal, "truncated": res.truncated}
        sys.stdout.write(json.dumps(out, ensure_ascii=False, separators=(",", ":")) + "\n")
        return 0
    try:
        _print_table(tokens, weights, layers, heads, cfg, res.truncated, args.causal)
    except BrokenPipeError:  # e.g. piped into `head`
        sys.stderr.close()
    return 0


def _print_table(tokens, weights, layers, heads, cfg, truncated, causal) -> None:
    """A readable summary: tokens, then each chosen head's strongest key per query."""
    print(f"model: {cfg.name} ({cfg.num_layers} layers x {cfg.num_heads} heads), {len(tokens)} tokens"
          + (", causal mask" if causal else "") + (", truncated" if truncated else ""))
    print("tokens: " + " ".join(tokens))
    if len(layers) * len(heads) > 1:
        print("(showing where each token looks most; --layer L --head H prints one head's full matrix, "
              "--json prints every weight)")
        for layer in layers:
            for head in heads:
                w = weights[layer, head]  # (T, T)
                pairs = " ".join(f"{tokens[i]}→{tokens[int(w[i].argmax())]}" for i in range(len(tokens)))
                print(f"L{layer} H{head}: {pairs}")
        return
    layer, head = layers[0], heads[0]
    w = weights[layer, head]  # (T, T)
    width = max(6, *(len(t) for t in tokens))
    print(f"layer {layer}, head {head} (rows: queries, columns: keys)")
    print(" " * width + " " + " ".join(f"{t[:6]:>6}" for t in tokens))
    for i, t in enumerate(tokens):
        print(f"{t:>{width}} " + " ".join(f"{v:6.3f}" for v in w[i]))
