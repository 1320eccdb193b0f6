"""What the attention panel runs in workers: load a BERT, analyse a batch of sentences.

Both run off the UI thread (``LatestJob`` slots in :mod:`tfviz.gui.panels.attention`), import
torch lazily, and return plain numpy-backed results the views repaint from.
"""

from __future__ import annotations

BATCH_MAX_TOKENS = 128  # per sentence in batch mode: keeps 4 x 72 attention maps small


def load_model(spec: str, device: str):
    """Worker: load the model and prepare the numpy tables the embeddings tab needs.

    Returns ``(spec, bert, table, normed, positions)``: the token table (V, D), its
    unit-length rows (V, D) and the learned position table (P, D).
    """
    import torch  # noqa: F401  (first import happens here, off the UI thread)

    from tfviz.core.bert import load_bert
    from tfviz.core.bert.embeddings import normalize_rows

    bert = load_bert(spec, device="cpu")
    table = bert.model.embeddings.word.weight.detach().numpy()  # (V, D)
    positions = bert.model.embeddings.position.weight.detach().numpy()  # (P, D)
    if device != "cpu":
        bert.model.to(device)
        bert.device = device
    return spec, bert, table, normalize_rows(table), positions


def run_analysis(bert, texts, causal, mask_positions, pad_mask, device: str | None = None):
    """Worker: one forward pass with all traces on ``device``; falls back to the CPU if the GPU fails.

    Returns ``(analysis, notes)``; ``notes`` are the fallback messages to show the user.
    """
    from tfviz.core.bert.analysis import analyze
    from tfviz.core.device import run_with_fallback

    notes: list[str] = []

    def work(dev: str):
        if dev != bert.device:
            bert.model.to(dev)
            bert.device = dev
        return analyze(bert, texts, causal=causal, mask_positions=mask_positions, pad_mask=pad_mask,
                       max_length=BATCH_MAX_TOKENS if len(texts) > 1 else None)

    res, _ = run_with_fallback(work, device or bert.device, notify=notes.append)
    return res, notes
