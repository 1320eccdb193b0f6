"""The longer texts of the Trajectories panel: the guide, the legend names, the metrics' words."""

from __future__ import annotations

from tfviz.gui.i18n import tr


def guide_html() -> str:
    return tr(
        "Trajectories",
        "<h3>Trajectories</h3><p>People walk through a scene. For everyone seen in the last 8 "
        "steps (3.2 s) each model predicts the next 12 steps (4.8 s).</p><ul>"
        "<li><b>Focus</b> (the default): the selected pedestrian's past (solid), true future "
        "(dashed) and each shown model's prediction are bold; everyone else is a faded dot with "
        "a short tail. <b>Show everyone</b> draws every person's paths. Choose the models under "
        "Models (cv and tf at first: a baseline beside a Transformer).</li>"
        "<li><b>cv</b> repeats the last step; <b>tf</b> is an encoder-decoder Transformer; "
        "<b>tf-multi</b> proposes several futures (the fan); <b>star</b> also attends to the "
        "people around: its links to them are dash-dotted (thicker = more attention).</li>"
        "<li><b>ADE</b>: the average distance, in metres, between the prediction and what really "
        "happened, over the 12 predicted steps. <b>FDE</b>: the distance at the last step. "
        "<b>Best of 20</b>: tf-multi makes 20 guesses and is scored on the closest one; it is "
        "lower because it is allowed to look at the truth to choose, which no single guess can.</li>"
        "<li><b>What if</b>: drag a pedestrian's dot to move them (their whole past moves), or "
        "the small square at the start of their past to change where they came from; every "
        "model predicts again while you drag. <b>Add pedestrian</b>, then click (drag to aim); "
        "<b>Remove</b> takes the selected person out; Ctrl+Z undoes.</li>"
        "<li>The view fits what is drawn and follows the selected pedestrian; drag empty space "
        "to pan, scroll to zoom, Home goes back to the start and fits the view again.</li>"
        "<li>Space plays (people walk smoothly between the 0.4 s frames; 1x is real time), "
        "Left/Right step, Home/End jump.</li></ul>",
    )


def model_names() -> dict[str, str]:
    """Legend and check-box names."""
    return {
        "cv": tr("Trajectories", "cv: constant velocity"),
        "tf": tr("Trajectories", "tf: Transformer"),
        "tf-multi": tr("Trajectories", "tf-multi: top proposal"),
        "star": tr("Trajectories", "star: social Transformer"),
        "fan": tr("Trajectories", "tf-multi: possible futures"),
        "observed": tr("Trajectories", "observed (3.2 s)"),
        "truth": tr("Trajectories", "true future (4.8 s)"),
        "attention": tr("Trajectories", "star: attention to neighbours"),
        "others": tr("Trajectories", "other pedestrians"),
    }


def metrics_tooltip() -> str:
    """What ADE, FDE and best of 20 mean, in plain words (the errors table's tooltip)."""
    return tr(
        "Trajectories",
        "ADE: average distance error, in metres, over the 12 predicted steps (4.8 s).\n"
        "FDE: the distance error at the last predicted step.\n"
        "best of 20: tf-multi makes 20 guesses and keeps the closest one to what really "
        "happened; that is why it is lower than any single guess.",
    )
