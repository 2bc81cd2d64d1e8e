"""The class board's caches on either database: two stores never share an entry, even when
both hold a run of the same id written at the same moment (on PostgreSQL a store has no
file path, so a cache keyed by it would take every database for one)."""

from __future__ import annotations

import pandas as pd
import pytest

from gan_core.config import GanConfig
from gan_core.store.recorder import record_trainer
from gan_core.store.run_store import RunStore
from gan_core.training.trainer import Trainer
from ui.board import tiles

SMALL = GanConfig(n_samples=200, batch_size=20, epochs=1)  # 10 steps


@pytest.fixture
def two_stores(tmp_path, store_url):
    stores = [RunStore(tmp_path / name, database_url=store_url()) for name in ("a", "b")]
    yield stores
    for store in stores:
        store.close()


def test_two_stores_have_different_identities_and_keep_their_own_tiles(two_stores):
    first, second = two_stores
    assert first.identity != second.identity
    trainer = Trainer(SMALL)
    trainer.run()
    ids = [record_trainer(store, trainer, name=name) for store, name in zip(two_stores, "AB")]
    assert ids[0] == ids[1]  # each store's first run: the same id in both
    when = pd.Timestamp("2026-01-01", tz="UTC")  # one moment for both: only the store differs
    labels = [tiles.tile(store, ids[0], when).label for store in two_stores]
    assert labels == [f"#{ids[0]} A", f"#{ids[0]} B"]


def test_a_postgresql_store_is_known_by_its_url_without_the_password(pg_server):
    url = pg_server.new_database().replace("postgres@", "postgres:hunter2@")
    store = RunStore(database_url=url)
    try:
        assert "hunter2" not in store.identity
        assert store.identity == url.replace("hunter2", "***")
    finally:
        store.close()
