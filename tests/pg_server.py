"""A throwaway PostgreSQL server for the store's tests, started once per test session.

Debian's PostgreSQL binaries (`make test` installs them) run from a temporary directory:
the data directory, the unix socket and the log all live there, the server listens on a
free local port with trust authentication, and it is stopped and removed when the session
ends. Each test gets a database of its own, copied from a template that already holds the
store's tables. Without the binaries the PostgreSQL tests fail and say how to get them.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

TEMPLATE = "ganscope_template"
BACKENDS = ("sqlite", "postgresql")


def binaries() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        pytest.fail(
            "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): the store's "
            "PostgreSQL tests need it; `make test` installs it, or `apt-get install postgresql`",
            pytrace=False,
        )
    return Path(found[-1]).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PgServer:
    """One postgres process in its own temporary directory."""

    def __init__(self) -> None:
        self.bin = binaries()
        self.root = Path(tempfile.mkdtemp(prefix="ganscope-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        # initdb refuses to run as root: as root, the server runs as the `postgres` user.
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.root, "postgres", "postgres")
        self._names = itertools.count()
        self.run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        self.start()
        self.admin(f"CREATE DATABASE {TEMPLATE}")

    def run(self, tool: str, *args: str) -> None:
        subprocess.run(
            [*self.as_user, str(self.bin / tool), *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=120,
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        log = str(self.root / "server.log")
        self.run("pg_ctl", "start", "-w", "-D", str(self.data), "-o", options, "-l", log)

    def restart(self) -> None:
        """Stop the server (every connection cut) and start it again."""
        self.run("pg_ctl", "restart", "-w", "-m", "fast", "-D", str(self.data))

    def outage(self, seconds: float) -> None:
        """Stop the server (every connection cut), wait, and start it again."""
        self.run("pg_ctl", "stop", "-w", "-m", "fast", "-D", str(self.data))
        time.sleep(seconds)
        self.start()

    def stop(self) -> None:
        if self.data.exists():
            self.run("pg_ctl", "stop", "-w", "-m", "immediate", "-D", str(self.data))
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as db:
            db.execute(sql)

    def empty_database(self) -> str:
        """The URL of a new database without the store's tables."""
        name = f"empty_{os.getpid()}_{next(self._names)}"
        self.admin(f"CREATE DATABASE {name}")
        return self.url(name)

    def new_database(self) -> str:
        """The URL of a new database holding the store's tables, empty."""
        name = f"test_{os.getpid()}_{next(self._names)}"
        self.admin(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
        return self.url(name)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    server = PgServer()
    try:
        from gan_core.store.run_store import RunStore

        # The template holds the tables, so each test's copy starts with them.
        RunStore(database_url=server.url(TEMPLATE)).close()
        yield server
    finally:
        server.stop()


@pytest.fixture(params=BACKENDS)
def store_backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def store_url(request: pytest.FixtureRequest, store_backend: str) -> Callable[[], str | None]:
    """Makes the `database_url` of a new, empty store: None (SQLite, in the data directory
    the test gives) or a new PostgreSQL database on the session's server."""
    if store_backend == "sqlite":
        return lambda: None
    server = request.getfixturevalue("pg_server")
    return server.new_database


# A test of what only an SQLite file can hold (text in a number column, a file to damage):
# it runs on SQLite alone, however the store fixture is parametrized.
SQLITE_ONLY = pytest.mark.parametrize("store_backend", ["sqlite"])


def by_hand(store: object, statement: str, *params: object) -> list[tuple]:
    """Run one statement on the store's database in a transaction of its own, as another
    tool (or a person) would; the rows it returns, if any."""
    with store._db.write() as db:  # type: ignore[attr-defined]
        cursor = db.execute(statement, params)
        return [tuple(row) for row in cursor.fetchall()] if cursor.description else []
