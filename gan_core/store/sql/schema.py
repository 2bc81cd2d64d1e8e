"""The run store's tables, written for either database, and the upgrades of older stores.

Schema 1 had runs, history and checkpoints; 2 added the run list's summary columns, pinned /
published and blobs shared by content; 3 added timelines and the class board's challenge;
4 added the log's `js_divergence` column. A database of any older schema, SQLite file or
PostgreSQL, is upgraded in place when it is opened, keeping every run.
"""

from __future__ import annotations

from gan_core.i18n import _
from gan_core.store.layout import upgrade_rows_from_1
from gan_core.store.record import LOG_COLUMNS, OPTIONAL_LOG_COLUMNS
from gan_core.store.sql.dialect import SQLITE, Connection, Dialect

SCHEMA_VERSION = 4


def history_table(d: Dialect) -> str:
    values = ", ".join(f"{c} {d.real}" for c in LOG_COLUMNS if c not in ("step", "epoch"))
    return f"""
CREATE TABLE IF NOT EXISTS history (
    run_id {d.integer} NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    step {d.integer} NOT NULL,
    epoch {d.integer} NOT NULL,
    {values},
    PRIMARY KEY (run_id, step)
){d.without_rowid};
"""


# Schema 2: summary columns for the run list, pinned / published, blobs shared by content.
def blob_tables(d: Dialect) -> str:
    return blobs_table(d) + checkpoints_table(d)


def blobs_table(d: Dialect) -> str:
    return f"""
CREATE TABLE IF NOT EXISTS blobs (
    hash TEXT PRIMARY KEY,                 -- sha256 of the uncompressed content
    data {d.blob} NOT NULL,                -- zlib
    size {d.integer} NOT NULL              -- len(data): what it costs the quota
);
"""


def checkpoints_table(d: Dialect) -> str:
    return f"""
CREATE TABLE IF NOT EXISTS checkpoints (
    run_id {d.integer} PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    blob TEXT NOT NULL REFERENCES blobs (hash),
    config_at {d.integer},                 -- where the run's config text was cut out (blobs.py)
    hash TEXT NOT NULL                     -- sha256 of the whole checkpoint, checked on reading
);
CREATE INDEX IF NOT EXISTS checkpoints_by_blob ON checkpoints (blob);
CREATE INDEX IF NOT EXISTS runs_by_points ON runs (points_blob);
"""


# Schema 3: a run's timeline (its weights at logged steps, for replay), one blob per run.
def timeline_table(d: Dialect) -> str:
    return f"""
CREATE TABLE IF NOT EXISTS timelines (
    run_id {d.integer} PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    blob TEXT NOT NULL REFERENCES blobs (hash)
);
CREATE INDEX IF NOT EXISTS timelines_by_blob ON timelines (blob);
"""


def new_run_columns(d: Dialect) -> tuple[str, ...]:
    return (
        "target_kind TEXT",
        "loss TEXT",
        f"total_steps {d.integer} NOT NULL DEFAULT 0",
        f"pinned {d.integer} NOT NULL DEFAULT 0",
        f"published {d.integer} NOT NULL DEFAULT 0",
        "points_blob TEXT REFERENCES blobs (hash)",  # the target's points (blobs.split_config)
        f"own_bytes {d.integer} NOT NULL DEFAULT 0",  # the row and its log, blobs apart (quota)
    )


# Schema 3: the class board's challenge (gan_core/classroom), one row shared by every session
# and every replica on this database.
def challenges_table(d: Dialect) -> str:
    return f"""
CREATE TABLE IF NOT EXISTS challenges (
    id {d.integer} PRIMARY KEY CHECK (id = 1), -- one current challenge per store
    body TEXT NOT NULL,                    -- JSON, checked again on reading (classroom.challenge)
    set_at {d.real} NOT NULL               -- Unix seconds, UTC
);
"""


def schema(d: Dialect) -> str:
    """Every table of the newest schema, each after the tables it references (PostgreSQL
    checks a reference when the table is created)."""
    return f"""
{blobs_table(d)}
CREATE TABLE IF NOT EXISTS runs (
    id {d.run_id},  -- never reused, so an old link can't hit a new run
    name TEXT NOT NULL,
    preset TEXT,
    source TEXT NOT NULL,
    session_id TEXT,
    status TEXT NOT NULL,
    message TEXT NOT NULL DEFAULT '',
    config TEXT NOT NULL,                  -- gan_core.serialize.to_json, points cut out
    metrics TEXT NOT NULL DEFAULT '{{}}',  -- JSON object
    created {d.real} NOT NULL,             -- Unix seconds, UTC
    updated {d.real} NOT NULL,
    finished {d.real},
    {", ".join(new_run_columns(d))}
);
CREATE INDEX IF NOT EXISTS runs_by_session ON runs (session_id, created);
CREATE INDEX IF NOT EXISTS runs_by_created ON runs (created);
{history_table(d)}
{checkpoints_table(d)}
{timeline_table(d)}
{challenges_table(d)}
"""


# The SQLite schema as an older GANscope and its tests know it.
SCHEMA = schema(SQLITE)


def execute_script(db: Connection, script: str) -> None:
    # executescript() would commit the open transaction; one statement at a time does not.
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def upgrade_from_1(db: Connection, d: Dialect = SQLITE) -> None:
    """Schema 1 to 2, in the open transaction: new columns filled, points and weights moved
    into blobs. A file written by an older GANscope keeps every run."""
    for column in new_run_columns(d):
        db.execute(f"ALTER TABLE runs ADD COLUMN {column}")
    db.execute("ALTER TABLE checkpoints RENAME TO checkpoints_1")
    execute_script(db, blob_tables(d))
    upgrade_rows_from_1(db, old_checkpoints="checkpoints_1")
    db.execute("DROP TABLE checkpoints_1")


def upgrade_from_2(db: Connection, d: Dialect = SQLITE) -> None:
    """Schema 2 to 3, in the open transaction: the timelines table, empty (runs saved before
    it have no timeline, and say so when replay is asked of them), and the class board's
    `challenges` table. Every run is kept as it is."""
    execute_script(db, timeline_table(d))
    execute_script(db, challenges_table(d))


def upgrade_from_3(db: Connection, d: Dialect = SQLITE) -> None:
    """Schema 3 to 4, in the open transaction: the log's JS divergence, empty (NULL, read as
    NaN) in the rows saved before it. A column the table has already is left as it is."""
    present = {str(column[0]) for column in db.execute("SELECT * FROM history LIMIT 0").description}
    for column in OPTIONAL_LOG_COLUMNS:
        if column not in present:
            db.execute(f"ALTER TABLE history ADD COLUMN {column} {d.real}")


def create_or_upgrade(db: Connection, d: Dialect, where: str) -> None:
    """Bring the database to SCHEMA_VERSION inside the caller's (write) transaction.

    ValueError if a newer GANscope wrote it; `where` names it in the message."""
    version = d.schema_version(db)
    if version > SCHEMA_VERSION:
        raise ValueError(
            _(
                "{path} was written by a newer GANscope (schema {version}); "
                "this one reads schema {supported}"
            ).format(path=where, version=version, supported=SCHEMA_VERSION)
        )
    if version == 0:
        execute_script(db, schema(d))
    if version == 1:
        upgrade_from_1(db, d)
    if 1 <= version <= 2:
        upgrade_from_2(db, d)
    if 1 <= version <= 3:
        upgrade_from_3(db, d)
    if version != SCHEMA_VERSION:
        d.set_schema_version(db, SCHEMA_VERSION)
