"""Runs to a JSON bundle and back: to share runs, or move them to another machine.

A bundle carries each run's config, log and final metrics (not its weights: those stay in
the store they were trained in). Reading one trusts nothing: size, JSON, format and
version are checked first, then every run in full (its config through `from_dict`, its
log column by column, its metrics as named numbers, its times within sane years and in
order: the checks of `damage.py`, which reading the store back applies too), and the
first problem raises a `ConfigError` that says where it is. The store imports a bundle
only after all of it has passed, so a bad one adds nothing.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any, NoReturn

import pandas as pd

from gan_core.config import ConfigError, quote_value
from gan_core.i18n import _
from gan_core.jobs.status import RunStatus
from gan_core.serialize import from_dict, to_dict
from gan_core.store.damage import check_metrics, check_moment, check_not_future
from gan_core.store.record import (
    LOG_COLUMNS,
    MAX_MESSAGE_CHARS,
    RunRecord,
    check_name,
    empty_history,
    plain_metrics,
)
from gan_core.training.history import COLUMNS

FORMAT = "ganscope-runs"
BUNDLE_VERSION = 1
MAX_BUNDLE_BYTES = 20_000_000
MAX_RUNS = 200
MAX_ROWS = 100_000  # per run; a run logs about 1,000 rows
MAX_ABS_VALUE = 1e12  # losses, distances, rates: anything larger is damage, not data
RUN_KEYS = {"name", "preset", "status", "message", "metrics", "config", "history"} | {
    "created",
    "updated",
    "finished",
}
INTEGER_COLUMNS = ("step", "epoch")


# ---------------------------------------------------------------- writing


def encode_bundle(records: list[RunRecord]) -> bytes:
    runs = [_run_data(r) for r in records]
    bundle = {"format": FORMAT, "version": BUNDLE_VERSION, "exported": _iso(_now()), "runs": runs}
    # allow_nan=False: NaN is not JSON; the log's NaNs were turned into null above.
    return json.dumps(bundle, allow_nan=False, separators=(",", ":")).encode("utf-8")


def _run_data(record: RunRecord) -> dict:
    history = record.history
    return {
        "name": record.name,
        "preset": record.preset,
        "status": record.status.value,
        "message": record.message,
        "created": _iso(record.created),
        "updated": _iso(record.updated),
        "finished": _iso(record.finished) if record.finished else None,
        "config": to_dict(record.config),
        "metrics": plain_metrics(record.metrics),
        "history": {c: [_json_number(v) for v in history[c].tolist()] for c in LOG_COLUMNS},
    }


def _json_number(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _now() -> datetime:
    return datetime.now(UTC)


# ---------------------------------------------------------------- reading


def decode_bundle(data: bytes | str) -> list[RunRecord]:
    """Every run of a bundle, validated in full; ids are None (the store assigns them)."""
    if not isinstance(data, (bytes, str)):
        raise ConfigError(
            "bundle",
            _("must be the bytes of a file, got {kind}").format(kind=type(data).__name__),
        )
    if len(data) > MAX_BUNDLE_BYTES:
        raise ConfigError(
            "bundle",
            _("file is {size} bytes: at most {limit} allowed").format(
                size=f"{len(data):,}", limit=f"{MAX_BUNDLE_BYTES:,}"
            ),
        )
    try:
        bundle = json.loads(data, parse_constant=_refuse_constant)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ConfigError("bundle", _("not valid JSON ({reason})").format(reason=error)) from None
    except RecursionError:
        raise ConfigError("bundle", _("not valid JSON (nested too deeply)")) from None
    except ConfigError:  # our own refusal of NaN / Infinity literals, already clear
        raise
    except ValueError as error:  # e.g. an integer literal longer than Python will convert
        raise ConfigError("bundle", _("not valid JSON ({reason})").format(reason=error)) from None
    if not isinstance(bundle, dict) or bundle.get("format") != FORMAT:
        raise ConfigError(
            "bundle",
            _("not a GANscope runs file (expected format {format})").format(format=repr(FORMAT)),
        )
    version = bundle.get("version")
    if version != BUNDLE_VERSION:
        raise ConfigError(
            "bundle.version",
            _("{value} is not supported: this version reads {version}").format(
                value=quote_value(version), version=BUNDLE_VERSION
            ),
        )
    runs = bundle.get("runs")
    if not isinstance(runs, list) or not 1 <= len(runs) <= MAX_RUNS:
        raise ConfigError(
            "bundle.runs", _("must be a list of 1 to {limit} runs").format(limit=MAX_RUNS)
        )
    return [_decode_run(i, run) for i, run in enumerate(runs)]


def _refuse_constant(name: str) -> NoReturn:
    # Python's json reads NaN and Infinity, which are not JSON: a writer of ours never emits them.
    raise ConfigError("bundle", _("not valid JSON ({name} is not a JSON value)").format(name=name))


def _refusal(where: str, message: str) -> ConfigError:
    """A refusal of part of one run: `where` is "run N" then the bundle's keys (kept as
    written, as they name the file's contents), e.g. "run 2 history loss_d"."""
    number, _space, part = where.removeprefix("run ").partition(" ")
    if part:
        shown = _("run {number} {part}").format(number=number, part=part)
    else:
        shown = _("run {number}").format(number=number)
    return ConfigError(where, message, shown_as=shown)


def _decode_run(index: int, data: Any) -> RunRecord:
    where = f"run {index + 1}"
    if not isinstance(data, dict):
        raise _refusal(where, _("must be an object"))
    unknown = sorted(set(data) - RUN_KEYS)
    if unknown:
        raise _refusal(
            where,
            _("unknown key {key} (allowed: {allowed})").format(
                key=quote_value(unknown[0]), allowed=", ".join(sorted(RUN_KEYS))
            ),
        )
    for key in ("config", "history"):
        if key not in data:
            raise _refusal(where, _("has no {key}").format(key=repr(key)))
    try:
        config = from_dict(data["config"])
    except ConfigError as error:
        raise _refusal(f"{where} config", str(error)) from None
    now = _now()
    created = _moment(where, "created", data.get("created"), now) or now
    updated = _moment(where, "updated", data.get("updated"), now) or created
    finished = _moment(where, "finished", data.get("finished"), now)
    for key, moment in (("updated", updated), ("finished", finished)):
        if moment is not None and moment < created:
            raise _refusal(
                f"{where} {key}",
                _("{moment} is before created {created}").format(
                    moment=_iso(moment), created=_iso(created)
                ),
            )
    return RunRecord(
        id=None,
        name=_name(where, data.get("name", "imported")),
        config=config,
        preset=_preset(where, data.get("preset")),
        source="import",
        session_id=None,
        status=_status(where, data.get("status", "finished")),
        message=_text(where, "message", data.get("message", ""), MAX_MESSAGE_CHARS),
        metrics=_metrics(where, data.get("metrics", {})),
        created=created,
        updated=updated,
        finished=finished,
        history=_history(where, data["history"]),
    )


def _name(where: str, value: object) -> str:
    try:
        return check_name(value)
    except ValueError as error:
        raise _refusal(f"{where} name", str(error)) from None


def _preset(where: str, value: object) -> str | None:
    # A preset name from another version may no longer exist here: keep it as a label.
    if value is None:
        return None
    return _name(where, value)


def _status(where: str, value: object) -> RunStatus:
    try:
        return RunStatus.parse_stored(value)
    except ValueError as error:
        raise _refusal(f"{where} status", str(error)) from None


def _text(where: str, key: str, value: object, limit: int) -> str:
    if not isinstance(value, str) or len(value) > limit:
        raise _refusal(
            f"{where} {key}", _("must be text of at most {limit} characters").format(limit=limit)
        )
    return value


def _moment(where: str, key: str, value: object, now: datetime) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)  # type: ignore[arg-type]  # a non-text is refused
    except (TypeError, ValueError):
        raise _refusal(
            f"{where} {key}",
            _("{value} is not an ISO 8601 date and time").format(value=quote_value(value)),
        ) from None
    try:
        return check_not_future(check_moment(moment), now)
    except ValueError as error:
        raise _refusal(f"{where} {key}", str(error)) from None


def _metrics(where: str, value: object) -> dict:
    try:
        metrics = check_metrics(value)
    except ValueError as error:
        raise _refusal(f"{where} metrics", str(error)) from None
    for key, item in metrics.items():
        if isinstance(item, float) and abs(item) > MAX_ABS_VALUE:
            raise _refusal(
                f"{where} metrics.{key}",
                _("{value} is out of range").format(value=quote_value(item)),
            )
    return metrics


def _history(where: str, value: object) -> pd.DataFrame:
    where = f"{where} history"
    if not isinstance(value, dict):
        raise _refusal(
            where, _("must be an object of columns ({columns})").format(columns=", ".join(COLUMNS))
        )
    # The JS divergence is optional: a bundle written before the store kept it has none.
    missing = sorted(set(COLUMNS) - set(value))
    extra = sorted(set(value) - set(LOG_COLUMNS))
    if missing or extra:
        if missing:
            problem = _("missing column {column} (columns are {columns})")
        else:
            problem = _("unknown column {column} (columns are {columns})")
        column = quote_value(missing[0] if missing else extra[0])
        raise _refusal(where, problem.format(column=column, columns=", ".join(COLUMNS)))
    lengths = {len(v) if isinstance(v, list) else -1 for v in value.values()}
    if -1 in lengths:
        raise _refusal(where, _("every column must be a list of numbers"))
    if len(lengths) != 1:
        raise _refusal(where, _("columns have different lengths"))
    (length,) = lengths
    if length > MAX_ROWS:
        raise _refusal(
            where,
            _("{rows} rows: at most {limit} allowed").format(
                rows=f"{length:,}", limit=f"{MAX_ROWS:,}"
            ),
        )
    if length == 0:
        return empty_history()
    columns = {
        c: _column(where, c, value[c]) if c in value else [math.nan] * length for c in LOG_COLUMNS
    }
    steps = columns["step"]
    if len(set(steps)) != len(steps):
        raise _refusal(f"{where} step", _("the same step appears twice"))
    frame = pd.DataFrame(columns).astype({c: "int64" for c in INTEGER_COLUMNS})
    return frame.sort_values("step", ignore_index=True)


def _column(where: str, name: str, values: list) -> list:
    integer = name in INTEGER_COLUMNS
    out = []
    for row, v in enumerate(values):
        if v is None and not integer:
            out.append(math.nan)  # a loss can be missing at a step (NaN written as null)
            continue
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise _refusal(
                f"{where} {name}",
                _("row {row}: {value} is not a number").format(row=row, value=quote_value(v)),
            )
        # abs() before isfinite(): an integer too large for a float must not overflow here.
        if abs(v) > MAX_ABS_VALUE or not math.isfinite(v):
            raise _refusal(
                f"{where} {name}",
                _("row {row}: {value} is out of range").format(row=row, value=quote_value(v)),
            )
        if integer and (v < 0 or v != int(v)):
            raise _refusal(
                f"{where} {name}",
                _("row {row}: {value} is not a whole number ≥ 0").format(
                    row=row, value=quote_value(v)
                ),
            )
        out.append(int(v) if integer else float(v))
    return out
