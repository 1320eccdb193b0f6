"""SmolLM2-135M-Instruct: a real small LLM, read from its GGUF file and run by ``llama.py``.

What the CLI and the GUI hold is a :class:`SmolLM2` (a ``CausalLM``): ids are lists,
distributions and attention are numpy arrays, steps are small frozen records. Loading is a
generator so a window can show progress and stay responsive::

    for item in load_steps("cpu"):          # LoadStep records, then one Loaded
        if isinstance(item, Loaded):
            model = item.model              # item.memory_bytes: what the weights take

    ids = model.chat_ids([Message("user", "What is the capital of France?")])
    for step in model.generate(ids, 40, Sampling(temperature=0)):   # SmolGenStep records
        print(step.token, end="")

:meth:`SmolLM2.attention` gives ``(L, H, T, T)`` weights; query head ``h`` shares the key/value
head :meth:`SmolLM2.kv_head_of` ``(h)``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tfviz.core.lm.base import BadInput, GenStep, TopToken, display_bytes
from tfviz.core.lm.fetch import find_gguf, verify_gguf
from tfviz.core.lm.gguf_file import LlamaConfig, ReadStep, read_steps
from tfviz.core.lm.llama_tokenizer import END_OF_TEXT, IM_END, Message, chat_ids, from_gguf
from tfviz.core.lm.sampling import Sampling, sample, shape_probs, top_tokens

NAME = "smollm2"
TOP_N = 10


@dataclass(frozen=True)
class SmolGenStep(GenStep):
    """A :class:`GenStep` plus, when asked, the attention that produced the token: ``(L, H, S)``,
    the row of the last position over all S = ``position`` earlier ones."""

    attention: np.ndarray | None = None


@dataclass(frozen=True)
class LoadStep:
    """Progress of :func:`load_steps`: ``stage`` is ``find``, ``check``, ``read``, ``tokenizer``
    or ``build``; ``done`` of ``total`` (tensors while reading)."""

    stage: str
    message: str
    done: int = 0
    total: int = 0
    seconds: float = 0.0  # since the load began


@dataclass(frozen=True)
class Loaded:
    """The last item of :func:`load_steps`."""

    model: SmolLM2
    seconds: float
    memory_bytes: int  # the weights on the device (float32, the tied matrix counted once)


def format_bytes(n: int) -> str:
    """Memory for people: ``format_bytes(538_340_352)`` -> ``'513 MiB'``.

    >>> format_bytes(538_340_352), format_bytes(2048), format_bytes(3 * 2**30)
    ('513 MiB', '2 KiB', '3.0 GiB')
    """
    if n >= 2**30:
        return f"{n / 2**30:.1f} GiB"
    if n >= 2**20:
        return f"{n / 2**20:.0f} MiB"
    return f"{n / 2**10:.0f} KiB"


class SmolLM2:
    """The decoder, its tokenizer and the chat template."""

    name = NAME

    def __init__(self, net, tokenizer, config: LlamaConfig, path: Path, device: str = "cpu") -> None:
        self.net, self.tok, self.config, self.path, self.device = net, tokenizer, config, path, device
        self.context_length = config.context_length
        self.eot_id = tokenizer.special_tokens[END_OF_TEXT]  # 0
        self.end_id = tokenizer.special_tokens[IM_END]  # 2, ends an assistant turn
        self.stop_ids = frozenset({self.eot_id, self.end_id})
        self.chat_template = ""  # the Jinja template stored in the GGUF, for display
        self.metadata: dict[str, object] = {}  # the GGUF's scalar metadata, for display

    # --- text <-> ids ----------------------------------------------------------------------------
    def encode(self, text: str) -> list[int]:
        """Ids of ``text``; special-token text such as ``<|im_start|>`` becomes that token."""
        return self.tok.encode(text, allowed_special="all")

    def decode(self, ids: Sequence[int]) -> str:
        return self.tok.decode([int(i) for i in ids])

    def token_str(self, token_id: int) -> str:
        """``' Paris'``, ``'<E6 88>'`` for part of a character, ``'<|im_end|>'``."""
        if token_id in self.tok.special_tokens.values():
            return self.tok.id_to_bytes[token_id].decode("utf-8")
        return display_bytes(self.tok.token_bytes(token_id))

    def model_tokens(self, ids: Sequence[int]) -> list[str]:
        """Labels of the positions :meth:`attention` returns."""
        return [self.token_str(int(i)) for i in self._context(ids)]

    def chat_ids(self, messages: Sequence[Message], add_generation_prompt: bool = True) -> list[int]:
        """The ChatML prompt (system message, turns, ``<|im_start|>assistant``)."""
        return chat_ids(self.tok, messages, add_generation_prompt)

    def kv_head_of(self, head: int) -> int:
        """The key/value head query head ``head`` shares (0-2 -> 0, 3-5 -> 1, 6-8 -> 2)."""
        if not 0 <= head < self.config.n_heads:
            raise ValueError(f"head {head} out of range 0..{self.config.n_heads - 1}")
        return head // self.config.group_size

    def memory_bytes(self) -> int:
        """Bytes of the weights and buffers (a tensor shared by two modules counted once)."""
        seen: dict[int, int] = {}
        for t in [*self.net.parameters(), *self.net.buffers()]:
            seen[t.data_ptr()] = t.numel() * t.element_size()
        return sum(seen.values())

    # --- running the network -------------------------------------------------------------------
    def _context(self, ids: Sequence[int]) -> list[int]:
        """The ids the network reads: ``ids``, or the end-of-text token alone for an empty prompt."""
        ids = [int(i) for i in ids] or [self.eot_id]
        if len(ids) > self.context_length:
            raise BadInput(
                f"the prompt has {len(ids):,} tokens; SmolLM2 reads at most {self.context_length:,} "
                f"(its context); shorten it"
            )
        bad = [i for i in ids if not 0 <= i < self.config.vocab_size]
        if bad:
            raise BadInput(f"token id {bad[0]} is outside SmolLM2's vocabulary (0..{self.config.vocab_size - 1})")
        return ids

    def _tensor(self, ids: Sequence[int]):
        import torch

        return torch.tensor([list(ids)], dtype=torch.long, device=self.device)  # (1, T)

    def next_logits(self, ids: Sequence[int]) -> np.ndarray:
        """``(V,)`` float32 logits of the token after ``ids``."""
        import torch

        with torch.inference_mode():
            out = self.net(self._tensor(self._context(ids)), last_only=True)
        return out.logits[0, -1].float().cpu().numpy()  # (V,)

    def position_logits(self, ids: Sequence[int]) -> np.ndarray:
        """``(T, V)``: row i = logits of the token after ``ids[:i + 1]`` (one forward pass)."""
        import torch

        with torch.inference_mode():
            out = self.net(self._tensor(self._context(ids)))
        return out.logits[0].float().cpu().numpy()  # (T, V)

    def next_top(self, ids: Sequence[int], sampling: Sampling = Sampling(), n: int = TOP_N) -> tuple[TopToken, ...]:
        return self._tops(shape_probs(self.next_logits(ids), sampling), n)

    def _tops(self, probs: np.ndarray, n: int = TOP_N) -> tuple[TopToken, ...]:
        return tuple(TopToken(i, self.token_str(i), p) for i, p in top_tokens(probs, n))

    def attention(self, ids: Sequence[int]) -> np.ndarray:
        """``(L, H, T, T)`` post-softmax weights, lower-triangular (causal); 30 layers, 9 heads."""
        import torch

        with torch.inference_mode():
            out = self.net(self._tensor(self._context(ids)), last_only=True, keep_attention=True)
        return torch.stack([w[0] for w in out.attention]).float().cpu().numpy()  # (L, H, T, T)

    def generate(
        self,
        ids: Sequence[int],
        max_new_tokens: int,
        sampling: Sampling,
        seed: int = 0,
        use_cache: bool = True,
        *,
        keep_attention: bool = False,
        stop_at_end: bool = True,
    ) -> Iterator[SmolGenStep]:
        """One :class:`SmolGenStep` per new token (stop iterating to stop).

        With ``use_cache`` each step feeds only the new token and reuses the cached keys and
        values; without it every step recomputes all positions. Generation ends after
        ``<|im_end|>`` or ``<|endoftext|>`` (``stop_at_end``) or when the context is full.
        """
        import torch

        from tfviz.core.lm.llama import KVCache

        full = self._context(ids)
        if len(full) >= self.context_length:
            raise BadInput(f"the prompt fills SmolLM2's whole context ({self.context_length:,} tokens); shorten it")
        rng = np.random.default_rng(seed)
        cache = KVCache.empty(self.config.n_layers)
        fed = 0  # positions already in the cache
        for _ in range(max_new_tokens):
            if len(full) >= self.context_length:
                return
            t0 = time.perf_counter()
            if not use_cache:
                cache, fed = KVCache.empty(self.config.n_layers), 0
            with torch.inference_mode():
                out = self.net(self._tensor(full[fed:]), cache, last_only=True, keep_attention=keep_attention)
            fed = len(full)
            logits = out.logits[0, -1].float().cpu().numpy()  # (V,)
            probs = shape_probs(logits, sampling)
            token = sample(probs, rng)
            rows = None
            if keep_attention:
                rows = torch.stack([w[0, :, -1] for w in out.attention]).float().cpu().numpy()  # (L, H, S)
            full.append(token)
            yield SmolGenStep(
                len(full) - 1, token, self.token_str(token), self._tops(probs), time.perf_counter() - t0, rows
            )
            if stop_at_end and token in self.stop_ids:
                return

    def chat(
        self, messages: Sequence[Message], max_new_tokens: int = 256, sampling: Sampling = Sampling(temperature=0),
        seed: int = 0,
    ) -> Iterator[SmolGenStep]:
        """The assistant's answer to ``messages``, token by token (ends at ``<|im_end|>``)."""
        return self.generate(self.chat_ids(messages), max_new_tokens, sampling, seed)


# --- loading ------------------------------------------------------------------------------------
def load_steps(device: str = "cpu", path: Path | None = None) -> Iterator[LoadStep | Loaded]:
    """Find, check and read the GGUF, build the decoder on ``device``: progress, then :class:`Loaded`.

    Raises ``ModelNotAvailable`` (no file; the message says what to run) or ``WeightsError``
    (missing, truncated or altered file; the message names it and the expected SHA-256).
    """
    from tfviz.core.device import resolve
    from tfviz.core.lm.llama import build_decoder

    t0 = time.perf_counter()
    since = lambda: time.perf_counter() - t0  # noqa: E731
    device = resolve(device)  # "auto" -> the best device; an absent one -> DeviceError
    path = Path(path) if path is not None else find_gguf()
    yield LoadStep("find", f"using {path}", seconds=since())
    verify_gguf(path)
    yield LoadStep("check", "SHA-256 matches", seconds=since())
    reading = read_steps(path)
    while True:
        try:
            step: ReadStep = next(reading)
        except StopIteration as stop:
            contents = stop.value
            break
        yield LoadStep("read", step.name, step.done, step.total, since())
    tok = from_gguf(contents.tokenizer)
    yield LoadStep("tokenizer", f"{len(tok.ranks):,} tokens, {len(contents.tokenizer.merges):,} merges", seconds=since())
    net = build_decoder(contents.tensors, contents.config, device)
    model = SmolLM2(net, tok, contents.config, path, device)
    model.chat_template = contents.tokenizer.chat_template
    model.metadata = contents.metadata
    yield LoadStep("build", f"decoder on {device}", seconds=since())
    yield Loaded(model, since(), model.memory_bytes())


def load(device: str = "cpu", path: Path | None = None) -> SmolLM2:
    """:func:`load_steps` without the progress records (the registry calls this)."""
    for item in load_steps(device, path):
        if isinstance(item, Loaded):
            return item.model
    raise RuntimeError("load_steps ended without a model")  # not reached
