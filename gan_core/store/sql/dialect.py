"""Where SQLite's SQL and PostgreSQL's differ, in one place; every other query is the same text.

The store writes its queries once, with `?` placeholders and SQL both databases read
(`INSERT ... ON CONFLICT`, `RETURNING id`, `IS DISTINCT FROM`). What is left:

- placeholders: `?` for sqlite3, `%s` for psycopg (`Dialect.query` rewrites them);
- column types: BLOB / BYTEA, REAL / DOUBLE PRECISION (PostgreSQL's REAL is 4 bytes),
  INTEGER / BIGINT, and the run id: AUTOINCREMENT / an identity column (neither reuses ids);
- `WITHOUT ROWID`, which only SQLite has;
- taking the write lock: SQLite's `BEGIN IMMEDIATE`; PostgreSQL's transaction-scoped
  advisory lock, so writers of every process queue one behind another exactly as on a file
  (the quota's "does it fit?" and its evictions must not interleave);
- where the schema version lives: SQLite's `user_version`, a one-row table in PostgreSQL.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

# Any fixed number: the advisory lock every writer of a GANscope database takes.
WRITE_LOCK_KEY = 0x6A5C0DE


class Cursor(Protocol):
    """What the store reads of a cursor (sqlite3's and psycopg's alike)."""

    @property
    def rowcount(self) -> int: ...

    @property
    def description(self) -> Any: ...  # the columns of a SELECT (name first), else None

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    """What the store asks of a connection: queries written with `?` placeholders."""

    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> Cursor: ...

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> Cursor: ...


@dataclass(frozen=True)
class Dialect:
    name: str
    integer: str
    real: str
    blob: str
    run_id: str  # the runs table's id column
    without_rowid: str  # appended to a table keyed by its primary key alone
    begin_write: tuple[str, ...]
    begin_read: str

    def query(self, sql: str) -> str:
        """`sql` as this database's driver takes it (placeholders)."""
        return sql if self.name == "sqlite" else _percent_placeholders(sql)

    def schema_version(self, db: Connection) -> int:
        if self.name == "sqlite":
            return int(db.execute("PRAGMA user_version").fetchone()[0])
        db.execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")
        row = db.execute("SELECT max(version) FROM schema_version").fetchone()
        return 0 if row is None or row[0] is None else int(row[0])

    def set_schema_version(self, db: Connection, version: int) -> None:
        if self.name == "sqlite":
            db.execute(f"PRAGMA user_version={int(version)}")
            return
        db.execute("DELETE FROM schema_version")
        db.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))


@functools.lru_cache(maxsize=512)
def _percent_placeholders(sql: str) -> str:
    # psycopg reads `%` as the start of a placeholder: a literal one is written `%%`.
    # No query of the store has a `?` inside a string literal.
    return sql.replace("%", "%%").replace("?", "%s")


SQLITE = Dialect(
    name="sqlite",
    integer="INTEGER",
    real="REAL",
    blob="BLOB",
    run_id="INTEGER PRIMARY KEY AUTOINCREMENT",
    without_rowid=" WITHOUT ROWID",
    begin_write=("BEGIN IMMEDIATE",),
    begin_read="BEGIN",
)
POSTGRESQL = Dialect(
    name="postgresql",
    integer="BIGINT",
    real="DOUBLE PRECISION",
    blob="BYTEA",
    run_id="BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
    without_rowid="",
    begin_write=("BEGIN", f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})"),
    begin_read="BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
)
