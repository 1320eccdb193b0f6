"""The Encoder-decoder panel's honest answer: judged by the core's reference solver
(:func:`tfviz.core.seq2seq.reference.judge`), never by "looks like a date".

- ✓ correct, or ✗ wrong with the expected answer, and each wrong character of the output
  marked (a reversed string, a date);
- an input outside what the models were trained on (not one of the task's formats, a year
  outside 1900–2099, a string longer than the trained lengths) is said to be so; the output
  is still shown.
"""

from __future__ import annotations

from tfviz.gui.i18n import tr

OK_COLOUR = "#009E73"  # Okabe-Ito bluish green: readable on both themes


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def marked_output(output: str, expected: str | None, colour: str) -> str:
    """``output`` as HTML with every character that differs from ``expected`` underlined in
    ``colour`` (nothing marked without a reference)."""
    if expected is None:
        return _esc(output)
    from tfviz.core.seq2seq.reference import wrong_positions

    wrong = set(wrong_positions(expected, output))
    out = []
    for i, ch in enumerate(output):
        text = _esc(ch) if ch != " " else "&nbsp;"
        if i in wrong:
            out.append(f"<span style='color:{colour}; text-decoration: underline'>{text}</span>")
        else:
            out.append(text)
    return "".join(out)


def _outside_reason(task: str, expected: str | None) -> str:
    from tfviz.core.seq2seq.tasks import REVERSE_MIN, REVERSE_TRAIN_MAX

    if task == "dates":
        if expected is None:
            return tr("EncoderDecoderVerdict", "not one of the task's date formats")
        return tr("EncoderDecoderVerdict", "the year is outside 1900–2099")
    if expected is None:
        return tr("EncoderDecoderVerdict", "characters outside the task's symbols")
    return tr("EncoderDecoderVerdict", "the length is outside the trained {lo}–{hi} characters").format(
        lo=REVERSE_MIN, hi=REVERSE_TRAIN_MAX)


def verdict(task: str, text: str, output: str):
    """The core's :class:`~tfviz.core.seq2seq.reference.Verdict` for this answer."""
    from tfviz.core.seq2seq.reference import judge

    return judge(task, text, output)


def verdict_html(task: str, text: str, output: str, bad_colour: str) -> str:
    """The line under the output: correct / wrong (expected …) / outside the training."""
    v = verdict(task, text, output)
    parts = []
    if v.correct:
        parts.append(f"<span style='color:{OK_COLOUR}'><b>" + tr("EncoderDecoderVerdict", "✓ correct") + "</b></span>")
    elif v.correct is False:
        wrong = tr("EncoderDecoderVerdict", "✗ wrong: the answer is {expected}").format(
            expected=f"<b>{_esc(v.expected)}</b>")
        parts.append(f"<span style='color:{bad_colour}'>{wrong}</span>")
        missing = len(v.expected) - len(output)
        if missing > 0:
            parts.append(tr("EncoderDecoderVerdict", "({n} characters missing)").format(n=missing))
    if not v.in_domain:
        parts.append("<i>" + tr("EncoderDecoderVerdict", "Outside what the model was trained on: {reason}.").format(
            reason=_outside_reason(task, v.expected)) + "</i>")
    if v.correct is None:
        parts.append(tr("EncoderDecoderVerdict", "There is no reference answer to check it against."))
    return " &nbsp; ".join(parts)
