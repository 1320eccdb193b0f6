"""What the BERT vs GPT panel runs in workers: load models, guess every token, generate.

Each function runs off the UI thread (``LatestJob`` slots), imports torch lazily and returns
plain numbers: the UI thread only repaints from them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TOP = 10


@dataclass(frozen=True)
class Guesses:
    """A model's guesses for the token at one position."""

    top: tuple[tuple[int, str, float], ...]  # (id, token, probability), most likely first
    true_prob: float  # probability of the token really there
    true_rank: int    # 1 = the model's first guess


@dataclass(frozen=True)
class Analysis:
    lang: str
    text: str
    ids: tuple[int, ...]
    tokens: tuple[str, ...]          # display text of each id
    bert: tuple[Guesses, ...]        # token i masked alone, both sides seen
    gpt: tuple[Guesses, ...]         # token i from the tokens before it only
    labels: tuple[str, ...]          # attention positions: end-of-text token, then the tokens
    bert_attention: np.ndarray       # (L, H, 1 + T, 1 + T) the unmasked sentence
    gpt_attention: np.ndarray        # (L, H, 1 + T, 1 + T) lower triangle
    cut: int = 0                     # tokens left out (longer than the context)


def load_pair(lang: str, device: str):
    """Worker: the tiny GPT and BERT of ``lang`` (same tokenizer)."""
    import torch  # noqa: F401  (first import happens here, off the UI thread)

    from tfviz.core.lm.registry import load

    return lang, load(f"gpt-{lang}", device), load(f"bert-{lang}", device)


def _guesses(model, probs: np.ndarray, ids: list[int]) -> tuple[Guesses, ...]:
    out = []
    for i, row in enumerate(probs):  # row (V,)
        order = np.argsort(-row, kind="stable")[:TOP]
        true = ids[i]
        out.append(Guesses(tuple((int(j), model.token_str(int(j)), float(row[j])) for j in order),
                           float(row[true]), int((row > row[true]).sum()) + 1))
    return tuple(out)


def analyse(lang: str, gpt, bert, text: str) -> Analysis:
    """Worker: both models' guesses at every token of ``text`` and their attention."""
    ids = bert.encode(text.replace("[MASK]", "")) if text else []
    keep = bert.context_length - 1
    cut = max(0, len(ids) - keep)
    ids = ids[:keep]
    tokens = tuple(bert.token_str(i) for i in ids)
    if not ids:
        empty = np.zeros((1, 1, 1, 1), np.float32)
        return Analysis(lang, text, (), (), (), (), (), empty, empty, cut)
    bert_g = _guesses(bert, bert.mask_each(ids), ids)
    gpt_g = _guesses(gpt, gpt.position_probs(ids), ids)
    return Analysis(lang, text, tuple(ids), tokens, bert_g, gpt_g, tuple(bert.model_tokens(ids)),
                    bert.attention(ids), gpt.attention(ids), cut)


def masked_attention(bert, ids, position: int) -> tuple[int, np.ndarray]:
    """Worker: BERT's attention with token ``position`` replaced by ``[MASK]``: (L, H, 1 + T, 1 + T)."""
    ids = list(ids)
    ids[position] = bert.mask_id
    return position, bert.attention(ids)


def step_view(stepper, prompt_ids: list[int], generated: list[int]):
    """Worker: the next-token distribution after prompt + generated (the KV cache when it can)."""
    return tuple(generated), stepper.view(list(prompt_ids) + list(generated))


def make_stepper(model):
    from tfviz.core.lm.stepper import Stepper

    return Stepper(model)


def prompt_ids(model, text: str, chat: bool) -> list[int]:
    """The ids a generation starts from: the text, or for SmolLM2's chat the ChatML prompt."""
    if chat and hasattr(model, "chat_ids"):
        from tfviz.core.lm.llama_tokenizer import Message

        return model.chat_ids([Message("user", text)])
    return model.encode(text.replace("[MASK]", ""))


def bert_vs_gpt_writing(gpt, bert, text: str, n: int) -> tuple[list[int], list[int], list[int]]:
    """Worker: the prompt's ids, BERT's n appended fills ([MASK] at the end, top guess, again),
    and GPT's n greedy next tokens."""
    from tfviz.core.lm.sampling import Sampling

    ids = bert.encode(text.replace("[MASK]", ""))
    ids = ids[-(bert.context_length - 2 - n):] if len(ids) > bert.context_length - 2 - n else ids
    bert_new = [s.token_id for s in bert.fill_generate(ids, n)]
    gpt_new = [s.token_id for s in gpt.generate(ids, n, Sampling(temperature=0))]
    return ids, bert_new, gpt_new


def load_smollm2(device: str):
    """Worker generator: SmolLM2's load progress (``LoadStep``), then ``Loaded``."""
    import torch  # noqa: F401

    from tfviz.core.lm.smollm2 import load_steps

    yield from load_steps(device)


def fetch_smollm2():
    """Worker generator: the fetch's ``FetchStep`` records (stop iterating to cancel)."""
    from tfviz.core.lm.fetch import fetch

    yield from fetch()
