"""How much the run store may hold, in total and per session, and which runs make room.

Every Train saves a run, so a busy class fills any disk in the end. Before a write that
would pass a quota, the store evicts whole runs (row, log, and the blobs no other run
shares) until the write fits, in this order:

1. runs of ended sessions (no run of theirs running, nothing saved for `SESSION_IDLE_SECONDS`,
   or no session at all: command line, imports), unpinned and unpublished, oldest first;
2. the writing session's own runs, then 3. those of other sessions still active (unpinned,
   unpublished, oldest first within each);
4. pinned runs, in the same order; 5. published runs last.

A run still running (or paused) is never evicted. A session over its own share only ever
loses its own runs, in the same order. What was evicted goes back to the caller as
`EvictedRun`s, so a page can say so.

    GANSCOPE_STORE_MB          the whole store          (default 4096)
    GANSCOPE_SESSION_STORE_MB  one browser session's    (default 512)

Sizes are what the store holds, counted from the stored values themselves (never a file's
size, so they are the same on SQLite and PostgreSQL): a run's own row and log rows, plus
its blobs' compressed bytes (each counted once, however many runs share it).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from gan_core.config import ConfigError, quote_value
from gan_core.i18n import _
from gan_core.jobs.status import ENDED
from gan_core.store.blobs import blobs_of_runs, release
from gan_core.store.sql.dialect import Connection

STORE_MB_VAR = "GANSCOPE_STORE_MB"
SESSION_MB_VAR = "GANSCOPE_SESSION_STORE_MB"
# A 2-core, 24 GB classroom server: a few GB of disk for the store; a session's share holds
# a few hundred ordinary runs, or about a thousand of one uploaded 20,000-point target.
DEFAULT_STORE_MB = 4096
DEFAULT_SESSION_MB = 512
MAX_MB = 1_000_000
MB = 1_000_000
SESSION_IDLE_SECONDS = 3600  # a lesson: a session that saved nothing for this long has ended
HISTORY_ROW_BYTES = 120  # a log row as SQLite stores it (13 numbers, key and record header)

_ENDED_WORDS = tuple(sorted(status.value for status in ENDED))
_IN_ENDED = f"({', '.join('?' for _ in _ENDED_WORDS)})"


@dataclass(frozen=True)
class Quota:
    total_bytes: int = DEFAULT_STORE_MB * MB
    session_bytes: int = DEFAULT_SESSION_MB * MB


@dataclass(frozen=True)
class EvictedRun:
    """A run deleted to make room, as a page would name it."""

    id: int
    name: str
    session_id: str | None
    created: float  # Unix seconds

    @property
    def label(self) -> str:
        return f"#{self.id} {self.name}"


class StoreFull(ConfigError):
    """Nothing more can be evicted and the write still does not fit.

    A ConfigError, so a page that shows a refused import shows this the same way."""

    def __init__(self, message: str) -> None:
        super().__init__("run store", message)


def quota_from_environment(environ: Mapping[str, str] | None = None) -> Quota:
    """The quota set by `GANSCOPE_STORE_MB` / `GANSCOPE_SESSION_STORE_MB`, else the defaults.

    ConfigError, naming the variable, for anything but a whole number of MB in range."""
    env = os.environ if environ is None else environ
    total = _megabytes(env, STORE_MB_VAR, DEFAULT_STORE_MB)
    session = _megabytes(env, SESSION_MB_VAR, min(DEFAULT_SESSION_MB, total))
    if session > total:
        raise ConfigError(
            SESSION_MB_VAR,
            _(
                "{session} MB is more than the whole store ({setting} = {total} MB); "
                "allowed: 1 to {total}"
            ).format(session=session, setting=STORE_MB_VAR, total=total),
        )
    return Quota(total_bytes=total * MB, session_bytes=session * MB)


def _megabytes(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_MB:
        raise ConfigError(
            name,
            _("{value} must be a whole number of megabytes, 1 to {limit}").format(
                value=quote_value(raw), limit=f"{MAX_MB:,}"
            ),
        )
    return int(raw)


# ---------------------------------------------------------------------- what is used


def total_usage(db: Connection) -> int:
    runs = db.execute("SELECT coalesce(sum(own_bytes), 0) FROM runs").fetchone()[0]
    blobs = db.execute("SELECT coalesce(sum(size), 0) FROM blobs").fetchone()[0]
    return int(runs + blobs)


def session_usage(db: Connection, session_id: str) -> int:
    runs = db.execute(
        "SELECT coalesce(sum(own_bytes), 0) FROM runs WHERE session_id = ?", (session_id,)
    ).fetchone()[0]
    blobs = db.execute(
        "SELECT coalesce(sum(size), 0) FROM blobs WHERE hash IN ("
        "SELECT points_blob FROM runs WHERE session_id = ? UNION "
        "SELECT c.blob FROM checkpoints c JOIN runs r ON r.id = c.run_id WHERE r.session_id = ? "
        "UNION SELECT t.blob FROM timelines t JOIN runs r ON r.id = t.run_id "
        "WHERE r.session_id = ?)",
        (session_id, session_id, session_id),
    ).fetchone()[0]
    return int(runs + blobs)


# ---------------------------------------------------------------------- making room


def make_room(
    db: Connection,
    quota: Quota,
    session_id: str | None,
    incoming: int,
    keep: int | None = None,
) -> list[EvictedRun]:
    """Evict runs (never run `keep`) until `incoming` more bytes fit both quotas;
    StoreFull if they cannot."""
    evicted: list[EvictedRun] = []
    if session_id is not None:
        evicted += _evict_until(
            db,
            lambda: session_usage(db, session_id) + incoming <= quota.session_bytes,
            session_id,
            True,
            keep,
            _(
                "this session's share ({size} MB) is full and every run left in it is still running"
            ).format(size=f"{quota.session_bytes / MB:,.0f}"),
        )
    evicted += _evict_until(
        db,
        lambda: total_usage(db) + incoming <= quota.total_bytes,
        session_id,
        False,
        keep,
        _("the quota ({size} MB) is full and every run left in it is still running").format(
            size=f"{quota.total_bytes / MB:,.0f}"
        ),
    )
    return evicted


def _evict_until(
    db: Connection,
    fits: Callable[[], bool],
    writer: str | None,
    own_only: bool,
    keep: int | None,
    full: str,  # the message when nothing more can be evicted
) -> list[EvictedRun]:
    evicted: list[EvictedRun] = []
    while not fits():
        victim = _next_victim(db, writer, own_only, keep)
        if victim is None:
            raise StoreFull(full)
        keys = blobs_of_runs(db, [victim.id])
        db.execute("DELETE FROM runs WHERE id = ?", (victim.id,))  # log, weights cascade
        release(db, keys)
        evicted.append(victim)
    return evicted


def _next_victim(
    db: Connection, writer: str | None, own_only: bool, keep: int | None
) -> EvictedRun | None:
    """The first run in eviction order (see the module's docstring), or None.

    `own_only`: only the writer's runs (its share is full); else anyone's."""
    idle_since = time.time() - SESSION_IDLE_SECONDS
    row = db.execute(
        "WITH active AS ("
        "  SELECT session_id FROM runs WHERE session_id IS NOT NULL GROUP BY session_id"
        "  HAVING max(updated) >= ?"
        f"  OR sum(CASE WHEN status NOT IN {_IN_ENDED} THEN 1 ELSE 0 END) > 0)"
        " SELECT id, name, session_id, created FROM runs"
        f" WHERE status IN {_IN_ENDED} AND id IS DISTINCT FROM ?"
        + (" AND session_id = ?" if own_only else "")
        + " ORDER BY published, pinned,"
        "  CASE WHEN session_id IS NULL"
        "    OR session_id NOT IN (SELECT session_id FROM active) THEN 0"
        "    WHEN session_id = ? THEN 1 ELSE 2 END,"
        "  created, id LIMIT 1",
        (
            idle_since,
            *_ENDED_WORDS,
            *_ENDED_WORDS,
            keep,
            *([writer] if own_only else []),
            writer,
        ),
    ).fetchone()
    if row is None:
        return None
    return EvictedRun(id=row[0], name=row[1], session_id=row[2], created=row[3])
