"""SmolLM2 against its oracle: transformers' Llama loaded from the same GGUF file (float32).

The tokenizer oracle is transformers' GGUF tokenizer. For ``tokenizer.ggml.pre = "smollm"`` it
keeps GPT-2's pre-tokenizer, while SmolLM2's own ``tokenizer.json`` (and llama.cpp) first split
every digit alone: the two differ only where a run of spaces stands before a digit. So the
tokenizer is compared with that oracle given SmolLM2's pre-tokenizer (Digits, then ByteLevel),
and with the unchanged oracle on text where the difference cannot arise.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from smollm2_support import gguf_path, tfviz_model

from tfviz.core.lm.llama_tokenizer import Message, chat_text
from tfviz.core.lm.sampling import Sampling

pytest.importorskip("gguf")
pytest.importorskip("accelerate")
transformers = pytest.importorskip("transformers")

PROMPTS = [
    "The capital of France is",
    "人工智能是",
    "Once upon a time, in a small village by the sea, there lived an old fisherman who every morning "
    "rowed out before dawn. One day his net came up heavy, and in it lay",
    "子曰：学而时习之，不亦说乎？有朋自远方来，",
]
STRINGS = [
    "Hello world!", "The year 2024 had 366 days.", "a  2024 b", "I'm   3x faster",
    "我爱自然语言处理。今天天气很好！", "子曰：「學而時習之，不亦說乎？」",
    "def f(x):\n    return x ** 2  # square\n\n\nclass A:\n\tpass\n", "for (int i = 0; i < n; ++i) { s += a[i]; }",
    "emoji 😀👍🏽 🇫🇷 👨‍👩‍👧 ✨", "   leading and trailing   ", "\n\n\n  \t\t x \r\n y  ", "", " ",
    "naïve café — «quotes» “curly” ’tis", "<|im_start|>user\nHi<|im_end|>\n",
]


@pytest.fixture(scope="module")
def hf_model():
    path = gguf_path()
    model = transformers.AutoModelForCausalLM.from_pretrained(str(path.parent), gguf_file=path.name, dtype=torch.float32)
    return model.eval()


@pytest.fixture(scope="module")
def hf_tokenizers():
    """(SmolLM2's own pre-tokenizer, transformers' GGUF default)."""
    from tokenizers import pre_tokenizers

    path = gguf_path()
    plain = transformers.AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
    smollm = transformers.AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
    smollm.backend_tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Digits(individual_digits=True), pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)]
    )
    return smollm, plain


def test_logits_equal_the_transformers_model(hf_model):
    model = tfviz_model()
    worst = 0.0
    for prompt in PROMPTS:
        ids = model.encode(prompt)
        ours = model.position_logits(ids)  # (T, V)
        with torch.no_grad():
            theirs = hf_model(torch.tensor([ids])).logits[0].numpy()  # (T, V)
        assert ours.shape == theirs.shape == (len(ids), 49152)
        worst = max(worst, float(np.abs(ours - theirs).max()))
        assert np.array_equal(ours.argmax(-1), theirs.argmax(-1)), prompt
    assert worst < 1e-3, worst


@pytest.mark.slow
def test_greedy_32_tokens_equal_transformers_generate(hf_model):
    model = tfviz_model()
    for prompt in ("Once upon a time,", "人工智能是"):
        ids = model.encode(prompt)
        ours = [s.token_id for s in model.generate(ids, 32, Sampling(temperature=0), stop_at_end=False)]
        with torch.no_grad():
            out = hf_model.generate(torch.tensor([ids]), max_new_tokens=32, do_sample=False, eos_token_id=None,
                                    pad_token_id=0)  # fmt: skip
        assert ours == out[0, len(ids):].tolist(), prompt
        assert len(ours) == 32


def test_greedy_12_tokens_equal_transformers_generate(hf_model):
    model = tfviz_model()
    ids = model.chat_ids([Message("user", "What is the capital of France?")])
    ours = [s.token_id for s in model.generate(ids, 12, Sampling(temperature=0))]
    with torch.no_grad():
        out = hf_model.generate(torch.tensor([ids]), max_new_tokens=12, do_sample=False, pad_token_id=0)
    assert ours == out[0, len(ids):].tolist()
    assert model.decode(ours).startswith("The capital of France is Paris")


def test_tokenizer_ids_equal_transformers(hf_tokenizers):
    smollm, plain = hf_tokenizers
    model = tfviz_model()
    for text in STRINGS:
        ids = model.encode(text)
        assert ids == smollm.encode(text), text
        assert model.decode(ids) == text
    assert model.encode("a  2024") != plain.encode("a  2024")  # the documented difference
    for text in STRINGS:
        if not any(c.isdigit() for c in text):
            assert model.encode(text) == plain.encode(text), text


def test_tokenizer_on_the_shared_corpora(hf_tokenizers, shared_dir):
    smollm, _ = hf_tokenizers
    model = tfviz_model()
    for name in ("en_shakespeare.txt", "zh_classical.txt"):
        text = (shared_dir / "corpora" / name).read_text(encoding="utf-8")[:60_000]
        assert model.encode(text) == smollm.encode(text), name


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60))
def test_tokenizer_round_trip_and_oracle_on_any_text(hf_tokenizers, text):
    smollm, _ = hf_tokenizers
    model = tfviz_model()
    text = text.replace("<|", "<")  # special-token text is tested above
    ids = model.encode(text)
    assert ids == smollm.encode(text)
    skipped = model.tok.missing
    kept = text.encode("utf-8").translate(None, skipped)
    assert model.tok.decode_bytes(ids) == kept  # everything but the bytes that have no token comes back


def test_chat_template_equals_the_gguf_template(hf_tokenizers):
    smollm, _ = hf_tokenizers
    model = tfviz_model()
    for messages in ([Message("user", "What is 2+2?")],
                     [Message("system", "Be brief."), Message("user", "你好"), Message("assistant", "你好！"),
                      Message("user", "Bye")]):  # fmt: skip
        as_dicts = [{"role": m.role, "content": m.content} for m in messages]
        rendered = smollm.apply_chat_template(as_dicts, tokenize=False, add_generation_prompt=True,
                                              chat_template=model.chat_template)  # fmt: skip
        assert chat_text(messages) == rendered
        assert model.chat_ids(messages) == smollm.encode(rendered)
