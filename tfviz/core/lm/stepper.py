"""Generation one token at a time, for a window that samples by itself between steps.

:meth:`TinyModel.generate` samples with knobs fixed when it starts. A panel lets a learner
change temperature, top-k and top-p *between* steps, so it samples itself and only asks the
model for the next distribution. :class:`Stepper` answers that with the KV cache: when the
ids asked for are the previous ones plus one token, only that token is run through the
network and the keys and values of all earlier positions are reused; anything else (a new
prompt, a window that slid) is recomputed from scratch. Each answer is a :class:`StepView`
with the causal attention of every layer and head, grown by one row per step.

Works with the tiny GPT (``tiny.TinyModel``, which reads an end-of-text token first) and with
SmolLM2 (``smollm2.SmolLM2``).

>>> import torch
>>> from tfviz.core.lm.model import LMConfig, TinyLM
>>> from tfviz.core.lm.tiny import TinyModel
>>> from tfviz.core.lm.tokenizer import train_tokenizer
>>> tok = train_tokenizer("to be or not to be " * 50, 270)
>>> _ = torch.manual_seed(0)
>>> m = TinyModel(TinyLM(LMConfig("gpt", tok.vocab_size, 16, 16, 1, 2, 32)).eval(), tok, "demo")
>>> s = Stepper(m)
>>> ids = m.encode("to be")
>>> v = s.view(ids)
>>> v.attention.shape, v.reused, v.new            # end-of-text + 2 tokens, all computed
((1, 2, 3, 3), 0, 3)
>>> v = s.view(ids + [int(v.logits.argmax())])
>>> v.attention.shape, v.reused, v.new            # one row more; 3 positions from the cache
((1, 2, 4, 4), 3, 1)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class StepView:
    """What a generation step shows: the next distribution and how it was computed."""

    ids: tuple[int, ...]      # the ids asked about (the caller's list)
    labels: tuple[str, ...]   # one per position the network read (rows / columns of attention)
    logits: np.ndarray        # (V,) float32 logits of the token after ``ids``
    attention: np.ndarray     # (L, H, T, T) causal weights of the T positions read
    reused: int               # positions whose keys and values came from the cache
    new: int                  # positions computed by this step (1 when the cache was used)
    window_start: int = 0     # index in ``ids`` of the first id read (tiny GPT: context full)


class Stepper:
    """Keeps one KV cache and the attention so far; :meth:`view` reuses them when it can."""

    def __init__(self, model) -> None:
        self.model = model
        self.smol = hasattr(model, "kv_head_of")  # SmolLM2 (else a tiny GPT)
        self._seq: list[int] | None = None  # the positions in the cache
        self._cache = None
        self._attention: np.ndarray | None = None  # (L, H, T, T)
        self._last: StepView | None = None

    def reset(self) -> None:
        self._seq, self._cache, self._attention, self._last = None, None, None, None

    def _read(self, ids: list[int]) -> tuple[list[int], int]:
        """The positions the network reads for ``ids`` and the index of the first id kept."""
        m = self.model
        if self.smol:
            return m._context(ids), 0
        seq = m._window(ids)
        return seq, m.windowed

    def view(self, ids: Sequence[int]) -> StepView:
        import torch

        ids = [int(i) for i in ids]
        seq, start = self._read(ids)
        if self._last is not None and seq == self._seq:
            return self._last
        grow = self._seq is not None and len(seq) == len(self._seq) + 1 and seq[:-1] == self._seq
        with torch.inference_mode():
            logits, rows = self._run(seq[-1:] if grow else seq, grow)  # rows (L, H, T_new, S)
        if grow:
            t = len(seq)
            att = np.zeros(rows.shape[:2] + (t, t), np.float32)  # (L, H, T, T)
            att[:, :, : t - 1, : t - 1] = self._attention
            att[:, :, t - 1 :, :] = rows
            reused, new = len(self._seq), 1
        else:
            att, reused, new = rows, 0, len(seq)
        self._seq, self._attention = seq, att
        labels = tuple(self.model.token_str(i) for i in seq)
        self._last = StepView(tuple(ids), labels, logits, att, reused, new, start)
        return self._last

    def _run(self, new_ids: list[int], grow: bool) -> tuple[np.ndarray, np.ndarray]:
        """Run ``new_ids`` after the cached positions (or from nothing): logits, attention rows."""
        m = self.model
        x = m._tensor(new_ids) if self.smol else _tensor(new_ids, m.device)
        if self.smol:
            from tfviz.core.lm.llama import KVCache

            if not grow:
                self._cache = KVCache.empty(m.config.n_layers)
            out = m.net(x, self._cache, last_only=True, keep_attention=True)  # the cache grows in place
            rows = [w[0] for w in out.attention]  # per layer (H, T_new, S)
        else:
            out = m.net(x, self._cache if grow else None)
            self._cache = out.cache
            rows = [t.weights[0] for t in out.traces]  # per layer (H, T_new, S)
        logits = out.logits[0, -1].float().cpu().numpy()  # (V,)
        return logits, np.stack([r.float().cpu().numpy() for r in rows])  # (L, H, T_new, S)


def _tensor(ids: list[int], device: str):
    import torch

    return torch.tensor([ids], dtype=torch.long, device=device)  # (1, T)
