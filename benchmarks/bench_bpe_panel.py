"""Typing in the Tokenization panel: encode + trace + repaint for a 200-character sentence.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_bpe_panel.py [--rounds 50]

Simulates typing the last character of a 200-character English + Chinese sentence: the panel
re-encodes and traces the whole text with cl100k, counts tokens with all three real
vocabularies, lays out and repaints the chips. The budget is one frame (16 ms).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SENTENCE = ("Byte-pair encoding merges the most frequent pair again and again; "
            "字节对编码一次又一次地合并最常见的一对。 Tokens like ' the' or '我们' "
            "are learnt from data, and rare words split into pieces: antidisestablishmentarianism!")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=50)
    args = ap.parse_args()
    from PySide6.QtWidgets import QApplication

    from tfviz.gui.context import AppContext
    from tfviz.gui.panels.tokenization import Panel

    app = QApplication.instance() or QApplication([])
    ctx = AppContext(device="cpu")
    panel = Panel(ctx)
    panel.resize(1300, 850)
    panel.show()
    panel.ensure_loaded()
    text = SENTENCE[:200]
    times, cpu = [], []
    for i in range(args.rounds):
        panel.editor.blockSignals(True)
        panel.editor.setPlainText(text[:-1] + "!?."[i % 3])  # the last keystroke differs each time
        panel.editor.blockSignals(False)
        app.processEvents()
        start, start_cpu = time.perf_counter(), time.process_time()
        panel.refresh()
        panel.chips.repaint()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    ctx.jobs.shutdown()
    ms = sorted(t * 1000 for t in times)
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print(f"{len(text)} characters, {len(panel.trace.steps)} merges traced, {len(panel.chips.chips)} chips")
    print(f"encode + trace + counts + repaint: median {statistics.median(ms):.1f} ms, "
          f"90th percentile {ms[int(0.9 * len(ms)) - 1]:.1f} ms wall; median {statistics.median(cpu) * 1000:.1f} ms CPU "
          f"(budget 16 ms; wall time grows with the machine's load, CPU time much less)")


if __name__ == "__main__":
    main()
