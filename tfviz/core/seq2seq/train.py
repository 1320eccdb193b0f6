"""Training as a generator of :class:`TrainStep` records.

    trainer = Trainer(TrainConfig(task="dates", kind="transformer"))
    for rec in trainer.steps():      # stop iterating to cancel
        print(rec.step, rec.loss)
    trainer.save("dates-transformer.safetensors")

Everything is seeded (``torch.manual_seed`` and the task's sampler), so the same config on
the same machine gives the same weights. Teacher forcing: the decoder is fed the right
answer so far and learns the next character (cross-entropy, padding ignored).
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace

import torch
from torch import nn

from tfviz.core.seq2seq.data import make_batch
from tfviz.core.seq2seq.evaluate import exact_match
from tfviz.core.seq2seq.models import build, count_parameters, save
from tfviz.core.seq2seq.tasks import REVERSE_TRAIN_MAX, get_task
from tfviz.core.seq2seq.vocab import PAD


@dataclass(frozen=True)
class TrainConfig:
    task: str = "dates"
    kind: str = "transformer"
    steps: int = 3000  # upper bound on optimizer steps
    batch_size: int = 128
    lr: float = 2e-3
    warmup: int = 200
    seed: int = 0
    eval_every: int = 250  # steps between validation checks
    target: float | None = None  # stop early once validation exact match reaches this
    val_size: int = 500

    def __post_init__(self) -> None:
        for name in ("steps", "batch_size", "eval_every", "val_size"):
            v = getattr(self, name)
            if type(v) is not int or v < 1:
                raise ValueError(f"{name} must be a whole number of at least 1, got {v!r}")
        if type(self.warmup) is not int or self.warmup < 0:
            raise ValueError(f"warmup must be a whole number of at least 0, got {self.warmup!r}")
        if not 0 < self.lr < 1:
            raise ValueError(f"lr must be between 0 and 1, got {self.lr!r}")


# Tuned so each shipped model trains in minutes on a 2-core CPU.
DEFAULTS: dict[tuple[str, str], dict] = {
    ("dates", "rnn"): dict(steps=4000),
    ("dates", "rnn-attn"): dict(steps=4000, target=0.999),
    ("dates", "transformer"): dict(steps=4000, target=1.0, val_size=2000),  # its errors are rare: a stricter check
    ("reverse", "rnn"): dict(steps=4000, batch_size=64),
    ("reverse", "rnn-attn"): dict(steps=4000, batch_size=64, target=0.995),
    ("reverse", "transformer"): dict(steps=4000, batch_size=64, target=0.995),
}


def default_config(task: str, kind: str, **overrides) -> TrainConfig:
    """The shipped recipe for ``kind`` on ``task``, with ``overrides`` applied (and checked).

    >>> default_config("reverse", "rnn").batch_size
    64
    >>> default_config("dates", "rnn", steps=-5)
    Traceback (most recent call last):
    ...
    ValueError: steps must be a whole number of at least 1, got -5
    """
    return replace(TrainConfig(task=task, kind=kind), **{**DEFAULTS.get((task, kind), {}), **overrides})


@dataclass(frozen=True)
class TrainStep:
    step: int  # optimizer steps done
    total: int  # planned steps
    loss: float  # cross-entropy of this batch
    accuracy: float  # per-character accuracy of this batch (teacher forced)
    val_exact: float | None  # exact match on the validation set, when it was measured
    seconds: float  # wall time so far
    done: bool = False

    @property
    def progress(self) -> float:
        return self.step / max(1, self.total)


def validation_set(config: TrainConfig) -> list[tuple[str, str]]:
    """A validation set drawn with another seed than the held-out test set, within training lengths."""
    task = get_task(config.task)
    if config.task == "dates":
        return task.heldout(n_per_group=config.val_size, seed=config.seed + 1)
    pairs = [(x, y) for x, y in task.heldout(n_per_group=8, seed=config.seed + 1) if len(x) <= REVERSE_TRAIN_MAX]
    return random.Random(config.seed).sample(pairs, min(config.val_size, len(pairs)))


class Trainer:
    """Holds the model and optimizer; :meth:`steps` runs the loop lazily."""

    def __init__(self, config: TrainConfig, device: str = "cpu") -> None:
        self.config = config
        self.task = get_task(config.task)
        self.device = device
        torch.manual_seed(config.seed)
        self.model = build(config.kind, config.task).to(device)
        self.val = validation_set(config)
        self.last: TrainStep | None = None

    def lr_at(self, step: int) -> float:
        """Linear warm-up, then cosine decay to 10 %."""
        c = self.config
        if step < c.warmup:
            return c.lr * (step + 1) / c.warmup
        frac = (step - c.warmup) / max(1, c.steps - c.warmup)
        return c.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, frac))))

    def steps(self) -> Iterator[TrainStep]:
        c = self.config
        draw = self.task.train_sampler(seed=c.seed)
        opt = torch.optim.AdamW(self.model.parameters(), lr=c.lr, weight_decay=0.01)
        loss_fn = nn.CrossEntropyLoss(ignore_index=PAD)
        start = time.perf_counter()
        for step in range(1, c.steps + 1):
            self.model.train()
            b = make_batch(self.task, [draw() for _ in range(c.batch_size)])
            src, lengths = b.src.to(self.device), b.lengths.to(self.device)
            tgt_in, tgt_out = b.tgt_in.to(self.device), b.tgt_out.to(self.device)
            logits = self.model(src, lengths, tgt_in)  # (B, T, V)
            loss = loss_fn(logits.reshape(-1, logits.shape[-1]), tgt_out.reshape(-1))
            for g in opt.param_groups:
                g["lr"] = self.lr_at(step - 1)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
            opt.step()
            real = tgt_out != PAD
            acc = float(((logits.argmax(-1) == tgt_out) & real).sum() / real.sum())
            val = None
            last = step == c.steps
            if step % c.eval_every == 0 or last:
                val = exact_match(self.model, self.task, self.val)
                last = last or (c.target is not None and val >= c.target)
            self.last = TrainStep(step, c.steps, loss.item(), acc, val, time.perf_counter() - start, last)
            yield self.last
            if last:
                return

    def info(self) -> dict:
        """Facts stored in the weights file's metadata."""
        out = {"config": asdict(self.config), "parameters": count_parameters(self.model)}
        if self.last is not None:
            out.update(steps=self.last.step, seconds=round(self.last.seconds, 1), torch=torch.__version__)
        return out

    def save(self, path) -> None:
        save(self.model, path, self.config.task, self.info())
