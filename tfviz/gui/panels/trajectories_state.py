"""State of the Trajectories panel (issue 13): the data, the frame, the person, the models.

``{"panel": "trajectories", "version": 1, "source": "synthetic", "seed": 7, "crowd": 40,
"dataset": null, "scene": "eth", "split": "test", "recording": 0, "frame": 8,
"selected": 3 | null, "models": ["cv", "tf"], "fan": 5, "attention": "tf", "focus": true}``

``focus`` true draws only the selected person's paths (the default), false is "Show everyone";
``models`` are the models shown (default cv and tf).

``source`` "synthetic" simulates ``crowd`` people with ``seed``; "eth_ucy" opens ``dataset``
(an ETH/UCY folder, with ``scene`` / ``split``, or one file, with ``recording``) when it is on
this computer, and says so when it is not. The data, the weights and the predictions arrive
in workers: the frame and the person are applied once the recording is shown.
"""

from __future__ import annotations

import os

from tfviz.gui.panels.trajectories_view import MODEL_ORDER


def _source(panel) -> tuple[str, str | None]:
    box = panel.data_box
    if box.source == "synthetic":
        return "synthetic", None
    if box.source == "folder":
        return "eth_ucy", box.dataset_root
    request = getattr(box, "_request", None) or ()
    return "eth_ucy", request[1] if len(request) > 1 and request[0] == "file" else None


def state(panel) -> dict:
    box = panel.data_box
    source, dataset = _source(panel)
    selected = panel.selected_id
    return {
        "panel": "trajectories",
        "version": 1,
        "source": source,
        "seed": box.seed_spin.value(),
        "crowd": box.crowd_spin.value(),
        "dataset": dataset,
        "scene": box.scene_combo.currentData() or "",
        "split": box.split_combo.currentData() or "test",
        "recording": max(0, box.recording_combo.currentIndex()),
        "frame": panel.controls.position,
        "selected": None if selected is None else int(selected) if float(selected).is_integer() else None,
        "models": [n for n, b in panel.model_checks.items() if b.isChecked()],
        "fan": panel.fan_spin.value(),
        "attention": panel.person_box.attn_combo.currentData() or "tf",
        "focus": not panel.everyone(),
    }


def restore(panel, s: dict) -> list[str]:
    warnings: list[str] = []
    box = panel.data_box
    if "models" in s:
        unknown = [m for m in s["models"] if m not in panel.model_checks]
        if unknown:
            warnings.append(f"trajectories: unknown models {unknown} (known: {', '.join(MODEL_ORDER)})")
        for name, b in panel.model_checks.items():
            b.setChecked(name in s["models"])
    if "fan" in s:
        panel.fan_spin.setValue(s["fan"])
    if "attention" in s:
        i = panel.person_box.attn_combo.findData(s["attention"])
        if i >= 0:
            panel.person_box.attn_combo.setCurrentIndex(i)
        else:
            warnings.append(f"trajectories: no attention view for {s['attention']!r}")
    if "focus" in s:
        panel.edit_bar.everyone_check.setChecked(not s["focus"])
    reload = _restore_data(panel, s, warnings)
    panel._lesson_pending = {k: s[k] for k in ("frame", "selected", "recording") if k in s}
    if not getattr(panel, "_lesson_hooked", False):
        box.recording_ready.connect(lambda *_: _finish(panel))
        panel._lesson_hooked = True
    if not reload and panel.playback is not None and not box.busy():
        _finish(panel)
    panel._redraw()
    return warnings


def _restore_data(panel, s: dict, warnings: list[str]) -> bool:
    """Show the state's data; True when a new recording was asked for (it arrives later)."""
    box = panel.data_box
    source = s.get("source", "synthetic")
    dataset = s.get("dataset")
    if source == "eth_ucy":
        if not dataset or not os.path.exists(dataset):
            warnings.append(f"trajectories: the ETH/UCY data {dataset or '(no path)'} is not on this computer; "
                            "download it with the Download button. Showing a simulated crowd instead.")
            source = "synthetic"
        elif os.path.isdir(dataset):
            if box.dataset_root != dataset or box.source != "folder":
                box.open_path(dataset)
            changed = False
            for combo, key in ((box.scene_combo, "scene"), (box.split_combo, "split")):
                if key in s:
                    i = combo.findData(s[key])
                    if i < 0:
                        warnings.append(f"trajectories: no {key} {s[key]!r} in {dataset}")
                    elif i != combo.currentIndex():
                        combo.setCurrentIndex(i)
                        changed = True
            if changed or box.busy():
                box.load_scene()
                return True
            return False
        else:
            box.open_path(dataset)
            return True
    seed, crowd = s.get("seed", box.seed_spin.value()), s.get("crowd", box.crowd_spin.value())
    same = (box.source == "synthetic" and seed == box.seed_spin.value() and crowd == box.crowd_spin.value()
            and (panel.playback is not None or box.busy()))
    box.seed_spin.setValue(seed)
    box.crowd_spin.setValue(crowd)
    if not same:
        box.generate_synthetic()
        return True
    return box.busy()


def _finish(panel) -> None:
    pending = getattr(panel, "_lesson_pending", None)
    if not pending or panel.playback is None:
        return
    panel._lesson_pending = None
    rec = pending.get("recording")
    box = panel.data_box
    if rec is not None and 0 <= rec < len(getattr(box, "recordings", []) or []) and rec != box.recording_combo.currentIndex():
        box.recording_combo.setCurrentIndex(rec)
        box._choose_recording(rec)
    if "frame" in pending:
        panel.controls.set_position(max(0, min(len(panel.playback) - 1, pending["frame"])))
    if "selected" in pending:
        if pending["selected"] is None:
            panel.selected_id = None
            panel._redraw()
        else:
            panel.select_pedestrian(float(pending["selected"]))


def settle(panel, timeout_ms: int) -> bool:
    ok = panel.data_box.wait_idle(timeout_ms)
    _finish(panel)
    ok = panel.wait_ready(timeout_ms) and ok
    panel._redraw()
    return ok
