"""Panel responsiveness: switching head/layer (a repaint) and typing a new sentence.

Offscreen. For head switching, every one of the 72 heads is selected in turn and the event
loop runs once, which paints the views that changed; for typing, a new 32-token sentence is set and
the time until its attention is on screen is measured (analysis runs in the panel's worker).
Targets from issue 4: a switch within one frame (16 ms), a new sentence within 100 ms.
Wall time depends on what else the machine runs; the CPU time this process used for a head
switch is printed too (on a shared, overloaded machine it is the fairer figure).

    python benchmarks/bench_attention_panel.py [--threads 1]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=15)
    args = ap.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from tfviz.gui.context import AppContext
    from tfviz.gui.panels.attention import TABS, Panel

    ctx = AppContext(device="cpu")
    panel = Panel(ctx)
    panel.resize(1400, 900)
    panel.show()
    panel.prepare_shot()
    app.processEvents()
    print(f"threads: {args.threads}; tokens in the default sentence: {len(panel.current_tokens())}")
    for tab in ("matrix", "lines", "computation"):
        panel.tabs.setCurrentIndex(TABS.index(tab))
        app.processEvents()
        times, cpu = [], []
        for flat in range(72):
            t0, c0 = time.perf_counter(), time.process_time()
            panel.select(flat // 12, flat % 12)
            app.processEvents()  # paints the views that changed
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        print(f"switch head + repaint, {tab:12s} wall median {statistics.median(times) * 1e3:6.2f} ms "
              f"(max {max(times) * 1e3:6.2f}), CPU time median {statistics.median(cpu) * 1e3:6.2f} ms")
    panel.tabs.setCurrentIndex(TABS.index("matrix"))
    words = ("the quick brown fox jumps over the lazy dog while a small bird sings in the tall green tree "
             "near an old stone bridge at dawn").split()
    lat = []
    for r in range(args.rounds):
        text = " ".join(words[r % 3:][:30])  # 30 words -> 32 tokens with [CLS]/[SEP]
        t0 = time.perf_counter()
        panel.text_edit.setPlainText(text)
        while panel.analysis is None or panel.analysis.texts != (text,) or panel.is_busy():
            app.processEvents()
        panel.matrix.repaint()
        lat.append(time.perf_counter() - t0)
    print(f"new sentence ({len(panel.current_tokens())} tokens) to attention on screen: median "
          f"{statistics.median(lat) * 1e3:.1f} ms, min {min(lat) * 1e3:.1f} ms over {args.rounds}")
    panel.shutdown()
    ctx.jobs.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
