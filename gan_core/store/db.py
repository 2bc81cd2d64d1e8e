"""The run store's SQLite file: its schema, its connections and its transactions.

Why it survives a crash or a page refresh mid-run:
- WAL journal: a writer appends to the `-wal` file and a commit is one append, so a killed
  process leaves either the whole transaction or none of it, and readers never block writers.
- `synchronous=NORMAL`: in WAL mode a commit survives the process being killed (the data is
  in the OS's hands); only a power cut can lose the last commits, never corrupt the file.
- Every write is one `BEGIN IMMEDIATE … COMMIT`: the write lock is taken up front, so two
  writers queue behind `busy_timeout` instead of failing half-way with "database is locked".

sqlite3 connections may not be shared across threads, so each thread gets its own. Streamlit
runs every rerun of a page on a fresh thread, so connections of threads that have ended are
closed the next time a connection is handed out, and their number stays small.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gan_core.config import ConfigError
from gan_core.i18n import _
from gan_core.store.layout import upgrade_rows_from_1
from gan_core.training.history import COLUMNS

SCHEMA_VERSION = 3
BUSY_TIMEOUT_MS = 10_000

_HISTORY_VALUES = ", ".join(f"{c} REAL" for c in COLUMNS if c not in ("step", "epoch"))
_HISTORY_TABLE = f"""
CREATE TABLE IF NOT EXISTS history (
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    step INTEGER NOT NULL,
    epoch INTEGER NOT NULL,
    {_HISTORY_VALUES},
    PRIMARY KEY (run_id, step)
) WITHOUT ROWID;
"""
# Schema 2: summary columns for the run list, pinned / published, blobs shared by content.
_BLOB_TABLES = """
CREATE TABLE IF NOT EXISTS blobs (
    hash TEXT PRIMARY KEY,                 -- sha256 of the uncompressed content
    data BLOB NOT NULL,                    -- zlib
    size INTEGER NOT NULL                  -- len(data): what it costs the quota
);
CREATE TABLE IF NOT EXISTS checkpoints (
    run_id INTEGER PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    blob TEXT NOT NULL REFERENCES blobs (hash),
    config_at INTEGER,                     -- where the run's config text was cut out (blobs.py)
    hash TEXT NOT NULL                     -- sha256 of the whole checkpoint, checked on reading
);
CREATE INDEX IF NOT EXISTS checkpoints_by_blob ON checkpoints (blob);
CREATE INDEX IF NOT EXISTS runs_by_points ON runs (points_blob);
"""
# Schema 3: a run's timeline (its weights at logged steps, for replay), one blob per run.
_TIMELINE_TABLE = """
CREATE TABLE IF NOT EXISTS timelines (
    run_id INTEGER PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    blob TEXT NOT NULL REFERENCES blobs (hash)
);
CREATE INDEX IF NOT EXISTS timelines_by_blob ON timelines (blob);
"""
_NEW_RUN_COLUMNS = (
    "target_kind TEXT",
    "loss TEXT",
    "total_steps INTEGER NOT NULL DEFAULT 0",
    "pinned INTEGER NOT NULL DEFAULT 0",
    "published INTEGER NOT NULL DEFAULT 0",
    "points_blob TEXT REFERENCES blobs (hash)",  # the target's points (blobs.split_config)
    "own_bytes INTEGER NOT NULL DEFAULT 0",  # the row and its log, blobs apart (quota.py)
)
# Schema 3: the class board's challenge (gan_core/classroom), one row shared by every session
# and every replica on this file.
_CHALLENGES_TABLE = """
CREATE TABLE IF NOT EXISTS challenges (
    id INTEGER PRIMARY KEY CHECK (id = 1), -- one current challenge per store
    body TEXT NOT NULL,                    -- JSON, checked again on reading (classroom.challenge)
    set_at REAL NOT NULL                   -- Unix seconds, UTC
);
"""
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused, so an old link can't hit a new run
    name TEXT NOT NULL,
    preset TEXT,
    source TEXT NOT NULL,
    session_id TEXT,
    status TEXT NOT NULL,
    message TEXT NOT NULL DEFAULT '',
    config TEXT NOT NULL,                  -- gan_core.serialize.to_json, points cut out
    metrics TEXT NOT NULL DEFAULT '{{}}',  -- JSON object
    created REAL NOT NULL,                 -- Unix seconds, UTC
    updated REAL NOT NULL,
    finished REAL,
    {", ".join(_NEW_RUN_COLUMNS)}
);
CREATE INDEX IF NOT EXISTS runs_by_session ON runs (session_id, created);
CREATE INDEX IF NOT EXISTS runs_by_created ON runs (created);
{_HISTORY_TABLE}
{_BLOB_TABLES}
{_TIMELINE_TABLE}
{_CHALLENGES_TABLE}
"""


def _execute_script(db: sqlite3.Connection, script: str) -> None:
    # executescript() would commit the open transaction; one statement at a time does not.
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def upgrade_from_1(db: sqlite3.Connection) -> None:
    """Schema 1 to 2, in the open transaction: new columns filled, points and weights moved
    into blobs. A file written by an older GANscope keeps every run."""
    for column in _NEW_RUN_COLUMNS:
        db.execute(f"ALTER TABLE runs ADD COLUMN {column}")
    db.execute("ALTER TABLE checkpoints RENAME TO checkpoints_1")
    _execute_script(db, _BLOB_TABLES)
    upgrade_rows_from_1(db, old_checkpoints="checkpoints_1")
    db.execute("DROP TABLE checkpoints_1")


def upgrade_from_2(db: sqlite3.Connection) -> None:
    """Schema 2 to 3, in the open transaction: the timelines table, empty (runs saved before
    it have no timeline, and say so when replay is asked of them), and the class board's
    `challenges` table. Every run is kept as it is."""
    _execute_script(db, _TIMELINE_TABLE)
    _execute_script(db, _CHALLENGES_TABLE)


class Database:
    """One SQLite file; `write()` and `read()` give a connection inside a transaction."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._lock = threading.Lock()
        self._open: list[tuple[threading.Thread, sqlite3.Connection]] = []
        self._create_schema()

    def _create_schema(self) -> None:
        try:
            # Persistent: set once in the file, every later connection uses WAL.
            self._connection().execute("PRAGMA journal_mode=WAL")
        except sqlite3.DatabaseError as error:
            self.close_all()
            raise ConfigError(
                "store",
                _("{path} is not a run store ({reason})").format(
                    path=repr(str(self.path)), reason=error
                ),
            ) from None
        with self.write() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise ConfigError(
                    "store",
                    _(
                        "{path} was written by a newer GANscope (schema {version}); "
                        "this one reads schema {supported}"
                    ).format(path=repr(str(self.path)), version=version, supported=SCHEMA_VERSION),
                )
            if version == 0:
                _execute_script(db, SCHEMA)
            if version == 1:
                upgrade_from_1(db)
            if 1 <= version <= 2:
                upgrade_from_2(db)
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def _connection(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is not None:
            return db
        # isolation_level=None: no implicit transactions; write() and read() say where they are.
        # check_same_thread=False only so close_all() and the pruning below may close the
        # connection of a thread that has ended; a live thread only ever uses its own.
        db = sqlite3.connect(
            self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
        db.row_factory = sqlite3.Row
        db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA synchronous=NORMAL")
        self._local.db = db
        with self._lock:
            ended = [(t, c) for t, c in self._open if not t.is_alive()]
            self._open = [(t, c) for t, c in self._open if t.is_alive()]
            self._open.append((threading.current_thread(), db))
        for _thread, connection in ended:
            connection.close()
        return db

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: all of it is committed, or (on any exception) none of it."""
        db = self._connection()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: several SELECTs see one consistent state of the file."""
        db = self._connection()
        db.execute("BEGIN")
        try:
            yield db
        finally:
            db.execute("COMMIT")

    def integrity_check(self) -> str:
        with self.read() as db:
            return db.execute("PRAGMA integrity_check").fetchone()[0]

    def close_all(self) -> None:
        with self._lock:
            connections, self._open = self._open, []
        for _thread, connection in connections:
            connection.close()
        self._local = threading.local()
