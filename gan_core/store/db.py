"""The run store's database: its connections, its transactions, and retries when PostgreSQL blinks.

Two databases, the same tables (`sql/schema.py`) and the same queries (`sql/dialect.py`):

An SQLite file (the default, nothing to set up). Why it survives a crash or a page refresh:
- WAL journal: a writer appends to the `-wal` file and a commit is one append, so a killed
  process leaves either the whole transaction or none of it, and readers never block writers.
- `synchronous=NORMAL`: in WAL mode a commit survives the process being killed (the data is
  in the OS's hands); only a power cut can lose the last commits, never corrupt the file.
- Every write is one `BEGIN IMMEDIATE … COMMIT`: the write lock is taken up front, so two
  writers queue behind `busy_timeout` instead of failing half-way with "database is locked".

A PostgreSQL server (`$GANSCOPE_DATABASE_URL`, `sql/postgres.py`), shared by app processes:
- every write takes one advisory lock first, so writers queue as they do on a file;
- the schema is created (or found) in one transaction under that lock, so two processes
  starting at once cannot both create it;
- a store method whose connection was lost (the server restarted) runs again on a new
  connection, after a pause that doubles each time, for at most `RETRY_DELAYS` (inside
  `failing_fast()` it raises at once: a recorder's flush while the run trains); every write
  is idempotent (log rows keyed by (run, step), blobs by content, a run's end replaces its
  end), and a new run whose COMMIT had no answer is not written twice: it is not retried.

Connections may not be shared across threads, so each thread gets its own. Streamlit
runs every rerun of a page on a fresh thread, so connections of threads that have ended are
closed the next time a connection is handed out, and their number stays small.
"""

from __future__ import annotations

import functools
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

from gan_core.config import ConfigError
from gan_core.i18n import _
from gan_core.store.sql import postgres
from gan_core.store.sql.dialect import POSTGRESQL, SQLITE, Connection, Dialect
from gan_core.store.sql.schema import SCHEMA, SCHEMA_VERSION, create_or_upgrade

__all__ = ["SCHEMA", "SCHEMA_VERSION", "Database", "retried"]

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000
# Pauses before each new try of a store method whose PostgreSQL connection was lost: about
# 15 s in all, longer than a server takes to restart, short enough that a save gives up.
RETRY_DELAYS = (0.2, 0.4, 0.8, 1.6, 3.2, 4.0, 5.0)


class _Closable(Protocol):
    def close(self) -> None: ...


class Database:
    """One SQLite file (`path`) or PostgreSQL database (`url`); `write()` and `read()` give a
    connection inside a transaction, `retrying()` runs a store method again when it was lost."""

    def __init__(self, path: Path | None = None, url: str | None = None) -> None:
        if (path is None) == (url is None):
            raise TypeError("a Database is a path or a URL, not both or neither")
        self.path = path
        self.url = url
        self.dialect: Dialect = SQLITE if url is None else POSTGRESQL
        self.where = str(path) if url is None else postgres.redacted(url)
        self.transient = () if url is None else postgres.TRANSIENT_ERRORS
        self._local = threading.local()
        self._lock = threading.Lock()
        self._open: list[tuple[threading.Thread, Any]] = []
        self._create_schema()

    def _create_schema(self) -> None:
        try:
            if self.path is not None:
                # Persistent: set once in the file, every later connection uses WAL.
                self._connection().execute("PRAGMA journal_mode=WAL")
            with self.write() as db:
                create_or_upgrade(db, self.dialect, repr(self.where))
        except ValueError as error:  # written by a newer GANscope
            self.close_all()
            raise ConfigError("store", str(error)) from None
        except sqlite3.DatabaseError as error:
            self.close_all()
            raise ConfigError(
                "store",
                _("{path} is not a run store ({reason})").format(
                    path=repr(self.where), reason=error
                ),
            ) from None
        except Exception as error:
            self.close_all()
            if self.url is None or not isinstance(error, postgres.psycopg.Error):
                raise
            reason = postgres.described(error, self.url)
            raise ConfigError(
                "run store",
                _("PostgreSQL at {where} cannot be used ({reason})").format(
                    where=self.where, reason=reason
                ),
            ) from None

    def _connection(self) -> Any:
        db = getattr(self._local, "db", None)
        if db is not None:
            return db
        db = self._connect()
        self._local.db = db
        with self._lock:
            ended = [(t, c) for t, c in self._open if not t.is_alive()]
            self._open = [(t, c) for t, c in self._open if t.is_alive()]
            self._open.append((threading.current_thread(), db))
        for _thread, connection in ended:
            _close_quietly(connection)
        return db

    def _connect(self) -> Connection:
        if self.path is None:
            assert self.url is not None  # __init__ took one of the two
            return postgres.PgConnection(self.url)
        # isolation_level=None: no implicit transactions; write() and read() say where they are.
        # check_same_thread=False only so close_all() and the pruning above may close the
        # connection of a thread that has ended; a live thread only ever uses its own.
        db = sqlite3.connect(
            self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
        db.row_factory = sqlite3.Row
        db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA synchronous=NORMAL")
        return db

    def _drop_connection(self) -> None:
        """Forget this thread's connection (lost with the server): the next one is new."""
        db = getattr(self._local, "db", None)
        self._local.db = None
        if db is None:
            return
        with self._lock:
            self._open = [(t, c) for t, c in self._open if c is not db]
        _close_quietly(db)

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction: all of it is committed, or (on any exception) none of it."""
        db = self._connection()
        for statement in self.dialect.begin_write:
            db.execute(statement)
        try:
            yield db
        except BaseException:
            _rollback(db)
            raise
        self._local.committing = True
        try:
            db.execute("COMMIT")
        finally:
            self._local.committing = False

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read transaction: several SELECTs see one consistent state of the database."""
        db = self._connection()
        db.execute(self.dialect.begin_read)
        try:
            yield db
        except BaseException:
            _rollback(db)
            raise
        db.execute("COMMIT")

    def retrying(self, call: Callable[[], Result], idempotent: bool = True) -> Result:
        """`call()`, called again on a new connection while the connection is lost (PostgreSQL
        only), up to `RETRY_DELAYS`. Not again if it was not `idempotent` and its COMMIT was
        sent: it may have been written, and must not be written twice."""
        if getattr(self._local, "retrying", False):  # the outer call retries the whole
            return call()
        self._local.retrying = True
        delays = () if getattr(self._local, "fail_fast", False) else RETRY_DELAYS
        try:
            for delay in (*delays, None):
                self._local.committing = False
                try:
                    return call()
                except self.transient as error:
                    self._drop_connection()
                    ambiguous = getattr(self._local, "committing", False) and not idempotent
                    if delay is None or ambiguous:
                        raise
                    reason = postgres.described(error, self.url or "")  # one line, no password
                    log.info("the run store's connection was lost (%s); trying again", reason)
                    time.sleep(delay)
            raise AssertionError("unreachable: the last try returns or raises")
        finally:
            self._local.retrying = False
            self._local.committing = False

    @contextmanager
    def failing_fast(self) -> Iterator[None]:
        """Store methods called inside it try once: a lost connection raises at once, and
        the caller tries again later itself (the next connection is a new one)."""
        self._local.fail_fast = True
        try:
            yield
        finally:
            self._local.fail_fast = False

    def integrity_check(self) -> str:
        """SQLite's own check of the file; PostgreSQL checks its pages itself: "ok" if it
        answers."""
        with self.read() as db:
            if self.path is None:
                db.execute("SELECT 1").fetchone()
                return "ok"
            return str(db.execute("PRAGMA integrity_check").fetchone()[0])

    def close_all(self) -> None:
        with self._lock:
            connections, self._open = self._open, []
        for _thread, connection in connections:
            _close_quietly(connection)
        self._local = threading.local()


Result = TypeVar("Result")
Params = ParamSpec("Params")


class HasDatabase(Protocol):
    _db: Database


Owner = TypeVar("Owner", bound=HasDatabase)


def retried(
    idempotent: bool = True,
) -> Callable[
    [Callable[Concatenate[Owner, Params], Result]], Callable[Concatenate[Owner, Params], Result]
]:
    """A store method run again, whole, when its connection was lost (`Database.retrying`)."""

    def wrap(
        method: Callable[Concatenate[Owner, Params], Result],
    ) -> Callable[Concatenate[Owner, Params], Result]:
        @functools.wraps(method)
        def call(self: Owner, *args: Params.args, **kwargs: Params.kwargs) -> Result:
            return self._db.retrying(lambda: method(self, *args, **kwargs), idempotent)

        return call

    return wrap


def _rollback(db: Connection) -> None:
    try:
        db.execute("ROLLBACK")
    except (sqlite3.Error, postgres.psycopg.Error):  # the connection is gone: so is the transaction
        pass


def _close_quietly(connection: _Closable) -> None:
    try:
        connection.close()
    except Exception:  # closing a connection to a server that went away
        pass
