"""What a run's values must be, checked wherever they come from: a runs file or the store.

A bundle is checked before anything is written, but the store's SQLite file can still hold
rows that no check ever saw: written by hand, by an older version, or by a tool. So every
value read back from it is checked again, and a row that fails is *damaged*: it is listed
with what is wrong, it can be deleted, and it never takes a page down for anyone. Each
check raises ValueError naming the value and what is allowed; `DamagedRun` is how a whole
run that cannot be read is refused.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from gan_core.config import ConfigError, quote_value
from gan_core.i18n import _
from gan_core.store.record import MAX_METRICS, METRIC_KEY

# Runs are stamped by this program's clock; before 2000 or past 2200 a time is damage (and
# pandas, which the pages use, cannot hold times past the year 2262 at all).
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
CLOCK_SKEW = timedelta(days=1)  # an imported run may come from a machine a little ahead
SECONDS_PER_YEAR = 365.2425 * 24 * 3600
MAX_STORED_JSON = 100_000  # a run's saved metrics are a few hundred characters
MAX_PROBLEM_CHARS = 300  # what a listing says about a damaged row

# What a check of a stored value may raise; anything else would be a bug of ours.
READ_ERRORS = (ValueError, TypeError, ArithmeticError, RecursionError)

Metrics = dict[str, bool | float | None]
Checked = TypeVar("Checked")
Fallback = TypeVar("Fallback")


class DamagedRun(ConfigError):
    """A stored run that cannot be read as a run; `problem` says which value and why."""

    def __init__(self, run_id: object, problem: str) -> None:
        self.run_id = run_id
        self.problem = problem
        super().__init__(
            f"run #{run_id}",
            _("damaged: {problem}").format(problem=problem),
            shown_as=_("run #{id}").format(id=run_id),
        )


def check_metrics(value: object) -> Metrics:
    """Final metrics: an object of at most MAX_METRICS named values, each a finite number,
    true/false, or null (a metric that could not be measured)."""
    if not isinstance(value, dict):
        raise ValueError(
            _("must be an object of named numbers, got {kind}").format(kind=type(value).__name__)
        )
    if len(value) > MAX_METRICS:
        raise ValueError(
            _("{count} values: at most {limit} allowed").format(
                count=f"{len(value):,}", limit=MAX_METRICS
            )
        )
    out: Metrics = {}
    for key, item in value.items():
        if not isinstance(key, str) or not METRIC_KEY.match(key):
            raise ValueError(
                _("key {key} must be a letter then up to 63 letters, digits or _").format(
                    key=quote_value(key)
                )
            )
        out[key] = check_metric(key, item)
    return out


def stored_metrics(text: object) -> Metrics:
    """The metrics column: JSON text of an object that `check_metrics` accepts."""
    if not isinstance(text, (str, bytes)):
        raise ValueError(_("{value} is not JSON text").format(value=quote_value(text)))
    if len(text) > MAX_STORED_JSON:
        raise ValueError(_too_long(len(text), MAX_STORED_JSON))
    try:
        data = json.loads(text)
    except RecursionError:
        raise ValueError(_("not valid JSON (nested too deeply)")) from None
    except ValueError as error:  # bad JSON, bad UTF-8, an integer of too many digits
        raise ValueError(_("not valid JSON ({reason})").format(reason=described(error))) from None
    return check_metrics(data)


def check_metric(key: str, value: object) -> bool | float | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and _finite(value):
        return float(value)
    raise ValueError(
        _("{key} is {value}: a metric must be a finite number, true/false or null").format(
            key=key, value=quote_value(value)
        )
    )


def _finite(value: int | float) -> bool:
    try:
        return math.isfinite(float(value))
    except OverflowError:  # an integer too large for a float
        return False


def check_moment(moment: datetime) -> datetime:
    """A run's time, made aware (UTC when it names no zone), between EARLIEST and LATEST."""
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    try:
        inside = EARLIEST <= moment < LATEST
    except OverflowError:  # a zone offset that takes it past the year 9999
        inside = False
    if not inside:
        raise ValueError(
            _("{value} is out of range: allowed {low} to {high}").format(
                value=quote_value(moment.isoformat()), low=EARLIEST.year, high=LATEST.year - 1
            )
        )
    return moment


def check_not_future(moment: datetime, now: datetime) -> datetime:
    if moment > now + CLOCK_SKEW:
        raise ValueError(
            _("{value} is in the future").format(value=quote_value(moment.isoformat()))
        )
    return moment


def stored_moment(seconds: object) -> datetime:
    """Unix seconds as the store keeps them, as an aware datetime within the sane range."""
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise ValueError(_("{value} is not a time in seconds").format(value=quote_value(seconds)))
    if not _finite(seconds) or not EARLIEST.timestamp() <= seconds < LATEST.timestamp():
        year = 1970 + float(seconds) / SECONDS_PER_YEAR if _finite(seconds) else math.inf
        if abs(year) < 1e6:
            message = _(
                "{value} seconds (the year {year}) is out of range: allowed {low} to {high}"
            )
        else:
            message = _("{value} seconds is out of range: allowed {low} to {high}")
        raise ValueError(
            message.format(
                value=quote_value(seconds),
                year=f"{year:.0f}",
                low=EARLIEST.year,
                high=LATEST.year - 1,
            )
        )
    return datetime.fromtimestamp(seconds, UTC)


def stored_text(value: object, limit: int) -> str:
    if not isinstance(value, str):
        raise ValueError(_("{value} is not text").format(value=quote_value(value)))
    if len(value) > limit:
        raise ValueError(_too_long(len(value), limit))
    return value


def _too_long(length: int, limit: int) -> str:
    return _("{count} characters: at most {limit} allowed").format(
        count=f"{length:,}", limit=f"{limit:,}"
    )


def whole_number(value: object) -> int:
    """A count or step as stored: a whole number ≥ 0 (SQLite keeps whatever it was given)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(_("{value} is not a whole number").format(value=quote_value(value)))
    if not _finite(value) or value < 0 or value != int(value) or value >= 2**63:
        raise ValueError(_("{value} is not a whole number ≥ 0").format(value=quote_value(value)))
    return int(value)


def described(error: BaseException | str) -> str:
    """An error's (or a text's) words for a listing: one line, short."""
    text = " ".join(str(error).split())
    return text if len(text) <= MAX_PROBLEM_CHARS else text[: MAX_PROBLEM_CHARS - 1] + "…"


class Problems:
    """What is wrong with one stored row, gathered while reading it field by field."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def read(
        self, field: str, check: Callable[[Any], Checked], value: object, fallback: Fallback
    ) -> Checked | Fallback:
        """`check(value)`, or `fallback` with the problem noted when the value fails it."""
        try:
            return check(value)
        except READ_ERRORS as error:
            self.found.append(_("{field}: {message}").format(field=field, message=described(error)))
            return fallback

    def __bool__(self) -> bool:
        return bool(self.found)

    def summary(self) -> str:
        return described("; ".join(self.found))
