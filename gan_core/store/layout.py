"""How one run sits in the tables: its config cut in two, its summary, its weights, its size.

- `runs.config` holds the config's JSON with the points of an uploaded target cut out; the
  points are a blob (`runs.points_blob`), shared by every run of the same upload.
- `runs.target_kind`, `loss`, `total_steps` are read from the config once, when the run is
  written, so the run list never has to parse (let alone validate) a config.
- `checkpoints` references the weights' blob, with the config text it embeds cut out.
- `runs.own_bytes` is what the row and its log take, blobs apart: the quota's count.

`upgrade_rows_from_1` lays out the runs of a schema-1 file the same way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from gan_core.config import ConfigError, GanConfig
from gan_core.i18n import _
from gan_core.serialize import from_json
from gan_core.store.blobs import (
    DamagedBlob,
    content_hash,
    get_blob,
    join_checkpoint,
    join_config,
    put_blob,
    release,
    split_checkpoint,
    split_config,
)
from gan_core.store.quota import HISTORY_ROW_BYTES
from gan_core.store.sql.dialect import Connection

ROW_OVERHEAD_BYTES = 200  # timestamps, status, keys and SQLite's record header


@dataclass(frozen=True)
class ConfigColumns:
    """The `runs` columns that come from a config."""

    config: str
    points_blob: str | None
    target_kind: str | None
    loss: str | None
    total_steps: int


def config_columns(
    db: Connection, config: GanConfig, split: tuple[str, str | None] | None = None
) -> ConfigColumns:
    """The config's columns, its points stored as a blob (once, whoever stored them first).

    `split`: `split_config(config)` if the caller has it already (it writes the whole JSON)."""
    skeleton, points = split if split is not None else split_config(config)
    return ConfigColumns(
        config=skeleton,
        points_blob=put_blob(db, points.encode()) if points is not None else None,
        target_kind=config.target.kind,
        loss=config.loss,
        total_steps=config.total_steps,
    )


def config_text(db: Connection, skeleton: str, points_blob: str | None) -> str:
    """The config's whole JSON, exactly as `to_json` wrote it."""
    points = get_blob(db, points_blob).decode() if points_blob is not None else None
    return join_config(skeleton, points)


def store_checkpoint(db: Connection, run_id: int, checkpoint: bytes, config_json: str) -> None:
    stored, at = split_checkpoint(checkpoint, config_json)
    old = db.execute("SELECT blob FROM checkpoints WHERE run_id = ?", (run_id,)).fetchone()
    db.execute(
        "INSERT INTO checkpoints (run_id, blob, config_at, hash) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (run_id) DO UPDATE SET blob = excluded.blob, "
        "config_at = excluded.config_at, hash = excluded.hash",
        (run_id, put_blob(db, stored), at, content_hash(checkpoint)),
    )
    if old is not None:
        release(db, [old[0]])


def read_checkpoint(db: Connection, run_id: int) -> bytes | None:
    row = db.execute(
        "SELECT c.blob, c.config_at, c.hash, r.config, r.points_blob "
        "FROM checkpoints c JOIN runs r ON r.id = c.run_id WHERE c.run_id = ?",
        (run_id,),
    ).fetchone()
    if row is None:
        return None
    blob, at, expected, skeleton, points_blob = row
    embedded = config_text(db, skeleton, points_blob) if at is not None else ""
    checkpoint = join_checkpoint(get_blob(db, blob), at, embedded)
    if content_hash(checkpoint) != expected:
        raise DamagedBlob(_("the saved weights of run #{id} are damaged").format(id=run_id))
    return checkpoint


def refresh_own_bytes(db: Connection, run_id: int) -> None:
    """Count the run's row and log rows again (after its log or metrics grew)."""
    db.execute(
        "UPDATE runs SET own_bytes = ? + length(name) + length(config) + length(metrics)"
        " + length(message) + coalesce(length(session_id), 0)"
        " + ? * (SELECT count(*) FROM history WHERE run_id = ?) WHERE id = ?",
        (ROW_OVERHEAD_BYTES, HISTORY_ROW_BYTES, run_id, run_id),
    )


# ---------------------------------------------------------------------- schema 1 to 2


def upgrade_rows_from_1(db: Connection, old_checkpoints: str) -> None:
    """Fill the new columns of every run; move configs' points and weights into blobs.

    Runs once per file, so each config is parsed once here and never again for a list."""
    runs = db.execute("SELECT id, config FROM runs").fetchall()
    for run_id, text in runs:
        columns = _old_config_columns(db, text)
        db.execute(
            "UPDATE runs SET config = ?, points_blob = ?, target_kind = ?, loss = ?, "
            "total_steps = ? WHERE id = ?",
            (
                columns.config,
                columns.points_blob,
                columns.target_kind,
                columns.loss,
                columns.total_steps,
                run_id,
            ),
        )
        weights = db.execute(
            f"SELECT data FROM {old_checkpoints} WHERE run_id = ?", (run_id,)
        ).fetchone()
        if weights is not None:
            # Cut against the text the run will read back as (a config of an older layout
            # may read back differently: then nothing is cut, and the weights stay whole).
            rebuilt = config_text(db, columns.config, columns.points_blob)
            store_checkpoint(db, run_id, bytes(weights[0]), rebuilt)
        refresh_own_bytes(db, run_id)


def _old_config_columns(db: Connection, text: str) -> ConfigColumns:
    try:
        return config_columns(db, from_json(text))
    except ConfigError:  # written by another version: keep it whole and list it anyway
        try:
            raw = json.loads(text)
        except ValueError:
            raw = None
        target = raw.get("target") if isinstance(raw, dict) else None
        kind = target.get("kind") if isinstance(target, dict) else None
        loss = raw.get("loss") if isinstance(raw, dict) else None
        return ConfigColumns(
            config=text,
            points_blob=None,
            target_kind=kind if isinstance(kind, str) else None,
            loss=loss if isinstance(loss, str) else None,
            total_steps=0,
        )
