"""The attention panel's longer texts: its guide, the "self-attention vs attention" page, and
the warnings shown above the tabs. Pure functions of what they describe, translated on call."""

from __future__ import annotations

from tfviz.gui.i18n import tr
from tfviz.gui.panels.attention_work import BATCH_MAX_TOKENS

MAX_SENTENCES = 4


def guide_html() -> str:
    return tr(
        "AttentionPanel",
        "<h3>Attention</h3><p>Type a sentence, or up to four sentences (one per line) to see padding. "
        "tfviz runs a real pretrained BERT (MiniLM-L6: 6 layers × 12 heads) and keeps every number.</p>"
        "<ul><li><b>Left / Right</b> step through heads (then layers); <b>Home / End</b> jump to the first "
        "and last head; <b>Space</b> plays.</li>"
        "<li><b>Matrix</b>: rows are queries, columns are keys; hover a cell for its value.</li>"
        "<li><b>Lines</b>: line opacity is the weight; hover a token to isolate its lines.</li>"
        "<li><b>Model</b>: every layer × head; click one to open it.</li>"
        "<li><b>Computation</b>: Q, K, V, Q·Kᵀ, ÷ √d_k, + mask, softmax, · V with the actual numbers.</li>"
        "<li><b>Masks</b>: padding (batch), causal, and [MASK] tokens (tick “Click a token to [MASK] it”, "
        "then click a row).</li>"
        "<li><b>Embeddings</b>: token and position vectors, PCA, nearest neighbours.</li></ul>"
        "<p>Any BERT folder with config.json, model.safetensors and vocab.txt can be opened "
        "(File &gt; Open, or the folder button).</p>",
    )


def explain_html(link_to_encoder_decoder: bool) -> str:
    """The "Self-attention vs attention" tab; links to the encoder-decoder panel if it exists."""
    link = ""
    if link_to_encoder_decoder:
        link = tr("AttentionPanel", '<p><a href="panel:encoder-decoder">Open the encoder-decoder panel</a> '
                                    "to see cross-attention at work.</p>")
    return tr(
        "AttentionPanel",
        "<h3>Self-attention vs attention</h3>"
        "<p><b>Attention</b> lets a set of queries read from a set of keys and values: each query is compared "
        "with every key (dot product, divided by √d_k), the scores go through a softmax, and the weights mix "
        "the values.</p>"
        "<p><b>Self-attention</b>: Q, K and V all come from the <i>same</i> sentence, each through its own "
        "learned projection. Every token can look at every other token of its sentence; this is what BERT "
        "does in all its layers, and what this panel shows.</p>"
        "<p><b>Encoder-decoder (cross-) attention</b>: the queries come from the <i>decoder</i> (the output "
        "being produced) while the keys and values come from the <i>encoder</i>'s output (the input "
        "sentence). That is how a translation model looks at the source sentence while writing.</p>"
        "<p><b>Masked (causal) self-attention</b> in a decoder: position i may only look at positions ≤ i, "
        "so the model cannot read the word it must predict.</p>",
    ) + link


def analysis_warnings(res, *, error: str, causal: bool, empty: bool, max_positions: int,
                      sentences_dropped: bool) -> list[str]:
    """What the user should know about the shown analysis ``res`` (None if there is none).

    ``error``: the last analysis failure ("" if none); ``empty``: a model is loaded but the text
    is empty; ``sentences_dropped``: more than :data:`MAX_SENTENCES` lines were typed.
    """
    out = []
    if error:
        out.append(tr("AttentionPanel", "The analysis failed: {error}").format(error=error))
    if causal:
        out.append(tr("AttentionPanel", "Causal mask on a bidirectional model: this shows what a decoder would be "
                                        "allowed to see, not how this model was trained (BERT always sees both sides)."))
    if res is None:
        if empty:
            out.append(tr("AttentionPanel", "The text is empty: type a sentence."))
        return out
    if res.truncated and len(res.texts) > 1:
        out.append(tr("AttentionPanel", "In batch mode each sentence is cut to {n} tokens.").format(n=BATCH_MAX_TOKENS))
    elif res.truncated:
        out.append(tr("AttentionPanel", "The text is longer than the model's {n} positions: only the first {n} "
                                        "tokens are used.").format(n=max_positions))
    unk = sum(t.count("[UNK]") for t in res.tokens)
    if unk:
        out.append(tr("AttentionPanel", "{n} token(s) are [UNK]: the vocabulary lacks those characters.").format(n=unk))
    if sentences_dropped:
        out.append(tr("AttentionPanel", "Only the first 4 sentences are used."))
    return out
