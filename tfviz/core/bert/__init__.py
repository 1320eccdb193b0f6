"""BERT-family encoders loaded from local Hugging Face folders, with tfviz's own blocks.

>>> from tfviz.core.bert import load_bert, analyze
>>> bert = load_bert("minilm")
>>> res = analyze(bert, ["The cat sat."])
>>> res.weights.shape        # (L, B, H, T, T)
(6, 1, 12, 6, 6)

Submodules: ``config`` (config.json), ``wordpiece`` (tokenizer), ``model`` (BertModel),
``loader`` (folder -> model, hash check), ``analysis`` (texts -> numpy traces).
"""

from tfviz.core.bert.config import BertConfig, BertLoadError, UnsupportedModelError
from tfviz.core.bert.loader import MINILM, Bert, HashMismatchError, load_bert
from tfviz.core.bert.wordpiece import Encoding, WordPiece

__all__ = [
    "MINILM",
    "Bert",
    "BertConfig",
    "BertLoadError",
    "Encoding",
    "HashMismatchError",
    "UnsupportedModelError",
    "WordPiece",
    "load_bert",
    "analyze",
]


def __getattr__(name):  # analyze needs torch; import it only when asked for
    if name == "analyze":
        from tfviz.core.bert.analysis import analyze

        return analyze
    raise AttributeError(name)
