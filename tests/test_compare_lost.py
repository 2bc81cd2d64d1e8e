"""Compare (AppTest) with a run whose server stopped training it: listed and compared as
"lost", not as running, beside a run that is still training."""

from __future__ import annotations

import pytest
from pg_server import by_hand

from gan_core.config import GanConfig
from gan_core.store.record import LOST_AFTER_S
from gan_core.store.run_store import RunStore
from gan_core.training.trainer import Trainer
from tests.test_compare_page import SESSION, compare_page, no_exceptions

SMALL = GanConfig(n_samples=200, batch_size=20, epochs=3)  # 30 steps


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("GANSCOPE_DATA_DIR", str(tmp_path / "data"))
    opened = RunStore(tmp_path / "data")
    yield opened
    opened.close()


def test_a_lost_run_is_listed_and_compared_as_lost(store):
    trainer = Trainer(SMALL)
    trainer.run(20)
    rows = trainer.history.to_frame()
    lost = store.create_run(SMALL, name="left behind", session_id=SESSION)
    store.append_history(lost, rows)
    by_hand(store, "UPDATE runs SET updated = updated - ? WHERE id = ?", LOST_AFTER_S + 60, lost)
    live = store.create_run(SMALL, name="still going", session_id=SESSION)
    store.append_history(live, rows)

    app = compare_page()
    no_exceptions(app)
    listed = app.dataframe[0].value
    assert dict(zip(listed.label, listed.status, strict=True)) == {
        f"#{lost} left behind": "lost",
        f"#{live} still going": "running",
    }
    results = app.dataframe[1].value
    assert results[f"#{lost} left behind"]["status"] == "lost"
    assert results[f"#{live} still going"]["status"] == "running"

    # The status filter offers "lost": chosen, it lists the lost run alone.
    app.multiselect(key="filter_status").set_value(["lost"]).run()
    no_exceptions(app)
    listed = app.dataframe[0].value
    assert list(listed.label) == [f"#{lost} left behind"]
