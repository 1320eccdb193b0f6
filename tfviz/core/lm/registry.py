"""Every language model tfviz can load, by name.

``gpt-en``, ``bert-en``, ``gpt-zh``, ``bert-zh`` are the tiny models trained by
``tfviz lm train`` and shipped under ``resources/weights/lm/``; ``smollm2`` is the real small
LLM, loaded from a GGUF file that ``tfviz lm fetch smollm2`` puts in place.

>>> [n for n in MODEL_NAMES if n.startswith("gpt")]
['gpt-en', 'gpt-zh']
"""

from __future__ import annotations

MODEL_NAMES = ("gpt-en", "bert-en", "gpt-zh", "bert-zh", "smollm2")
TINY_NAMES = MODEL_NAMES[:4]


def load(name: str, device: str = "cpu"):
    """The model called ``name`` on ``device`` (a concrete torch device string)."""
    if name not in MODEL_NAMES:
        raise ValueError(f"unknown model {name!r}; valid: {', '.join(MODEL_NAMES)}")
    if name == "smollm2":
        import importlib.util

        from tfviz.core.lm.base import ModelNotAvailable

        if importlib.util.find_spec("tfviz.core.lm.smollm2") is None:
            raise ModelNotAvailable("SmolLM2 support is not part of this tfviz version")
        from tfviz.core.lm import smollm2

        return smollm2.load(device=device)
    from tfviz.core.lm.tiny import load_shipped

    return load_shipped(name, device=device)
