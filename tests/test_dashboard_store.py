"""The main page and the run store, by AppTest: real training, a real store in a tmp dir.

Every run is saved as it trains; after a "refresh" (a new session whose browser still holds
the session's cookie), the page offers the last run, reopens it read-only and continues it
as a new run. AppTest gives every app the same Streamlit session id, so a refresh is played
by clearing that session's resources (what a disconnect does) and opening a fresh app. AppTest
cannot send cookies, so the refreshed app is handed the id the cookie would carry; the
cookie itself is tested in chromium (tests/browser/test_reopen_browser.py).
"""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.runtime.caching import clear_session_resource_cache
from streamlit.testing.v1 import AppTest

from gan_core.presets import PRESETS
from gan_core.serialize import to_query
from gan_core.store.run_store import RunStore
from tests import markdown_text
from tests.test_dashboard_app import (
    APPTEST_SESSION_ID,
    DASHBOARD,
    RUN_TIMEOUT,
    assert_clean,
    config_of,
    job_of,
    link_query,
    metric,
    new_app,
    query,
    status_text,
)
from ui.session import session_id

LONG_EPOCHS = 400  # 100,000 steps: never ends by itself within a test


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("GANSCOPE_DATA_DIR", str(tmp_path / "data"))
    opened = RunStore(tmp_path / "data")
    yield opened
    opened.close()


@pytest.fixture
def session():
    """Opens apps; the session's job is stopped and its resources released at the end."""

    def open_app(query=None):
        return new_app(query)

    yield open_app
    clear_session_resource_cache(APPTEST_SESSION_ID)


def sid_of(at) -> str | None:
    return (
        at.session_state[session_id.STATE_KEY] if session_id.STATE_KEY in at.session_state else None
    )


def open_with_cookie(sid: str | None, url: dict[str, str] | None = None) -> AppTest:
    """A new page load from a browser whose cookie holds `sid` (None: no cookie)."""
    at = AppTest.from_file(DASHBOARD, default_timeout=RUN_TIMEOUT)
    for key, value in (url or {}).items():
        at.query_params[key] = value
    if sid is not None:
        at.session_state[session_id.STATE_KEY] = sid  # what adopt() takes from the cookie
    return at.run()


def refresh(at):
    """What a browser refresh does: the old session goes, a new one loads the same URL
    from the same browser (its cookie included)."""
    url, sid = query(at), sid_of(at)
    clear_session_resource_cache(APPTEST_SESSION_ID)  # stops the old session's job
    return open_with_cookie(sid, url)


def train_to_the_end(at) -> None:
    """A one-epoch run (250 steps) trained to its end, and the page drawn after it."""
    at.number_input(key="w.epochs").set_value(1).run()
    at.button(key="run_train").click().run()
    assert job_of(at).wait(120)
    at.run()


def train_and_stop(at, min_steps: int = 50):
    at.number_input(key="w.epochs").set_value(LONG_EPOCHS).run()
    at.select_slider(key="speed").set_value("1000").run()  # a few hundred steps a second
    at.button(key="run_train").click().run()
    job = job_of(at)
    while job.alive and (job.frame().snapshot is None or job.frame().snapshot.step < min_steps):
        job.wait(0.02)
    at.button(key="run_stop").click().run()
    assert job.wait(10) and job.frame().status == "stopped"
    return job


def offer_text(at) -> str:
    return " ".join(i.value for i in at.info if "Your last run" in i.value)


def test_a_run_is_saved_as_it_trains(session, store):
    at = session()
    train_to_the_end(at)
    assert_clean(at)
    runs = store.list_runs()
    assert len(runs) == 1
    record = store.get_run(int(runs.id.iloc[0]))
    assert record.status == "finished" and record.config == config_of(at)
    assert record.history["step"].iloc[-1] == 250 and len(record.history) > 10
    assert "sliced_wasserstein" in record.metrics and record.has_checkpoint
    # Filed under the session's private id, which no URL carries.
    assert record.session_id == sid_of(at) and len(record.session_id) >= 16
    assert "sid" not in query(at)
    assert "sid=" not in at.code[0].value and record.session_id not in at.code[0].value


def test_a_preset_run_is_saved_under_the_preset_name(session, store):
    at = session()
    at.button(key="run_step").click().run()  # a paused run of the tutorial as it is
    at.button(key="run_stop").click().run()
    job_of(at).wait(10)
    record = store.get_run(int(store.list_runs().id.iloc[0]))
    assert (record.preset, record.name) == ("tutorial", "tutorial")
    assert record.status == "stopped"


def test_an_sid_in_a_link_is_dropped_and_never_adopted(session, store):
    shared = PRESETS["tutorial"].config.replace(seed=11)
    at = session({**to_query(shared), "sid": "abcdefgh12345678abcd"})
    assert_clean(at)
    assert config_of(at) == shared
    assert query(at) == link_query(shared)  # the rewritten URL holds the setup alone
    assert sid_of(at) is None
    at.number_input(key="w.seed").set_value(12).run()
    assert query(at) == link_query(shared.replace(seed=12))


def test_a_copied_address_hands_over_no_runs(session, store):
    """Someone opens another person's address, even one naming their old `sid`: their own
    browser has no cookie, so nothing of the other person's is offered or filed under it."""
    owner = session()
    train_to_the_end(owner)
    owners_sid = sid_of(owner)
    assert store.last_run_for_session(owners_sid) is not None
    address = {**query(owner), "sid": owners_sid}
    clear_session_resource_cache(APPTEST_SESSION_ID)

    visitor = open_with_cookie(None, address)
    assert_clean(visitor)
    assert offer_text(visitor) == ""
    assert sid_of(visitor) is None
    train_to_the_end(visitor)
    assert sid_of(visitor) not in (None, owners_sid)
    assert len(store.list_runs()) == 2


def test_new_config_parameters_in_the_url_are_loaded_on_any_run(session, store):
    at = session()
    other = PRESETS["tutorial"].config.replace(lr_g=0.004, epochs=3)
    at.query_params.clear()
    for key, value in to_query(other).items():
        at.query_params[key] = value
    at.run()
    assert config_of(at) == other
    assert at.number_input(key="w.lr_g").value == 0.004


def test_no_offer_without_a_saved_run(session, store):
    at = open_with_cookie("nobody-has-run-here-yet")
    assert offer_text(at) == ""


def test_refresh_offers_the_last_run_and_reopens_it(session, store):
    at = session()
    first = train_and_stop(at, min_steps=1000)  # a log row every 200 steps: several rows
    step = first.frame().snapshot.step
    assert offer_text(at) == ""  # its own run is on the page: nothing to offer

    at = refresh(at)
    assert_clean(at)
    run_id = int(store.list_runs().id.iloc[0])
    assert f"#{run_id}, stopped, step {step:,} of 100,000" in offer_text(at)
    assert metric(at, "Step") == "0"  # nothing is shown until asked

    at.button(key="reopen_run").click().run()
    assert_clean(at)
    assert offer_text(at) == ""
    assert metric(at, "Step") == f"{step:,}"
    assert "Stopped" in status_text(at)
    captions = [markdown_text.shown(c.value).lower() for c in at.caption]
    assert any(f"run #{run_id} reopened" in caption for caption in captions)
    assert config_of(at).epochs == LONG_EPOCHS
    assert at.number_input(key="w.epochs").value == LONG_EPOCHS
    assert at.button(key="run_stop").disabled  # read-only: nothing trains
    shown = job_of(at).frame()  # what the curves and the plane are drawn from
    assert len(shown.history) >= 4
    pd.testing.assert_frame_equal(shown.history, store.get_run(run_id).history)
    assert metric(at, "D accuracy (real / fake)").endswith("%")  # read from the saved log
    assert shown.snapshot.step == step and shown.snapshot.field_values is not None

    # Continue: a new run in the store, starting where the first stopped.
    at.button(key="run_continue").click().run()
    second = job_of(at)
    # Train past the next log row (one every 200 steps), so the new run's log goes beyond.
    while second.alive and (
        second.frame().snapshot is None or second.frame().snapshot.step < step + 250
    ):
        second.wait(0.02)
    assert second.frame().snapshot.step >= step + 250
    at.button(key="run_stop").click().run()
    assert second.wait(10)
    runs = store.list_runs()
    assert len(runs) == 2
    new = store.get_run(int(runs.id.iloc[0]))
    old = store.get_run(run_id)
    assert new.name == f"custom (from #{run_id})"
    assert new.history["step"].iloc[-1] > step
    # The new run's log carries the old one's rows unchanged: the same run, continued.
    pd.testing.assert_frame_equal(
        new.history[new.history.step <= step].reset_index(drop=True),
        old.history.reset_index(drop=True),
        check_exact=True,
    )


def test_a_reopened_finished_run_shows_its_final_metrics(session, store):
    at = session()
    train_to_the_end(at)
    sliced = metric(at, "Sliced Wasserstein")

    at = refresh(at)
    assert "finished, step 250 of 250" in offer_text(at)
    at.button(key="reopen_run").click().run()
    assert_clean(at)
    assert "Finished" in status_text(at)
    assert metric(at, "Step") == "250"
    assert metric(at, "Sliced Wasserstein") == sliced  # the saved number, not a new one
    assert at.button(key="run_continue").disabled  # all its steps are done
    at.number_input(key="w.lr_g").set_value(0.004).run()  # new settings: back to a preview
    assert metric(at, "Step") == "0"


def test_dismiss_hides_the_offer(session, store):
    at = session()
    train_and_stop(at, min_steps=1)
    at = refresh(at)
    assert offer_text(at)
    at.button(key="reopen_dismiss").click().run()
    assert offer_text(at) == ""
    at.run()
    assert offer_text(at) == ""


def test_a_store_that_cannot_open_costs_only_the_record(session, tmp_path, monkeypatch):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    monkeypatch.setenv("GANSCOPE_DATA_DIR", str(blocked))
    at = session()
    train_to_the_end(at)
    assert_clean(at)
    assert "Finished" in status_text(at) and metric(at, "Step") == "250"
    notes = " ".join(c.value for c in at.caption)
    assert "not being saved: the run store could not be opened" in notes


def test_an_unreachable_database_costs_only_the_record(session, tmp_path, monkeypatch, caplog):
    # Nothing listens on port 1: the store cannot be opened, the run trains all the same.
    monkeypatch.setenv("GANSCOPE_DATABASE_URL", "postgresql://teacher:hunter2@127.0.0.1:1/runs")
    monkeypatch.setenv("GANSCOPE_DATA_DIR", str(tmp_path / "data"))
    at = session()
    train_to_the_end(at)
    assert_clean(at)
    assert "Finished" in status_text(at) and metric(at, "Step") == "250"
    notes = " ".join(c.value for c in at.caption)
    assert "not being saved: the run store could not be opened" in notes
    (message,) = {r.getMessage() for r in caplog.records if "run store could not" in r.getMessage()}
    assert "PostgreSQL at postgresql://teacher:***@127.0.0.1:1/runs cannot be used" in message
    assert "hunter2" not in caplog.text and "\n" not in message
    assert not (tmp_path / "data").exists()  # no SQLite store in its place
