"""Trajectories what if and smooth motion: re-prediction after a drag, and pictures per second.

    python benchmarks/bench_traj_whatif.py [--people 20 40 100] [--repeat 30] [--threads 1]
                                           [--seconds 4] [--device cpu|cuda]

1. Re-prediction of all four models (cv, tf, tf-multi, star; shipped zara1 weights) after one
   pedestrian of a synthetic scene is moved by 0.3 m, as a drag does at every mouse move:
   the whole scene (``predict_state``) against only what the move can change
   (``predict_around``: the moved person and everyone within star's 10 m, with 20 m of
   context), median and 90th percentile in ms, with the size of the neighbourhood. The GUI
   runs this with one torch thread (``--threads 1``).
2. The panel offscreen, playing the default scene (40 people, focus mode) for ``--seconds``:
   interpolated pictures per second (the panel's own meter) and paint events of the scene.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import torch  # noqa: E402  (before Qt, see docs/STYLE.md)


def _ms(fn, repeat: int) -> list[float]:
    for _ in range(3):
        fn()
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def _models(device: str) -> dict:
    from tfviz.core.traj.weights import load_shipped

    models = {"cv": None}
    for kind in ("tf", "tf-multi", "star"):
        models[kind] = load_shipped(kind, "zara1").to(device)
    return models


def bench_repredict(people: list[int], repeat: int, device: str) -> None:
    from tfviz.core.traj import playback
    from tfviz.core.traj.edits import SceneEditor, predict_around
    from tfviz.core.traj.synthetic import SceneConfig, simulate

    if device != "cpu":  # the models take tensors on `device`: move the inputs there too
        run = playback._run_model

        def on_device(name, model, obs):
            x = torch.from_numpy(obs).float().to(device)
            with torch.no_grad():
                out = model(x[None], torch.ones(1, obs.shape[0], dtype=torch.bool, device=device)) \
                    if name == "star" else model(x)
            if name == "star":
                out = {k: v[0] for k, v in out.items() if isinstance(v, torch.Tensor)}
            return {k: v.double().cpu().numpy() for k, v in out.items() if isinstance(v, torch.Tensor)}

        playback._run_model = on_device
    models = _models(device)
    print(f"\n1. re-prediction after moving one pedestrian, all 4 models, {device}, "
          f"{torch.get_num_threads()} torch thread(s) (ms, median / p90)")
    print(f"{'people':>7} {'agents':>7} {'near':>5} {'whole scene':>14} {'neighbourhood':>15}")
    for n in people:
        pb = playback.Playback(simulate(SceneConfig(n_people=n, seed=0, spread=0, seconds=12)))
        st = pb.state(10)
        before = playback.predict_state(st, models)
        row = int(np.argmin(np.linalg.norm(st.obs[:, -1] - st.obs[:, -1].mean(0), axis=1)))  # the middle
        ed = SceneEditor(st)
        ed.begin()
        step = [0]

        def drag():
            step[0] += 1
            ed.move_now(st.ids[row], st.obs[row, -1] + 0.3 * np.array([np.cos(step[0]), np.sin(step[0])]))
            return ed.state()

        whole = _ms(lambda: playback.predict_state(drag(), models), repeat)
        near = _ms(lambda: predict_around(drag(), models, before, st), repeat)
        d = np.linalg.norm(st.obs[:, -1] - st.obs[row, -1], axis=1)
        print(f"{n:>7} {len(st.ids):>7} {int((d <= 10).sum()):>5} "
              f"{np.median(whole):>7.1f} / {np.percentile(whole, 90):>4.1f} "
              f"{np.median(near):>8.1f} / {np.percentile(near, 90):>4.1f}")
    if device != "cpu":
        playback._run_model = run


def bench_motion(seconds: float) -> None:
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication

    from tfviz.gui.context import AppContext
    from tfviz.gui.panels.trajectories import Panel

    app = QApplication.instance() or QApplication([])
    ctx = AppContext(device="cpu", theme="light")
    panel = Panel(ctx)
    panel.resize(1300, 850)
    panel.show()
    panel.wait_ready(120_000)

    class Paints(QObject):
        count = 0

        def eventFilter(self, obj, event):  # noqa: N802
            if event.type() == QEvent.Paint:
                Paints.count += 1
            return False

    paints = Paints()
    panel.view.viewport().installEventFilter(paints)
    panel.toggle_play()
    t0 = time.monotonic()
    while time.monotonic() - t0 < seconds and panel.controls.is_playing():
        app.processEvents()
        time.sleep(0.001)
    elapsed = time.monotonic() - t0
    steps = panel.controls.position
    panel.toggle_play()
    print(f"\n2. playing {elapsed:.1f} s offscreen (40 people, focus): "
          f"{panel.motion.meter.rate():.1f} interpolated pictures/s (meter, last 2 s), "
          f"{Paints.count / elapsed:.1f} scene paints/s, now at step {steps + 1}")
    panel.shutdown()
    ctx.jobs.shutdown()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, nargs="+", default=[20, 40, 100])
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seconds", type=float, default=4.0)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--no-gui", action="store_true", help="skip the frame-rate part")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    bench_repredict(args.people, args.repeat, args.device)
    if not args.no_gui:
        bench_motion(args.seconds)


if __name__ == "__main__":
    main()
