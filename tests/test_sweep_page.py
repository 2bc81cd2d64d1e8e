"""The Sweep page (AppTest, real training) and the non-Streamlit pieces it wires together:
the sweep job in the pool's workers, the form helpers and the heatmap."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from gan_core.config import ConfigError
from gan_core.figures.sweep import sweep_figure
from gan_core.jobs.pool import WorkerPool, get_pool, shutdown_pool
from gan_core.jobs.process_job import ProcessTrainingJob
from gan_core.jobs.status import RunStatus
from gan_core.presets import preset_config
from gan_core.sweep.job import SweepJob, SweepSlot
from gan_core.sweep.run import parse_axis, plan_sweep, run_sweep
from tests.job_helpers import FAST_VIEW, LONG, wait_for
from tests.markdown_text import shown
from tests.test_dashboard_app import link_query
from ui.sweep_form import axis_from_inputs, cell_label, cells_best_first

REPO_ROOT = Path(__file__).resolve().parent.parent
SHORT = preset_config("tutorial").replace(epochs=1)  # 250 steps a run


def sweep_page(config=SHORT) -> AppTest:
    # Inside the whole app, so that opening a cell can switch to the dashboard; the
    # dashboard's current setup (a one-epoch tutorial) is the sweep's base.
    app = AppTest.from_file(str(REPO_ROOT / "dashboard.py"), default_timeout=60)
    app.run()
    app.session_state["config"] = config
    app.switch_page("pages/1_Sweep.py")
    return app.run()


def set_list(app: AppTest, slot: int, key: str, values: str) -> None:
    app.radio(key=f"sweep.axis{slot}.{key}.mode").set_value("list").run()
    app.text_input(key=f"sweep.axis{slot}.{key}.list").set_value(values).run()


def run_and_wait(app: AppTest) -> None:
    app.button(key="sweep.run").click().run()
    bar = app.get("progress")  # drawn by the polling fragment while the sweep runs
    assert bar and "training steps over" in bar[0].proto.text
    job = app.session_state["sweep_slot"].job
    assert job is not None and job.join(timeout=120)
    app.run()


def no_problems(app: AppTest) -> None:
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]


def test_a_small_sweep_runs_and_shows_heatmap_table_and_downloads():
    app = sweep_page()
    assert app.selectbox(key="sweep.base").value == "The dashboard's current setup"
    set_list(app, 1, "lr_d", "0.01, 0.1")
    set_list(app, 2, "lr_g", "0.005,0.05")
    assert any("4 cells × 1 seed = 4 runs" in c.value for c in app.caption)
    run_and_wait(app)
    no_problems(app)
    heatmap = app.get("plotly_chart")[0].proto.spec
    assert '"type":"heatmap"' in heatmap.replace(" ", "") and "diverged" in heatmap
    assert app.dataframe[0].value.shape[0] == 4
    assert {b.proto.label for b in app.get("download_button")} == {
        "Cells (CSV)",
        "All runs (CSV)",
    }
    cells = app.selectbox(key="sweep.cell")
    assert len(cells.options) == 4 and "median" in cells.options[0]
    # Opening the best cell loads its config on the dashboard, through the link.
    result = app.session_state["sweep_slot"].job.status().result
    best = result.cell_config(cells_best_first(result)[0])
    app.button(key="sweep.open").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.query_params == link_query(best)
    assert app.session_state["config"] == best


def test_a_one_axis_sweep_with_seeds():
    app = sweep_page()
    app.selectbox(key="sweep.axis2").set_value("none").run()
    set_list(app, 1, "lr_d", "0.02,0.05")
    app.number_input(key="sweep.seeds").set_value(2).run()
    run_and_wait(app)
    no_problems(app)
    table = app.dataframe[0].value
    assert table["seeds"].tolist() == [2, 2] and table["lr_d"].tolist() == [0.02, 0.05]


@pytest.mark.parametrize(
    "slot, key, values, words",
    [
        (1, "lr_d", "0.01, abc", "'abc' is not a number"),
        (1, "lr_d", "0.01, 20", "out of range"),
        (2, "lr_g", "0.1,0.1", "more than once"),
    ],
)
def test_bad_values_show_an_error_and_cannot_run(slot, key, values, words):
    app = sweep_page()
    set_list(app, slot, key, values)
    assert not app.exception
    messages = [shown(e.value) for e in app.error]
    assert any(words in m and key in m for m in messages), messages
    assert app.button(key="sweep.run").disabled


def test_a_bad_range_and_a_sweep_over_the_cap_show_errors():
    app = sweep_page()
    app.text_input(key="sweep.axis1.lr_d.from").set_value("0").run()
    assert any("logspace needs positive ends" in shown(e.value) for e in app.error)
    app.text_input(key="sweep.axis1.lr_d.from").set_value("0.001").run()
    app.number_input(key="sweep.seeds").set_value(64).run()  # 6 × 6 cells × 64 seeds
    assert not app.exception
    messages = [shown(e.value) for e in app.error]
    assert any("MAX_SWEEP_RUNS" in m for m in messages), messages
    assert app.button(key="sweep.run").disabled


HEAVIEST = preset_config("tutorial").replace(
    noise_dim=64,
    g_hidden=(256,) * 4,
    d_hidden=(256,) * 4,
    n_samples=100_000,
    batch_size=4096,
    d_steps=10,
    loss="wasserstein_gp",
)


def form_is_kept(app: AppTest) -> None:
    """Every field of the form is on the page, and the page names no exception."""
    assert not app.exception, [e.value for e in app.exception]
    for key in ("sweep.axis1", "sweep.axis2", "sweep.base"):
        assert app.selectbox(key=key) is not None
    assert app.number_input(key="sweep.seeds") is not None
    assert app.button(key="sweep.run") is not None
    for element in (*app.error, *app.warning):
        text = shown(element.value)
        assert "Error" not in text and "Traceback" not in text and "Reset" not in text, text


def test_a_sweep_over_the_servers_limits_is_refused_and_the_form_stays():
    app = sweep_page(HEAVIEST)
    before = app.session_state["sweep_slot"].job  # the session's slot may hold an older one
    messages = [shown(e.value) for e in app.error]
    assert any(
        m.startswith("This sweep cannot run: sweep: one training step would take about")
        and "batch_size = 4,096" in m
        for m in messages
    ), messages
    assert app.button(key="sweep.run").disabled
    form_is_kept(app)
    app.number_input(key="sweep.seeds").set_value(2).run()  # the form still answers
    form_is_kept(app)
    assert app.session_state["sweep_slot"].job is before  # nothing started


def test_a_large_grid_shows_its_stacks_memory_and_time():
    app = sweep_page(preset_config("recommended").replace(epochs=4))
    for slot in (1, 2):
        app.number_input(key=f"sweep.axis{slot}.lr_{'dg'[slot - 1]}.count").set_value(32).run()
    captions = " ".join(c.value for c in app.caption)
    assert "1,024 runs" in captions and "vectorised stack" in captions, captions
    assert "GB of memory at a time" in captions and "of training" in captions
    form_is_kept(app)


def test_axis_ends_that_overflow_are_refused_by_name_and_the_form_stays():
    # Ends this far apart overflow the range's step: refused by the axis reader, by name.
    app = sweep_page()
    app.selectbox(key="sweep.axis1").set_value("batch_size").run()
    app.radio(key="sweep.axis1.batch_size.mode").set_value("evenly spaced range").run()
    app.text_input(key="sweep.axis1.batch_size.from").set_value("-1e308").run()
    app.text_input(key="sweep.axis1.batch_size.to").set_value("1e308").run()
    messages = [shown(e.value) for e in app.error]
    assert messages == [
        "Axis 1: batch_size: the range linspace:-1e+308:1e+308:3 overflows (its span is "
        "beyond the largest number, 1.8e+308): choose closer ends"
    ], messages
    for element in app.error:
        assert "ValueError" not in element.value and "NaN" not in element.value
    assert app.button(key="sweep.run").disabled
    form_is_kept(app)
    app.text_input(key="sweep.axis1.batch_size.from").set_value("4").run()
    app.text_input(key="sweep.axis1.batch_size.to").set_value("8").run()
    assert not app.error and not app.button(key="sweep.run").disabled


# ---------------------------------------------------------------- the pieces behind the page


def test_a_job_can_be_stopped_and_a_released_slot_stops_its_job():
    plan = plan_sweep(preset_config("tutorial"), [parse_axis("lr_d=0.01,0.1")])
    job = SweepJob(plan).start()
    job.stop()
    assert job.join(timeout=60)
    assert job.status().state == "stopped" and job.status().done < plan.run_steps
    slot = SweepSlot()
    running = slot.start(plan)
    slot.release()
    assert running.join(timeout=60) and running.status().state == "stopped"
    assert slot.job is None


def test_a_finished_job_holds_its_result():
    job = SweepJob(plan_sweep(SHORT, [parse_axis("seed=0,1")])).start()
    assert job.join(timeout=60)
    status = job.status()
    assert status.state == "finished" and status.fraction == 1.0
    assert status.result.n_runs == 2


def test_a_worker_never_runs_the_page_again(tmp_path, monkeypatch):
    # In Streamlit, __main__ is the page being run; a worker process must not re-run it.
    # A pool with no warm workers: the one that trains the sweep starts after the swap.
    marker = tmp_path / "page_ran"
    page = tmp_path / "page.py"
    page.write_text(f"open({str(marker)!r}, 'w').close()\n")
    main = types.ModuleType("__main__")
    main.__file__ = str(page)
    monkeypatch.setitem(sys.modules, "__main__", main)
    pool = WorkerPool(size=0, max_jobs=1)
    try:
        job = SweepJob(plan_sweep(SHORT, [parse_axis("seed=0,1")]), pool).start()
        assert job.join(timeout=60) and job.status().state == "finished"
    finally:
        pool.shutdown()
    assert not marker.exists()
    assert sys.modules["__main__"] is main


def test_a_sweep_waits_for_the_slot_a_training_run_holds():
    pool = WorkerPool(size=1, max_jobs=1)
    try:
        training = ProcessTrainingJob(LONG, view=FAST_VIEW, pool=pool).start()
        assert wait_for(lambda: training.frame().status == "running", timeout=60)
        plan = plan_sweep(SHORT, [parse_axis("seed=0,1")])
        sweep = SweepSlot(pool).start(plan)
        status = sweep.status()
        assert status.state == RunStatus.QUEUED and not status.ended
        assert status.queue_place == (1, 1) and status.done == 0
        assert "position 1 of 1" in status.message
        assert not sweep.join(timeout=0.5)  # still waiting: the run holds the only slot
        assert sweep.status().state == "queued" and pool.busy_count() == 1
        training.stop()
        assert training.wait(60)  # a stop is seen within a frame; the machine may be busy
        assert sweep.join(timeout=60)
        status = sweep.status()
        assert status.state == "finished" and status.result.n_runs == 2
        assert status.queue_place is None and status.fraction == 1.0
        assert pool.slots.running_count() == 0 and pool.slots.waiting_count() == 0
    finally:
        pool.shutdown()


def test_a_queued_sweep_can_be_stopped():
    pool = WorkerPool(size=1, max_jobs=1)
    try:
        training = ProcessTrainingJob(LONG, view=FAST_VIEW, pool=pool).start()
        slot = SweepSlot(pool)
        sweep = slot.start(plan_sweep(SHORT, [parse_axis("seed=0,1")]))
        assert sweep.status().state == "queued"
        slot.release()
        assert sweep.join(timeout=60)
        assert sweep.status().state == "stopped" and pool.slots.waiting_count() == 0
        assert training.alive and training.frame().status != "stopped"
        training.stop()
        assert training.wait(60)  # a stop is seen within a frame; the machine may be busy
    finally:
        pool.shutdown()


def test_the_page_shows_a_queued_sweep_and_its_results_after_the_wait(monkeypatch):
    # The server's own pool, capped at one job at once, with a training run holding it.
    monkeypatch.setenv("GANSCOPE_MAX_JOBS", "1")
    monkeypatch.setenv("GANSCOPE_WORKERS", "1")
    shutdown_pool()
    try:
        app = sweep_page()
        training = ProcessTrainingJob(LONG, view=FAST_VIEW, pool=get_pool()).start()
        app.selectbox(key="sweep.axis2").set_value("none").run()
        set_list(app, 1, "lr_d", "0.02,0.05")
        app.button(key="sweep.run").click().run()
        no_problems(app)
        bar = app.get("progress")
        assert bar and "Queued, position 1 of 1" in bar[0].proto.text
        assert app.button(key="sweep.stop")  # a queued sweep can be stopped
        job = app.session_state["sweep_slot"].job
        assert job.status().state == "queued"
        training.stop()
        assert training.wait(60)  # a stop is seen within a frame; the machine may be busy
        assert job.join(timeout=120) and job.status().state == "finished"
        app.run()
        no_problems(app)
        assert app.dataframe[0].value.shape[0] == 2
        assert not app.get("progress") or "Queued" not in app.get("progress")[0].proto.text
    finally:
        shutdown_pool()


def test_axis_inputs():
    assert axis_from_inputs("lr_d", "list", "0.1,0.2", "", "", 3).values == (0.1, 0.2)
    axis = axis_from_inputs("lr_g", "log-spaced range", "", "0.001", "0.1", 3)
    assert axis.values == (0.001, 0.01, 0.1)
    axis = axis_from_inputs("beta1", "evenly spaced range", "", "0.5", "0.9", 3)
    assert axis.values == pytest.approx((0.5, 0.7, 0.9))
    with pytest.raises(ConfigError) as error:
        axis_from_inputs("lr_g", "log-spaced range", "", "", "0.1", 3)
    assert error.value.field == "lr_g" and "'from'" in str(error.value)


def test_heatmap_and_cell_labels_with_a_diverged_cell():
    base = SHORT.replace(loss="least_squares", optimizer="sgd")
    result = run_sweep(base, [parse_axis("lr_d=0.05,10")])
    figure = sweep_figure(result)
    trace = figure.data[0]
    assert trace.type == "heatmap" and len(trace.x) == 2 and len(trace.y) == 1
    assert trace.customdata[0][0][0] == f"{result.cells['median'][0]:.4g}"
    assert list(trace.customdata[0][1]) == ["diverged", "diverged", "diverged", "1 of 1"]
    assert "Fréchet²" in figure.layout.title.text
    assert cells_best_first(result) == [0, 1]
    assert cell_label(result, 1) == "D learning rate = 10: median diverged, 1 of 1 diverged"
