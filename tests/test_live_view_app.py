"""The live view in AppTest: the plane holds the target and G's points (from step 0 to the end
of a run, in presets that start G far away), D's signals read as the loss
allows, Reset starts the curves afresh, steps are narrated and counted by halves, and the
speed starts slow enough to watch and travels in the address.

The figures are read where the page keeps the ones it last drew (`figure_cache`), as the
plotly JSON it hands to the browser.
"""

from __future__ import annotations

import base64
import json
import math

import numpy as np
import pytest

from gan_core.presets import PRESETS
from gan_core.serialize import to_query
from gan_core.training import plane_view
from tests import test_dashboard_app as dashboard
from tests.markdown_text import shown
from tests.test_dashboard_app import (
    assert_clean,
    errors,
    job_of,
    metric,
    query,
    small_run,
    wait_for_frame,
)
from ui.live.speed import DEFAULT_SPEED

# The main page's fixtures: an app per test, a fresh run store per test.
apps = dashboard.apps
data_dir = dashboard.data_dir


def drawn(at, name: str) -> dict:
    """The figure the live view last drew as `name` (plane, loss, accuracy, distance)."""
    return json.loads(at.session_state["figure_cache"][name].json)


def frame_args(at) -> dict:
    """What the live view last sent the charts' frame (the figures, the maths, the numbers)."""
    for element in at.get("component_instance"):
        if element.proto.component_name.endswith("plotly_frame"):
            return json.loads(element.proto.json_args)
    raise AssertionError("the page has no charts' frame")


def values(array) -> list[float]:
    """A plotly JSON array as numbers: plain, or packed as base64 (`bdata`)."""
    if isinstance(array, dict):
        array = np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"])
    return [float(v) for v in array]


def trained(at, loss: str):
    """A one-epoch run of `loss` to its end, at full speed."""
    at.selectbox(key="w.loss").set_value(loss).run()
    at.select_slider(key="speed").set_value("max").run()
    at.button(key="run_train").click().run()
    assert job_of(at).wait(120), "the run did not finish in time"
    return at.run()


def infos(at) -> str:
    return " ".join(shown(i.value) for i in at.info)


def trace(figure: dict, prefix: str) -> dict:
    (found,) = [t for t in figure["data"] if (t.get("name") or "").startswith(prefix)]
    return found


def axes(figure: dict) -> tuple[list[float], list[float]]:
    return figure["layout"]["xaxis"]["range"], figure["layout"]["yaxis"]["range"]


def share_inside(figure: dict, name: str) -> float:
    """The share of a point trace that lies inside the plane's axis ranges."""
    points = trace(figure, name)
    x, y = np.array(values(points["x"])), np.array(values(points["y"]))
    (x0, x1), (y0, y1) = axes(figure)
    return float(np.mean((x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)))


def assert_heatmap_covers_the_axes(figure: dict) -> None:
    heatmap = next(t for t in figure["data"] if t["type"] == "heatmap")
    (x0, x1), (y0, y1) = axes(figure)
    hx, hy = values(heatmap["x"]), values(heatmap["y"])
    assert min(hx) <= x0 and max(hx) >= x1 and min(hy) <= y0 and max(hy) >= y1


def test_editing_sigma_y_moves_the_plane_axes_with_the_heatmap(apps):
    before = drawn(apps(), "plane")
    at = apps()
    at.number_input(key="w.sigma_y").set_value(0.5).run()
    assert_clean(at)
    plane = drawn(at, "plane")
    (x0, x1), (y0, y1) = axes(plane)
    # The narrower target's box (mean 2 ± 3.5·0.5) is held, in tighter axes than before.
    assert y0 <= 0.25 and y1 >= 3.75
    assert y1 - y0 < np.diff(axes(before)[1])[0]
    assert x1 - x0 == pytest.approx(plane_view.ASPECT * (y1 - y0))  # the plot's own shape
    assert plane["layout"]["yaxis"]["scaleanchor"] == "x"
    assert_heatmap_covers_the_axes(plane)
    assert share_inside(plane, "real") > 0.99 and share_inside(plane, "fake") == 1.0
    # The bounds are in the plot's uirevision, so the browser takes the new range at once.
    assert plane["layout"]["uirevision"] != before["layout"]["uirevision"]


def preset_run(apps, name: str):
    at = apps()
    at.selectbox(key="preset").set_value(name).run()
    assert_clean(at)
    return at


def run_to_the_end(at):
    at.select_slider(key="speed").set_value("max").run()
    at.button(key="run_train").click().run()
    assert job_of(at).wait(600), "the run did not finish in time"
    return at.run()


def test_minimax_fakes_are_on_the_plane_from_step_zero_to_the_end(apps):
    at = preset_run(apps, "minimax")  # G starts near the origin, the target at (4, 4)
    start = drawn(at, "plane")
    assert share_inside(start, "fake") == 1.0 and share_inside(start, "real") > 0.99
    assert_heatmap_covers_the_axes(start)
    end = drawn(run_to_the_end(at), "plane")
    assert end["layout"]["title"]["text"].startswith("Step 2,512")
    assert share_inside(end, "fake") == 1.0 and share_inside(end, "real") > 0.99
    assert_heatmap_covers_the_axes(end)


def test_high_learning_rates_keep_most_fakes_on_the_plane(apps):
    end = drawn(run_to_the_end(preset_run(apps, "high_lr")), "plane")
    assert share_inside(end, "fake") >= 0.95
    assert_heatmap_covers_the_axes(end)


def test_the_ring_shows_each_mode_and_a_fitted_generator(apps):
    plane = drawn(preset_run(apps, "ring_collapse"), "plane")
    target = trace(plane, "target modes")
    # 1σ and 2σ circles for 8 modes, each ended by a gap (NaN: plotly.js breaks the line).
    assert sum(math.isnan(x) for x in values(target["x"])) == 2 * 8
    assert "Gaussian" in trace(plane, "generator")["name"]
    assert "arrow = push ×" in trace(plane, "G's push")["name"]


def test_minimax_shows_d_accuracy_smoothed_over_its_raw_values(apps):
    at = trained(small_run(apps()), "minimax")
    figure = drawn(at, "accuracy")
    assert figure["layout"]["title"]["text"] == "D's accuracy (smoothed)"
    raw, smooth = figure["data"][:2], figure["data"][2:]
    assert [t["name"] for t in smooth] == ["on real", "on fake"]
    assert all(t["opacity"] < 0.5 and t["showlegend"] is False for t in raw)
    history = job_of(at).frame().history
    smooth_real = values(smooth[0]["y"])
    # Smoothing: the smoothed line moves less from row to row than the raw accuracy.
    assert spread(smooth_real) < spread(history["acc_real"].tolist())
    assert "D accuracy (real / fake)" in [m.label for m in at.metric]


def test_hinge_shows_the_critic_score_gap_instead_of_an_accuracy(apps):
    at = trained(small_run(apps()), "hinge")
    figure = drawn(at, "accuracy")
    assert figure["layout"]["title"]["text"] == "Critic's score gap (real − fake)"
    assert [t["name"] for t in figure["data"]] == ["score gap (raw)", "score gap"]
    assert figure["layout"]["shapes"][0]["y0"] == 0.0  # no gap: the critic cannot tell
    history = job_of(at).frame().history
    assert history["score_gap"].notna().all()
    labels = [m.label for m in at.metric]
    assert "Critic's score gap" in labels and "D accuracy (real / fake)" not in labels


def spread(values: list) -> float:
    """The mean absolute change from one value to the next: how jumpy a line is."""
    steps = [abs(b - a) for a, b in zip(values, values[1:]) if a is not None and b is not None]
    return sum(steps) / len(steps)


def test_reset_gives_the_empty_curves_fresh_axes(apps):
    at = trained(small_run(apps()), "cross_entropy")
    during = {name: drawn(at, name)["layout"]["uirevision"] for name in ("loss", "distance")}
    at.button(key="run_reset").click().run()
    assert job_of(at) is None
    for name, revision in during.items():
        figure = drawn(at, name)
        assert all(len(values(trace["x"])) == 0 for trace in figure["data"])
        assert figure["layout"]["uirevision"] != revision  # plotly drops the run's axes
    assert drawn(at, "accuracy")["layout"]["uirevision"].endswith("preview")


def test_steps_are_counted_by_halves_and_narrated(apps):
    at = apps()
    at.button(key="run_step_d").click().run()  # before any run: starts one paused
    job = job_of(at)
    wait_for_frame(job, lambda frame: frame.snapshot is not None and frame.snapshot.lone_updates)
    at.run()
    assert_clean(at)
    assert metric(at, "Step") == "0 + D"
    said = infos(at)
    assert said.startswith("D step: D was updated on a batch of real and fake points")
    assert "its accuracy (real / fake) went from" in said and "G did not move" in said
    assert drawn(at, "plane")["layout"]["title"]["text"].startswith("Step 0 + D of")

    at.button(key="run_step_g").click().run()
    assert metric(at, "Step") == "1"  # D then G, one at a time: one whole step
    said = infos(at)
    assert said.startswith("G step: G was updated") and "D did not move" in said
    assert "Fréchet²" in said

    at.button(key="run_step").click().run()
    assert metric(at, "Step") == "2" and infos(at).startswith("Step: D was updated")
    # The history counts whole steps only, as every saved form of it does.
    assert all(float(step).is_integer() for step in job.frame().history["step"])

    at.button(key="run_resume").click().run()
    assert not at.info  # training again: the narration is over


def test_a_critic_step_is_narrated_by_its_score_gap(apps):
    at = apps()
    at.selectbox(key="w.loss").set_value("wasserstein_gp").run()
    at.button(key="run_step_d").click().run()
    wait_for_frame(job_of(at), lambda frame: frame.snapshot and frame.snapshot.lone_updates)
    at.run()
    said = infos(at)
    assert said.startswith("D step: the critic was updated") and "score gap" in said


def test_a_new_session_starts_at_a_watchable_speed_that_is_in_the_link(apps):
    at = apps()
    assert at.select_slider(key="speed").value == DEFAULT_SPEED == "100"
    assert query(at)["speed"] == "100"
    assert "speed=100" in at.code[0].value  # the share link carries it too
    at.select_slider(key="speed").set_value("max").run()  # one move away
    assert query(at)["speed"] == "max" and "speed=max" in at.code[0].value


def test_the_speed_survives_a_reload_and_comes_from_a_link(apps):
    at = apps()
    at.select_slider(key="speed").set_value("20").run()
    reloaded = apps(query(at))  # a reload: a new session opens the address bar's URL
    assert_clean(reloaded)
    assert reloaded.select_slider(key="speed").value == "20"
    assert query(reloaded)["speed"] == "20"
    shared = apps({**to_query(PRESETS["tutorial"].config), "speed": "5"})
    assert shared.select_slider(key="speed").value == "5"


def test_a_bad_speed_in_a_link_is_refused_plainly(apps):
    at = apps({"lr_g": "0.003", "speed": "fast"})
    assert not at.exception
    message = " ".join(errors(at))
    assert "speed could not be used" in message and "'fast' is not a speed" in message
    assert "choose from 1, 2, 5" in message
    assert at.select_slider(key="speed").value == DEFAULT_SPEED
    assert at.session_state["config"].lr_g == 0.003  # the rest of the link still counts
    assert query(at)["speed"] == DEFAULT_SPEED  # the bad value leaves the address
