"""Time from launching `tfviz` to the first painted window (median of N runs).

    python benchmarks/bench_startup.py [--runs 5] [--panel overview]

Each run starts a fresh process with QT_QPA_PLATFORM=offscreen and TFVIZ_EXIT_AFTER_PAINT=1;
the app prints a wall-clock stamp when the main window's central widget first paints, and the
figure is that stamp minus the moment before the process was spawned.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time


def one_run(panel: str) -> float:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", TFVIZ_EXIT_AFTER_PAINT="1")
    with tempfile.TemporaryDirectory() as tmp:
        env["TFVIZ_SETTINGS"] = os.path.join(tmp, "s.ini")
        t0 = time.time()
        out = subprocess.run([sys.executable, "-m", "tfviz", "--panel", panel, "--device", "auto"],
                             env=env, capture_output=True, text=True, timeout=120)
    for line in out.stdout.splitlines():
        if line.startswith("TFVIZ_PAINTED"):
            return float(line.split()[1]) - t0
    raise RuntimeError(f"no paint marker; rc={out.returncode}\n{out.stderr[-2000:]}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--panel", default="overview")
    args = ap.parse_args()
    one_run(args.panel)  # warm the OS file cache
    times = [one_run(args.panel) for _ in range(args.runs)]
    print(f"start-up to first paint ({args.panel}), {args.runs} runs: "
          f"median {statistics.median(times):.3f} s, min {min(times):.3f} s, max {max(times):.3f} s")


if __name__ == "__main__":
    main()
