"""A run whose server stopped mid-run (a cluster's replica killed, a server restarted), by
AppTest: the store still calls it running and no job of this server records it.

The page says plainly that the connection to the run's server was lost, and Reopen shows
every logged row the store kept, beside the last state its recorder saved while it trained
(its starting state when none was saved). The run is left in the store as a killed server
leaves it: created, a log written (and the weights so far, when a beat kept them), never
finished.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from streamlit.runtime.caching import clear_session_resource_cache

from gan_core.config import GanConfig
from gan_core.store.run_store import RunStore
from gan_core.training.checkpoint import checkpoint_bytes
from gan_core.training.trainer import Trainer
from tests.i18n_check import english_words, texts_under
from tests.test_dashboard_app import APPTEST_SESSION_ID, assert_clean, job_of, status_text
from tests.test_dashboard_store import open_with_cookie
from tests.test_live_view_i18n_app import english_left, live_view

SID = "lost-run-session-0123456789"
CONFIG = GanConfig(n_samples=200, batch_size=20, epochs=20)  # 200 steps


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("GANSCOPE_DATA_DIR", str(tmp_path / "data"))
    opened = RunStore(tmp_path / "data")
    yield opened
    opened.close()
    clear_session_resource_cache(APPTEST_SESSION_ID)  # the page's session, released


def lost_run(store: RunStore) -> tuple[int, int]:
    """A run trained part-way by a server that then died: its id and last logged step."""
    trainer = Trainer(CONFIG)
    trainer.run(80)
    run_id = store.add_run(CONFIG, session_id=SID).run_id
    store.append_history(run_id, trainer.history.to_frame())
    return run_id, int(store.get_run(run_id).history["step"].iloc[-1])


def lost_run_with_weights(store: RunStore) -> tuple[int, int, int]:
    """A run whose recorder kept its weights at step 60, logged to step 80, then its server
    died: its id, the saved step and the last logged step."""
    trainer = Trainer(CONFIG)
    run_id = store.add_run(CONFIG, session_id=SID).run_id
    trainer.run(60)
    assert store.save_progress(run_id, checkpoint_bytes(trainer))
    trainer.run(20)
    store.append_history(run_id, trainer.history.to_frame())
    return run_id, 60, int(store.get_run(run_id).history["step"].iloc[-1])


def test_a_lost_run_is_offered_plainly_and_reopened_from_its_log(store: RunStore) -> None:
    run_id, step = lost_run(store)
    assert step > 0
    at = open_with_cookie(SID)
    assert_clean(at)
    offer = " ".join(i.value for i in at.info if f"#{run_id}" in i.value)
    assert "The connection to the server training your last run" in offer
    assert f"stopped at step {step:,} of 200" in offer

    at.button(key="reopen_run").click().run()
    assert_clean(at)
    assert "Stopped" in status_text(at)
    shown = job_of(at).frame()
    pd.testing.assert_frame_equal(shown.history, store.get_run(run_id).history)
    assert f"its server stopped at step {step:,}" in shown.message
    assert at.button(key="run_continue").disabled  # no weights to continue from
    assert not at.button(key="run_train").disabled  # but its config can be trained again


def test_a_lost_run_reopens_at_its_last_saved_state_not_at_step_0(store: RunStore) -> None:
    run_id, saved, step = lost_run_with_weights(store)
    assert 0 < saved < step
    at = open_with_cookie(SID)
    assert_clean(at)
    offer = " ".join(i.value for i in at.info if f"#{run_id}" in i.value)
    assert f"stopped at step {step:,} of 200" in offer

    at.button(key="reopen_run").click().run()
    assert_clean(at)
    assert "Stopped" in status_text(at)
    shown = job_of(at).frame()
    assert shown.snapshot.step == saved  # the plane: the weights kept, not the start
    pd.testing.assert_frame_equal(shown.history, store.get_run(run_id).history)
    assert f"its server stopped at step {step:,}" in shown.message
    assert f"the plane its last saved state (step {saved:,})" in shown.message
    assert not at.button(key="run_continue").disabled  # on from the saved state
    # The store kept the JS divergence the trainer logged: the distance chart draws it.
    distance = json.loads(at.session_state["figure_cache"]["distance"].json)
    assert "JSD (right axis)" in {trace.get("name") for trace in distance["data"]}


def test_a_lost_run_reopened_in_chinese_leaves_no_english(store: RunStore) -> None:
    run_id, saved, _step = lost_run_with_weights(store)
    at = open_with_cookie(SID, {"lang": "zh"})
    assert_clean(at)
    offer = [i.value for i in at.info if f"#{run_id}" in i.value]
    assert offer and not [text for text in offer if english_words(text)]
    at.button(key="reopen_run").click().run()
    assert_clean(at)
    assert job_of(at).frame().snapshot.step == saved
    assert english_left(at) == []  # the live view: status, message, buttons, charts
    assert any(f"最后保存的状态（第 {saved} 步）" in text for text in texts_under(live_view(at)))
