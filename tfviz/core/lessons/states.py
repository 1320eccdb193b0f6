"""What a panel state may contain: one field table per panel (the contract of issue 13).

A panel state is a small JSON object ``{"panel": NAME, "version": 1, ...fields}``. Lessons
and workspaces store them; the panels restore them. This module only knows the *shape* of
each field; what a value means (is layer 7 in range for this model?) is the panel's business.

>>> check_state({"panel": "attention", "version": 1, "layer": "2"})
["field 'state.layer' must be an integer"]
>>> clean, warnings = sanitize_state({"panel": "overview", "version": 1, "tab": "tree", "colour": 3})
>>> clean["tab"], warnings
('tree', ["overview: field 'colour' is not part of this panel's state; ignored"])
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

#: The state version this tfviz writes.
STATE_VERSION = 1

# A check takes a value and returns None when it fits, else what it must be ("an integer").
Check = Callable[[object], "str | None"]


def _integer(v: object) -> str | None:
    return None if isinstance(v, int) and not isinstance(v, bool) else "an integer"


def _number(v: object) -> str | None:
    ok = isinstance(v, (int, float)) and not isinstance(v, bool) and v == v and abs(v) != float("inf")
    return None if ok else "a number"


def _string(v: object) -> str | None:
    return None if isinstance(v, str) else "a string"


def _boolean(v: object) -> str | None:
    return None if isinstance(v, bool) else "true or false"


def _choice(*options: str) -> Check:
    def check(v: object) -> str | None:
        return None if v in options else "one of " + ", ".join(repr(o) for o in options)
    return check


def _nullable(inner: Check) -> Check:
    def check(v: object) -> str | None:
        problem = inner(v)
        return None if v is None or problem is None else f"null or {problem}"
    return check


def _list_of(inner: Check, what: str) -> Check:
    def check(v: object) -> str | None:
        ok = isinstance(v, list) and all(inner(x) is None for x in v)
        return None if ok else f"a list of {what}"
    return check


def _masked(v: object) -> str | None:
    """``{"0": [3, 5]}``: sentence index (as a string) -> masked token positions."""
    ok = isinstance(v, dict) and all(
        isinstance(k, str) and k.isdigit() and _list_of(_integer, "")(x) is None for k, x in v.items())
    return None if ok else 'an object like {"0": [3, 5]} (sentence index -> token positions)'


def _scalar(v: object) -> str | None:
    return None if _string(v) is None or _integer(v) is None else "a string or an integer"


#: panel name -> field -> check. "panel" and "version" are common to all.
PANEL_FIELDS: dict[str, dict[str, Check]] = {
    "overview": {
        "tab": _choice("diagram", "tree"),
        "highlight": _nullable(_string),
        "selected": _nullable(_string),
        "filters": _list_of(_string, "strings"),
    },
    "tokenization": {
        "tab": _choice("encode", "compare", "train"),
        "tokenizer": _string,
        "text": _string,
        "step": _integer,
        "allow_special": _boolean,
    },
    "attention": {
        "model": _string,
        "text": _string,
        "sentence": _integer,
        "layer": _integer,
        "head": _integer,
        "tab": _string,
        "padding": _boolean,
        "causal": _boolean,
        "mask_click": _boolean,
        "masked": _masked,
        "colormap": _string,
        "words": _list_of(_string, "strings"),
    },
    "encoder-decoder": {
        "task": _choice("dates", "reverse"),
        "model": _choice("rnn", "rnn-attn", "transformer"),
        "text": _string,
        "step": _integer,
        "tab": _string,
        "map": _string,
    },
    "trajectories": {
        "source": _choice("synthetic", "eth_ucy"),
        "dataset": _nullable(_string),  # ETH/UCY folder or file (source "eth_ucy")
        "seed": _integer,
        "crowd": _integer,
        "scene": _string,
        "split": _string,
        "recording": _nullable(_scalar),
        "frame": _integer,
        "selected": _nullable(_integer),
        "models": _list_of(_string, "strings"),
        "fan": _integer,
        "attention": _string,
        "focus": _boolean,
    },
    "bert-vs-gpt": {
        "lang": _choice("en", "zh"),
        "model": _choice("tiny", "smollm2"),
        "text": _string,
        "position": _integer,
        "layer": _integer,
        "head": _integer,
        "mode": _choice("fill", "generate", "bert-generate", "train"),
        "generated": _list_of(_integer, "integers"),
        "temperature": _number,
        "top_k": _integer,
        "top_p": _number,
        "seed": _integer,
    },
}

PANELS = tuple(PANEL_FIELDS)


def check_state(state: object, where: str = "state") -> list[str]:
    """Every problem of ``state`` as a sentence naming the field (``where`` prefixes paths)."""
    if not isinstance(state, dict):
        return [f"field '{where}' must be an object like {{\"panel\": \"attention\", ...}}"]
    panel = state.get("panel")
    if not isinstance(panel, str) or panel not in PANEL_FIELDS:
        return [f"field '{where}.panel' must be one of " + ", ".join(repr(p) for p in PANELS)]
    problems = []
    version = state.get("version", STATE_VERSION)
    if _integer(version) is not None or version < 1:
        problems.append(f"field '{where}.version' must be an integer of at least 1")
    fields = PANEL_FIELDS[panel]
    for key, value in state.items():
        if key in ("panel", "version"):
            continue
        if key not in fields:
            problems.append(f"field '{where}.{key}' is not part of the {panel} panel's state "
                            f"(known: {', '.join(fields)})")
            continue
        must = fields[key](value)
        if must is not None:
            problems.append(f"field '{where}.{key}' must be {must}")
    return problems


def sanitize_state(state: Mapping, panel: str | None = None) -> tuple[dict, list[str]]:
    """Keep the fields of ``state`` that fit; a warning for each one dropped. Never raises.

    Used when restoring a workspace written by another version: what is understood is kept.
    """
    warnings: list[str] = []
    if not isinstance(state, Mapping):
        return {}, [f"{panel or 'panel'}: the state is not an object; ignored"]
    name = state.get("panel", panel)
    if panel is not None and name != panel:
        warnings.append(f"{panel}: the state says it belongs to {name!r}; read as {panel}")
        name = panel
    if not isinstance(name, str) or name not in PANEL_FIELDS:
        return {}, [f"unknown panel {name!r}; its state is ignored"]
    clean: dict = {"panel": name, "version": STATE_VERSION}
    version = state.get("version")
    if _integer(version) is not None:
        warnings.append(f"{name}: the state has no valid version; read as version {STATE_VERSION}")
    elif version > STATE_VERSION:
        warnings.append(f"{name}: the state was written by a newer tfviz (version {version}); "
                        "restoring what this version understands")
    fields = PANEL_FIELDS[name]
    for key, value in state.items():
        if key in ("panel", "version"):
            continue
        if key not in fields:
            warnings.append(f"{name}: field {key!r} is not part of this panel's state; ignored")
        elif (must := fields[key](value)) is not None:
            warnings.append(f"{name}: field {key!r} must be {must}; ignored")
        else:
            clean[key] = value
    return clean, warnings
