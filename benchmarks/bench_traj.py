"""Trajectories: per-frame prediction time for 100 people, and the panel's frame time.

    python benchmarks/bench_traj.py [--threads 2] [--frames 120]

1. Predicting one frame of 100 people with ``tf``, ``tf-multi`` and ``star`` (shipped
   weights), median and 90th percentile. Reference in the same run: ``torch.nn.Transformer``
   of the same sizes (PyTorch's fused attention, no weights returned) on the same inputs;
   the ratio says what the explicit, traceable attention costs.
2. The panel offscreen, a synthetic scene with 100 people, every model shown (with the fan
   of 5 futures): time to move to the next frame and repaint the scene (setData on every
   layer + a synchronous paint), percentiles over ``--frames`` frames.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import numpy as np  # noqa: E402
import torch  # noqa: E402  (before Qt, see docs/STYLE.md)


def _pct(xs: list[float], q: float) -> float:
    return float(np.percentile(np.array(xs), q))


def _time(fn, repeat: int) -> list[float]:
    for _ in range(3):
        fn()
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def bench_predict(repeat: int) -> None:
    from tfviz.core.traj.synthetic import SceneConfig, simulate
    from tfviz.core.traj.playback import Playback
    from tfviz.core.traj.weights import load_shipped

    pb = Playback(simulate(SceneConfig(n_people=100, seed=0, spread=0, seconds=12)))
    st = pb.state(OBS_END)
    obs = torch.from_numpy(st.obs).float()  # (N, 8, 2)
    n = obs.shape[0]
    print(f"\n1. predicting one frame of {n} people (ms, median / p90)")
    rows = []
    with torch.inference_mode():
        for kind in ("tf", "tf-multi", "star"):
            model = load_shipped(kind, "zara1")
            if kind == "star":
                valid = torch.ones(1, n, dtype=torch.bool)
                fn = lambda m=model: m(obs[None], valid)  # noqa: E731
            else:
                fn = lambda m=model: m(obs)  # noqa: E731
            ts = _time(fn, repeat)
            rows.append((kind, statistics.median(ts), _pct(ts, 90)))
        d = model.cfg.d_model
        ref = torch.nn.Transformer(d, 4, 2, 2, 2 * d, dropout=0.0, batch_first=True, norm_first=True).eval()
        src, tgt = torch.randn(n, 8, d), torch.randn(n, 12, d)
        mask = torch.nn.Transformer.generate_square_subsequent_mask(12)
        ts = _time(lambda: ref(src, tgt, tgt_mask=mask), repeat)
        rows.append(("torch.nn.Transformer (reference)", statistics.median(ts), _pct(ts, 90)))
    ref_med = rows[-1][1]
    for name, med, p90 in rows:
        print(f"   {name:34s} {med:7.2f} / {p90:7.2f}   ratio to reference {med / ref_med:5.2f}")


OBS_END = 10


def bench_frames(frames: int) -> None:
    from PySide6.QtWidgets import QApplication

    from tfviz.core.traj.playback import predict_state
    from tfviz.core.traj.synthetic import SceneConfig, scene_walls, simulate
    from tfviz.gui.context import AppContext
    from tfviz.gui.panels.trajectories import Panel

    from tfviz.gui.theme import apply_palette

    app = QApplication.instance() or QApplication([])
    ctx = AppContext()
    apply_palette(app, ctx.theme)  # as in the app: antialiased lines
    panel = Panel(ctx)
    panel.resize(1400, 900)
    panel.show()
    panel.wait_ready(predictions=False)
    panel.shutdown()
    ctx.jobs.shutdown()
    rec = simulate(SceneConfig(n_people=100, seed=0, spread=0, seconds=60))
    panel.set_recording(rec, scene_walls(), "zara1")
    panel.wait_ready(predictions=False)
    panel._cancel_predictions()
    ctx.jobs.shutdown()
    # the frames where (nearly) all 100 people are in view with 8 observed steps
    crowded = [i for i in range(len(panel.playback)) if len(panel.playback.state(i).ids) >= 85]
    for i in crowded:  # predictions ready, as during playback
        panel.predictions[i] = predict_state(panel.playback.state(i), panel.models)
    counts = [len(panel.playback.state(i).ids) for i in crowded]
    panel.controls.set_position(crowded[0])
    panel.select_next()
    app.processEvents()
    ts = []
    walk = crowded + crowded[::-1]  # play forward and back over the crowded frames
    for k in range(frames):
        t = time.perf_counter()
        panel.controls.set_position(walk[k % len(walk)])
        panel.view.viewport().repaint()
        ts.append((time.perf_counter() - t) * 1000)
    print(f"\n2. panel frame time, {np.mean(counts):.0f} people with predictions per frame "
          f"({min(counts)}-{max(counts)}, {len(crowded)} distinct frames), all models + fan of 5, "
          f"app settings, {len(ts)} frames (ms)")
    print(f"   p50 {_pct(ts, 50):6.2f}   p90 {_pct(ts, 90):6.2f}   p99 {_pct(ts, 99):6.2f}   "
          f"max {max(ts):6.2f}   -> {1000 / _pct(ts, 50):.0f} fps at the median, "
          f"{1000 / _pct(ts, 99):.0f} fps at p99")
    panel.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=50)
    ap.add_argument("--frames", type=int, default=120)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {args.threads} thread(s), CPU")
    bench_predict(args.repeat)
    bench_frames(args.frames)


if __name__ == "__main__":
    main()
