"""Sanity of the Transformer family tree data (tfviz.core.family_tree)."""

from __future__ import annotations

import re

import pytest

from tfviz.core import family_tree as ft

HAN = re.compile(r"[\u4e00-\u9fff]")


def test_keys_are_unique_and_match():
    keys = [m.key for m in ft._ENTRIES]
    assert len(keys) == len(set(keys))
    assert all(ft.MODELS[k].key == k for k in ft.MODELS)


def test_every_parent_exists_and_lineage_runs_forward_in_time():
    for parent, child in ft.edges():
        assert parent in ft.MODELS, f"{child}: unknown parent {parent}"
        p, c = ft.MODELS[parent], ft.MODELS[child]
        assert (p.year, p.month) <= (c.year, c.month), f"{parent} is younger than {child}"
        assert p.year <= c.year


def test_no_cycles_and_everything_after_2017_descends_from_the_transformer():
    def ancestors(key, seen=()):
        assert key not in seen, f"cycle through {key}"
        out = set()
        for p in ft.MODELS[key].parents:
            out |= {p} | ancestors(p, seen + (key,))
        return out

    for m in ft.MODELS.values():
        if m.branch in ("encoder-only", "decoder-only", "encoder-decoder"):
            assert ft.ROOT in ancestors(m.key), m.key


def test_architectures_and_branches_are_valid():
    for m in ft.MODELS.values():
        assert m.architecture in ft.ARCHITECTURES, m.key
        assert m.branch in ft.BRANCHES + ("root",), m.key
    assert ft.MODELS[ft.ROOT].year == 2017
    assert [m.key for m in ft.by_branch("root")] == [ft.ROOT]
    # predecessors come first in spirit: none of them builds on a Transformer model
    for m in ft.by_branch("predecessor"):
        assert all(ft.MODELS[p].branch == "predecessor" for p in m.parents), m.key


@pytest.mark.parametrize("model", list(ft.MODELS.values()), ids=list(ft.MODELS))
def test_all_fields_present_in_both_languages(model):
    assert model.name.strip() and model.paper.strip()
    assert 2010 <= model.year <= 2024 and 1 <= model.month <= 12
    for text in (model.organisation, model.objective, model.why):
        assert isinstance(text, ft.Text)
        assert text.en.strip() and text.zh.strip()
        assert text.get("en") == text.en and text.get("zh") == text.zh
    # the Chinese lines are really Chinese
    assert HAN.search(model.objective.zh) and HAN.search(model.why.zh), model.key


def test_required_members_are_present():
    names = {m.name for m in ft.MODELS.values()}
    for required in ("Word2Vec", "FastText", "ELMo", "ULMFiT", "Transformer", "BERT",
                     "RoBERTa", "ALBERT", "DeBERTa", "GPT", "GPT-2", "GPT-3", "ChatGPT",
                     "GPT-4", "PaLM", "LLaMA", "T5", "BART"):
        assert required in names
    assert any(n.startswith("ERNIE") for n in names)
    for branch in ft.BRANCHES:
        assert ft.by_branch(branch), branch


# Facts checked by hand against the papers / announcements (see the module docstring).
KNOWN = {
    "word2vec": (2013, "Google", "word-vectors"),
    "fasttext": (2016, "Facebook AI Research", "word-vectors"),
    "elmo": (2018, "AllenAI", "recurrent"),
    "ulmfit": (2018, "fast.ai", "recurrent"),
    "transformer": (2017, "Google", "encoder-decoder"),
    "bert": (2018, "Google", "encoder-only"),
    "ernie": (2019, "Baidu", "encoder-only"),
    "roberta": (2019, "Facebook AI", "encoder-only"),
    "albert": (2019, "Google", "encoder-only"),
    "deberta": (2020, "Microsoft", "encoder-only"),
    "gpt": (2018, "OpenAI", "decoder-only"),
    "gpt2": (2019, "OpenAI", "decoder-only"),
    "gpt3": (2020, "OpenAI", "decoder-only"),
    "chatgpt": (2022, "OpenAI", "decoder-only"),
    "gpt4": (2023, "OpenAI", "decoder-only"),
    "palm": (2022, "Google", "decoder-only"),
    "llama": (2023, "Meta", "decoder-only"),
    "t5": (2019, "Google", "encoder-decoder"),
    "bart": (2019, "Facebook AI", "encoder-decoder"),
}


@pytest.mark.parametrize("key", sorted(KNOWN))
def test_known_facts(key):
    year, org, arch = KNOWN[key]
    m = ft.MODELS[key]
    assert m.year == year and org in m.organisation.en and m.architecture == arch


def test_months_of_the_famous_releases():
    months = {k: (ft.MODELS[k].year, ft.MODELS[k].month) for k in ft.MODELS}
    assert months["transformer"] == (2017, 6)
    assert months["chatgpt"] == (2022, 11)
    assert months["gpt4"] == (2023, 3)
    assert months["palm"] == (2022, 4)
    assert months["llama"] == (2023, 2)
    assert "GPT-3.5" in ft.MODELS["chatgpt"].objective.en
    assert "RLHF" in ft.MODELS["chatgpt"].objective.en
    assert "540B" in ft.MODELS["palm"].objective.en


def test_models_are_in_chronological_order():
    dates = [m.date for m in ft.MODELS.values()]
    assert dates == sorted(dates)
    assert ft.MODELS["bert"].date == pytest.approx(2018.75)
