"""The run store's conversions: log rows, SQL rows and times to and from Python and pandas.

Kept apart from `run_store.py` so that file reads as what the store does, not how each value
is shaped. Times are stored as Unix seconds (UTC) and handed out as aware datetimes.

Nothing read back is trusted (see `damage.py`): the run list marks a row it cannot read as
"damaged" and says why in its `problem` column, and reading one whole run that is damaged
raises `DamagedRun` (a ConfigError) instead of whatever the bad value would have set off.
A run whose server stopped training it is listed as "lost" (`record.LOST`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeAlias

import pandas as pd

from gan_core.config import GanConfig, quote_value
from gan_core.serialize import from_json
from gan_core.store.damage import (
    READ_ERRORS,
    Checked,
    DamagedRun,
    Problems,
    described,
    stored_metrics,
    stored_moment,
    stored_text,
    whole_number,
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
    is_lost,
    run_label,
)
from gan_core.training.history import COLUMNS

MAX_SUMMARY_CHARS = 40  # a target kind or a loss name

# Log rows as callers hand them in: a DataFrame with the `COLUMNS`, mappings keyed by
# column name, or sequences in `COLUMNS` or `LOG_COLUMNS` order (`record.LOG_COLUMNS`: an
# optional column left out is written as NaN).
HistoryRows: TypeAlias = pd.DataFrame | Iterable[Mapping[str, Any] | Sequence[Any]]
# One log row as written: step and epoch whole numbers, then the other columns as floats.
HistoryRow: TypeAlias = tuple[int, int, *tuple[float, ...]]

LIST_COLUMNS = (
    "id",
    "label",
    "name",
    "preset",
    "status",
    "source",
    "target",
    "loss",
    "steps",
    "total_steps",
    "frechet",
    "created",
    "updated",
    "finished",
    "published",  # shown to every session, not only to the one that made it
    "problem",  # what is wrong with a damaged row ("" for a sound one)
)
DAMAGED = "damaged"  # the list's status for a row that cannot be read as a run
UNREADABLE_NAME = "(unreadable name)"
INTEGER_COLUMNS = ("step", "epoch")


def to_seconds(when: datetime) -> float:
    return when.timestamp()


def from_seconds(value: float) -> datetime:
    return datetime.fromtimestamp(value, UTC)


def time_bound(value: datetime | date | float, end: bool) -> float:
    """A filter bound in Unix seconds; a date covers its whole day (UTC)."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
    if isinstance(value, date):
        day = value + timedelta(days=1) if end else value
        return datetime.combine(day, time(), UTC).timestamp()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    raise TypeError(f"a date bound must be a datetime, a date or seconds, not {value!r}")


def history_values(rows: HistoryRows) -> list[HistoryRow]:
    """Rows as tuples in LOG_COLUMNS order: step and epoch whole numbers, the rest floats."""
    if isinstance(rows, pd.DataFrame):
        missing = [c for c in COLUMNS if c not in rows.columns]
        if missing:
            raise ValueError(f"history rows lack the column(s) {', '.join(missing)}")
        records = rows.reindex(columns=list(LOG_COLUMNS)).itertuples(index=False, name=None)
    else:
        records = (
            tuple(row.get(c, math.nan) if c not in COLUMNS else row[c] for c in LOG_COLUMNS)
            if isinstance(row, Mapping)
            else tuple(row)
            for row in rows
        )
    values: list[HistoryRow] = []
    for record in records:
        if len(record) not in (len(COLUMNS), len(LOG_COLUMNS)):
            raise ValueError(
                f"a history row has {len(record)} values, not {len(COLUMNS)} or {len(LOG_COLUMNS)}"
            )
        padded: list[Any] = [*record, *[math.nan] * (len(LOG_COLUMNS) - len(record))]
        step, epoch, *rest = padded
        if not (float(step) >= 0 and float(step).is_integer()):
            raise ValueError(f"history step {step!r} is not a whole number ≥ 0")
        # SQLite stores NaN as NULL, which reads back as NaN in the DataFrame.
        values.append((int(step), int(epoch), *(float(v) for v in rest)))
    return values


def history_frame(rows: Iterable[Sequence[Any]]) -> pd.DataFrame:
    """Log rows as read from the store; ValueError naming the first value that is not a
    number (or, for step and epoch, not a whole number ≥ 0)."""
    frame = pd.DataFrame([tuple(r) for r in rows], columns=list(LOG_COLUMNS), dtype=object)
    for column in LOG_COLUMNS:
        frame[column] = _log_column(column, frame[column])
    floats = {c: "float64" for c in LOG_COLUMNS if c not in INTEGER_COLUMNS}
    return frame.astype({"step": "int64", "epoch": "int64", **floats})


def _log_column(column: str, values: pd.Series) -> pd.Series:
    # SQLite keeps whatever it was given: text or bytes in a REAL column read back as such.
    numbers = pd.to_numeric(values.map(_plain_number), errors="coerce")
    if column in INTEGER_COLUMNS:
        bad = numbers.isna() | (numbers < 0) | (numbers % 1 != 0) | (numbers >= 2**63)
        allowed = "a whole number ≥ 0"
    else:
        bad = numbers.isna() & values.notna()  # NULL is NaN: a loss missing at that step
        allowed = "a number"
    if bad.any():
        row = int(bad.to_numpy().argmax())
        value = quote_value(values.iloc[row])
        raise ValueError(f"{column} at row {row}: {value} is not {allowed}")
    return numbers


def _plain_number(value: object) -> float | None:
    """Only real numbers count: text that looks like one is still damage."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        return float(value)
    except OverflowError:
        return None


def row_dict(row: Any) -> dict[str, Any]:
    """A result row (sqlite3.Row or `sql.postgres.Row`) as a dict by column name."""
    return {key: row[key] for key in row.keys()}


def _summary_text(value: object) -> str | None:
    """A target kind or loss name from the list's summary columns (None: not filled)."""
    return None if value is None else stored_text(value, MAX_SUMMARY_CHARS)


def list_frame(rows: list[dict[str, Any]], now: float) -> pd.DataFrame:
    """The run list; a run not saved for `record.LOST_AFTER_S` before `now` (Unix seconds)
    that has not ended is listed as LOST."""
    frame = pd.DataFrame([_list_record(row, now) for row in rows], columns=list(LIST_COLUMNS))
    for column in ("created", "updated", "finished"):
        frame[column] = pd.to_datetime(frame[column].astype("float64"), unit="s", utc=True)
    return frame.astype(
        {"id": "int64", "steps": "int64", "total_steps": "int64", "published": "bool"}
    )


def _list_record(row: dict[str, Any], now: float) -> dict[str, Any]:
    """One row of the run list; a value that fails its check is left out and named."""
    problems = Problems()
    name = problems.read("name", check_name, row["name"], None)
    status = problems.read("status", check_status, row["status"], None)
    metrics = problems.read("metrics", stored_metrics, row["metrics"], {})
    if "frechet" in metrics:
        frechet = problems.read("metrics", _list_number, metrics["frechet"], math.nan)
    else:
        frechet = problems.read("log frechet", _list_number, row["last_frechet"], math.nan)
    record = {
        "id": row["id"],
        "label": run_label(row["id"], name or UNREADABLE_NAME),
        "name": name,
        "preset": problems.read("preset", _preset, row["preset"], None),
        "source": problems.read("source", _source, row["source"], None),
        # Summary columns saved with the run: the list never parses a config.
        "target": problems.read("target", _summary_text, row["target_kind"], None),
        "loss": problems.read("loss", _summary_text, row["loss"], None),
        "steps": problems.read("log step", _steps, row["steps"], 0),
        "total_steps": problems.read("total steps", _steps, row["total_steps"], 0),
        "frechet": frechet,
        "created": problems.read("created", _seconds, row["created"], None),
        "updated": problems.read("updated", _seconds, row["updated"], None),
        "finished": problems.read("finished", _optional_seconds, row["finished"], None),
        "published": problems.read("published", _flag, row["published"], False),
    }
    if problems:
        record["status"] = DAMAGED
    elif status is not None and is_lost(status, record["updated"], now):
        record["status"] = LOST
    else:
        record["status"] = status
    record["problem"] = problems.summary()
    return record


def _list_number(value: object) -> float:
    if value is None or isinstance(value, bool):  # true/false is a metric, but no distance
        return math.nan
    if not isinstance(value, (int, float)):
        raise ValueError(f"{quote_value(value)} is not a number")
    return float(value)


def _flag(value: object) -> bool:
    """A 0/1 column (SQLite has no booleans)."""
    if value not in (0, 1) or isinstance(value, float):
        raise ValueError(f"{quote_value(value)} is not 0 or 1")
    return bool(value)


def _preset(value: object) -> str | None:
    return None if value is None else check_name(value)


def _source(value: object) -> str:
    if value not in SOURCES:
        raise ValueError(f"{quote_value(value)} is not one of {', '.join(SOURCES)}")
    return str(value)


def _steps(value: object) -> int:
    return 0 if value is None else whole_number(value)


def _seconds(value: object) -> float:
    return stored_moment(value).timestamp()


def _optional_seconds(value: object) -> float | None:
    return None if value is None else _seconds(value)


# ---------------------------------------------------------------- one whole run


def stored_record(
    columns: dict[str, Any],
    history: Iterable[Sequence[Any]],
    read_config: Callable[[Any], GanConfig] = from_json,
    now: float | None = None,
) -> RunRecord:
    """A `runs` row (with `has_checkpoint`) and its log as a RunRecord; DamagedRun naming
    the first value that is not what the store writes. `read_config` turns the stored
    config column into a config (the store puts an uploaded target's points back in).
    `now` (Unix seconds): when it is read, to tell a lost run (None: never lost)."""
    run_id = columns["id"]
    try:
        record = RunRecord(
            id=run_id,
            name=_checked("name", check_name, columns["name"]),
            config=_checked("config", read_config, columns["config"]),
            preset=_checked("preset", _preset, columns["preset"]),
            source=_checked("source", _source, columns["source"]),
            session_id=_checked("session", _session, columns["session_id"]),
            status=_checked("status", check_status, columns["status"]),
            message=_checked("message", _message, columns["message"]),
            metrics=_checked("metrics", stored_metrics, columns["metrics"]),
            created=_checked("created", stored_moment, columns["created"]),
            updated=_checked("updated", stored_moment, columns["updated"]),
            finished=_checked("finished", _optional_moment, columns["finished"]),
            history=_checked("log", history_frame, history),
            has_checkpoint=bool(columns["has_checkpoint"]),
        )
    except READ_ERRORS as error:
        raise DamagedRun(run_id, described(error)) from None
    if now is not None and is_lost(record.status, record.updated.timestamp(), now):
        return replace(record, lost=True)
    return record


def _checked(field: str, check: Callable[[Any], Checked], value: object) -> Checked:
    try:
        return check(value)
    except READ_ERRORS as error:
        raise ValueError(f"{field}: {described(error)}") from None


def _session(value: object) -> str | None:
    return None if value is None else stored_text(value, MAX_SESSION_ID_CHARS)


def _message(value: object) -> str:
    return stored_text(value, MAX_MESSAGE_CHARS)


def _optional_moment(value: object) -> datetime | None:
    return None if value is None else stored_moment(value)
