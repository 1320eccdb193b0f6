"""How long the Overview panel takes to build and to repaint (offscreen).

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_overview_paint.py [--repeats 30]

There is no reference library to compare a hand-drawn figure with; the figure that matters
is that a repaint (every hover change) stays far below one 60 Hz frame (16.7 ms).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def median_ms(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()

    from PySide6 import __version__ as pyside_version
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    from tfviz.gui.context import AppContext

    start = time.perf_counter()
    from tfviz.gui.panels.overview import Panel

    ctx = AppContext()
    ctx.panel_names = ["overview"]
    panel = Panel(ctx)
    panel.resize(1210, 820)
    panel.show()
    app.processEvents()
    built = 1000 * (time.perf_counter() - start)
    d, t = panel.diagram, panel.tree
    print(f"Python {sys.version.split()[0]}, PySide6 {pyside_version}")
    print(f"import + build + first layout: {built:.0f} ms")
    print(f"diagram repaint ({d.width()}x{d.height()} px): {median_ms(d.grab, args.repeats):.1f} ms")
    print(f"tree repaint ({t.width()}x{t.height()} px): {median_ms(t.grab, args.repeats):.1f} ms")
    print(f"tree layout: {median_ms(lambda: t.compute_layout(700), args.repeats):.2f} ms")


if __name__ == "__main__":
    main()
