"""Replay in AppTest: once a run has ended a step slider appears under the charts, and
moving it redraws the plane and the curves as they were at that step."""

from __future__ import annotations

import json

from tests import test_dashboard_app as dashboard
from tests.markdown_text import shown
from tests.test_dashboard_app import assert_clean, job_of, small_run
from tests.test_live_view_app import values
from ui.live.replay import SLIDER_KEY

apps = dashboard.apps
data_dir = dashboard.data_dir


def drawn(at, name: str) -> dict:
    return json.loads(at.session_state["figure_cache"][name].json)


def replay_slider(at):
    return next(s for s in at.select_slider if s.key.startswith(SLIDER_KEY))


def test_after_a_run_ends_the_slider_replays_the_plane_and_cuts_the_curves(apps):
    at = small_run(apps())
    assert not [s for s in at.select_slider if s.key.startswith(SLIDER_KEY)]  # no run yet
    at.select_slider(key="speed").set_value("max").run()
    at.button(key="run_train").click().run()
    assert job_of(at).wait(120), "the run did not finish in time"
    at.run()
    assert_clean(at)
    slider = replay_slider(at)
    assert slider.value == 250 and slider.options[-1] == "step 250"  # it opens at the end
    assert slider.options[0] == "step 1"
    end_plane, end_loss = drawn(at, "plane"), drawn(at, "loss")
    assert end_plane["layout"]["title"]["text"] == "Step 250 of 250"

    replay_slider(at).set_value(50).run()
    assert_clean(at)
    plane, loss = drawn(at, "plane"), drawn(at, "loss")
    assert plane["layout"]["title"]["text"] == "Step 50 of 250"
    fake = next(t for t in plane["data"] if t["name"] == "fake")
    assert fake != next(t for t in end_plane["data"] if t["name"] == "fake")  # G moved
    heatmap = next(t for t in plane["data"] if t["type"] == "heatmap")
    assert heatmap["z"] != next(t for t in end_plane["data"] if t["type"] == "heatmap")["z"]
    last_step = max(values(loss["data"][0]["x"]))
    assert last_step == 50 < max(values(end_loss["data"][0]["x"]))  # cut at the step
    assert [b for b in at.get("download_button") if "replay" in shown(b.proto.label).lower()]

    replay_slider(at).set_value(250).run()
    assert drawn(at, "plane")["layout"]["title"]["text"] == "Step 250 of 250"
