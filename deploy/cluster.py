"""GANscope past one server, on this machine: PostgreSQL, two app replicas and nginx in front.

    python deploy/cluster.py up   [--dir .cluster] [--proxy-port 8080] [--db-port 5433]
                                  [--app-ports 8601,8602] [--replica-jobs N] [--replica-workers N]
    python deploy/cluster.py down [--dir .cluster]

(`make cluster` and `make cluster-down` run these.) Everything lives in the state directory:
PostgreSQL's data (`pgdata`, initialised once, owned by the `postgres` user because initdb
refuses root), the shared run store (`data`), each process's log, and a pid file for each
of them; `down` stops exactly those pids and removes the files, so nothing is left running.
`cluster.json` says where each part listens.

The replicas share the run store: both get `GANSCOPE_DATABASE_URL` (the PostgreSQL database)
and `GANSCOPE_DATA_DIR` (one SQLite directory, safe for several processes on one host), so
the store finds its runs whichever of the two it reads. They also share one cookie secret,
so Streamlit's XSRF cookie made by one replica is accepted by the other after a failover.
Each replica keeps its own worker pool and job cap; by default each gets half of what one
server on this machine would (3 jobs per core), since here both share the same cores.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path("/usr/lib/postgresql/15/bin")
NGINX = "/usr/sbin/nginx"
NGINX_TEMPLATE = Path(__file__).resolve().parent / "nginx-local.conf"
REPLICAS = ("a", "b")
DATABASE = "ganscope"  # the database and the role that owns it
START_TIMEOUT_S = 120.0  # a replica's first start imports torch, on shared cores
STOP_TIMEOUT_S = 15.0


class ClusterError(RuntimeError):
    """A part would not start or stop; the message says which and why, in plain words."""


@dataclass
class Layout:
    """Where the cluster listens and keeps its state; written to `cluster.json` by `up`."""

    state_dir: str
    proxy_port: int
    db_port: int
    app_ports: dict[str, int]

    @property
    def proxy_url(self) -> str:
        return f"http://localhost:{self.proxy_port}"

    @property
    def database_url(self) -> str:
        return f"postgresql://{DATABASE}@localhost:{self.db_port}/{DATABASE}"

    def path(self, name: str) -> Path:
        return Path(self.state_dir) / name


# ---------------------------------------------------------------------- PostgreSQL


def as_postgres(*command: str | Path) -> list[str]:
    """The command run as the `postgres` user when we are root (initdb refuses root)."""
    words = [str(word) for word in command]
    return ["runuser", "-u", "postgres", "--", *words] if os.geteuid() == 0 else words


def start_postgres(layout: Layout) -> None:
    pgdata, socket_dir, log = layout.path("pgdata"), layout.path("pgsock"), layout.path("pg.log")
    for path in (pgdata, socket_dir):
        path.mkdir(mode=0o700, exist_ok=True)
    log.touch()
    if os.geteuid() == 0:
        for path in (pgdata, socket_dir, log):
            shutil.chown(path, "postgres", "postgres")
    if not (pgdata / "PG_VERSION").exists():
        run(
            as_postgres(PG_BIN / "initdb", "-D", pgdata, "-U", "postgres", "--auth=trust"),
            "initdb",
        )
    options = f"-p {layout.db_port} -c listen_addresses=localhost -k {socket_dir}"
    run(
        as_postgres(PG_BIN / "pg_ctl", "-D", pgdata, "-l", log, "-o", options, "-w", "start"),
        f"PostgreSQL on port {layout.db_port} (its log: {log})",
    )
    exists = psql(layout, f"SELECT 1 FROM pg_roles WHERE rolname = '{DATABASE}'")
    if not exists:
        psql(layout, f"CREATE ROLE {DATABASE} LOGIN")
    if not psql(layout, f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'"):
        psql(layout, f"CREATE DATABASE {DATABASE} OWNER {DATABASE}")


def psql(layout: Layout, sql: str) -> str:
    command = ["psql", "-h", "localhost", "-p", str(layout.db_port), "-U", "postgres"]
    return run([*command, "-d", "postgres", "-tAc", sql], "psql").strip()


def stop_postgres(layout: Layout) -> None:
    pgdata = layout.path("pgdata")
    if not (pgdata / "postmaster.pid").exists():
        return
    # pg_ctl reads the server's pid from its pid file and waits until it has exited.
    run(as_postgres(PG_BIN / "pg_ctl", "-D", pgdata, "-m", "fast", "-w", "stop"), "pg_ctl stop")


# ---------------------------------------------------------------------- app replicas


def start_replica(layout: Layout, name: str, env: dict[str, str]) -> None:
    port = layout.app_ports[name]
    command = [
        python(),
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    with open(layout.path(f"replica-{name}.log"), "ab") as log:
        # Its own process group: stopping the group stops its training workers with it.
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    layout.path(f"replica-{name}.pid").write_text(f"{process.pid}\n")


def replica_env(layout: Layout, jobs: int, workers: int, secret: str) -> dict[str, str]:
    return {
        **os.environ,
        "GANSCOPE_DATABASE_URL": layout.database_url,
        "GANSCOPE_DATA_DIR": str(layout.path("data")),
        "GANSCOPE_MAX_JOBS": str(jobs),
        "GANSCOPE_WORKERS": str(workers),
        # Streamlit takes its cookie secret from the environment only, not a flag.
        "STREAMLIT_SERVER_COOKIE_SECRET": secret,
    }


def wait_healthy(layout: Layout, name: str, deadline: float) -> None:
    url = f"http://127.0.0.1:{layout.app_ports[name]}/_stcore/health"
    pid = read_pid(layout.path(f"replica-{name}.pid"))
    while not healthy(url):
        if pid is None or not alive(pid):
            raise ClusterError(f"replica {name} exited: see {layout.path(f'replica-{name}.log')}")
        if time.monotonic() > deadline:
            raise ClusterError(f"replica {name} not healthy after {START_TIMEOUT_S:.0f} s")
        time.sleep(0.5)


# ---------------------------------------------------------------------- nginx


def start_nginx(layout: Layout) -> None:
    conf = NGINX_TEMPLATE.read_text()
    for key, value in {
        "@STATE@": str(Path(layout.state_dir).resolve()),
        "@PROXY_PORT@": str(layout.proxy_port),
        "@PORT_A@": str(layout.app_ports["a"]),
        "@PORT_B@": str(layout.app_ports["b"]),
    }.items():
        conf = conf.replace(key, value)
    layout.path("nginx.conf").write_text(conf)
    layout.path("nginx-temp").mkdir(exist_ok=True)
    command = [NGINX, "-p", str(layout.path("")), "-e", str(layout.path("nginx-error.log"))]
    command += ["-c", str(layout.path("nginx.conf").resolve())]
    run([*command, "-t", "-q"], "nginx -t (the generated nginx.conf)")
    run(command, f"nginx on port {layout.proxy_port}")  # forks; the master writes nginx.pid
    deadline = time.monotonic() + 10
    while not healthy(f"{layout.proxy_url}/_stcore/health"):
        if time.monotonic() > deadline:
            raise ClusterError(f"nginx does not answer on port {layout.proxy_port}")
        time.sleep(0.2)


# ---------------------------------------------------------------------- up, down


def up(layout: Layout, jobs: int, workers: int) -> None:
    state = Path(layout.state_dir)
    if running_pids(layout):
        raise ClusterError(f"a cluster is already running from {state}: stop it first")
    state.mkdir(parents=True, exist_ok=True)
    # PostgreSQL runs as `postgres`: it must be able to pass through to its data directory.
    state.chmod(0o711)
    layout.path("data").mkdir(exist_ok=True)
    for port in (layout.proxy_port, layout.db_port, *layout.app_ports.values()):
        if port_in_use(port):
            raise ClusterError(f"port {port} is in use: pick another (see `make cluster` ports)")
    layout.path("cluster.json").write_text(json.dumps(asdict(layout), indent=2) + "\n")
    try:
        start_postgres(layout)
        env = replica_env(layout, jobs, workers, secrets.token_urlsafe(32))
        for name in REPLICAS:
            start_replica(layout, name, env)
        deadline = time.monotonic() + START_TIMEOUT_S
        for name in REPLICAS:
            wait_healthy(layout, name, deadline)
        start_nginx(layout)
    except (ClusterError, OSError) as error:
        down(layout)
        raise ClusterError(str(error)) from None
    ports = ", ".join(f"{name} on {port}" for name, port in layout.app_ports.items())
    print(f"GANscope cluster up: {layout.proxy_url} (replicas {ports}; {layout.database_url})")


def down(layout: Layout) -> None:
    """Stop every part this state directory has a pid file for; leave none running."""
    problems = []
    for name in REPLICAS:
        stop_pid_file(layout.path(f"replica-{name}.pid"), signal.SIGTERM, group=True)
    # SIGQUIT: nginx's graceful stop, by the master's pid.
    stop_pid_file(layout.path("nginx.pid"), signal.SIGQUIT, group=False)
    try:
        stop_postgres(layout)
    except ClusterError as error:
        problems.append(str(error))
    left = running_pids(layout)
    if left:
        problems.append(f"still running: pids {', '.join(map(str, left))}")
    if problems:
        raise ClusterError("; ".join(problems))
    print(f"GANscope cluster in {layout.state_dir} stopped")


def stop_pid_file(path: Path, sig: signal.Signals, group: bool) -> None:
    pid = read_pid(path)
    if pid is not None and alive(pid):
        send = os.killpg if group else os.kill
        try:
            send(pid, sig)
            if not wait_gone(pid, STOP_TIMEOUT_S):
                send(pid, signal.SIGKILL)
                wait_gone(pid, STOP_TIMEOUT_S)
        except ProcessLookupError:
            pass
    path.unlink(missing_ok=True)


def running_pids(layout: Layout) -> list[int]:
    files = [layout.path(f"replica-{name}.pid") for name in REPLICAS]
    files += [layout.path("nginx.pid"), layout.path("pgdata") / "postmaster.pid"]
    pids = [read_pid(path) for path in files]
    return [pid for pid in pids if pid is not None and alive(pid)]


# ---------------------------------------------------------------------- small helpers


def run(command: list[str], what: str) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise ClusterError(f"{what} failed: {error}") from None
    if done.returncode != 0:
        raise ClusterError(f"{what} failed:\n{(done.stderr or done.stdout).strip()}")
    return done.stdout


def read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def alive(pid: int) -> bool:
    try:
        # A zombie (exited, not yet reaped) counts as gone.
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[-1][:1] != "Z"
    except OSError:
        return False


def wait_gone(pid: int, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def python() -> str:
    venv_python = REPO_ROOT / ".venv" / "bin" / "python"
    return str(venv_python) if venv_python.exists() else sys.executable


def whole_number(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 65535:
        raise ValueError(text)
    return value


def app_ports(text: str) -> dict[str, int]:
    ports = [whole_number(part) for part in text.split(",")]
    if len(ports) != len(REPLICAS) or len(set(ports)) != len(ports):
        raise ValueError(text)
    return dict(zip(REPLICAS, ports, strict=True))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("up", "down"))
    parser.add_argument("--dir", default=".cluster", help="state directory (default .cluster)")
    parser.add_argument("--proxy-port", type=whole_number, default=8080)
    parser.add_argument("--db-port", type=whole_number, default=5433)
    parser.add_argument(
        "--app-ports", type=app_ports, default="8601,8602", help="two distinct ports, a,b"
    )
    default_jobs = 3 * len(os.sched_getaffinity(0))
    parser.add_argument(
        "--replica-jobs", type=whole_number, default=default_jobs, help="GANSCOPE_MAX_JOBS each"
    )
    parser.add_argument(
        "--replica-workers", type=int, default=None, help="GANSCOPE_WORKERS each (default: jobs)"
    )
    args = parser.parse_args(argv)
    layout = Layout(str(Path(args.dir).absolute()), args.proxy_port, args.db_port, args.app_ports)
    workers = args.replica_jobs if args.replica_workers is None else args.replica_workers
    try:
        if args.command == "up":
            up(layout, args.replica_jobs, workers)
        else:
            down(layout)
    except ClusterError as error:
        print(f"cluster {args.command}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
