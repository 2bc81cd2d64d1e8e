"""The log the store keeps, on SQLite and on PostgreSQL: every column the trainer logs that
a reopened or compared run draws, the JS divergence included, and stores written before
it kept that column (schema 3) upgraded in place with their runs."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from pg_server import by_hand

from gan_core.config import GanConfig
from gan_core.store.db import SCHEMA_VERSION
from gan_core.store.recorder import record_trainer
from gan_core.store.run_store import RunStore
from gan_core.training.history import COLUMNS
from gan_core.training.trainer import Trainer

SMALL = GanConfig(n_samples=200, batch_size=20, epochs=3)  # 30 steps, one log row each


@pytest.fixture(scope="module")
def trained() -> Trainer:
    trainer = Trainer(SMALL)
    trainer.run()
    return trainer


@pytest.fixture
def store(tmp_path, store_url):
    opened = RunStore(tmp_path / "data", database_url=store_url())
    yield opened
    opened.close()


def logged_jsd(trainer: Trainer) -> np.ndarray:
    return trainer.history.to_frame()["js_divergence"].to_numpy()


def test_the_js_divergence_the_trainer_logs_is_kept(store, trained):
    assert np.isfinite(logged_jsd(trained)).all()  # two Gaussians: exact at every row
    run_id = record_trainer(store, trained)
    history = store.get_run(run_id).history
    np.testing.assert_allclose(history["js_divergence"].to_numpy(), logged_jsd(trained))
    assert len(history) == len(trained.history)


def test_rows_handed_in_without_it_read_back_as_nan(store, trained):
    run_id = store.create_run(SMALL)
    store.append_history(run_id, trained.history.to_frame()[list(COLUMNS)].iloc[:3])
    store.append_history(
        run_id,
        [
            tuple(row)
            for row in trained.history.to_frame()[list(COLUMNS)].iloc[3:5].itertuples(index=False)
        ],
    )
    history = store.get_run(run_id).history
    assert len(history) == 5 and history["js_divergence"].isna().all()


def test_an_exported_run_carries_its_js_divergence_and_an_old_bundle_still_imports(
    store, trained, tmp_path, store_url
):
    run_id = record_trainer(store, trained)
    bundle = json.loads(store.export_bundle([run_id]))
    other = RunStore(tmp_path / "other", database_url=store_url())
    try:
        (copied,) = other.import_bundle(json.dumps(bundle))
        np.testing.assert_allclose(
            other.get_run(copied).history["js_divergence"].to_numpy(), logged_jsd(trained)
        )
        for run in bundle["runs"]:
            del run["history"]["js_divergence"]  # as a bundle written before it
        (old,) = other.import_bundle(json.dumps(bundle))
        assert other.get_run(old).history["js_divergence"].isna().all()
    finally:
        other.close()


def schema_3(store: RunStore) -> None:
    """The database as schema 3 left it: no JS divergence in the log."""
    by_hand(store, "ALTER TABLE history DROP COLUMN js_divergence")
    if store.path is None:
        by_hand(store, "DELETE FROM schema_version")
        by_hand(store, "INSERT INTO schema_version (version) VALUES (3)")
    else:
        by_hand(store, "PRAGMA user_version = 3")


def test_a_schema_3_store_is_upgraded_in_place_and_keeps_its_log(tmp_path, store_url, trained):
    url = store_url()
    store = RunStore(tmp_path / "data", database_url=url)
    run_id = store.create_run(SMALL)
    old_rows = trained.history.to_frame().iloc[:10]
    store.append_history(run_id, old_rows)
    schema_3(store)
    store.close()

    upgraded = RunStore(tmp_path / "data", database_url=url)
    try:
        history = upgraded.get_run(run_id).history
        pd.testing.assert_frame_equal(
            history[list(COLUMNS)], old_rows[list(COLUMNS)].reset_index(drop=True)
        )
        assert history["js_divergence"].isna().all()  # not kept then: NaN, not made up
        upgraded.append_history(run_id, trained.history.to_frame().iloc[10:])
        jsd = upgraded.get_run(run_id).history["js_divergence"].to_numpy()
        np.testing.assert_allclose(jsd[10:], logged_jsd(trained)[10:])
        if upgraded.path is None:
            version = by_hand(upgraded, "SELECT version FROM schema_version")
        else:
            version = by_hand(upgraded, "PRAGMA user_version")
        assert version == [(SCHEMA_VERSION,)] == [(4,)]
        assert upgraded.integrity_check() == "ok"
    finally:
        upgraded.close()
