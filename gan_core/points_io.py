"""A person's own x,y points from a CSV file: parsed, checked, and refused with a clear reason.

Accepted: UTF-8 text (a byte-order mark is fine), one point per line, fields separated by
commas, semicolons, tabs or spaces. A header row is optional; with one, columns named `x`
and `y` are used wherever they are, otherwise the file must have exactly two columns.
Blank lines and lines starting with `#` are skipped. Everything else is a `ConfigError`
on the field `points` that says what is wrong and where (row numbers are the file's lines).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator

from gan_core.config import MAX_ABS_COORD, MAX_POINTS, MIN_SAMPLES, ConfigError, quote_value
from gan_core.i18n import _

FIELD = "points"
# 20,000 rows of two long floats fit in well under a megabyte; more than this is not a
# point set we could use, so refuse it before reading it.
MAX_CSV_BYTES = 2_000_000
DELIMITERS = (",", ";", "\t")
SHOWN_HEADER_CELLS = 3  # a refused header is named by its first few cells, each cut short
HEADER_CELL_LIMIT = 30


def parse_points(data: bytes) -> tuple[tuple[float, float], ...]:
    """The points in a CSV file's bytes, or a ConfigError saying why there are none."""
    text = _decode(data)
    rows = list(_rows(text))
    if not rows:
        raise ConfigError(FIELD, _("the file has no data rows"))
    (first_line, first), body = rows[0], rows[1:]
    # A header has no number in it; a first row with some numbers is data (and its bad
    # cells are reported as such rather than silently skipped as a header).
    if any(_is_number(cell) for cell in first):
        x_col, y_col = _columns_without_header(first, first_line)
        body = rows
    else:
        x_col, y_col = _columns_from_header(first)
    if len(body) > MAX_POINTS:
        raise ConfigError(
            FIELD,
            _("{count} rows: at most {limit} points allowed").format(
                count=f"{len(body):,}", limit=f"{MAX_POINTS:,}"
            ),
        )
    points = tuple(_point(line, row, x_col, y_col) for line, row in body)
    if len(points) < MIN_SAMPLES:
        raise ConfigError(
            FIELD,
            _("{count} point(s): at least {needed} are needed to train on").format(
                count=len(points), needed=MIN_SAMPLES
            ),
        )
    return points


def _decode(data: bytes) -> str:
    if not data or not data.strip():
        raise ConfigError(FIELD, _("the file is empty"))
    if len(data) > MAX_CSV_BYTES:
        raise ConfigError(
            FIELD,
            _("the file is {size} bytes: at most {limit} bytes allowed").format(
                size=f"{len(data):,}", limit=f"{MAX_CSV_BYTES:,}"
            ),
        )
    if b"\x00" in data:
        raise ConfigError(FIELD, _("the file is binary, not a CSV text file"))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ConfigError(
            FIELD,
            _("the file is not UTF-8 text (undecodable byte at offset {offset})").format(
                offset=error.start
            ),
        ) from None


def _rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, stripped cells) for each data-bearing line."""
    lines = text.splitlines()
    delimiter = _delimiter(lines)
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if delimiter is None:
            cells = stripped.split()
        else:
            try:
                cells = next(csv.reader(io.StringIO(stripped), delimiter=delimiter))
            except csv.Error as error:  # e.g. a field over the csv module's 131,072 characters
                raise ConfigError(
                    FIELD,
                    _("line {line} is not a CSV row ({reason})").format(line=number, reason=error),
                ) from None
        yield number, [cell.strip() for cell in cells]


def _delimiter(lines: list[str]) -> str | None:
    """The separator of the first data line; None means runs of whitespace."""
    for line in lines:
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            return next((d for d in DELIMITERS if d in stripped), None)
    return None


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _columns_without_header(first: list[str], line: int) -> tuple[int, int]:
    if len(first) != 2:
        raise ConfigError(
            FIELD,
            _(
                "line {line} has {count} columns and the file has no header: "
                "give exactly two columns, or a header naming the columns x and y"
            ).format(line=line, count=len(first)),
        )
    return 0, 1


def _columns_from_header(header: list[str]) -> tuple[int, int]:
    names = [cell.strip().strip('"').lower() for cell in header]
    if "x" in names and "y" in names:
        return names.index("x"), names.index("y")
    if len(names) == 2:
        return 0, 1
    shown = ", ".join(
        quote_value(cell, HEADER_CELL_LIMIT) for cell in header[:SHOWN_HEADER_CELLS]
    ) or _("none")
    if len(header) > SHOWN_HEADER_CELLS:
        shown = _("{cells}, … {count} columns in all").format(cells=shown, count=f"{len(header):,}")
    raise ConfigError(
        FIELD,
        _("no numeric x,y columns: expected columns named x and y (found {cells})").format(
            cells=shown
        ),
    )


def _point(line: int, row: list[str], x_col: int, y_col: int) -> tuple[float, float]:
    needed = max(x_col, y_col) + 1
    if len(row) < needed:
        raise ConfigError(
            FIELD,
            _("line {line} has {count} column(s), {needed} expected").format(
                line=line, count=len(row), needed=needed
            ),
        )
    return _coordinate(line, "x", row[x_col]), _coordinate(line, "y", row[y_col])


def _coordinate(line: int, name: str, cell: str) -> float:
    try:
        value = float(cell)
    except ValueError:
        raise ConfigError(
            FIELD,
            _("line {line}, column {column}: {value} is not a number").format(
                line=line, column=name, value=quote_value(cell)
            ),
        ) from None
    if not math.isfinite(value):
        raise ConfigError(
            FIELD,
            _("line {line}, column {column}: {value} is not a finite number (NaN or inf)").format(
                line=line, column=name, value=quote_value(cell)
            ),
        )
    if abs(value) > MAX_ABS_COORD:
        raise ConfigError(
            FIELD,
            _(
                "line {line}, column {column}: {value} is out of range: "
                "coordinates must be within ±{limit}"
            ).format(line=line, column=name, value=f"{value:g}", limit=f"{MAX_ABS_COORD:g}"),
        )
    return value
