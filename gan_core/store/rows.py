"""The run store's conversions: log rows, SQL rows and times to and from Python and pandas.

Kept apart from `run_store.py` so that file reads as what the store does, not how each value
is shaped. Times are stored as Unix seconds (UTC) and handed out as aware datetimes.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeAlias

import pandas as pd

from gan_core.store.record import run_label
from gan_core.training.history import COLUMNS

# Log rows as callers hand them in: a DataFrame with the `COLUMNS`, mappings keyed by
# column name, or sequences in `COLUMNS` order.
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
)


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
    """Rows as tuples in COLUMNS order: step and epoch whole numbers, the rest floats."""
    if isinstance(rows, pd.DataFrame):
        missing = [c for c in COLUMNS if c not in rows.columns]
        if missing:
            raise ValueError(f"history rows lack the column(s) {', '.join(missing)}")
        records = rows[list(COLUMNS)].itertuples(index=False, name=None)
    else:
        records = (
            tuple(row[c] for c in COLUMNS) if isinstance(row, Mapping) else tuple(row)
            for row in rows
        )
    values: list[HistoryRow] = []
    for record in records:
        if len(record) != len(COLUMNS):
            raise ValueError(f"a history row has {len(record)} values, not {len(COLUMNS)}")
        step, epoch, *rest = record
        if not (float(step) >= 0 and float(step).is_integer()):
            raise ValueError(f"history step {step!r} is not a whole number ≥ 0")
        # SQLite stores NaN as NULL, which reads back as NaN in the DataFrame.
        values.append((int(step), int(epoch), *(float(v) for v in rest)))
    return values


def history_frame(rows: Iterable[Sequence[Any]]) -> pd.DataFrame:
    frame = pd.DataFrame([tuple(r) for r in rows], columns=list(COLUMNS))
    floats = {c: "float64" for c in COLUMNS if c not in ("step", "epoch")}
    return frame.astype({"step": "int64", "epoch": "int64", **floats})


def row_dict(row: sqlite3.Row) -> dict[str, Any]:
    return {key: row[key] for key in row.keys()}


def list_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    records = []
    for row in rows:
        metrics = json.loads(row["metrics"])
        frechet = metrics.get("frechet", row["last_frechet"])
        records.append(
            {
                "id": row["id"],
                "label": run_label(row["id"], row["name"]),
                "name": row["name"],
                "preset": row["preset"],
                "status": row["status"],
                "source": row["source"],
                "target": row["target_kind"],  # summary columns, filled when the run is saved
                "loss": row["loss"],
                "steps": int(row["steps"]) if row["steps"] is not None else 0,
                "total_steps": row["total_steps"],
                "frechet": float(frechet) if frechet is not None else math.nan,
                "created": row["created"],
                "updated": row["updated"],
                "finished": row["finished"],
            }
        )
    frame = pd.DataFrame(records, columns=list(LIST_COLUMNS))
    for column in ("created", "updated", "finished"):
        frame[column] = pd.to_datetime(frame[column], unit="s", utc=True)
    return frame.astype({"id": "int64", "steps": "int64", "total_steps": "int64"})
