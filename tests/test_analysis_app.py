"""The new views in AppTest: each layer toggle draws its trace on the plane, and the maths
the charts' frame draws below the charts shows the W and c of the trainer's own generator,
at step 0 and after a run."""

from __future__ import annotations

import numpy as np

from gan_core.presets import preset_config
from gan_core.training.trainer import Trainer
from tests import test_dashboard_app as dashboard
from tests.test_dashboard_app import assert_clean, job_of, small_run
from tests.test_live_view_app import drawn, frame_args
from ui.live.charts import LAYER_KEY
from ui.live.live_maths import matrix, text_of

apps = dashboard.apps
data_dir = dashboard.data_dir

WARP = "G's warp of the noise grid"
OPTIMAL = "best D* = 0.5"


def with_layers(at, *layers: str):
    return at.button_group(key=LAYER_KEY).set_value(list(layers)).run()


def trace_names(at) -> list[str]:
    return [trace.get("name") for trace in drawn(at, "plane")["data"]]


def maths(at) -> list[str]:
    """Each formula line the frame is to draw below the charts, as its text ("c=(…)")."""
    shown = frame_args(at)["maths"]
    if shown is None:
        return []
    blocks = [block for column in shown["columns"] for block in column["blocks"]]
    blocks += shown["after"]
    return [text_of(line) for block in blocks for line in block.get("formulas", [])]


def starts(lines: list[str], start: str) -> bool:
    return any(line.startswith(start) for line in lines)


def test_the_new_views_start_off(apps):
    at = apps()
    names = trace_names(at)
    assert WARP not in names and OPTIMAL not in names and maths(at) == []


def test_each_new_layer_toggle_draws_its_trace(apps):
    at = apps()
    at = with_layers(at, "field", "optimal")
    assert_clean(at)
    assert OPTIMAL in trace_names(at) and WARP not in trace_names(at)
    at = with_layers(at, "warp")
    names = trace_names(at)
    assert names.count(WARP) == 2 and OPTIMAL not in names and "D(x)" not in names
    at = with_layers(at, "maths")
    assert WARP not in trace_names(at) and "G(z)=zW+c" in maths(at)


def test_the_maths_shows_the_trainers_generator(apps):
    at = with_layers(apps(), "maths", "optimal")
    assert_clean(at)
    # Step 0: the generator a trainer of this config starts from.
    weight, bias = Trainer(preset_config("tutorial")).generator_affine_map()
    shown = maths(at)
    assert "W=" + text_of(matrix(weight.T)) in shown and "c=" + text_of(matrix(bias)) in shown
    assert starts(shown, "ΣG=W⊤W=") and "x=zA+b" in shown
    assert starts(shown, "JSD=")
    # After a run: the W and c of the generator the run ended with.
    at = small_run(at)
    at.select_slider(key="speed").set_value("max").run()
    at.button(key="run_train").click().run()
    job = job_of(at)
    assert job.wait(120), "the run did not finish in time"
    at.run()
    assert_clean(at)
    params = job.frame().snapshot.generator_parameters
    assert not np.allclose(params["weight"], weight)  # it trained
    shown = maths(at)
    assert "W=" + text_of(matrix(params["weight"].T)) in shown
    assert "c=" + text_of(matrix(params["bias"])) in shown


def test_a_multilayer_g_is_said_to_be_not_affine(apps):
    at = apps()
    at.text_input(key="w.g_hidden").input("8").run()
    at = with_layers(at, "maths", "optimal")
    assert_clean(at)
    captions = " ".join(c.value for c in at.caption)
    assert "D* is drawn only for" in captions
    generator = frame_args(at)["maths"]["columns"][0]["blocks"]
    assert generator[0]["caption"].startswith("G is not affine")
    assert starts(maths(at), "Σ^G=")
