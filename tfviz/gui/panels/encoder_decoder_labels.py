"""The encoder-decoder panel's tasks and models, and their translated names (shared by its tabs)."""

from __future__ import annotations

from tfviz.gui.i18n import tr

TASKS = ("dates", "reverse")
KINDS = ("rnn", "rnn-attn", "transformer")


def task_label(name: str) -> str:
    return {"dates": tr("EncoderDecoder", "Dates → ISO 8601"),
            "reverse": tr("EncoderDecoder", "Reverse a string")}[name]  # fmt: skip


def kind_label(kind: str) -> str:
    return {"rnn": tr("EncoderDecoder", "RNN (no attention)"),
            "rnn-attn": tr("EncoderDecoder", "RNN + attention"),
            "transformer": tr("EncoderDecoder", "Transformer")}[kind]  # fmt: skip
