"""Long texts of the BERT vs GPT panel: the guide and the default sentences."""

from __future__ import annotations

from tfviz.gui.i18n import tr

DEFAULT_TEXT = {"en": "To be, or not to be, that is the question.", "zh": "道可道，非常道。名可名，非常名。"}


def guide_html() -> str:
    return tr("BertVsGpt", """<h3>BERT vs GPT</h3>
<p>Two tiny models trained by tfviz on the same text with the same tokenizer, the same size and
the same blocks. They differ in one line, the attention mask, and in what they learnt to do:
BERT fills a masked token using both sides, GPT predicts the next token from the left only.</p>
<ul>
<li><b>Fill the blank</b>: type a sentence and click a token. BERT's guesses for it (hidden
behind [MASK]) are on the left, GPT's guesses from the tokens before it on the right; ✓ marks
the true token. The matrices show each model's attention for the layer and head chosen above:
a full square for BERT, a lower triangle for GPT.</li>
<li><b>Generate</b>: → (or the button) draws one token from the bars, Space plays, ← takes the
last token back. Temperature, top-k and top-p reshape the bars before anything is drawn. The
attention grows by one row per token and the KV cache shows which keys and values were reused.
Choose SmolLM2 (a real 135 M model, fetched on request) to chat with a modern decoder.</li>
<li><b>Can BERT generate?</b>: BERT appends [MASK] and fills it repeatedly, beside GPT.</li>
<li><b>Train</b>: train both models side by side on the bundled corpus and watch the losses.</li>
</ul>
<p>The model language (English: Shakespeare, Chinese: classical texts) is independent of the
interface language.</p>""")
