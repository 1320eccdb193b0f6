"""``tfviz bpe``: encode text and train tokenizers from the command line.

    tfviz bpe encode --tokenizer cl100k "我爱 NLP"
    tfviz bpe encode --json --trace "hello"
    echo "hi" | tfviz bpe encode -
    tfviz bpe encode --json --batch strings.json
    tfviz bpe train corpus.txt --vocab-size 4352 --pattern gpt4 --out my.json

Imports neither Qt nor torch (start-up stays fast).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from tfviz.commands._common import positive_int, read_stdin


def register(subparsers) -> None:
    bpe = subparsers.add_parser("bpe", help="byte-level BPE: encode text, train a tokenizer")
    sub = bpe.add_subparsers(dest="bpe_command", metavar="{encode,train}")
    bpe.set_defaults(func=run)

    enc = sub.add_parser("encode", help="encode text into token ids")
    enc.add_argument("text", nargs="?", help="the text ('-' reads standard input)")
    enc.add_argument("--tokenizer", default="cl100k", help="cl100k, o200k, gpt2, or a trained FILE.json (default cl100k)")
    enc.add_argument("--json", action="store_true", help='print {"ids": [...], "tokens": [...]}')
    enc.add_argument("--trace", action="store_true", help="also list every merge applied")
    enc.add_argument("--batch", metavar="FILE.json", help="a JSON list of strings; prints a JSON list of results (needs --json)")
    enc.add_argument("--allow-special", action="store_true", help="encode <|endoftext|> and friends as special tokens")

    tr = sub.add_parser("train", help="train a byte-level BPE tokenizer on text files")
    tr.add_argument("files", nargs="+", metavar="FILE", help="UTF-8 text files")
    tr.add_argument("--vocab-size", type=positive_int, required=True, help="256 bytes + number of merges")
    tr.add_argument("--pattern", default="gpt4", choices=("gpt2", "gpt4", "gpt4o", "none"), help="pre-tokenization (default gpt4)")
    tr.add_argument("--out", required=True, help="where to write the tokenizer JSON")
    tr.add_argument("--replace-errors", action="store_true", help="replace bytes that are not UTF-8 instead of stopping")
    tr.add_argument("--quiet", action="store_true", help="no progress bar")
    tr.add_argument("--name", default=None, help="a name stored in the file (default: from --out)")


class CommandError(Exception):
    """A problem to report in one line, with exit code 1."""


def run(args: argparse.Namespace) -> int:
    command = getattr(args, "bpe_command", None)
    if command is None:
        print("usage: tfviz bpe {encode,train} ...  (tfviz bpe encode --help)", file=sys.stderr)
        return 2
    try:
        return _encode(args) if command == "encode" else _train(args)
    except (CommandError, OSError) as err:  # OSError: a save refused or failed (named in the message)
        print(f"tfviz bpe {command}: error: {err}", file=sys.stderr)
        return 1


# --- encode ----------------------------------------------------------------------------------
def _tokenizer(spec: str):
    from tfviz.core.bpe import store, vocab

    if spec in vocab.ALIASES or spec in vocab.ALIASES.values():
        try:
            return vocab.load(spec)
        except vocab.VocabularyError as err:
            raise CommandError(str(err)) from None
    path = Path(spec)
    if not path.exists():
        raise CommandError(f"{spec}: no such tokenizer file (or use cl100k, o200k, gpt2)")
    try:
        return store.load(path)
    except store.TokenizerFileError as err:
        raise CommandError(str(err)) from None


def _encode_one(tok, text: str, trace: bool, allow_special: bool) -> dict:
    from tfviz.core.bpe import DisallowedSpecialError, token_label

    allowed = "all" if allow_special else frozenset()
    try:
        if trace:
            t = tok.encode_trace(text, allowed_special=allowed)
            ids = list(t.ids)
        else:
            ids = tok.encode(text, allowed_special=allowed)
    except DisallowedSpecialError as err:
        raise CommandError(f"{err} (pass --allow-special)") from None
    result = {"ids": ids, "tokens": [_plain_label(tok, i, token_label) for i in ids]}
    if trace:
        result["steps"] = [
            {"piece": s.piece, "start": s.start, "mid": s.mid, "end": s.end, "rank": s.rank, "left": s.left, "right": s.right, "token": s.token}
            for s in t.steps
        ]
    return result


def _plain_label(tok, token_id: int, token_label) -> str:
    if token_id in tok.special_tokens.values():
        return tok.token_bytes(token_id).decode("utf-8")
    return token_label(tok.token_bytes(token_id), show_whitespace=False)


def _encode(args) -> int:
    if args.batch is not None:
        if not args.json:
            raise CommandError("--batch needs --json")
        if args.text is not None:
            raise CommandError("give either TEXT or --batch FILE.json, not both")
        texts = _read_batch(Path(args.batch))
    elif args.text is None:
        raise CommandError("no text given (use '-' to read standard input)")
    else:
        try:
            texts = [read_stdin() if args.text == "-" else args.text]
        except ValueError as err:
            raise CommandError(str(err)) from None
    tok = _tokenizer(args.tokenizer)
    results = [_encode_one(tok, t, args.trace, args.allow_special) for t in texts]
    if args.json:
        out = results if args.batch is not None else results[0]
        print(json.dumps(out, ensure_ascii=False))
        return 0
    r, text = results[0], texts[0]
    from tfviz.core.bpe import token_label

    print(" ".join(f"{i}:{token_label(tok.token_bytes(i))}" for i in r["ids"]))
    n_bytes = len(text.encode("utf-8"))
    ratio = n_bytes / len(r["ids"]) if r["ids"] else 0.0
    print(f"{len(text)} characters, {n_bytes} bytes, {len(r['ids'])} tokens ({ratio:.2f} bytes per token) with {tok.name}")
    if args.trace:
        data = text.encode("utf-8")
        for n, s in enumerate(r["steps"], 1):
            if s["mid"] < 0:
                print(f"{n:4d}. piece {s['piece']}: whole piece {token_label(data[s['start']:s['end']])} is token {s['token']}")
            else:
                left, right = token_label(data[s["start"] : s["mid"]]), token_label(data[s["mid"] : s["end"]])
                print(f"{n:4d}. piece {s['piece']}: {left} + {right} -> {s['token']} (rank {s['rank']}, bytes {s['start']}-{s['end']})")
    return 0


def _read_batch(path: Path) -> list[str]:
    from tfviz.core.io import parse_json

    try:
        data = parse_json(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise CommandError(f"{path}: cannot read: {err.strerror or err}") from None
    except UnicodeDecodeError as err:
        raise CommandError(f"{path}: not valid UTF-8 at byte offset {err.start}") from None
    except ValueError as err:
        raise CommandError(f"{path}: {err}") from None
    if not isinstance(data, list) or not all(isinstance(s, str) for s in data):
        raise CommandError(f"{path}: expected a JSON list of strings")
    return data


# --- train -----------------------------------------------------------------------------------
def _train(args) -> int:
    from tfviz.core.bpe import count_pieces, store, tokenizer_from_merges, train_merges

    if args.vocab_size < 257:
        raise CommandError(f"--vocab-size must be more than 256 (256 bytes + at least one merge), got {args.vocab_size}")
    from tfviz.core.io import WriteError, check_writable

    out = Path(args.out)
    try:
        check_writable(out)  # before reading and training, not after
    except WriteError as err:
        raise CommandError(f"--out {err}") from None
    errors = "replace" if args.replace_errors else "strict"
    texts = []
    for name in args.files:
        try:
            texts.append(store.read_corpus(name, errors))
        except store.CorpusDecodeError as err:
            raise CommandError(f"{err} (or pass --replace-errors)") from None
        except OSError as err:
            raise CommandError(f"{name}: cannot read: {err.strerror or err}") from None
    show = not args.quiet
    start = time.perf_counter()
    if show:
        print(f"pre-tokenizing {sum(map(len, texts)):,} characters ({args.pattern}) ...", file=sys.stderr, flush=True)
    pieces = count_pieces(texts, args.pattern)
    wanted = args.vocab_size - 256
    bar = _ProgressBar(wanted, "merges") if show else None
    merges = []
    last = None
    for step in train_merges(pieces, wanted):
        merges.append(step.pair)
        last = step
        if bar:
            bar.update(len(merges))
    if bar:
        bar.finish()
    tok = tokenizer_from_merges(merges, args.pattern, args.name or out.stem)
    store.save(tok, out)
    if len(merges) < wanted:
        print(f"stopped after {len(merges)} merges: no pair of tokens occurs twice any more", file=sys.stderr)
    if show:
        total = sum(len(t.encode("utf-8")) for t in texts)
        ratio = f", {total / last.n_tokens:.2f} bytes per token" if last else ""
        print(f"wrote {out}: {len(merges)} merges, vocabulary {256 + len(merges)}{ratio}, {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return 0


class _ProgressBar:
    """``[########------------]  1024/4096 merges`` on stderr, redrawn at most 100 times."""

    def __init__(self, total: int, unit: str, width: int = 30):
        self.total, self.unit, self.width = max(total, 1), unit, width
        self.shown = -1

    def update(self, done: int) -> None:
        percent = done * 100 // self.total
        if percent == self.shown:
            return
        self.shown = percent
        filled = self.width * done // self.total
        bar = "#" * filled + "-" * (self.width - filled)
        sys.stderr.write(f"\r[{bar}] {done:>{len(str(self.total))}}/{self.total} {self.unit}")
        sys.stderr.flush()

    def finish(self) -> None:
        sys.stderr.write("\n")


def main(argv=None) -> int:
    """Run ``tfviz bpe`` alone: ``python -m tfviz.commands.bpe encode ...``."""
    parser = argparse.ArgumentParser(prog="tfviz")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["bpe", *(sys.argv[1:] if argv is None else argv)])
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
