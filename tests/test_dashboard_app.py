"""The main page, run by Streamlit's AppTest: real widgets, real session state, real training.

AppTest runs the script without a browser; the live view's timer does not fire here, so
tests wait on the job object itself and then rerun the script to see what the page shows.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from streamlit.runtime.caching import clear_session_resource_cache
from streamlit.testing.v1 import AppTest

from gan_core.config import GanConfig, Target
from gan_core.presets import PRESETS
from gan_core.serialize import to_query
from tests.markdown_text import shown
from ui.live.speed import DEFAULT_SPEED
from ui.session.sharing import page_address

DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")
RUN_TIMEOUT = 60  # seconds for one script run: the first one imports torch
APPTEST_SESSION_ID = "test session id"  # the one id AppTest gives every app it runs


def new_app(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(DASHBOARD, default_timeout=RUN_TIMEOUT)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch) -> Path:
    """Every run the page starts is saved: into a fresh store per test, not ./data."""
    path = tmp_path / "data"
    monkeypatch.setenv("GANSCOPE_DATA_DIR", str(path))
    return path


@pytest.fixture
def apps():
    """Open apps; every job they started is stopped at the end of the test.

    AppTest gives every app the same session id, so they share the session's job holder:
    clearing it here keeps one test's run out of the next.
    """
    opened: list[AppTest] = []

    def open_app(query=None) -> AppTest:
        at = new_app(query)
        opened.append(at)
        return at

    yield open_app
    for at in opened:
        holder = at.session_state["job_holder"] if "job_holder" in at.session_state else None
        if holder is not None and holder.job is not None:
            job = holder.job
            holder.clear()
            job.wait(10)


def config_of(at: AppTest) -> GanConfig:
    return at.session_state["config"]


def job_of(at: AppTest):
    return at.session_state["job_holder"].job


def errors(at: AppTest) -> list[str]:
    return [shown(e.value) for e in at.error]


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def status_text(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown if "-background[" in m.value)


def query(at: AppTest) -> dict[str, str]:
    """The page's URL parameters (a repeated key counts by its last value, as the app reads)."""
    return {k: v[-1] if isinstance(v, list) else v for k, v in at.query_params.items()}


def link_query(
    config: GanConfig, speed: str = DEFAULT_SPEED, present: bool = False, lang: str = "en"
) -> dict[str, str]:
    """The URL parameters the page writes for `config`: its settings, then the speed, then
    `present=1` if present mode is on (nothing when it is off), then the language."""
    presenting = {"present": "1"} if present else {}
    return {**to_query(config), "speed": speed, **presenting, "lang": lang}


def wait_for_frame(job, condition, timeout: float = 60) -> None:
    """Wait until the job's latest frame meets `condition`. The page waits only briefly for
    a new run's worker; on a busy machine the worker process may take longer to start."""
    deadline = time.monotonic() + timeout
    while not condition(job.frame()):
        assert time.monotonic() < deadline, f"the job's frame stayed {job.frame().status!r}"
        job.wait(0.02)


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not errors(at), errors(at)


# ---------------------------------------------------------------- loading and presets


def test_first_load_shows_the_tutorial_at_step_zero(apps):
    at = apps()
    assert_clean(at)
    assert at.title[0].value == "GANscope"
    assert config_of(at) == PRESETS["tutorial"].config
    assert metric(at, "Step") == "0"
    assert "Ready" in status_text(at)
    assert job_of(at) is None  # nothing trains until asked


@pytest.mark.parametrize("name", list(PRESETS))
def test_each_preset_loads_and_fills_the_controls(apps, name):
    at = apps()
    at.selectbox(key="preset").set_value(name).run()
    assert_clean(at)
    preset = PRESETS[name]
    assert config_of(at) == preset.config
    assert preset.explanation in [c.value for c in at.caption]
    assert at.number_input(key="w.lr_d").value == preset.config.lr_d
    assert at.number_input(key="w.epochs").value == preset.config.epochs
    assert at.radio(key="w.target_kind").value == preset.config.target.kind
    assert query(at) == link_query(preset.config)


def test_restore_preset_after_an_edit(apps):
    at = apps()
    at.number_input(key="w.epochs").set_value(3).run()
    assert "Settings changed from this preset." in [c.value for c in at.caption]
    at.button(key="restore_preset").click().run()
    assert config_of(at) == PRESETS["tutorial"].config
    assert at.number_input(key="w.epochs").value == 10


# ---------------------------------------------------------------- controls edit the config


def test_widgets_change_the_config_and_the_url(apps):
    at = apps()
    at.number_input(key="w.lr_d").set_value(0.02).run()
    at.number_input(key="w.epochs").set_value(3).run()
    at.selectbox(key="w.loss").set_value("least_squares").run()
    at.text_input(key="w.d_hidden").input("8, 8, 4").run()
    at.number_input(key="w.mean_x").set_value(-1.5).run()
    assert_clean(at)
    config = config_of(at)
    assert (config.lr_d, config.epochs, config.loss) == (0.02, 3, "least_squares")
    assert config.d_hidden == (8, 8, 4)
    assert config.target.mean == (-1.5, 2.0)
    assert query(at) == link_query(config)


def test_sigma_rho_form_sets_the_covariance(apps):
    at = apps()
    at.number_input(key="w.sigma_x").set_value(2.0).run()
    at.number_input(key="w.sigma_y").set_value(0.5).run()
    at.slider(key="w.rho").set_value(-0.5).run()
    assert_clean(at)
    assert config_of(at).target.cov == ((4.0, -0.5), (-0.5, 0.25))


def test_untouched_sigma_form_keeps_the_exact_matrix(apps):
    # σ and ρ shown for the seed's covariance are rounded; merely drawing them must not
    # replace the exact matrix with a rounded one.
    at = apps()
    at.number_input(key="w.seed").set_value(5).run()
    assert config_of(at).target.cov == PRESETS["tutorial"].config.target.cov


def test_full_matrix_refusals_keep_the_previous_target(apps):
    at = apps()
    at.radio(key="cov_form").set_value("matrix").run()
    at.number_input(key="w.cov_a").set_value(2.0).run()  # a valid edit first
    valid = config_of(at).target
    assert valid.cov == ((2.0, 1.95), (1.95, 4.25))

    at.number_input(key="w.cov_b").set_value(3.0).run()  # no longer symmetric
    message = " ".join(errors(at))
    assert "not symmetric" in message and "previous target is kept" in message
    assert config_of(at).target == valid

    at.number_input(key="w.cov_c").set_value(3.0).run()  # symmetric but indefinite
    message = " ".join(errors(at))
    assert "not positive semi-definite" in message and "eigenvalues" in message
    assert "-0.079" in message and "6.329" in message  # both eigenvalues, one negative
    assert config_of(at).target == valid
    assert query(at)["cov"] == "2.0,1.95,1.95,4.25"

    at.number_input(key="w.cov_b").set_value(1.0).run()
    at.number_input(key="w.cov_c").set_value(1.0).run()  # fixed: accepted again
    assert_clean(at)
    assert config_of(at).target.cov == ((2.0, 1.0), (1.0, 4.25))


def test_bad_layers_text_is_refused_with_the_reason(apps):
    at = apps()
    at.text_input(key="w.d_hidden").input("5, three").run()
    message = " ".join(errors(at))
    assert "'three' is not a positive whole number" in message
    assert "previous layers (5, 3)" in message
    assert config_of(at).d_hidden == (5, 3)

    at.text_input(key="w.d_hidden").input("5, 999").run()  # parsed, but too wide
    message = " ".join(errors(at))
    assert "d_hidden[1]" in message and "999" in message
    assert config_of(at).d_hidden == (5, 3)


def test_dependent_settings_resolve_whatever_the_order(apps):
    at = apps()
    at.number_input(key="w.n_samples").set_value(2).run()  # smaller than the batch of 4
    assert "batch_size" in " ".join(errors(at))
    assert config_of(at).n_samples == 1000
    at.number_input(key="w.batch_size").set_value(2).run()  # now both fit
    assert_clean(at)
    assert (config_of(at).n_samples, config_of(at).batch_size) == (2, 2)


def test_switching_target_kinds_and_back_keeps_the_gaussian(apps):
    at = apps()
    at.number_input(key="w.mean_y").set_value(-3.0).run()
    at.radio(key="w.target_kind").set_value("ring").run()
    assert_clean(at)
    assert config_of(at).target.kind == "ring"
    at.radio(key="w.target_kind").set_value("gaussian").run()
    assert config_of(at).target.kind == "gaussian"
    assert config_of(at).target.mean == (1.0, -3.0)
    assert at.number_input(key="w.mean_y").value == -3.0


def test_own_points_without_a_file_ask_for_one(apps):
    at = apps()
    at.radio(key="w.target_kind").set_value("points").run()
    assert "Upload a CSV file" in " ".join(i.value for i in at.info)
    assert config_of(at).target.kind == "gaussian"  # nothing to train on yet


# ---------------------------------------------------------------- the URL


def test_link_parameters_set_the_controls(apps):
    shared = GanConfig(
        target=Target(mean=(0.5, -1.0), cov=((2.0, 0.3), (0.3, 1.0))),
        lr_d=0.02,
        epochs=4,
        seed=42,
        d_hidden=(16,),
    )
    at = apps(to_query(shared))
    assert_clean(at)
    assert config_of(at) == shared
    assert at.number_input(key="w.lr_d").value == 0.02
    assert at.number_input(key="w.seed").value == 42
    assert at.number_input(key="w.mean_x").value == 0.5
    assert at.text_input(key="w.d_hidden").value == "16"

    at.number_input(key="w.epochs").set_value(6).run()
    assert query(at)["epochs"] == "6"
    assert query(at)["seed"] == "42"
    assert query(at)["mean"] == "0.5,-1.0"


def test_partial_link_keeps_defaults_for_the_rest(apps):
    at = apps({"lr_g": "0.003"})
    assert_clean(at)
    assert config_of(at) == GanConfig(lr_g=0.003)


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"bogus": "1"}, "bogus"),
        ({"lr_d": "-1"}, "lr_d"),
        ({"cov": "1,5,5,1"}, "not positive semi-definite"),
        ({"epochs": "ten"}, "epochs"),
    ],
)
def test_bad_link_says_why_and_falls_back_to_the_tutorial(apps, params, expected):
    at = apps(params)
    assert not at.exception
    message = " ".join(errors(at))
    assert "could not be used" in message and expected in message
    assert PRESETS["tutorial"].title in message
    assert config_of(at) == PRESETS["tutorial"].config
    assert query(at) == link_query(PRESETS["tutorial"].config)  # the bad link is replaced


# A share link seen in an attack on a classroom server: the error that quotes it must not
# become a sign-in link to another site, nor load that site's image (which leaks the
# viewer's address).
ATTACK_LINK = (
    "[Your session expired: click here to sign in again](https://evil.example/login) "
    "![t](https://evil.example/track.png)"
)
UNESCAPED_LINK_SYNTAX = re.compile(r"(?<!\\)[\[\]()!<>:]")


def test_markdown_in_a_link_shows_as_plain_text(apps):
    at = apps({"seed": ATTACK_LINK})
    assert not at.exception
    (markdown,) = [e.value for e in at.error]
    message = shown(markdown)
    assert message.startswith(
        "This link's settings could not be used: seed: '[Your session expired: click here"
    )
    assert "(116 characters) is not a valid value (int expected)" in message
    # The Markdown holds the link's brackets only escaped: "\]\(" is text, "](" a link.
    assert "\\]\\(" in markdown
    assert not UNESCAPED_LINK_SYNTAX.search(markdown), markdown
    # The page keeps working: the tutorial is loaded, and the controls take new values.
    assert config_of(at) == PRESETS["tutorial"].config
    at.number_input(key="w.seed").set_value(7).run()
    assert_clean(at)
    assert config_of(at).seed == 7


def test_a_huge_number_in_a_link_gives_a_short_message(apps):
    at = apps({"seed": "1" * 60_000})
    assert not at.exception
    (markdown,) = [e.value for e in at.error]
    assert len(markdown) < 400
    message = shown(markdown)
    assert "seed: '1111111111" in message
    assert "…' (60,000 characters) is not a valid value (int expected)" in message
    assert config_of(at) == PRESETS["tutorial"].config


def test_share_link_holds_every_setting(apps):
    at = apps()
    at.number_input(key="w.seed").set_value(7).run()
    link = at.code[0].value
    assert "?" in link
    assert "seed=7" in link and "lr_d=0.05" in link and "cov=1.01%2C1.95" in link


def test_present_link_turns_present_mode_on_and_stays_in_the_link(apps):
    at = apps({**to_query(PRESETS["tutorial"].config), "present": "1"})
    assert_clean(at)
    assert at.toggle(key="present").value is True
    assert query(at) == link_query(PRESETS["tutorial"].config, present=True)
    assert "present=1" in at.code[0].value  # the share link keeps it

    at.toggle(key="present").set_value(False).run()
    assert query(at) == link_query(PRESETS["tutorial"].config)
    assert "present" not in at.code[0].value


def test_present_toggle_puts_present_in_the_link(apps):
    at = apps()
    assert at.toggle(key="present").value is False
    assert "present" not in query(at)
    at.toggle(key="present").set_value(True).run()
    assert_clean(at)
    assert query(at)["present"] == "1"
    assert "present=1" in at.code[0].value


@pytest.mark.parametrize("value", ["yes", "2", ""])
def test_bad_present_value_says_why_and_keeps_the_rest_of_the_link(apps, value):
    at = apps({"present": value, "seed": "7"})
    assert not at.exception
    message = " ".join(errors(at))
    assert "present mode could not be used" in message
    assert "present:" in message and "use 1 (on) or 0 (off)" in message
    assert at.toggle(key="present").value is False
    assert config_of(at).seed == 7  # the settings do not depend on it
    assert "present" not in query(at)


# ---------------------------------------------------------------- training


def small_run(at: AppTest, epochs: int = 1) -> AppTest:
    """The tutorial for one epoch (250 steps): seconds, even on a busy machine."""
    return at.number_input(key="w.epochs").set_value(epochs).run()


def test_train_runs_to_the_end_and_shows_metrics(apps):
    at = small_run(apps())
    at.button(key="run_train").click().run()
    job = job_of(at)
    assert job is not None
    assert job.wait(120), "the run did not finish in time"
    at.run()
    assert_clean(at)
    assert "Finished" in status_text(at)
    assert metric(at, "Step") == "250"
    assert metric(at, "Epoch") == "1 / 1"
    assert float(metric(at, "Fréchet² (exact)")) >= 0
    real, fake = metric(at, "D accuracy (real / fake)").split(" / ")
    assert real.endswith("%") and fake.endswith("%")
    labels = [m.label for m in at.metric]
    assert "Sliced Wasserstein" in labels and "Energy distance" in labels
    assert at.button(key="run_stop").disabled  # nothing left to stop
    assert not at.button(key="run_train").disabled


def test_a_diverged_run_says_where_and_why(apps):
    at = apps()
    at.selectbox(key="w.loss").set_value("least_squares").run()
    at.selectbox(key="w.optimizer").set_value("sgd").run()
    at.number_input(key="w.beta1").set_value(0.0).run()
    at.number_input(key="w.lr_d").set_value(10.0).run()
    at.number_input(key="w.lr_g").set_value(10.0).run()
    at.button(key="run_train").click().run()
    assert job_of(at).wait(60)
    at.run()
    assert not at.exception
    assert "Diverged" in status_text(at)
    message = " ".join(errors(at))
    assert "became NaN or infinite at step" in message and "smaller learning rates" in message


def test_changing_settings_after_a_run_shows_the_new_ones(apps):
    at = small_run(apps())
    at.button(key="run_train").click().run()
    assert job_of(at).wait(120)
    at.run()
    assert "Finished" in status_text(at)
    at.number_input(key="w.lr_g").set_value(0.02).run()  # the finished run gives way
    assert job_of(at) is None
    assert "Ready" in status_text(at) and metric(at, "Step") == "0"


def test_training_never_blocks_the_script(apps):
    at = apps()
    at.number_input(key="w.epochs").set_value(400).run()  # 100,000 steps
    at.button(key="run_train").click().run()  # returns at once: the worker trains
    job = job_of(at)
    assert job.alive
    assert "Running" in status_text(at) or "Starting" in status_text(at)
    at.button(key="run_stop").click().run()
    assert job.wait(5), "the run kept training after Stop"  # a busy machine may take a moment
    assert "Stopped" in status_text(at)
    assert "stopped on request" in " ".join(c.value for c in at.caption).lower()


def test_pause_step_resume(apps):
    at = apps()
    at.select_slider(key="speed").set_value("20").run()
    at.button(key="run_step").click().run()  # before any run: starts one paused, one step
    job = job_of(at)
    wait_for_frame(job, lambda frame: frame.status != "starting")
    at.run()
    assert job.frame().status == "paused"
    assert metric(at, "Step") == "1"
    at.button(key="run_step_d").click().run()
    assert metric(at, "Step") == "1 + D"  # half a step: G has not moved yet
    at.button(key="run_step_g").click().run()
    assert metric(at, "Step") == "2"  # D's and G's updates made one at a time: one step
    assert job_of(at) is job  # the same run continued
    at.button(key="run_resume").click().run()
    assert job.frame().status == "running"
    at.button(key="run_pause").click().run()
    assert job.frame().status == "paused"
    assert "Paused" in status_text(at)
    at.button(key="run_reset").click().run()
    assert job_of(at) is None
    assert job.wait(5), "the run kept training after Reset"
    assert metric(at, "Step") == "0"


def test_step_after_stop_never_restarts_the_run(apps):
    at = apps()
    at.number_input(key="w.epochs").set_value(400).run()  # 100,000 steps
    at.button(key="run_train").click().run()
    job = job_of(at)
    at.button(key="run_stop").click().run()
    assert job.wait(5), "the run kept training after Stop"
    at.run()
    stopped_at = job.frame().snapshot.step
    assert stopped_at > 0 and "Stopped" in status_text(at)
    for key in ("run_step", "run_step_d", "run_step_g"):
        assert at.button(key=key).disabled, key
    assert any("Step is off" in c.value for c in at.caption)
    # A step asked for as the run ended (the click raced the page's redraw): refused aloud.
    at.session_state["run_request"] = "step"
    at.run()
    assert job_of(at) is job and job.frame().snapshot.step == stopped_at
    assert "Stopped" in status_text(at) and metric(at, "Step") == f"{stopped_at:,}"
    assert any("this one has ended" in w.value for w in at.warning)


def test_learning_rates_change_during_a_run(apps):
    at = apps()
    at.select_slider(key="speed").set_value("50").run()
    at.button(key="run_train").click().run()
    job = job_of(at)
    at.number_input(key="w.lr_d").set_value(0.02).run()
    at.number_input(key="w.lr_g").set_value(0.004).run()
    assert job_of(at) is job and job.alive  # no restart
    for _ in range(200):  # the worker applies the change between two steps
        if (job.config.lr_d, job.config.lr_g) == (0.02, 0.004):
            break
        job.wait(0.01)
    assert (job.config.lr_d, job.config.lr_g) == (0.02, 0.004)
    assert not any("settings have changed" in i.value for i in at.info)
    at.number_input(key="w.epochs").set_value(3).run()  # not live: needs a new run
    assert any("settings have changed" in i.value for i in at.info)
    at.number_input(key="w.epochs").set_value(10).run()
    at.select_slider(key="speed").set_value("max").run()
    assert job.wait(120)
    at.run()  # the run ended with the live learning rates: it is still the one shown
    assert job_of(at) is job and "Finished" in status_text(at)


def test_speed_control_caps_the_run_and_lifts_the_cap_live(apps):
    """The page's part of the speed control: the run starts with the chosen cap, and a new
    choice reaches the running job without a restart. (That a cap paces the steps is the
    job's own concern, and how fast a run goes is measured in benchmarks/, not here.)"""
    at = apps()
    at.select_slider(key="speed").set_value("20").run()
    at.button(key="run_train").click().run()
    job, holder = job_of(at), at.session_state["job_holder"]
    assert job._steps_per_second == 20.0  # the job was built with the cap
    assert holder.sent_speed == 20.0
    at.select_slider(key="speed").set_value("max").run()
    assert job_of(at) is job and job.alive  # no restart
    assert holder.sent_speed is None  # recorded only once the job accepted the change
    at.select_slider(key="speed").set_value("5").run()
    assert job_of(at) is job and holder.sent_speed == 5.0


def test_closing_the_session_stops_its_job(apps):
    """Streamlit clears a session's resource cache when its browser disconnects; the
    holder's release hook must then stop the run (isolation between two live sessions
    is tested in the browser, where each tab has a session of its own)."""
    at = apps()
    at.number_input(key="w.epochs").set_value(400).run()
    at.button(key="run_train").click().run()
    job = job_of(at)
    assert job.alive
    clear_session_resource_cache(APPTEST_SESSION_ID)  # what a disconnect does
    assert job.wait(5), "the job kept training after its session went away"
    assert job.frame().status == "stopped"


def test_the_share_link_has_a_path_before_its_query():
    assert page_address("http://localhost:8501") == "http://localhost:8501/"
    assert page_address("http://localhost:8501/") == "http://localhost:8501/"
    assert page_address("http://host/Compare") == "http://host/Compare"
    assert page_address("") == ""
