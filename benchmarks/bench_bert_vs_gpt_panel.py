"""BERT vs GPT panel: one generation step (Right) until it is on screen, on the CPU.

Offscreen. The panel is on the Generate tab with the tiny GPT (and, with ``--smollm2``, with
SmolLM2 when its GGUF is here). Each round presses Right once: sample from the shaped bars,
the model runs the new token with the KV cache in the panel's worker, the bars, the growing
causal matrix and the KV cache view repaint. The time is from the key to the repainted result.
Target from issue 10: under 30 ms.

    python benchmarks/bench_bert_vs_gpt_panel.py [--steps 60] [--threads 1] [--smollm2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def run(panel, app, steps: int, label: str) -> None:
    gen = panel.gen
    gen.restart()
    panel.settle()
    wall = []
    for _ in range(steps):
        if gen.finished():
            break
        t0 = time.perf_counter()
        panel.step(1)
        gen.wait_idle(60_000)  # the worker's result delivered and drawn
        app.processEvents()  # paints what changed
        wall.append(time.perf_counter() - t0)
    n = len(gen.matrix.rows)
    print(f"{label}: {len(wall)} steps, next-token step + repaint median {statistics.median(wall) * 1e3:6.2f} ms "
          f"(p90 {sorted(wall)[int(0.9 * (len(wall) - 1))] * 1e3:6.2f}, max {max(wall) * 1e3:6.2f}); "
          f"{n} positions at the end")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--smollm2", action="store_true")
    args = ap.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from tfviz.gui.context import AppContext
    from tfviz.gui.panels.bert_vs_gpt import Panel

    ctx = AppContext(device="cpu")
    panel = Panel(ctx)
    panel.resize(1400, 900)
    panel.show()
    panel.set_mode("generate")
    panel.settle()
    app.processEvents()
    print(f"threads: {torch.get_num_threads()}; prompt: {panel.text_edit.text()!r}")
    run(panel, app, args.steps, "tiny GPT")
    if args.smollm2:
        from tfviz.core.lm.fetch import present

        if present() is None:
            print("SmolLM2: GGUF not here (tfviz lm fetch smollm2); skipped")
        else:
            panel.gen.chat_check.setChecked(False)
            panel.gen.model_combo.setCurrentIndex(1)
            panel.settle(300_000)
            run(panel, app, min(args.steps, 40), "SmolLM2")
    panel.shutdown()
    ctx.jobs.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
