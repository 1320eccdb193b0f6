"""Trajectory models, training generator, weights and the synthetic crowd."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch

from tfviz.core.traj.data import make_windows
from tfviz.core.traj.geometry import constant_velocity
from tfviz.core.traj.models import KINDS, ModelConfig, Star, build, count_parameters, local_frame
from tfviz.core.traj.synthetic import DOOR, WALL_X, SceneConfig, simulate
from tfviz.core.traj.training import TrainConfig, TrainDone, TrainStep, save_when_done, train_windows
from tfviz.core.traj.weights import load_model, save_model, shipped_path


def _walk(n: int = 5, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    steps = torch.randn(n, 8, 2, generator=g) * 0.1 + torch.tensor([0.4, 0.1])
    return torch.cumsum(steps, 1)  # (n, 8, 2)


def test_local_frame_puts_last_move_on_x():
    rel, R, origin = local_frame(_walk())
    last = rel[:, -1] - rel[:, -2]
    assert torch.allclose(rel[:, -1], torch.zeros(5, 2), atol=1e-6)
    assert torch.allclose(last[:, 1], torch.zeros(5), atol=1e-5) and (last[:, 0] > 0).all()
    assert torch.allclose(rel @ R + origin[:, None], _walk(), atol=1e-5)  # back to the world


@pytest.mark.parametrize("kind", ["tf", "star"])
def test_untrained_models_start_as_constant_velocity(kind):
    torch.manual_seed(0)
    model = build(ModelConfig(kind=kind)).eval()
    obs = _walk()
    with torch.no_grad():
        pred = model(obs) if kind == "tf" else model(obs[None], torch.ones(1, 5, dtype=torch.bool))
    pred = pred["pred"].reshape(5, 12, 2).numpy()
    np.testing.assert_allclose(pred, constant_velocity(obs.numpy()), atol=1e-4)


def test_tf_greedy_decoding_matches_teacher_forcing_on_its_own_output():
    """The original TF recipe: greedy decoding feeds each predicted move back in; teacher
    forcing with those same moves must give the same 12 predictions (causal decoder)."""
    torch.manual_seed(0)
    model = build(ModelConfig(kind="tf", decoding="greedy")).eval()
    for p in model.head.parameters():
        torch.nn.init.normal_(p, std=0.3)
    obs = _walk()
    with torch.no_grad():
        greedy = model(obs)["pred"]  # (5, 12, 2)
        forced = model(obs, greedy)["pred"]
    assert greedy.shape == (5, 12, 2)
    assert torch.allclose(greedy, forced, atol=1e-4)


def test_tf_is_rotation_and_translation_equivariant():
    torch.manual_seed(0)
    model = build(ModelConfig(kind="tf")).eval()
    for p in model.head.parameters():
        torch.nn.init.normal_(p, std=0.3)  # not plain constant velocity any more
    obs = _walk()
    a = math.radians(70)
    R = torch.tensor([[math.cos(a), math.sin(a)], [-math.sin(a), math.cos(a)]])
    shift = torch.tensor([3.0, -2.0])
    with torch.no_grad():
        base = model(obs)["pred"]
        moved = model(obs @ R + shift)["pred"]
    assert torch.allclose(base @ R + shift, moved, atol=1e-4)


def test_outputs_and_attention_shapes():
    obs = _walk(6)
    with torch.no_grad():
        tf = build(ModelConfig(kind="tf")).eval()(obs)
        multi = build(ModelConfig(kind="tf-multi")).eval()(obs)
        star = build(ModelConfig(kind="star")).eval()(obs[None], torch.ones(1, 6, dtype=torch.bool))
    assert tf["pred"].shape == (6, 12, 2) and tf["temporal"].shape == (6, 8)
    assert multi["samples"].shape == (6, 20, 12, 2) and multi["scores"].shape == (6, 20)
    assert star["samples"].shape == (1, 6, 20, 12, 2) and star["spatial"].shape == (1, 6, 6)
    for att in (tf["temporal"], multi["temporal"], star["temporal"][0], star["spatial"][0]):
        assert torch.allclose(att.sum(-1), torch.ones(6), atol=1e-5)


def test_star_ignores_people_beyond_ten_metres_and_padding():
    torch.manual_seed(0)
    model = build(ModelConfig(kind="star")).eval()
    near = _walk(3)
    far = _walk(1, seed=5) + torch.tensor([40.0, 0.0])  # far outside the 10 m radius
    pad = torch.zeros(1, 8, 2)
    with torch.no_grad():
        alone = model(near[None], torch.ones(1, 3, dtype=torch.bool))
        both = model(torch.cat([near, far, pad])[None], torch.tensor([[True] * 4 + [False]]))
    # the scene centre moves with the far person, but the mask keeps them out of attention
    assert both["spatial"][0, :3, 3:].abs().max() == 0.0
    assert alone["spatial"].shape == (1, 3, 3)
    allowed = Star.neighbours(torch.cat([near, far])[None], torch.ones(1, 4, dtype=torch.bool))
    assert not allowed[0, :, :3, 3].any() and allowed[0, :, 3, 3].all()


def test_models_are_small():
    for kind in KINDS:
        assert count_parameters(build(ModelConfig(kind=kind))) < 100_000


def _tiny_windows(seed: int):
    return make_windows([simulate(SceneConfig(n_people=8, seed=seed, seconds=16, spread=2))])


@pytest.mark.parametrize("kind", KINDS)
def test_training_is_a_seeded_generator(kind):
    train, val = _tiny_windows(1), _tiny_windows(2)
    cfg = TrainConfig(epochs=2, per_epoch=32, batch=32, max_agents=48, seed=3)
    recs = list(train_windows(kind, train, val, cfg, "synthetic"))
    steps = [r for r in recs if isinstance(r, TrainStep)]
    done = recs[-1]
    assert isinstance(done, TrainDone) and done.kind == kind
    assert [r.epoch for r in steps if r.val_ade is not None] == [1, 2]
    assert all(math.isfinite(r.loss) for r in steps)
    if kind == "star":
        again = [r for r in train_windows(kind, train, val, cfg, "synthetic") if isinstance(r, TrainStep)]
        assert [r.loss for r in again] == [r.loss for r in steps]  # same seed, same run


def test_cancel_stops_within_one_step_and_writes_nothing(tmp_path, monkeypatch):
    """Closing the generator after step 2 runs no third optimiser step and saves no file."""
    opt_steps = []
    real_step = torch.optim.AdamW.step

    def counted(self, *a, **kw):
        opt_steps.append(1)
        return real_step(self, *a, **kw)

    monkeypatch.setattr(torch.optim.AdamW, "step", counted)
    out = tmp_path / "tf_synthetic.safetensors"
    cfg = TrainConfig(epochs=50, per_epoch=96, batch=32)  # 3 steps per epoch
    gen = save_when_done(train_windows("tf", _tiny_windows(1), _tiny_windows(2), cfg), out)
    seen = [next(gen) for _ in range(2)]
    assert [(r.epoch, r.step, r.val_ade) for r in seen] == [(1, 1, None), (1, 2, None)]
    assert len(opt_steps) == 2
    gen.close()
    with pytest.raises(StopIteration):
        next(gen)
    assert len(opt_steps) == 2 and not out.exists() and list(tmp_path.iterdir()) == []


def test_training_to_the_end_writes_the_weights_once(tmp_path):
    out = tmp_path / "tf_synthetic.safetensors"
    cfg = TrainConfig(epochs=1, per_epoch=32, batch=32)
    recs = list(save_when_done(train_windows("tf", _tiny_windows(1), _tiny_windows(2), cfg), out, {"seed": 0}))
    assert isinstance(recs[-1], TrainDone) and out.is_file()
    model, info = load_model(out)
    assert info["seed"] == 0 and info["best_epoch"] == 1 and model.cfg == recs[-1].config
    assert list(tmp_path.iterdir()) == [out]


def test_weights_round_trip(tmp_path):
    model = build(ModelConfig(kind="tf-multi"))
    path = tmp_path / "w" / "tf-multi_eth.safetensors"
    save_model(model, path, {"seed": 0})
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp file left
    loaded, info = load_model(path)
    assert info == {"seed": 0} and loaded.cfg == model.cfg
    obs = _walk()
    with torch.no_grad():
        assert torch.equal(model.eval()(obs)["samples"], loaded(obs)["samples"])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("scene", ["eth", "hotel", "univ", "zara1", "zara2"])
def test_shipped_weights_load(kind, scene):
    path = shipped_path(kind, scene)
    assert path.exists(), path
    model, info = load_model(path)
    assert model.cfg.kind == kind and info["selected_on"] == "val"
    assert path.stat().st_size < 400_000


# ---------------------------------------------------------------- synthetic crowd


def test_synthetic_is_deterministic_and_seeded():
    a, b = simulate(SceneConfig(n_people=10, seed=4, seconds=20)), simulate(SceneConfig(n_people=10, seed=4, seconds=20))
    c = simulate(SceneConfig(n_people=10, seed=5, seconds=20))
    assert np.array_equal(a.xy, b.xy) and np.array_equal(a.frames, b.frames)
    assert not (a.xy.shape == c.xy.shape and np.array_equal(a.xy, c.xy))


def test_synthetic_people_walk_at_human_speeds_and_use_the_door():
    rec = simulate(SceneConfig(n_people=30, seed=1))
    w = make_windows([rec])
    speed = np.linalg.norm(np.diff(w.obs, axis=1), axis=-1) / 0.4  # m/s
    assert 0.6 < np.median(speed) < 1.8 and speed.max() < 3.0
    assert (np.diff(rec.frames) >= 0).all() and set(np.unique(np.diff(np.unique(rec.frames)))) == {10.0}
    # crossing the wall line only happens through the doorway
    for pid in np.unique(rec.peds):
        xy = rec.xy[rec.peds == pid]
        cross = np.nonzero(np.sign(xy[1:, 0] - WALL_X) != np.sign(xy[:-1, 0] - WALL_X))[0]
        for i in cross:
            y = (xy[i, 1] + xy[i + 1, 1]) / 2
            assert DOOR[0] - 0.3 < y < DOOR[1] + 0.3, (pid, y)
    assert json.dumps(rec.name)  # a plain name
