"""The run store: every training run saved as it trains, to list, compare, reopen and share.

One SQLite file in a data directory (see `paths.py` for where, `db.py` for why a crash or
a refresh cannot corrupt it), or one PostgreSQL database that several app processes share
(`$GANSCOPE_DATABASE_URL`, `sql/postgres.py`). A run is a row of `runs` (config, preset,
status, final metrics, timestamps, the session that started it), its log in `history` (one
row per logged step, written in batches as the run goes) and its final weights in
`checkpoints`.

    store = store_from_environment()            # $GANSCOPE_DATABASE_URL, else a file in
                                                # $GANSCOPE_DATA_DIR, else in ./data
    run_id = store.create_run(config, preset="tutorial", session_id=sid)
    store.append_history(run_id, trainer.history.to_frame())   # idempotent by step
    store.finish(run_id, "finished", metrics, checkpoint_bytes(trainer))
    store.get_run(run_id).history                # a DataFrame with the trainer's columns

`recorder.py` does the writing for a `TrainingJob` or a CLI run. The store keeps to a quota
(`quota.py`: what is evicted to make room, and in which order; `add_run` and `finish` say
what they evicted), and stores big inputs once (`blobs.py`, `layout.py`).
"""

from __future__ import annotations

import json
import os
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from gan_core.config import ConfigError, GanConfig, quote_value
from gan_core.i18n import _
from gan_core.jobs.status import RunStatus
from gan_core.serialize import from_json
from gan_core.store.blobs import (
    blobs_of_runs,
    content_hash,
    read_timeline,
    release,
    split_checkpoint,
    split_config,
    store_timeline,
)
from gan_core.store.bundle import decode_bundle, encode_bundle
from gan_core.store.damage import READ_ERRORS, DamagedRun, described
from gan_core.store.db import Database, retried
from gan_core.store.layout import (
    ROW_OVERHEAD_BYTES,
    ConfigColumns,
    config_columns,
    config_text,
    read_checkpoint,
    refresh_own_bytes,
    store_checkpoint,
)
from gan_core.store.paths import DEFAULT_DB_NAME, data_dir_from_environment, database_path
from gan_core.store.quota import (
    HISTORY_ROW_BYTES,
    EvictedRun,
    Quota,
    StoreFull,
    make_room,
    quota_from_environment,
    session_usage,
    total_usage,
)
from gan_core.store.record import (
    LOG_COLUMNS,
    LOST,
    MAX_MESSAGE_CHARS,
    MAX_SESSION_ID_CHARS,
    SOURCES,
    RunRecord,
    check_name,
    check_status,
    plain_metrics,
)
from gan_core.store.rows import (
    DAMAGED,
    HistoryRows,
    history_values,
    list_frame,
    row_dict,
    stored_record,
    time_bound,
    to_seconds,
)
from gan_core.store.sql.dialect import Connection
from gan_core.store.sql.postgres import check_database_url, database_url_from_environment
from gan_core.training.checkpoint import MAX_CHECKPOINT_BYTES

MAX_NEW_NAME_CHARS = 60  # a name a person gives a run: fits a legend and a table column
PARSED_CONFIGS_KEPT = 64  # configs kept parsed: a 20,000-point one takes 0.1-0.3 s to check
# A row written again (a retried save, a recorder's last rows) replaces the one of its step.
_INSERT_ROW = (
    f"INSERT INTO history (run_id, {', '.join(LOG_COLUMNS)}) "
    f"VALUES (?, {', '.join('?' for _ in LOG_COLUMNS)}) ON CONFLICT (run_id, step) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in LOG_COLUMNS if c != "step")
)


@dataclass(frozen=True)
class AddedRun:
    run_id: int
    evicted: list[EvictedRun]  # runs deleted to make room for it


class RunNotFound(KeyError):
    """No run with this id (never created, or deleted since)."""

    def __init__(self, run_id: object) -> None:
        self.run_id = run_id
        super().__init__(_("no run #{id} in the store").format(id=run_id))

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class NotAllowed(PermissionError):
    """This session may not change this run: it is another session's (and, for a teacher,
    not published)."""

    def __init__(self, run_id: int, action: str) -> None:
        self.run_id = run_id
        self.action = action
        messages = {
            "rename": _(
                "run #{id} is not yours to rename: only the session that made it may, "
                "or a teacher once it is published to the class"
            ),
            "delete": _(
                "run #{id} is not yours to delete: only the session that made it may, "
                "or a teacher once it is published to the class"
            ),
            "publish": _(
                "run #{id} is not yours to publish: only the session that made it may, "
                "or a teacher once it is published to the class"
            ),
            "unpublish": _(
                "run #{id} is not yours to unpublish: only the session that made it may, "
                "or a teacher once it is published to the class"
            ),
        }
        super().__init__(messages[action].format(id=run_id))


@dataclass
class Deletion:
    """What `delete_runs_of` did with each run asked for."""

    deleted: list[int] = field(default_factory=list)
    gone: list[int] = field(default_factory=list)  # no such run (deleted already)
    refused: list[int] = field(default_factory=list)  # not this session's to delete


def store_from_environment(name: str = DEFAULT_DB_NAME) -> RunStore:
    """The store on `$GANSCOPE_DATABASE_URL` if set, else in `$GANSCOPE_DATA_DIR` (else
    `./data`): what the app and the CLI use."""
    return RunStore(data_dir_from_environment(), name, database_url=database_url_from_environment())


class RunStore:
    def __init__(
        self,
        data_dir: str | os.PathLike[str] | None = None,
        name: str = DEFAULT_DB_NAME,
        quota: Quota | None = None,
        database_url: str | None = None,
    ) -> None:
        """`quota` defaults to `$GANSCOPE_STORE_MB` / `$GANSCOPE_SESSION_STORE_MB` (quota.py).

        With a `database_url` (postgresql://...) the store is that PostgreSQL database and
        `data_dir` and `name` are not used (`path` and `data_dir` are None); ConfigError, in
        one line with the password hidden, if the URL is bad or the server cannot be used."""
        self.quota: Quota = quota if quota is not None else quota_from_environment()
        self.path: Path | None = None
        self.data_dir: Path | None = None
        if database_url is not None:
            self._db = Database(url=check_database_url(database_url))
        else:
            self.path = database_path(
                data_dir if data_dir is not None else data_dir_from_environment(), name
            )
            self.data_dir = self.path.parent
            self._db = Database(path=self.path)
        self._parsed: dict[tuple[str, str | None], GanConfig] = {}
        self._parsed_lock = threading.Lock()

    @property
    def identity(self) -> str:
        """Which database this store is, as a cache key or in a message: the SQLite file's
        path, or the PostgreSQL URL with its password hidden (the same database whatever
        the password)."""
        return self._db.where

    # ------------------------------------------------------------------ writing a run

    def create_run(
        self,
        config: GanConfig,
        preset: str | None = None,
        session_id: str | None = None,
        source: str = "dashboard",
        name: str | None = None,
        status: str = "running",
    ) -> int:
        """A new run, saved at once (so a refresh a second later can already reopen it)."""
        return self.add_run(config, preset, session_id, source, name, status).run_id

    @retried(idempotent=False)
    def add_run(
        self,
        config: GanConfig,
        preset: str | None = None,
        session_id: str | None = None,
        source: str = "dashboard",
        name: str | None = None,
        status: str = "running",
    ) -> AddedRun:
        """`create_run`, also telling which runs were evicted to make room for it.

        StoreFull if the quota cannot make room (every run left is still running)."""
        if not isinstance(config, GanConfig):
            raise TypeError(f"config must be a GanConfig, not {type(config).__name__}")
        if source not in SOURCES:
            raise ValueError(f"source {source!r} is not one of {', '.join(SOURCES)}")
        preset = None if preset is None else check_name(preset)
        name = check_name(name if name is not None else preset or "custom")
        session = _session(session_id)
        status = check_status(status)
        now = to_seconds(_now())
        split = split_config(config)  # the slow part for a big config: outside the lock
        with self._db.write() as db:
            evicted = make_room(db, self.quota, session, _size_of_new(db, split))
            columns = config_columns(db, config, split)
            run_id = self._insert_run(db, columns, name, preset, source, session, status, now)
        return AddedRun(run_id, evicted)

    def _insert_run(
        self,
        db: Connection,
        columns: ConfigColumns,
        name: str,
        preset: str | None,
        source: str,
        session_id: str | None,
        status: str,
        created: float,
    ) -> int:
        cursor = db.execute(
            "INSERT INTO runs (name, preset, source, session_id, status, config, created, "
            "updated, points_blob, target_kind, loss, total_steps) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (
                name,
                preset,
                source,
                session_id,
                status,
                columns.config,
                created,
                created,
                columns.points_blob,
                columns.target_kind,
                columns.loss,
                columns.total_steps,
            ),
        )
        run_id = int(cursor.fetchall()[0][0])
        refresh_own_bytes(db, run_id)
        return run_id

    @retried()
    def append_history(self, run_id: int, rows: HistoryRows) -> int:
        """Write log rows (a DataFrame, mappings, or tuples in `history.COLUMNS` order, or in
        `record.LOG_COLUMNS` order with the JS divergence).

        A row replaces any earlier row of the same step, so writing a row twice is harmless.
        All rows go in one transaction. Returns the number of rows written.
        """
        values = history_values(rows)
        with self._db.write() as db:
            self._touch(db, run_id)
            db.executemany(_INSERT_ROW, [(run_id, *row) for row in values])
            refresh_own_bytes(db, run_id)
        return len(values)

    @retried()
    def touch(self, run_id: int) -> None:
        """Say that the run is still being trained (its `updated` stamp): a run not touched
        for `record.LOST_AFTER_S` reads as lost. RunNotFound if it is gone."""
        with self._db.write() as db:
            self._touch(db, run_id)

    @retried()
    def save_progress(self, run_id: int, checkpoint: bytes) -> bool:
        """Keep the weights of a run still training, so that if its server stops, the run
        reopens at this state rather than at its start. `finish` replaces them with the
        final ones. False (nothing written) if the run has ended meanwhile or no room can
        be made; RunNotFound if it is gone."""
        if not isinstance(checkpoint, (bytes, bytearray)) or len(checkpoint) > MAX_CHECKPOINT_BYTES:
            raise ValueError(f"checkpoint must be bytes, at most {MAX_CHECKPOINT_BYTES:,}")
        with self._db.write() as db:
            run = db.execute(
                "SELECT session_id, status, config, points_blob FROM runs WHERE id = ?", (run_id,)
            ).fetchone()
            if run is None:
                raise RunNotFound(run_id)
            session_id, status, skeleton, points_blob = run
            if check_status(status).ended:  # its final weights are saved: keep them
                return False
            embedded = config_text(db, skeleton, points_blob)
            size = len(split_checkpoint(bytes(checkpoint), embedded)[0])
            try:
                make_room(db, self.quota, session_id, size, keep=run_id)
            except StoreFull:
                return False
            store_checkpoint(db, run_id, bytes(checkpoint), embedded)
            self._touch(db, run_id)
            refresh_own_bytes(db, run_id)
        return True

    @retried()
    def set_status(self, run_id: int, status: str, message: str = "") -> None:
        with self._db.write() as db:
            self._touch(db, run_id, status=check_status(status), message=_message(message))

    @retried()
    def finish(
        self,
        run_id: int,
        status: str,
        metrics: Mapping[str, object] | None = None,
        checkpoint: bytes | None = None,
        message: str = "",
        rows: HistoryRows | None = None,
    ) -> list[EvictedRun]:
        """End a run: last log rows, status, final metrics and weights, in one transaction.

        Returns the runs evicted to make room. If no room can be made for the weights (every
        other run is still running), the run is saved without them and its message says so."""
        values = history_values(rows) if rows is not None else []
        if checkpoint is not None:
            if not isinstance(checkpoint, (bytes, bytearray)):
                raise TypeError("checkpoint must be bytes")
            if len(checkpoint) > MAX_CHECKPOINT_BYTES:
                raise ValueError(f"checkpoint is larger than {MAX_CHECKPOINT_BYTES:,} bytes")
        metrics_json = json.dumps(plain_metrics(metrics), allow_nan=False)
        evicted: list[EvictedRun] = []
        with self._db.write() as db:
            run = db.execute(
                "SELECT session_id, config, points_blob FROM runs WHERE id = ?", (run_id,)
            ).fetchone()
            if run is None:
                raise RunNotFound(run_id)
            session_id, skeleton, points_blob = run
            embedded = config_text(db, skeleton, points_blob) if checkpoint is not None else ""
            incoming = len(metrics_json) + HISTORY_ROW_BYTES * len(values)
            if checkpoint is not None:
                incoming += len(split_checkpoint(bytes(checkpoint), embedded)[0])
            try:
                evicted = make_room(db, self.quota, session_id, incoming, keep=run_id)
            except StoreFull as error:
                checkpoint = None
                note = f"weights not saved: {error}"
                message = f"{message}; {note}" if message else note
            now = self._touch(db, run_id, status=check_status(status), message=_message(message))
            db.execute(
                "UPDATE runs SET metrics = ?, finished = ? WHERE id = ?",
                (metrics_json, now, run_id),
            )
            db.executemany(_INSERT_ROW, [(run_id, *row) for row in values])
            if checkpoint is not None:
                store_checkpoint(db, run_id, bytes(checkpoint), embedded)
            refresh_own_bytes(db, run_id)
        return evicted

    def _touch(
        self,
        db: Connection,
        run_id: int,
        status: str | None = None,
        message: str | None = None,
    ) -> float:
        """Stamp `updated` (and set status / message); RunNotFound if the run is gone.
        Returns the stamp, in Unix seconds."""
        now = to_seconds(_now())
        cursor = db.execute(
            "UPDATE runs SET updated = ?, status = coalesce(?, status), "
            "message = coalesce(?, message) WHERE id = ?",
            (now, status, message, run_id),
        )
        if cursor.rowcount == 0:
            raise RunNotFound(run_id)
        return now

    # ------------------------------------------------------------------ reading

    @retried()
    def get_run(self, run_id: int, with_history: bool = True) -> RunRecord:
        with self._db.read() as db:
            row = db.execute(
                "SELECT r.*, EXISTS (SELECT 1 FROM checkpoints c WHERE c.run_id = r.id) "
                "AS has_checkpoint FROM runs r WHERE r.id = ?",
                (run_id,),
            ).fetchone()
            if row is None:
                raise RunNotFound(run_id)
            history = (
                db.execute(
                    f"SELECT {', '.join(LOG_COLUMNS)} FROM history WHERE run_id = ? ORDER BY step",
                    (run_id,),
                ).fetchall()
                if with_history
                else []
            )
            # Every value checked: DamagedRun (a ConfigError) names one that is not as written.
            columns = row_dict(row)
            return stored_record(
                columns,
                history,
                lambda _: self._parsed_config(db, columns["config"], columns["points_blob"]),
                now=to_seconds(_now()),
            )

    def _parsed_config(self, db: Connection, skeleton: str, points_blob: str | None) -> GanConfig:
        """The run's config, parsed and checked once per store for the last few configs
        asked for (a config is frozen, so sharing it is safe)."""
        key = (skeleton, points_blob)
        with self._parsed_lock:
            config = self._parsed.get(key)
        if config is None:
            config = from_json(config_text(db, skeleton, points_blob))
            with self._parsed_lock:
                if len(self._parsed) >= PARSED_CONFIGS_KEPT:
                    self._parsed.pop(next(iter(self._parsed)))
                self._parsed[key] = config
        return config

    @retried()
    def checkpoint(self, run_id: int) -> bytes | None:
        """The run's final weights (`training.checkpoint` format), or None if none were saved."""
        with self._db.read() as db:
            try:
                return read_checkpoint(db, run_id)
            except READ_ERRORS as error:  # a missing or altered blob, or not bytes at all
                raise DamagedRun(run_id, described(error)) from None

    @retried()
    def save_timeline(self, run_id: int, timeline: bytes) -> bool:
        """Keep the run's timeline for replay (`training.timeline`); False, and nothing
        kept, if the quota cannot make room for it."""
        with self._db.write() as db:
            row = db.execute("SELECT session_id FROM runs WHERE id = ?", (run_id,)).fetchone()
            if row is None:
                raise RunNotFound(run_id)
            try:
                make_room(db, self.quota, row[0], len(timeline), keep=run_id)
            except StoreFull:
                return False
            store_timeline(db, run_id, timeline)
        return True

    @retried()
    def timeline(self, run_id: int) -> bytes | None:
        """The run's timeline bytes, or None if it has none (saved before timelines were)."""
        with self._db.read() as db:
            try:
                return read_timeline(db, run_id)
            except READ_ERRORS as error:  # a missing or altered blob
                raise DamagedRun(run_id, described(error)) from None

    @retried()
    def list_runs(
        self,
        preset: str | None = None,
        status: str | Iterable[str] | None = None,
        since: datetime | date | float | None = None,
        until: datetime | date | float | None = None,
        session_id: str | None = None,
        limit: int | None = None,
        published: bool | None = None,
    ) -> pd.DataFrame:
        """One row per run, newest first, with `LIST_COLUMNS`; times are UTC pandas Timestamps.

        `since` / `until` take a datetime, a date (a whole day, inclusive) or Unix seconds.
        `published`: only the runs published to the class (True) or only the others (False).
        A run not ended whose server stopped training it has the status LOST (`record.py`);
        `status` may ask for it, and a run listed as LOST is not listed as "running".
        """
        where: list[str] = []
        params: list[str | float] = []
        statuses = None if status is None else [status] if isinstance(status, str) else list(status)
        if preset is not None:
            where.append("r.preset = ?")
            params.append(preset)
        if statuses is not None:
            stored = _stored_statuses(statuses)
            where.append(f"r.status IN ({', '.join('?' for _ in stored)})")
            params.extend(stored)
        if since is not None:
            where.append("r.created >= ?")
            params.append(time_bound(since, end=False))
        if until is not None:
            where.append("r.created < ?")
            params.append(time_bound(until, end=True))
        if session_id is not None:
            where.append("r.session_id = ?")
            params.append(session_id)
        if published is not None:
            where.append("r.published = 1" if published else "r.published = 0")
        sql = (
            # The summary columns, never the config: a list must not parse 1,000 configs.
            "SELECT r.id, r.name, r.preset, r.status, r.source, r.target_kind, r.loss, "
            "r.total_steps, r.metrics, r.created, r.updated, r.finished, r.published, "
            "(SELECT max(step) FROM history h WHERE h.run_id = r.id) AS steps, "
            "(SELECT frechet FROM history h WHERE h.run_id = r.id ORDER BY step DESC LIMIT 1) "
            "AS last_frechet FROM runs r"
            + (f" WHERE {' AND '.join(where)}" if where else "")
            + " ORDER BY r.created DESC, r.id DESC"
            + (" LIMIT ?" if limit is not None and statuses is None else "")
        )
        if limit is not None and statuses is None:
            params.append(int(limit))
        with self._db.read() as db:
            rows = [row_dict(row) for row in db.execute(sql, params).fetchall()]
        frame = list_frame(rows, to_seconds(_now()))
        if statuses is None:
            return frame
        # Whether a run is lost is known only now: a "running" one may read as lost. A
        # damaged row is kept, as it was before it was read (the page offers to delete it).
        kept = frame[frame.status.isin([*statuses, DAMAGED])]
        return (kept if limit is None else kept.head(int(limit))).reset_index(drop=True)

    @retried()
    def last_run_for_session(self, session_id: str) -> RunRecord | None:
        """The newest run the given session started: for "reopen your last run" after a refresh."""
        with self._db.read() as db:
            row = db.execute(
                "SELECT id FROM runs WHERE session_id = ? ORDER BY created DESC, id DESC LIMIT 1",
                (_session(session_id),),
            ).fetchone()
        return self.get_run(row[0]) if row else None

    # ------------------------------------------------------------------ removing, sharing

    def delete_run(self, run_id: int) -> bool:
        """Delete a run with its log and weights; False if there was no such run."""
        return self.delete_runs([run_id]) == 1

    @retried()
    def delete_runs(self, run_ids: Iterable[int]) -> int:
        ids = [int(i) for i in run_ids]
        with self._db.write() as db:
            blobs = blobs_of_runs(db, ids)
            # The log and weights go with the run (ON DELETE CASCADE); blobs no run shares now
            # go after them.
            deleted = sum(db.execute("DELETE FROM runs WHERE id = ?", (i,)).rowcount for i in ids)
            release(db, blobs)
        return deleted

    def export_bundle(self, run_ids: Iterable[int]) -> bytes:
        """A versioned JSON bundle of the runs' configs, logs and final metrics."""
        return encode_bundle([self.get_run(i) for i in run_ids])

    @retried(idempotent=False)
    def import_bundle(self, data: bytes | str, session_id: str | None = None) -> list[int]:
        """Add a bundle's runs as new runs of `session_id` (None: no session's); all or
        nothing. ConfigError says what is wrong."""
        records = decode_bundle(data)  # validates everything before anything is written
        ids: list[int] = []
        splits = [split_config(record.config) for record in records]
        with self._db.write() as db:
            incoming = sum(_size_of_new(db, split) for split in splits)
            make_room(db, self.quota, _session(session_id), incoming)
            for record, split in zip(records, splits, strict=True):
                run_id = self._insert_run(
                    db,
                    config_columns(db, record.config, split),
                    record.name,
                    record.preset,
                    "import",
                    _session(session_id),
                    record.status,
                    to_seconds(record.created),
                )
                db.execute(
                    "UPDATE runs SET message = ?, metrics = ?, updated = ?, finished = ? "
                    "WHERE id = ?",
                    (
                        record.message,
                        json.dumps(plain_metrics(record.metrics), allow_nan=False),
                        to_seconds(record.updated),
                        to_seconds(record.finished) if record.finished else None,
                        run_id,
                    ),
                )
                rows = history_values(record.history)
                db.executemany(_INSERT_ROW, [(run_id, *row) for row in rows])
                refresh_own_bytes(db, run_id)
                ids.append(run_id)
        return ids

    # ------------------------------------------------------------------ quota

    @retried()
    def usage(self, session_id: str | None = None) -> int:
        """Bytes the store holds (blobs counted once), or those one session's runs hold."""
        with self._db.read() as db:
            if session_id is None:
                return total_usage(db)
            return session_usage(db, session_id)

    @retried()
    def set_flags(
        self, run_id: int, pinned: bool | None = None, published: bool | None = None
    ) -> None:
        """Pin a run (evicted only after every unpinned one) or mark it published (last)."""
        with self._db.write() as db:
            cursor = db.execute(
                "UPDATE runs SET pinned = coalesce(?, pinned), "
                "published = coalesce(?, published) WHERE id = ?",
                (_flag(pinned), _flag(published), run_id),
            )
            if cursor.rowcount == 0:
                raise RunNotFound(run_id)

    # ------------------------------------------------------------------ the maker's rights

    @retried()
    def rename(
        self, run_id: int, name: object, session_id: str | None, teacher: bool = False
    ) -> str:
        """Give a run a new name; returns it as stored. ConfigError names what is wrong with
        the name; NotAllowed unless `session_id` made the run (or a teacher renames a
        published one)."""
        new_name = check_new_name(name)
        with self._db.write() as db:
            _check_allowed(db, run_id, _session(session_id), teacher, "rename")
            db.execute("UPDATE runs SET name = ? WHERE id = ?", (new_name, run_id))
        return new_name

    @retried()
    def publish(
        self, run_id: int, published: bool, session_id: str | None, teacher: bool = False
    ) -> None:
        """Show a run to every session (published) or to its maker alone. Only its maker
        may publish it; its maker or a teacher may unpublish it."""
        with self._db.write() as db:
            _check_allowed(
                db, run_id, _session(session_id), teacher, "publish" if published else "unpublish"
            )
            db.execute("UPDATE runs SET published = ? WHERE id = ?", (_flag(published), run_id))

    @retried()
    def delete_runs_of(
        self, run_ids: Iterable[int], session_id: str | None, teacher: bool = False
    ) -> Deletion:
        """Delete those of the runs that `session_id` may delete (its own; any published one
        for a teacher), checked in the same transaction as the deletion."""
        session = _session(session_id)
        deletion = Deletion()
        with self._db.write() as db:
            for run_id in dict.fromkeys(int(i) for i in run_ids):
                try:
                    _check_allowed(db, run_id, session, teacher, "delete")
                except RunNotFound:
                    deletion.gone.append(run_id)
                except NotAllowed:
                    deletion.refused.append(run_id)
                else:
                    deletion.deleted.append(run_id)
            blobs = blobs_of_runs(db, deletion.deleted)
            for run_id in deletion.deleted:
                db.execute("DELETE FROM runs WHERE id = ?", (run_id,))
            release(db, blobs)
        return deletion

    # ------------------------------------------------------------------ upkeep

    def failing_fast(self) -> AbstractContextManager[None]:
        """Inside it, a call that meets a lost PostgreSQL connection raises at once instead
        of waiting to try again: for saves that a caller repeats itself later."""
        return self._db.failing_fast()

    def integrity_check(self) -> str:
        """SQLite's own check of the file: "ok" when it is sound."""
        return self._db.integrity_check()

    def close(self) -> None:
        self._db.close_all()

    # ------------------------------------------------------------------ the class board

    @retried()
    def published_runs(self, limit: int) -> tuple[pd.DataFrame, int]:
        """The newest `limit` published runs, with `list_runs`' columns, and how many runs
        are published in all."""
        with self._db.read() as db:
            count = db.execute("SELECT count(*) FROM runs WHERE published = 1").fetchone()[0]
        return self.list_runs(limit=limit, published=True), int(count)

    @retried()
    def challenge(self) -> object:
        """The class board's current challenge as stored (JSON text, `gan_core.classroom`
        reads and checks it), or None when none is set."""
        with self._db.read() as db:
            row = db.execute("SELECT body FROM challenges WHERE id = 1").fetchone()
        return None if row is None else row[0]

    @retried()
    def set_challenge(self, body: str | None) -> None:
        """Replace the current challenge with `body` (JSON text), or clear it (None)."""
        with self._db.write() as db:
            db.execute("DELETE FROM challenges")
            if body is not None:
                db.execute(
                    "INSERT INTO challenges (id, body, set_at) VALUES (1, ?, ?)",
                    (body, to_seconds(_now())),
                )


# ---------------------------------------------------------------------- helpers


def _now() -> datetime:
    return datetime.now(UTC)


def _stored_statuses(statuses: list[str]) -> list[str]:
    """The stored statuses a list filter asks for: LOST is one of the statuses a run not
    ended is stored with."""
    if LOST not in statuses:
        return statuses
    active = [s.value for s in RunStatus.stored() if not s.ended]
    return [s for s in statuses if s != LOST] + active


def _size_of_new(db: Connection, split: tuple[str, str | None]) -> int:
    """What a new run adds to the store, at most: its row, and its points unless another
    run stored them already. `split`: its config's `split_config`."""
    skeleton, points = split
    size = ROW_OVERHEAD_BYTES + len(skeleton)
    if points is not None:
        key = content_hash(points.encode())
        if db.execute("SELECT 1 FROM blobs WHERE hash = ?", (key,)).fetchone() is None:
            size += len(points)
    return size


def _session(session_id: object) -> str | None:
    if session_id is None:
        return None
    if not isinstance(session_id, str) or not 0 < len(session_id) <= MAX_SESSION_ID_CHARS:
        raise ValueError(f"session_id must be text of 1 to {MAX_SESSION_ID_CHARS} characters")
    return session_id


def check_new_name(name: object) -> str:
    """A name a person gives a run: at most `MAX_NEW_NAME_CHARS`, no control characters,
    and the characters every stored name keeps to (`record.check_name`)."""
    if not isinstance(name, str):
        raise ConfigError("run name", _("{value} is not text").format(value=quote_value(name)))
    name = name.strip()
    if not name:
        raise ConfigError("run name", _("is empty: give the run a name"))
    if len(name) > MAX_NEW_NAME_CHARS:
        raise ConfigError(
            "run name",
            _("{value} is too long: at most {limit} characters allowed").format(
                value=quote_value(name), limit=MAX_NEW_NAME_CHARS
            ),
        )
    control = next((c for c in name if unicodedata.category(c).startswith("C")), None)
    if control is not None:
        raise ConfigError(
            "run name",
            _(
                "{value} contains the control character {character}: "
                "only printable characters allowed"
            ).format(value=quote_value(name), character=f"U+{ord(control):04X}"),
        )
    try:
        return check_name(name)
    except ValueError:
        raise ConfigError(
            "run name",
            _(
                "{value} may hold only letters of any script, digits, spaces and "
                "_ . : # ( ) + - (starting with a letter, a digit or _)"
            ).format(value=quote_value(name)),
        ) from None


def _check_allowed(
    db: Connection, run_id: int, session_id: str | None, teacher: bool, action: str
) -> None:
    """RunNotFound, or NotAllowed unless this session made the run, or it is published and
    a teacher asks (who may do anything to it but publish it: it is published already)."""
    row = db.execute("SELECT session_id, published FROM runs WHERE id = ?", (run_id,)).fetchone()
    if row is None:
        raise RunNotFound(run_id)
    maker, published = row
    if session_id is not None and maker == session_id:
        return
    if teacher is True and published and action != "publish":
        return
    raise NotAllowed(run_id, action)


def _flag(value: bool | None) -> int | None:
    """A 0/1 column's value (PostgreSQL does not take true for an integer)."""
    return None if value is None else int(bool(value))


def _message(message: object) -> str:
    return str(message)[:MAX_MESSAGE_CHARS]
