"""Greedy decoding: at every step take the most likely next character.

:func:`greedy_steps` is a generator that yields one :class:`DecodeStep` per output character,
with what the decoder looked at (attention over the input characters, or the context vector
c for the plain RNN), so the panel can step through it. :func:`decode` runs it to the end and
adds the full alignment matrix and, for the Transformer, every attention map.
:func:`greedy_batch` decodes many inputs at once for evaluation.

>>> from tfviz.core.seq2seq.models import load, shipped_path
>>> from tfviz.core.seq2seq.tasks import get_task
>>> model = load(shipped_path("rnn-attn", "dates"))
>>> decode(model, get_task("dates"), "Nov 29, 2026").output
'2026-11-29'
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from tfviz.core.seq2seq.data import encode_inputs
from tfviz.core.seq2seq.tasks import Task, is_valid_iso_date
from tfviz.core.seq2seq.vocab import BOS, EOS


@dataclass(frozen=True)
class DecodeStep:
    index: int  # 0-based output position
    token: int  # chosen id
    char: str  # its text ('</s>' at the end)
    prob: float  # its softmax probability
    look: np.ndarray  # (S,) attention over the encoder's columns, or (hidden,) context vector c
    top: tuple[tuple[str, float], ...] = ()  # the TOP_K most likely characters and their probabilities


@dataclass(frozen=True)
class DecodeResult:
    text: str  # the input actually used (after truncation)
    columns: tuple[str, ...]  # what the encoder read: the characters, plus '</s>' for the Transformer
    truncated: bool  # True when the input was longer than the model supports
    unknown: tuple[int, ...]  # input positions with characters outside the vocabulary
    output: str  # decoded string (without </s>)
    steps: tuple[DecodeStep, ...]
    alignment: np.ndarray | None  # (T_out, len(columns)) attention per output step; None for rnn
    context: np.ndarray | None  # (hidden,) the RNN's single context vector c; None otherwise
    maps: dict[str, np.ndarray] = field(default_factory=dict)  # transformer: enc_self (L,H,S,S), dec_self (L,H,T,T), cross (L,H,T,S)
    valid_date: bool | None = None  # dates task: is the output a real calendar date?


TOP_K = 5  # candidates kept per decoding step: what the model hesitated between


def _max_out(task: Task, n_in: int) -> int:
    """Most output steps (with </s>): dates have a fixed-size answer, reverse one as long as its input."""
    return task.max_tgt if task.name == "dates" else min(task.max_tgt, n_in + 2)


@torch.no_grad()
def greedy_steps(model, task: Task, text: str) -> Iterator[DecodeStep]:
    """Decode one input, yielding each step. Stops at ``</s>`` or the length limit."""
    model.eval()
    src, lengths = encode_inputs(task, [text])
    device = next(model.parameters()).device
    memory = model.encode(src.to(device), lengths.to(device))
    state = model.init_state(memory)
    prev = torch.tensor([BOS], device=device)
    for t in range(_max_out(task, int(lengths[0]))):
        logits, state, look = model.step(memory, state, prev)
        probs = torch.softmax(logits[0], dim=-1)  # (V,)
        tok = int(probs.argmax())
        char = "</s>" if tok == EOS else task.tgt.token_text(tok)
        best_p, best_i = probs.topk(min(TOP_K, probs.numel()))  # (K,), (K,)
        top = tuple(("</s>" if int(i) == EOS else task.tgt.token_text(int(i)), float(p))
                    for p, i in zip(best_p, best_i))
        yield DecodeStep(t, tok, char, float(probs[tok]), look[0].float().cpu().numpy(), top)
        if tok == EOS:
            return
        prev = torch.tensor([tok], device=device)


@torch.no_grad()
def decode(model, task: Task, text: str) -> DecodeResult:
    """Decode ``text`` completely and collect everything the panel shows."""
    used = text[: task.max_src]
    steps = tuple(greedy_steps(model, task, used))
    output = task.tgt.decode([s.token for s in steps])
    maps: dict[str, np.ndarray] = {}
    if model.kind == "transformer":
        maps = transformer_maps(model, task, used, [s.token for s in steps])
    alignment = None if not model.has_attention else np.stack([s.look for s in steps])  # (T, S)
    columns = tuple(used) if used else ("<pad>",)  # an empty input is read as one <pad>
    if getattr(model, "src_end_marker", False):
        columns += ("</s>",)
    return DecodeResult(
        text=used,
        columns=columns,
        truncated=len(text) > task.max_src,
        unknown=tuple(task.src.unknown_positions(used)),
        output=output,
        steps=steps,
        alignment=alignment,
        context=None if model.has_attention else steps[0].look,
        maps=maps,
        valid_date=is_valid_iso_date(output) if task.name == "dates" else None,
    )


@torch.no_grad()
def transformer_maps(model, task: Task, text: str, out_ids: Sequence[int]) -> dict[str, np.ndarray]:
    """Re-run the finished output through the decoder once to get every attention map.

    Thanks to the causal mask, position t sees exactly what it saw while decoding step t.
    """
    src, lengths = encode_inputs(task, [text])
    device = next(model.parameters()).device
    memory = model.encode(src.to(device), lengths.to(device))
    tgt_in = torch.tensor([[BOS] + list(out_ids)[:-1]], device=device)  # (1, T)
    _, self_tr, cross_tr = model.decode(memory, tgt_in)

    def stack(traces) -> np.ndarray:
        return torch.stack([tr.weights[0] for tr in traces]).float().cpu().numpy()  # (L, H, T_q, T_k)

    return {"enc_self": stack(memory.enc_traces), "dec_self": stack(self_tr), "cross": stack(cross_tr)}


@torch.no_grad()
def greedy_batch(model, task: Task, texts: Sequence[str]) -> list[str]:
    """Decode many inputs at once (for evaluation); returns the output strings."""
    model.eval()
    device = next(model.parameters()).device
    src, lengths = encode_inputs(task, texts)
    memory = model.encode(src.to(device), lengths.to(device))
    state = model.init_state(memory)
    prev = torch.full((len(texts),), BOS, dtype=torch.long, device=device)
    out = []
    finished = torch.zeros(len(texts), dtype=torch.bool, device=device)
    for _ in range(_max_out(task, int(lengths.max()))):
        logits, state, _ = model.step(memory, state, prev)
        prev = logits.argmax(dim=-1)  # (B,)
        out.append(prev)
        finished |= prev == EOS
        if bool(finished.all()):
            break
    ids = torch.stack(out, dim=1).cpu().tolist()  # (B, T)
    limits = [_max_out(task, int(n)) for n in lengths]  # each input's own length limit
    return [task.tgt.decode(row[:limit]) for row, limit in zip(ids, limits)]
