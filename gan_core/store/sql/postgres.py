"""A PostgreSQL server as the run store: its URL, its connections, and which errors a retry mends.

`GANSCOPE_DATABASE_URL=postgresql://user:password@host:5432/dbname` (environment; the app
also reads it from `.streamlit/secrets.toml`) makes every app process and `python -m
gan_core` share one store on that server. A URL is only ever shown with its password
replaced by `***`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

from gan_core.config import ConfigError, quote_value
from gan_core.store.sql.dialect import POSTGRESQL, Cursor

URL_VAR = "GANSCOPE_DATABASE_URL"
SCHEMES = ("postgresql", "postgres")
MAX_URL_CHARS = 2048
CONNECT_TIMEOUT_S = 5
ALLOWED = "allowed: postgresql://user:password@host:5432/database, or unset for the SQLite store"
# What a retry may mend: the server restarting or unreachable for a moment (SQLSTATE classes
# 08 and 57), a transaction it rolled back. Never a bad query or a broken constraint.
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (psycopg.OperationalError,)


def database_url_from_environment(environ: Mapping[str, str] | None = None) -> str | None:
    """`$GANSCOPE_DATABASE_URL`, checked; None when unset or blank (the SQLite store)."""
    value = (os.environ if environ is None else environ).get(URL_VAR, "").strip()
    return check_database_url(value) if value else None


def check_database_url(url: object) -> str:
    """A postgresql:// URL, or ConfigError naming the variable, the value (its password
    hidden) and what is allowed."""
    if not isinstance(url, str) or not url.strip():
        raise ConfigError(URL_VAR, f"{quote_value(url)} is not a URL; {ALLOWED}")
    url = url.strip()
    if len(url) > MAX_URL_CHARS or any(ord(c) < 32 for c in url):
        raise ConfigError(
            URL_VAR, f"is not a URL: too long, or holds control characters; {ALLOWED}"
        )
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (reading it checks it)
    except ValueError:
        shown = quote_value(redacted(url))
        raise ConfigError(URL_VAR, f"{shown} is not a URL; {ALLOWED}") from None
    if parts.scheme not in SCHEMES:
        raise ConfigError(
            URL_VAR,
            f"{quote_value(redacted(url))} must start with postgresql:// "
            "(postgresql://user:password@host:5432/database), or be unset for the SQLite store",
        )
    return url


def redacted(url: str) -> str:
    """The URL with any password replaced by `***`, fit to show in a message or a log."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return _redacted_query(url)
        host = parts.netloc.rpartition("@")[2]
        user = parts.username or ""
        return _redacted_query(urlunsplit(parts._replace(netloc=f"{user}:***@{host}")))
    except ValueError:
        return "(a URL that cannot be read)"


def _redacted_query(url: str) -> str:
    return re.sub(r"(?i)(password=)[^&]*", r"\1***", url)


def described(error: BaseException, url: str) -> str:
    """A connection error's first line, with nothing of the password in it."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    try:
        password = urlsplit(url).password
    except ValueError:
        password = None
    return text.replace(password, "***") if password else text


class Row(tuple):  # a row holds values of any type
    """A result row read by position or by column name, as sqlite3.Row is."""

    names: tuple[str, ...]

    def __new__(cls, values: Sequence[Any], names: tuple[str, ...]) -> Row:
        row = super().__new__(cls, values)
        row.names = names
        return row

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self.names.index(key))
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self.names)


def _rows(cursor: Any) -> Callable[[Sequence[Any]], Row]:
    names = tuple(column.name for column in cursor.description or ())
    return lambda values: Row(values, names)


class PgConnection:
    """A psycopg connection that takes the store's `?` queries (`Dialect.query`)."""

    def __init__(self, url: str) -> None:
        # autocommit: no implicit transactions; Database.write() and read() say where they are.
        self.raw: psycopg.Connection[Row] = psycopg.connect(
            url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S, row_factory=_rows
        )

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Cursor:
        if not parameters:
            return self.raw.execute(sql)
        return self.raw.execute(POSTGRESQL.query(sql), parameters)

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> Cursor:
        cursor = self.raw.cursor()
        cursor.executemany(POSTGRESQL.query(sql), list(parameters))
        return cursor

    @property
    def broken(self) -> bool:
        return self.raw.broken or self.raw.closed

    def close(self) -> None:
        self.raw.close()
