"""The tiny GPT / BERT with its tokenizer: text in, predictions and attention out.

:class:`TinyModel` is what the CLI and the GUI hold. It never shows torch tensors: ids are
lists, distributions and attention are numpy arrays, steps are small frozen records.

The model always reads the end-of-text token first (as in training, see ``data.py``): the ids
a caller passes are the text's ids, and position 0 of :meth:`attention` is that token.
Text longer than the context is windowed: the last ``context_length - 1`` ids are used and
:attr:`TinyModel.windowed` says how many were left out (the CLI prints a notice).

An untrained model, to show the shapes:

>>> import torch
>>> from tfviz.core.lm.model import LMConfig, TinyLM
>>> from tfviz.core.lm.tokenizer import train_tokenizer
>>> tok = train_tokenizer("to be or not to be " * 50, 270)
>>> _ = torch.manual_seed(0)
>>> m = TinyModel(TinyLM(LMConfig("gpt", tok.vocab_size, 16, 16, 1, 2, 32)).eval(), tok, "demo")
>>> ids = m.encode("to be")
>>> m.model_tokens(ids)
['<|endoftext|>', 'to', ' be']
>>> m.attention(ids).shape                     # (L, H, 1 + T, 1 + T)
(1, 2, 3, 3)
>>> step = next(m.generate(ids, 1, Sampling(temperature=0)))
>>> step.position, step.reused, step.new       # the prompt was computed, nothing cached yet
(2, 0, 3)
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from tfviz.core.lm.base import BadInput, GenStep, ModelNotAvailable, TopToken, display_bytes
from tfviz.core.lm.sampling import Sampling, sample, shape_probs, softmax, top_tokens
from tfviz.core.lm.tokenizer import EOT, MASK, PAD

TOP_N = 10


@dataclass(frozen=True)
class CachedGenStep(GenStep):
    """A :class:`GenStep` plus what the KV cache did, for drawing it.

    The step computed keys and values for ``new`` positions and reused ``reused`` cached ones;
    normally ``new == 1``. Without a cache every position is recomputed (``reused == 0``).
    When the context is full the window slides: the oldest half is dropped and the rest is
    recomputed once (``window_start`` = index, in the full id list, of the first id still seen).
    """

    reused: int = 0
    new: int = 0
    window_start: int = 0


@dataclass(frozen=True)
class Fill:
    """BERT's guesses for one ``[MASK]``: ``position`` in the caller's id list."""

    position: int
    top: tuple[TopToken, ...]


class TinyModel:
    """A trained :class:`~tfviz.core.lm.model.TinyLM` and its tokenizer (a ``CausalLM`` for GPT)."""

    def __init__(self, net, tokenizer, name: str, device: str = "cpu") -> None:
        self.net, self.tok, self.name, self.device = net, tokenizer, name, device
        self.kind = net.cfg.kind
        self.context_length = net.cfg.context_length
        self.eot_id = tokenizer.special_tokens[EOT]
        self.mask_id = tokenizer.special_tokens[MASK]
        self.pad_id = tokenizer.special_tokens[PAD]
        self.windowed = 0  # ids left out of the last call because of the context
        self.info: dict = {}  # training facts from the weights file (steps, seconds, ...)

    # --- text <-> ids --------------------------------------------------------------------------
    def encode(self, text: str) -> list[int]:
        """Ids of ``text``; ``[MASK]`` becomes the mask token (refused for a GPT)."""
        if MASK in text and self.kind == "gpt":
            raise BadInput(f"{self.name} is a GPT: it predicts the next token and cannot fill [MASK]; "
                           "remove [MASK] or use a BERT model")
        return self.tok.encode(text, allowed_special={MASK, EOT}, disallowed_special=())

    def decode(self, ids: Sequence[int]) -> str:
        return self.tok.decode(list(ids))

    def token_str(self, token_id: int) -> str:
        """Display text of one token: ``'我'``, ``'<E6 88>'`` for part of a character, ``'[MASK]'``."""
        if token_id in self.tok.special_tokens.values():
            return self.tok.id_to_bytes[token_id].decode("utf-8")
        return display_bytes(self.tok.token_bytes(token_id))

    def _tops(self, probs: np.ndarray, n: int = TOP_N) -> tuple[TopToken, ...]:
        return tuple(TopToken(i, self.token_str(i), p) for i, p in top_tokens(probs, n))

    # --- running the network ----------------------------------------------------------------------
    def _window(self, ids: Sequence[int]) -> list[int]:
        """``[EOT] + ids``, keeping only the last ``context_length - 1`` ids."""
        ids = [int(i) for i in ids]
        keep = self.context_length - 1
        self.windowed = max(0, len(ids) - keep)
        return [self.eot_id] + ids[self.windowed :]

    def _forward(self, seq: Sequence[int], past=None):
        import torch

        x = torch.tensor([list(seq)], dtype=torch.long, device=self.device)  # (1, T)
        with torch.no_grad():
            return self.net(x, past)

    def position_probs(self, ids: Sequence[int]) -> np.ndarray:
        """GPT: ``(T, V)`` row i = the distribution of token i given ids[:i] only (the left side).

        One forward pass gives every row (the causal mask is what makes that honest). For text
        longer than the context, row i is about ``ids[self.windowed + i]``.
        """
        self._need("gpt")
        if len(ids) == 0:
            return np.zeros((0, self.net.cfg.vocab_size))
        out = self._forward(self._window(ids)[:-1])  # the last id predicts nothing asked here
        logits = out.logits[0].float().cpu().numpy()  # (T, V)
        return np.stack([softmax(row) for row in logits])

    def next_logits(self, ids: Sequence[int]) -> np.ndarray:
        """GPT: ``(V,)`` float32 logits of the token after ``ids``."""
        self._need("gpt")
        out = self._forward(self._window(ids))
        return out.logits[0, -1].float().cpu().numpy()  # (V,)

    def next_top(self, ids: Sequence[int], sampling: Sampling = Sampling(), n: int = TOP_N) -> tuple[TopToken, ...]:
        return self._tops(shape_probs(self.next_logits(ids), sampling), n)

    def fill_ids(self, ids: Sequence[int], n: int = TOP_N) -> list[Fill]:
        """BERT: the top guesses at every mask token in ``ids``, from both sides at once."""
        self._need("bert")
        ids = [int(i) for i in ids]
        spots = [i for i, t in enumerate(ids) if t == self.mask_id]
        if not spots:
            raise BadInput("no [MASK] in the text: put [MASK] where BERT should guess")
        if len(ids) > self.context_length - 1:
            raise BadInput(f"text of {len(ids)} tokens is longer than the context of {self.name} "
                           f"({self.context_length - 1} tokens); shorten it")
        logits = self._forward([self.eot_id] + ids).logits[0].float().cpu().numpy()  # (1 + T, V)
        logits[:, sorted(self.tok.special_tokens.values())] = -np.inf  # a blank is filled with text
        return [Fill(p, self._tops(softmax(logits[p + 1]), n)) for p in spots]

    def mask_each(self, ids: Sequence[int]) -> np.ndarray:
        """BERT: ``(T, V)`` row i = the guesses for token i when only token i is ``[MASK]`` ed.

        The BERT twin of :meth:`position_probs`: T masked copies of the text in one batched
        pass, each seeing both sides of its blank. Special tokens get probability 0.
        """
        self._need("bert")
        import torch

        ids = [int(i) for i in ids]
        if not ids:
            return np.zeros((0, self.net.cfg.vocab_size))
        if len(ids) > self.context_length - 1:
            raise BadInput(f"text of {len(ids)} tokens is longer than the context of {self.name} "
                           f"({self.context_length - 1} tokens); shorten it")
        t = len(ids)
        batch = np.tile(np.asarray([self.eot_id] + ids, dtype=np.int64), (t, 1))  # (T, 1 + T)
        rows = np.arange(t)
        batch[rows, rows + 1] = self.mask_id  # copy i hides token i
        x = torch.as_tensor(batch, device=self.device)
        with torch.no_grad():
            logits = self.net(x).logits[rows, rows + 1].float().cpu().numpy()  # (T, V)
        logits[:, sorted(self.tok.special_tokens.values())] = -np.inf
        return np.stack([softmax(row) for row in logits])

    def fill(self, text: str, n: int = TOP_N) -> list[Fill]:
        return self.fill_ids(self.encode(text), n)

    def attention(self, ids: Sequence[int]) -> np.ndarray:
        """``(L, H, T, T)`` attention weights, T = 1 + len(ids) (position 0 = end-of-text token).

        A GPT's matrices are lower-triangular (causal); a BERT's are full.
        """
        out = self._forward(self._window(ids))
        return np.stack([t.weights[0].float().cpu().numpy() for t in out.traces])  # (L, H, T, T)

    def model_tokens(self, ids: Sequence[int]) -> list[str]:
        """Labels of the positions :meth:`attention` returns (end-of-text token first)."""
        return [self.token_str(i) for i in self._window(ids)]

    # --- generation -----------------------------------------------------------------------------
    def generate(
        self, ids: Sequence[int], max_new_tokens: int, sampling: Sampling, seed: int = 0, use_cache: bool = True
    ) -> Iterator[CachedGenStep]:
        """GPT: one :class:`CachedGenStep` per new token (stop iterating to stop).

        With ``use_cache`` each step runs the network on the one new token and reuses the keys
        and values of all earlier positions (the KV cache): the time per token does not grow
        with the length. Without it every step recomputes the whole window.
        """
        self._need("gpt")
        rng = np.random.default_rng(seed)
        full = [int(i) for i in ids]
        cache, cached_len, start = None, 0, 0
        keep = self.context_length - 1
        for _ in range(max_new_tokens):
            t0 = time.perf_counter()
            if len(full) - start > keep:  # context full: slide the window by half a context
                start = len(full) - keep // 2
                cache = None
            window = [self.eot_id] + full[start:]
            if use_cache and cache is not None:
                out = self._forward(window[cached_len:], cache)  # only the new position(s)
                reused, new = cached_len, len(window) - cached_len
            else:
                out = self._forward(window)
                reused, new = 0, len(window)
            if use_cache:
                cache, cached_len = out.cache, len(window)
            logits = out.logits[0, -1].float().cpu().numpy()  # (V,)
            probs = shape_probs(logits, sampling)
            token = sample(probs, rng)
            full.append(token)
            yield CachedGenStep(
                len(full) - 1, token, self.token_str(token), self._tops(probs),
                time.perf_counter() - t0, reused, new, start,
            )

    def fill_generate(self, ids: Sequence[int], max_new_tokens: int) -> Iterator[GenStep]:
        """BERT "generating": append ``[MASK]``, take its top guess, repeat.

        It fails in an instructive way: BERT never learnt to guess a token with nothing to its
        right, so the words it appends are poor and repeat.
        """
        self._need("bert")
        full = [int(i) for i in ids]
        for _ in range(max_new_tokens):
            t0 = time.perf_counter()
            window = full[-(self.context_length - 2):] if len(full) > self.context_length - 2 else full
            fill = self.fill_ids(window + [self.mask_id], TOP_N)[-1]
            token = fill.top[0].id
            full.append(token)
            yield GenStep(len(full) - 1, token, self.token_str(token), fill.top, time.perf_counter() - t0)

    def _need(self, kind: str) -> None:
        if self.kind != kind:
            what = "predicts masked tokens (use fill)" if self.kind == "bert" else "predicts the next token"
            raise BadInput(f"{self.name} is a {self.kind.upper()}: it {what}; this needs a {kind.upper()} model")


def load_dir(folder, kind: str, lang: str, device: str = "cpu") -> TinyModel:
    """The model ``<kind>-<lang>`` from a folder of weights (see ``weights.py``)."""
    from pathlib import Path

    from tfviz.core.lm.weights import load_model, load_tokenizer, tokenizer_name, weights_name

    folder = Path(folder)
    path = folder / weights_name(kind, lang)
    if not path.is_file():
        raise ModelNotAvailable(f"{path}: no such file; train it with `tfviz lm train --model {kind} --lang {lang}`")
    tok = load_tokenizer(folder / tokenizer_name(lang))
    net, _info = load_model(path, tok, device)
    if net.cfg.kind != kind:
        from tfviz.core.lm.base import WeightsError

        raise WeightsError(f"{path}: holds a {net.cfg.kind} model, not a {kind}")
    model = TinyModel(net, tok, f"{kind}-{lang}", device)
    model.info = _info
    return model


def load_shipped(name: str, device: str = "cpu") -> TinyModel:
    """One of the four shipped models: ``gpt-en``, ``bert-en``, ``gpt-zh``, ``bert-zh``."""
    from tfviz.core.lm.weights import shipped_dir

    kind, lang = name.split("-")
    return load_dir(shipped_dir(), kind, lang, device)
