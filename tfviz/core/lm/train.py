"""Training the tiny GPT and BERT as a generator of small :class:`LMTrainStep` records.

    data = prepare_data("en")                       # tokenizer + train / validation ids
    trainer = LMTrainer(LMTrainConfig(kind="gpt"), data)
    for rec in trainer.steps():                     # stop iterating to cancel
        print(rec.step, rec.loss, rec.val_loss)
    trainer.save("gpt-en.safetensors")              # the validation-best weights

Objectives (the only other difference between the two, see ``model.py``):

* GPT: at every position, predict the next token (cross-entropy over all positions).
* BERT: hide 15 % of the tokens (80 % ``[MASK]``, 10 % a random token, 10 % unchanged) and
  predict them from both sides (cross-entropy over the hidden positions only).

AdamW, linear warm-up then cosine decay to 10 %, gradient clipping at 1.0. Seeded: the same
config on the same machine (and thread count) gives the same weights. The checkpoint kept is
the one with the lowest validation loss (the only use of the validation split).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace

import numpy as np

from tfviz.core.lm.data import (
    EVAL_MASK_SEED,
    chunks,
    eval_mask_positions,
    mask_for_training,
    random_windows,
    read_corpus,
    split_text,
    with_eot,
)
from tfviz.core.lm.tokenizer import EOT, MASK, train_tokenizer

LN2 = math.log(2)


@dataclass(frozen=True)
class LMTrainConfig:
    kind: str = "gpt"  # "gpt" or "bert"
    steps: int = 1800
    batch_size: int = 16
    context_length: int = 128
    d_model: int = 192
    n_layers: int = 4
    n_heads: int = 4
    d_ff: int = 768
    dropout: float = 0.1
    lr: float = 2e-3
    warmup: int = 100
    weight_decay: float = 0.1
    seed: int = 0
    eval_every: int = 100  # steps between validation checks
    val_windows: int = 96  # validation windows per check (fixed, spread over the split)
    sample_every: int = 0  # steps between sample texts in the records (0 = never)


@dataclass(frozen=True)
class LMData:
    """One language's tokenizer and its encoded train / validation splits."""

    lang: str
    tokenizer: object  # tfviz.core.bpe.Tokenizer
    train_ids: np.ndarray  # (N_train,) int64
    val_ids: np.ndarray  # (N_val,) int64
    train_bytes: int  # UTF-8 bytes of the training split
    val_bytes: int

    @property
    def bytes_per_token(self) -> float:
        """Validation bytes per token: turns nats per token into bits per byte."""
        return self.val_bytes / max(1, len(self.val_ids))


def prepare_data(lang: str, corpus: str | None = None, vocab_size: int = 4096, tokenizer=None) -> LMData:
    """Split the corpus (bundled when ``corpus`` is None), train the tokenizer on the training
    split (unless one is given) and encode both splits."""
    text = read_corpus(corpus, lang)
    train_text, val_text = split_text(text)
    if len(train_text) < 1000 or len(val_text) < 100:
        raise ValueError(f"corpus too small to train on: {len(text)} characters (need a few thousand)")
    tok = tokenizer if tokenizer is not None else train_tokenizer(train_text, vocab_size, name=f"lm-{lang}")
    train_ids = np.asarray(tok.encode_ordinary(train_text), dtype=np.int64)
    val_ids = np.asarray(tok.encode_ordinary(val_text), dtype=np.int64)
    return LMData(lang, tok, train_ids, val_ids, len(train_text.encode()), len(val_text.encode()))


@dataclass(frozen=True)
class LMTrainStep:
    """One optimizer step (small and frozen: safe to hand to a GUI thread)."""

    kind: str  # "gpt" or "bert"
    step: int  # optimizer steps done
    total: int  # planned steps
    loss: float  # this batch's cross-entropy, nats per predicted token
    val_loss: float | None  # validation cross-entropy when measured this step
    best: bool  # val_loss is the best so far (these weights are the ones kept)
    bytes_per_token: float  # to read losses as bits per byte
    tokens_per_s: float  # training tokens per second (mean since the start)
    lr: float
    seconds: float  # wall time so far
    sample: str | None = None  # a generation (GPT) or a fill-in (BERT), every sample_every steps
    done: bool = False

    @property
    def bits_per_byte(self) -> float:
        return self.loss / LN2 / self.bytes_per_token

    @property
    def val_bits_per_byte(self) -> float | None:
        return None if self.val_loss is None else self.val_loss / LN2 / self.bytes_per_token


def lr_at(c: LMTrainConfig, step: int) -> float:
    """Linear warm-up over ``warmup`` steps, then cosine decay to 10 % of ``lr``.

    >>> c = LMTrainConfig(lr=1.0, warmup=10, steps=110)
    >>> lr_at(c, 0), lr_at(c, 9), round(lr_at(c, 110), 3)
    (0.1, 1.0, 0.1)
    """
    if step < c.warmup:
        return c.lr * (step + 1) / c.warmup
    frac = min(1.0, (step - c.warmup) / max(1, c.steps - c.warmup))
    return c.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * frac)))


class LMTrainer:
    """Holds one model, its optimizer and data; :meth:`steps` runs the loop lazily."""

    def __init__(self, config: LMTrainConfig, data: LMData, device: str = "cpu") -> None:
        import torch

        from tfviz.core.lm.model import LMConfig, TinyLM

        self.config, self.data, self.device = config, data, device
        tok = data.tokenizer
        self.eot_id, self.mask_id = tok.special_tokens[EOT], tok.special_tokens[MASK]
        self.n_normal = len(tok.ranks)  # ordinary tokens are 0 .. n_normal - 1
        torch.manual_seed(config.seed)
        self.model_config = LMConfig(
            config.kind, tok.vocab_size, config.context_length, config.d_model,
            config.n_layers, config.n_heads, config.d_ff, config.dropout,
        )
        self.model = TinyLM(self.model_config).to(device)
        self.best_state: dict | None = None
        self.best_val: float | None = None
        self.best_step = 0
        self.last: LMTrainStep | None = None
        self._val = self._validation_batch()

    # --- batches ----------------------------------------------------------------------------
    def _validation_batch(self) -> tuple:
        """Fixed validation windows spread evenly over the split (and BERT's fixed masks)."""
        c, ids = self.config, self.data.val_ids
        w = c.context_length - 1
        pieces = [p for p in chunks(ids, w) if len(p) == w]
        if not pieces:
            raise ValueError(f"validation split too short: {len(ids)} tokens, need at least {w}")
        pick = np.linspace(0, len(pieces) - 1, num=min(c.val_windows, len(pieces))).round().astype(int)
        seqs = with_eot(np.stack([pieces[i] for i in pick]), self.eot_id)  # (N, T)
        if c.kind == "gpt":
            return seqs[:, :-1], seqs[:, 1:]  # inputs, next-token targets
        rng = np.random.default_rng(EVAL_MASK_SEED)
        inputs, targets = seqs.copy(), np.full_like(seqs, -100)
        for row in range(len(seqs)):
            pos = 1 + eval_mask_positions(w, rng)  # never the end-of-text token at 0
            targets[row, pos] = seqs[row, pos]
            inputs[row, pos] = self.mask_id
        return inputs, targets

    def _train_batch(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        c = self.config
        if c.kind == "gpt":
            seqs = with_eot(random_windows(self.data.train_ids, c.batch_size, c.context_length, rng), self.eot_id)
            return seqs[:, :-1], seqs[:, 1:]  # (B, T) inputs, (B, T) targets shifted by one
        seqs = with_eot(random_windows(self.data.train_ids, c.batch_size, c.context_length - 1, rng), self.eot_id)
        b = mask_for_training(seqs, self.mask_id, self.n_normal, rng)
        return b.inputs, b.targets

    def _loss(self, inputs: np.ndarray, targets: np.ndarray):
        import torch
        import torch.nn.functional as F

        x = torch.as_tensor(inputs, device=self.device)
        y = torch.as_tensor(targets, device=self.device)
        logits = self.model(x).logits  # (B, T, V)
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), ignore_index=-100)

    def validation_loss(self) -> float:
        """Mean cross-entropy (nats per predicted token) on the fixed validation windows."""
        import torch

        self.model.eval()
        inputs, targets = self._val
        total, count = 0.0, 0
        with torch.no_grad():
            for i in range(0, len(inputs), 32):
                n = int((targets[i : i + 32] != -100).sum())
                total += float(self._loss(inputs[i : i + 32], targets[i : i + 32])) * n
                count += n
        return total / max(1, count)

    # --- the loop -----------------------------------------------------------------------------
    def steps(self) -> Iterator[LMTrainStep]:
        import torch

        c = self.config
        rng = np.random.default_rng(c.seed)
        decay = [p for n, p in self.model.named_parameters() if p.dim() >= 2]
        no_decay = [p for n, p in self.model.named_parameters() if p.dim() < 2]
        opt = torch.optim.AdamW(
            [{"params": decay, "weight_decay": c.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
            lr=c.lr, betas=(0.9, 0.95),
        )
        start = time.perf_counter()
        tokens = 0
        for step in range(1, c.steps + 1):
            self.model.train()
            inputs, targets = self._train_batch(rng)
            lr = lr_at(c, step - 1)
            for g in opt.param_groups:
                g["lr"] = lr
            loss = self._loss(inputs, targets)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
            opt.step()
            tokens += inputs.size
            done = step == c.steps
            val, best = None, False
            if step % c.eval_every == 0 or done:
                val = self.validation_loss()
                if self.best_val is None or val < self.best_val:
                    best = True
                    self.best_val, self.best_step = val, step
                    self.best_state = {k: v.detach().clone() for k, v in self.model.state_dict().items()}
            sample = None
            if c.sample_every and (step % c.sample_every == 0 or done):
                sample = self.sample_text()
            seconds = time.perf_counter() - start
            self.last = LMTrainStep(
                c.kind, step, c.steps, loss.item(), val, best, self.data.bytes_per_token,
                tokens / max(seconds, 1e-9), lr, seconds, sample, done,
            )
            yield self.last

    # --- results ------------------------------------------------------------------------------
    def best_model(self):
        """The model with the validation-best weights (the current ones if never validated)."""
        if self.best_state is not None:
            self.model.load_state_dict(self.best_state)
        return self.model.eval()

    def sample_text(self, n_tokens: int = 24) -> str:
        """A greedy continuation (GPT) or a fill-in of a validation line (BERT), for the records."""
        from tfviz.core.lm.tiny import TinyModel

        m = TinyModel(self.model, self.data.tokenizer, f"{self.config.kind}-{self.data.lang}", self.device)
        was_training = self.model.training
        try:
            if self.config.kind == "gpt":
                from tfviz.core.lm.sampling import Sampling

                steps = m.generate([], n_tokens, Sampling(temperature=0))
                return m.decode([s.token_id for s in steps])
            seq = self.data.val_ids[: min(16, self.config.context_length - 1)].tolist()
            seq[len(seq) // 2] = self.mask_id
            filled = m.fill_ids(seq)
            seq[len(seq) // 2] = filled[0].top[0].id
            return m.decode(seq)
        finally:
            self.model.train(was_training)

    def info(self) -> dict:
        """Facts stored in the weights file's metadata."""
        import torch

        from tfviz.core.checkpoint import count_parameters

        out = {
            "train_config": asdict(self.config),
            "lang": self.data.lang,
            "parameters": count_parameters(self.model),
            "train_tokens": int(len(self.data.train_ids)),
            "val_tokens": int(len(self.data.val_ids)),
            "best_step": self.best_step,
            "best_val_loss": self.best_val,
            "torch": torch.__version__,
            "device": self.device,
        }
        if self.last is not None:
            out.update(steps=self.last.step, seconds=round(self.last.seconds, 1),
                       tokens_per_s=round(self.last.tokens_per_s, 1))
        return out

    def save(self, path) -> None:
        """Write the validation-best weights (float16) with their config and training facts."""
        from tfviz.core.lm.weights import save_model

        save_model(self.best_model(), self.data.tokenizer, path, self.info())


def train_side_by_side(gpt: LMTrainer, bert: LMTrainer) -> Iterator[LMTrainStep]:
    """Both models one step each in turn (same data, same tokenizer): what the Train tab shows.

    The records say which model they belong to (``kind``). Stop iterating to cancel both.
    """
    a, b = gpt.steps(), bert.steps()
    live = [a, b]
    while live:
        for it in list(live):
            try:
                yield next(it)
            except StopIteration:
                live.remove(it)


# Steps of the shipped models: about 20 minutes each on one CPU thread. The Chinese corpus is
# a third of the English one, so fewer passes are needed before validation loss stops falling.
DEFAULT_STEPS = {"en": 1800, "zh": 1200}


def default_config(kind: str, lang: str = "en", **overrides) -> LMTrainConfig:
    return replace(LMTrainConfig(kind=kind, steps=DEFAULT_STEPS.get(lang, 1800)), **overrides)
