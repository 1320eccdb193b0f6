"""``tfviz traj``: train and evaluate the pedestrian-trajectory models on ETH/UCY.

    tfviz traj eval --data ../shared/datasets/eth_ucy --scene all --model cv
    tfviz traj eval --data DIR --scene all --model tf-multi --samples 20 --json
    tfviz traj train --data DIR --scene all --model tf --epochs 12 --seed 0

Each scene is evaluated with its own leave-one-scene-out fold's weights
(``<model>_<scene>.safetensors``, shipped in ``tfviz/resources/weights/traj``). Training writes
to ``--out`` or the user data folder (``$TFVIZ_DATA_DIR/weights/traj``), never into the package.
torch is imported inside :func:`run` only.
"""

from __future__ import annotations

import argparse
import json
import sys

from tfviz.commands._common import nonnegative_int, positive_int

SCENES = ("eth", "hotel", "univ", "zara1", "zara2")
MODELS = ("cv", "tf", "tf-multi", "star")


def register(subparsers) -> None:
    p = subparsers.add_parser("traj", help="pedestrian trajectories (ETH/UCY): train, eval")
    sub = p.add_subparsers(dest="traj_cmd", required=True)

    ev = sub.add_parser("eval", help="ADE/FDE per scene and averaged")
    ev.add_argument("--data", required=True, help="folder with <scene>/{train,val,test}/*.txt")
    ev.add_argument("--scene", default="all", choices=SCENES + ("all",))
    ev.add_argument("--model", default="cv", choices=MODELS)
    ev.add_argument("--samples", type=positive_int, default=1,
                    help="best of K samples (min ADE, min FDE); tf-multi and star only, K up to their proposals")
    ev.add_argument("--weights", default=None, help="folder of weights (default: shipped)")
    ev.add_argument("--json", action="store_true", help="print JSON")
    ev.add_argument("--threads", type=nonnegative_int, default=1, help="torch CPU threads (0: torch default)")

    tr = sub.add_parser("train", help="train one model per leave-one-scene-out fold")
    tr.add_argument("--data", required=True)
    tr.add_argument("--scene", default="all", choices=SCENES + ("all",))
    tr.add_argument("--model", default="tf", choices=MODELS[1:] + ("all",))
    tr.add_argument("--epochs", type=positive_int, default=12)
    tr.add_argument("--per-epoch", type=positive_int, default=12_000, help="windows drawn per epoch")
    tr.add_argument("--seed", type=nonnegative_int, default=0)
    tr.add_argument("--d-model", type=positive_int, default=32)
    tr.add_argument("--out", default=None,
                    help="weights folder (default: weights/traj in the user data folder, never the package)")
    tr.add_argument("--threads", type=nonnegative_int, default=1, help="torch CPU threads (0: torch default)")
    tr.add_argument("--quiet", action="store_true")
    p.set_defaults(func=run)


def _fail(message: str) -> int:
    print(f"tfviz traj: error: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    from tfviz.core.checkpoint import CheckpointError
    from tfviz.core.traj.data import TrajFormatError

    try:
        if args.traj_cmd == "eval":
            return _eval(args)
        return _train(args)
    except (TrajFormatError, CheckpointError, OSError) as exc:  # each names its file
        return _fail(str(exc))


def _scenes(arg: str) -> tuple[str, ...]:
    return SCENES if arg == "all" else (arg,)


def _load(kind: str, scene: str, folder: str | None):
    from pathlib import Path

    from tfviz.core.traj.weights import load_model, shipped_path, weights_name

    path = Path(folder) / weights_name(kind, scene) if folder else shipped_path(kind, scene)
    if not path.exists():
        raise FileNotFoundError(f"no weights for {kind} on the {scene} fold: {path}")
    return load_model(path)[0]


def _eval(args) -> int:
    import torch

    from tfviz.core.traj.data import scene_windows
    from tfviz.core.traj.evaluate import NoWindowsError, evaluate, max_samples

    if args.threads:
        torch.set_num_threads(args.threads)
    models = {scene: None if args.model == "cv" else _load(args.model, scene, args.weights)
              for scene in _scenes(args.scene)}  # fmt: skip
    most = min(max_samples(m) for m in models.values())
    if args.samples > most:
        what = "constant velocity predicts" if args.model == "cv" else f"{args.model} predicts"
        return _fail(f"--samples {args.samples}: {what} at most {most} future{'s' if most > 1 else ''} "
                     f"(use --samples 1..{most})")  # fmt: skip
    result: dict[str, dict] = {}
    for scene, model in models.items():
        windows = scene_windows(args.data, scene, "test")
        try:
            score = evaluate(model, windows, scene, args.samples)
        except NoWindowsError as exc:
            return _fail(f"{exc} (in {args.data}/{scene}/test)")
        except ValueError as exc:
            return _fail(str(exc))
        result[scene] = {"windows": score.windows, "ade": round(score.ade, 4), "fde": round(score.fde, 4)}
        if not args.json:
            print(f"{scene:6s} windows {score.windows:6d}  ADE {score.ade:.3f}  FDE {score.fde:.3f}"
                  f"  ({windows.short_tracks} tracks shorter than 20 steps, not scored)", flush=True)
    ade = sum(r["ade"] for r in result.values()) / len(result)
    fde = sum(r["fde"] for r in result.values()) / len(result)
    result["avg"] = {"ade": round(ade, 4), "fde": round(fde, 4), "samples": args.samples}
    if args.json:
        print(json.dumps(result))
    else:
        k = f" (best of {args.samples})" if args.samples > 1 else ""
        print(f"{'avg':6s} {args.model}{k}  ADE {ade:.3f}  FDE {fde:.3f}")
    return 0


def _train(args) -> int:
    from pathlib import Path

    import torch

    from tfviz.core.io import check_writable
    from tfviz.core.traj.models import ModelConfig
    from tfviz.core.traj.training import TrainConfig, TrainDone, TrainStep, save_when_done, train_fold
    from tfviz.core.traj.weights import user_weights_dir, weights_name

    kinds = ("tf", "tf-multi", "star") if args.model == "all" else (args.model,)
    try:  # every number checked before any data is read
        cfg = TrainConfig(epochs=args.epochs, per_epoch=args.per_epoch, seed=args.seed, d_model=args.d_model)
        for kind in kinds:
            ModelConfig.sized(kind, args.d_model)
    except ValueError as exc:
        return _fail(str(exc).replace("d_model", "--d-model", 1))
    folder = Path(args.out) if args.out else user_weights_dir()
    targets = {(kind, scene): folder / weights_name(kind, scene) for kind in kinds for scene in _scenes(args.scene)}
    for out in targets.values():
        check_writable(out)  # before hours of training, not after
    torch.set_num_threads(args.threads or torch.get_num_threads())
    for (kind, scene), out in targets.items():
        info = {"seed": args.seed, "epochs": args.epochs, "per_epoch": args.per_epoch}
        for rec in save_when_done(train_fold(kind, args.data, scene, cfg), out, info):
            if isinstance(rec, TrainStep) and rec.val_ade is not None and not args.quiet:
                mark = " *" if rec.best else ""
                print(f"{kind} {scene} epoch {rec.epoch}/{rec.epochs} loss {rec.loss:.3f} "
                      f"val ADE {rec.val_ade:.3f} FDE {rec.val_fde:.3f}{mark}", flush=True)
            elif isinstance(rec, TrainDone):
                print(f"{kind} {scene}: best epoch {rec.epoch} val ADE {rec.val_ade:.3f} "
                      f"FDE {rec.val_fde:.3f} in {rec.seconds:.0f} s -> {out}", flush=True)
    return 0
