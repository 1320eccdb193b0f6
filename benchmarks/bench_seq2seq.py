"""Speed of the encoder-decoder area, with ratios against torch's own nn.Transformer.

    python benchmarks/bench_seq2seq.py [--threads 2] [--repeat 20]

Measures, in one run:
1. one training step (forward + backward, batch 128 dates) of tfviz's Transformer, written out
   with explicit attention weights, against ``torch.nn.Transformer`` of the same width, depth
   and feed-forward size (fused attention, no weights returned): the ratio is the price of
   showing the weights;
2. a full greedy decode of one date per model (what the panel's worker does per input);
3. one decoding step + repaint in the panel (offscreen), which must fit in a 16 ms frame.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def timeit(fn, repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def bench_training(repeat: int) -> None:
    import torch
    from torch import nn

    from tfviz.core.seq2seq.data import make_batch
    from tfviz.core.seq2seq.models import build, count_parameters
    from tfviz.core.seq2seq.tasks import get_task

    task = get_task("dates")
    import random

    rng = random.Random(0)
    b = make_batch(task, [task.sample(rng) for _ in range(128)])
    torch.manual_seed(0)
    ours = build("transformer", "dates")

    class Reference(nn.Module):
        """The same shape built from torch.nn.Transformer (fused attention)."""

        def __init__(self):
            super().__init__()
            self.src = nn.Embedding(len(task.src), 64)
            self.tgt = nn.Embedding(len(task.tgt), 64)
            self.tf = nn.Transformer(64, 4, 2, 2, 128, dropout=0.0, batch_first=True, norm_first=True)
            self.out = nn.Linear(64, len(task.tgt))

        def forward(self, src, lengths, tgt_in):
            pad = src == 0
            causal = self.tf.generate_square_subsequent_mask(tgt_in.shape[1])
            y = self.tf(self.src(src), self.tgt(tgt_in), tgt_mask=causal, src_key_padding_mask=pad,
                        memory_key_padding_mask=pad)  # fmt: skip
            return self.out(y)

    ref = Reference()
    loss_fn = nn.CrossEntropyLoss(ignore_index=0)

    def step(model):
        def run():
            logits = model(b.src, b.lengths, b.tgt_in)
            loss = loss_fn(logits.reshape(-1, logits.shape[-1]), b.tgt_out.reshape(-1))
            loss.backward()

        return run

    t_ours, t_ref = timeit(step(ours), repeat), timeit(step(ref), repeat)
    print(f"training step, batch 128 dates: tfviz transformer {1000 * t_ours:.1f} ms "
          f"({count_parameters(ours):,} params), torch.nn.Transformer {1000 * t_ref:.1f} ms "
          f"({count_parameters(ref):,} params); ratio {t_ours / t_ref:.2f}")  # fmt: skip


def bench_decode(repeat: int) -> None:
    from tfviz.core.seq2seq.decode import decode, greedy_batch
    from tfviz.core.seq2seq.models import load, shipped_path
    from tfviz.core.seq2seq.tasks import get_task

    task = get_task("dates")
    pairs = task.heldout()[:512]
    for kind in ("rnn", "rnn-attn", "transformer"):
        model = load(shipped_path(kind, "dates"))
        t_one = timeit(lambda: decode(model, task, "二〇二六年十一月二十九日"), repeat)
        t_batch = timeit(lambda: greedy_batch(model, task, [x for x, _ in pairs]), max(3, repeat // 5))
        print(f"decode one date with every trace, {kind}: {1000 * t_one:.1f} ms; "
              f"batched greedy: {len(pairs) / t_batch:,.0f} dates/s")  # fmt: skip


def bench_panel(repeat: int) -> None:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from tfviz.gui.context import AppContext
    from tfviz.gui.panels.encoder_decoder import Panel

    ctx = AppContext(device="cpu")
    p = Panel(ctx)
    p.resize(1400, 900)
    p.show()
    p.prepare_shot()
    for kind in ("rnn", "rnn-attn", "transformer"):
        p.set_model(kind)
        n = p.controls.count

        def one_step(i=[0]):  # noqa: B006 - a counter across calls
            p.controls.set_position(i[0] % n)
            i[0] += 1
            p.repaint()  # force the paint now, not at the next event loop turn
            app.processEvents()

        t = timeit(one_step, repeat * 5)
        print(f"panel step + repaint, {kind}: {1000 * t:.2f} ms (frame budget 16.7 ms)")
    p.shutdown()
    ctx.jobs.shutdown()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    bench_training(args.repeat)
    bench_decode(args.repeat)
    bench_panel(args.repeat)


if __name__ == "__main__":
    main()
