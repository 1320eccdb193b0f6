"""BERT folders that must be refused with one clear error, and loading that disturbs no one."""

from __future__ import annotations

import json
import threading

import pytest
import torch
from safetensors.torch import load_file, save_file

from tfviz.core.bert import BertLoadError, load_bert
from tfviz.core.bert.loader import minilm_folder


def _link_minilm(folder, skip=()):
    for name in ("config.json", "vocab.txt", "model.safetensors", "tokenizer_config.json"):
        if name not in skip:
            (folder / name).symlink_to(minilm_folder() / name)
    return folder


def _config() -> dict:
    return json.loads((minilm_folder() / "config.json").read_text())


def test_config_that_is_not_utf8(tmp_path):
    _link_minilm(tmp_path, skip=("config.json",))
    (tmp_path / "config.json").write_bytes(b'{"model_type": "bert\xff"}')
    with pytest.raises(BertLoadError, match=r"config.json: not valid UTF-8 at byte offset 20"):
        load_bert(tmp_path)


def test_config_nested_too_deep(tmp_path):
    _link_minilm(tmp_path, skip=("config.json",))
    (tmp_path / "config.json").write_text('{"a": ' + "[" * 200_000 + "]" * 200_000 + "}")
    with pytest.raises(BertLoadError, match="nested too deeply"):
        load_bert(tmp_path)


@pytest.mark.parametrize("key, value", [("vocab_size", 1e9), ("hidden_size", 2**20), ("num_hidden_layers", 10**6)])
def test_absurd_sizes_are_refused_before_allocation(tmp_path, key, value):
    _link_minilm(tmp_path, skip=("config.json",))
    (tmp_path / "config.json").write_text(json.dumps({**_config(), key: value}))
    with pytest.raises(BertLoadError, match=f"{key} .* larger than tfviz allows"):
        load_bert(tmp_path)


def test_weights_holding_nan_are_refused(tmp_path):
    _link_minilm(tmp_path, skip=("model.safetensors",))
    tensors = load_file(str(minilm_folder() / "model.safetensors"))
    name = next(k for k in tensors if k.endswith("query.weight"))
    tensors[name][0, 0] = float("nan")
    save_file(tensors, str(tmp_path / "model.safetensors"))
    with pytest.raises(BertLoadError, match=rf"model.safetensors: tensor '{name}' holds NaN"):
        load_bert(tmp_path)


def test_a_model_built_while_bert_loads_is_initialised(monkeypatch):
    """Loading BERT must not switch off random initialisation for other threads."""
    from tfviz.core.bert import model as bert_model
    from tfviz.core.seq2seq.models import build

    torch.manual_seed(0)
    want = build("transformer", "dates").state_dict()

    inside, built = threading.Event(), threading.Event()
    original = bert_model.BertModel

    class SlowBert(original):  # pauses while the loader builds its model
        def __init__(self, cfg):
            inside.set()
            assert built.wait(30)
            super().__init__(cfg)

    monkeypatch.setattr(bert_model, "BertModel", SlowBert)
    got = {}

    def other_worker():
        assert inside.wait(30)
        try:  # the loader is now inside its "build the model" step
            torch.manual_seed(0)
            got.update(build("transformer", "dates").state_dict())
        finally:
            built.set()

    worker = threading.Thread(target=other_worker)
    worker.start()
    try:
        bert = load_bert("minilm")
    finally:
        built.set()
        worker.join()
    assert got.keys() == want.keys()
    for k in want:
        assert torch.equal(got[k], want[k]), k
    assert all(p.device.type == "cpu" for p in bert.model.parameters())
