"""The trajectories panel as a user drives it: scene, play, pick a person, models, files."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt

from tfviz.gui.panels.trajectories import Panel

WAIT = 120_000  # ms: jobs share a busy 2-core machine


@pytest.fixture
def panel(ctx, qtbot):
    p = Panel(ctx)
    qtbot.addWidget(p)
    p.resize(1300, 850)
    p.show()
    qtbot.waitUntil(lambda: p.playback is not None and p.models is not None, timeout=WAIT)
    yield p
    p.shutdown()


def _wait_prediction(qtbot, p):
    qtbot.waitUntil(lambda: p.controls.position in p.predictions, timeout=WAIT)


def test_synthetic_scene_by_default_with_every_model(panel, qtbot):
    assert panel.data_box.source == "synthetic" and panel.recording.n_peds == 40
    assert set(panel.models) == {"cv", "tf", "tf-multi", "star"}  # shipped weights found
    _wait_prediction(qtbot, panel)
    st = panel.current_state()
    fp = panel.predictions[st.index]
    assert fp.preds["tf"].shape == st.obs[:, :12].shape[:1] + (12, 2)
    assert fp.samples.shape[1:] == (20, 12, 2)
    # everyone's paths, with the two models that are off at first
    panel.edit_bar.everyone_check.click()
    panel.model_checks["star"].click()
    panel.model_checks["tf-multi"].click()
    x, _ = panel.view.models["star"].getData()
    assert x is not None and np.isfinite(x).sum() == 13 * len(st.ids)  # start + 12 per person
    x, _ = panel.view.fan.getData()
    assert np.isfinite(x).sum() == 5 * 13 * len(st.ids)  # 5 futures in the fan by default


def test_generate_a_smaller_crowd(panel, qtbot):
    panel.data_box.crowd_spin.selectAll()
    qtbot.keyClicks(panel.data_box.crowd_spin, "12")
    qtbot.mouseClick(panel.data_box.generate_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: panel.recording.n_peds == 12, timeout=WAIT)
    assert "12" in panel.data_box.info_label.text()


def test_play_step_and_pick_a_pedestrian(panel, qtbot):
    start = panel.controls.position
    panel.toggle_play()  # what Space does
    qtbot.waitUntil(lambda: panel.controls.position >= start + 2, timeout=WAIT)
    panel.toggle_play()
    assert not panel.controls.is_playing()
    panel.go_first()
    assert panel.controls.position == 0
    panel.controls.set_position(30)
    panel.step(1)
    assert panel.controls.position == 31
    _wait_prediction(qtbot, panel)
    qtbot.mouseClick(panel.person_box.next_button, Qt.LeftButton)
    assert panel.selected_id is not None
    box = panel.person_box
    assert box.person_label.text().startswith("Pedestrian")
    assert "ADE" in box.metrics_label.text() and "star" in box.metrics_label.text()
    heights = box.attn_bars.opts["height"]
    assert len(heights) == 8 and abs(float(np.sum(heights)) - 1.0) < 1e-4  # softmax row
    # star's attention to neighbours is drawn as lines (when it has neighbours in range)
    st = panel.current_state()
    row = int(np.nonzero(st.ids == panel.selected_id)[0][0])
    spatial = panel.predictions[st.index].spatial
    assert spatial.shape == (len(st.ids), len(st.ids))
    assert abs(spatial[row].sum() - 1.0) < 1e-4


def test_click_on_a_person_selects_it(panel, qtbot):
    _wait_prediction(qtbot, panel)
    st = panel.current_state()
    target = st.obs[0, -1]
    vb = panel.view.getPlotItem().getViewBox()
    scene_pt = vb.mapViewToScene(__import__("PySide6.QtCore", fromlist=["QPointF"]).QPointF(*target))
    view_pt = panel.view.mapFromScene(scene_pt)
    qtbot.mouseClick(panel.view.viewport(), Qt.LeftButton, pos=view_pt)
    qtbot.waitUntil(lambda: panel.selected_id is not None, timeout=5000)
    assert panel.selected_id in set(st.present_ids.tolist())


def test_switching_models_hides_their_paths(panel, qtbot):
    _wait_prediction(qtbot, panel)
    box = panel.model_checks["cv"]
    box.click()
    assert not box.isChecked() and not panel.view.models["cv"].isVisible()
    panel.model_checks["tf-multi"].click()
    assert panel.view.fan.isVisible()
    panel.model_checks["tf-multi"].click()
    assert not panel.view.fan.isVisible()
    box.click()
    assert panel.view.models["cv"].isVisible()


def test_open_eth_ucy_folder_and_switch_scene(panel, qtbot, shared_dir):
    root = shared_dir / "datasets" / "eth_ucy"
    assert panel.open_path(str(root))
    data = panel.data_box
    qtbot.waitUntil(lambda: data.source == "folder", timeout=WAIT)
    assert panel.recording.name == "biwi_eth" and panel.fold == "eth"
    assert [data.scene_combo.itemText(i) for i in range(data.scene_combo.count())] == [
        "eth", "hotel", "univ", "zara1", "zara2"]
    data.scene_combo.setCurrentIndex(1)
    data.scene_combo.activated.emit(1)
    qtbot.waitUntil(lambda: panel.recording.name == "biwi_hotel", timeout=WAIT)
    qtbot.waitUntil(lambda: panel.models_fold == "hotel", timeout=WAIT)
    _wait_prediction(qtbot, panel)
    # univ's test split has two recordings: both can be chosen
    data.scene_combo.setCurrentIndex(2)
    data.scene_combo.activated.emit(2)
    qtbot.waitUntil(lambda: panel.recording.name == "students001", timeout=WAIT)
    assert not data.recording_combo.isHidden() and data.recording_combo.count() == 2
    data.recording_combo.setCurrentIndex(1)
    data.recording_combo.activated.emit(1)
    assert panel.recording.name == "students003" and panel.fold == "univ"


def test_bad_files_and_folders_are_reported(panel, qtbot, tmp_path):
    name = panel.recording.name
    bad = tmp_path / "bad.txt"
    bad.write_text("0\t1\t1.0\t2.0\n10\t1\t1.0\n")
    panel.open_path(str(bad))
    qtbot.waitUntil(lambda: "bad.txt:2" in panel.data_box.error_label.text(), timeout=WAIT)
    assert panel.recording.name == name  # nothing lost
    empty = tmp_path / "empty_folder"
    empty.mkdir()
    panel.open_path(str(empty))
    assert "no recognisable dataset" in panel.data_box.error_label.text()


def test_one_pedestrian_file(panel, qtbot, tmp_path):
    f = tmp_path / "one.txt"
    f.write_text("".join(f"{10 * i}\t1\t{0.4 * i}\t1.0\n" for i in range(25)))
    panel.open_path(str(f))
    qtbot.waitUntil(lambda: panel.data_box.source == "file" and panel.recording.n_peds == 1, timeout=WAIT)
    _wait_prediction(qtbot, panel)
    panel.select_next()
    assert panel.selected_id == 1.0


def test_export_png_target_and_gif(panel, qtbot, tmp_path):
    assert panel.export_target() is panel.view
    out = panel.export_gif(str(tmp_path / "anim.gif"), n_frames=4)
    with Image.open(out) as img:
        assert img.format == "GIF" and img.n_frames == 4
    from tfviz.gui.export import ExportError

    start = panel.controls.position
    with pytest.raises(ExportError, match="is a folder"):  # refused before any frame is drawn
        panel.export_gif(str(tmp_path), n_frames=4)
    assert panel.controls.position == start


def test_training_runs_in_background_and_cancels(panel, qtbot):
    box = panel.train_box
    box.model_combo.setCurrentIndex(0)  # tf
    qtbot.mouseClick(box.train_button, Qt.LeftButton)
    assert panel.is_training() and not box.train_button.isEnabled()
    qtbot.waitUntil(lambda: box.progress.bar.value() > 0, timeout=WAIT)
    qtbot.mouseClick(box.progress.cancel_button, Qt.LeftButton)
    assert box.train_button.isEnabled() and "cancelled" in box.status.text()
    qtbot.waitUntil(lambda: not panel.is_training(), timeout=WAIT)
    assert "tf" not in panel._trained  # a cancelled training delivers nothing


def test_chinese_texts(panel, qtbot):
    from tfviz.gui.i18n import set_language

    set_language("zh")
    try:
        qtbot.waitUntil(lambda: panel.data_box.title() == "数据", timeout=5000)
        assert panel.model_checks["cv"].text() == "cv：匀速模型"
    finally:
        set_language("en")
    qtbot.waitUntil(lambda: panel.data_box.title() == "Data", timeout=5000)


def test_download_from_a_loopback_server_then_open(panel, qtbot, shared_dir, tmp_path):
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(shared_dir / "datasets" / "eth_ucy"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        dest = tmp_path / "eth_ucy"
        panel.download_dataset(str(dest), base_url=f"http://127.0.0.1:{server.server_address[1]}/")
        qtbot.waitUntil(lambda: panel.data_box.source == "folder", timeout=WAIT)
        assert panel.data_box.dataset_root == str(dest) and panel.recording.name == "biwi_eth"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_in_the_main_window_keys_and_export(main_window, qtbot, tmp_path):
    main_window.show_panel("trajectories")
    panel = main_window.current_panel()
    assert panel.name == "trajectories"
    qtbot.waitUntil(lambda: panel.playback is not None and panel.models is not None, timeout=WAIT)
    start = panel.controls.position
    qtbot.keyClick(main_window, Qt.Key_Right)
    assert panel.controls.position == start + 1
    qtbot.keyClick(main_window, Qt.Key_End)
    assert panel.controls.position == len(panel.playback) - 1
    qtbot.keyClick(main_window, Qt.Key_Home)
    assert panel.controls.position == 0
    out = main_window.export_current(str(tmp_path / "frame.png"))
    with Image.open(out) as img:
        assert img.size[0] > 200
    panel.shutdown()


def test_prepare_shot_shows_predictions_and_a_selection(panel, qtbot):
    panel.prepare_shot()
    assert panel.controls.position == len(panel.playback) // 2
    assert panel.selected_id is not None and "ADE" in panel.person_box.metrics_label.text()


def test_long_recordings_keep_a_bounded_prediction_cache(panel, qtbot):
    from tfviz.core.traj.scene_cache import PredictionCache

    panel.cache = PredictionCache(ahead=10, behind=0, keep=5)
    panel.controls.set_position(20)
    panel._start_predictions()
    assert panel.wait_ready(WAIT)
    assert len(panel.predictions) <= 5 and 20 in panel.predictions
    panel.controls.set_position(60)  # past what was predicted: predicts from here
    qtbot.waitUntil(lambda: 60 in panel.predictions, timeout=WAIT)


def test_a_burst_of_jumps_predicts_only_the_last_place(panel, qtbot):
    panel.wait_ready(WAIT)
    for i in range(5, 45, 2):  # dragging the slider: each jump replaces the previous job
        panel.controls.set_position(i)
    assert panel.wait_ready(WAIT)
    assert 43 in panel.predictions and panel.current_state().index == 43


class _Trickle:
    """A loopback HTTP server that sends one byte every 50 ms: a download that never ends."""

    body = bytes(range(256)) * 8

    def __enter__(self):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        body, stop = self.body, threading.Event()

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                for value in body:
                    if stop.wait(0.05):
                        return
                    try:
                        self.wfile.write(bytes([value]))
                        self.wfile.flush()
                    except OSError:
                        return

        self.stop = stop
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        return self

    def manifest(self):
        import hashlib

        from tfviz.core.traj.download import ManifestEntry

        return [ManifestEntry(hashlib.sha256(self.body).hexdigest(), len(self.body), "eth/test/a.txt")]

    def __exit__(self, *exc):
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


def test_cancel_a_download_from_a_trickling_server(panel, qtbot, tmp_path):
    name = panel.recording.name
    dest = tmp_path / "eth_ucy"
    with _Trickle() as server:
        panel.download_dataset(str(dest), base_url=server.url, manifest=server.manifest())
        qtbot.waitUntil(lambda: panel.data_box.progress.bar.value() > 0, timeout=WAIT)  # bytes arrive
        qtbot.mouseClick(panel.data_box.progress.cancel_button, Qt.LeftButton)
        qtbot.waitUntil(lambda: not panel.data_box.busy(), timeout=3000)  # not the 30 s read timeout
    assert not dest.exists() or not any(p.is_file() for p in dest.rglob("*"))  # nothing half-written
    assert panel.recording.name == name and panel.data_box.error_label.text() == ""


def test_closing_during_a_download_does_not_block(panel, qtbot, tmp_path):
    with _Trickle() as server:
        panel.download_dataset(str(tmp_path / "eth_ucy"), base_url=server.url, manifest=server.manifest())
        qtbot.waitUntil(panel.data_box.busy, timeout=WAIT)
        panel.ctx.jobs.close(timeout_ms=3000)  # what closing the window does
        assert not panel.ctx.jobs.active()  # every job stopped within the 3 s it was given
