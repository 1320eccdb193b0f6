"""``tfviz traj eval``: the constant-velocity numbers prove the protocol; JSON shape; errors."""

from __future__ import annotations

import argparse
import json

import numpy as np
import pytest

from tfviz.commands import traj
from tfviz.core.traj.geometry import ade_fde, constant_velocity

CV = {"eth": (1.08, 2.28), "hotel": (0.32, 0.61), "univ": (0.52, 1.17), "zara1": (0.43, 0.95), "zara2": (0.32, 0.72)}


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    traj.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.func(args)


def test_metrics_best_of_k():
    fut = np.zeros((2, 12, 2))
    pred = np.zeros((2, 3, 12, 2))
    pred[:, 0] += 1.0  # (1, 1) off everywhere
    pred[0, 1, :, 0] = np.linspace(0, 2, 12)  # ends 2 m away, closer on average
    pred[0, 2, :, 0] = 3.0
    ade, fde = ade_fde(pred, fut)
    assert ade[1] == 0.0 and fde[1] == 0.0  # window 1's third sample is exact
    # min ADE and min FDE come from different samples
    assert ade[0] == pytest.approx(1.0) and fde[0] == pytest.approx(np.sqrt(2))


def test_constant_velocity_repeats_last_move():
    obs = np.stack([np.arange(8) * 0.5, np.zeros(8)], -1)[None]  # (1, 8, 2)
    pred = constant_velocity(obs)
    np.testing.assert_allclose(pred[0, :, 0], 3.5 + 0.5 * np.arange(1, 13))


def test_cli_reproduces_constant_velocity(shared_dir, capsys):
    data = str(shared_dir / "datasets" / "eth_ucy")
    assert _run(["traj", "eval", "--data", data, "--scene", "all", "--model", "cv", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"eth", "hotel", "univ", "zara1", "zara2", "avg"}
    for scene, (ade, fde) in CV.items():
        assert round(result[scene]["ade"], 2) == ade and round(result[scene]["fde"], 2) == fde
    assert [result[s]["windows"] for s in CV] == [364, 1197, 24334, 2356, 5910]
    assert round(result["avg"]["ade"], 3) == 0.534 and round(result["avg"]["fde"], 3) == 1.148


def test_cli_text_output_and_bad_folder(shared_dir, tmp_path, capsys):
    data = str(shared_dir / "datasets" / "eth_ucy")
    assert _run(["traj", "eval", "--data", data, "--scene", "eth", "--model", "cv"]) == 0
    assert "ADE 1.075" in capsys.readouterr().out
    assert _run(["traj", "eval", "--data", str(tmp_path), "--scene", "eth", "--model", "cv"]) == 2
    assert "no .txt trajectory files" in capsys.readouterr().err


def test_cli_names_the_bad_line(tmp_path, capsys):
    (tmp_path / "eth" / "test").mkdir(parents=True)
    (tmp_path / "eth" / "test" / "x.txt").write_text("0\t1\t1.0\t2.0\n10\t1\tnan\t2.0\n")
    assert _run(["traj", "eval", "--data", str(tmp_path), "--scene", "eth", "--model", "cv"]) == 2
    assert "x.txt:2: not a finite number" in capsys.readouterr().err


def test_cli_train_then_eval_on_a_tiny_folder(tmp_path, capsys):
    """`traj train` writes a fold's weights atomically; `traj eval --weights` reads them."""
    from tfviz.core.traj.data import format_recording
    from tfviz.core.traj.synthetic import SceneConfig, simulate
    from tfviz.core.traj.weights import load_model

    for split, seed in (("train", 1), ("val", 2), ("test", 3)):
        folder = tmp_path / "data" / "eth" / split
        folder.mkdir(parents=True)
        rec = simulate(SceneConfig(n_people=8, seed=seed, seconds=16, spread=2))
        (folder / f"synthetic_{split}.txt").write_text(format_recording(rec))
    out = tmp_path / "weights"
    argv = ["traj", "train", "--data", str(tmp_path / "data"), "--scene", "eth", "--model", "tf",
            "--epochs", "1", "--per-epoch", "32", "--out", str(out)]
    assert _run(argv) == 0
    _, info = load_model(out / "tf_eth.safetensors")
    assert info["selected_on"] == "val" and info["seed"] == 0
    capsys.readouterr()
    assert _run(["traj", "eval", "--data", str(tmp_path / "data"), "--scene", "eth", "--model", "tf",
                 "--weights", str(out), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["eth"]["windows"] > 0 and result["avg"]["ade"] > 0
