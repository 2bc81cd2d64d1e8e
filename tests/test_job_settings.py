"""A server started with bad settings: `make run` refuses in one line, and a server
started directly says on its pages that it is misconfigured, with no traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from gan_core.jobs import limits as job_limits
from gan_core.jobs.pool import get_pool, shutdown_pool
from tests.markdown_text import shown

REPO_ROOT = Path(__file__).resolve().parent.parent
SETTINGS = (
    job_limits.MAX_JOBS_ENV,
    job_limits.WORKERS_ENV,
    job_limits.PER_SESSION_ENV,
    job_limits.PER_ADDRESS_ENV,
)
BAD_MAX_JOBS = "GANSCOPE_MAX_JOBS must be a whole number >= 1, not 'abc'"


@pytest.fixture
def clean_env(monkeypatch):
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def _env(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    return {**env, **settings}


def test_the_settings_check_exits_non_zero_with_one_line_per_problem():
    bad = subprocess.run(
        [sys.executable, "-m", "gan_core.jobs.limits"],
        cwd=REPO_ROOT,
        env=_env(GANSCOPE_MAX_JOBS="abc", GANSCOPE_MAX_JOBS_PER_SESSION="1"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2
    assert bad.stderr.splitlines() == [f"GANscope will not start: {BAD_MAX_JOBS}"]
    good = subprocess.run(
        [sys.executable, "-m", "gan_core.jobs.limits"],
        cwd=REPO_ROOT,
        env=_env(GANSCOPE_MAX_JOBS="3"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert good.returncode == 0 and good.stderr == ""


def test_the_check_covers_the_cost_limits_and_the_stores_quota():
    bad = subprocess.run(
        [sys.executable, "-m", "gan_core.jobs.limits"],
        cwd=REPO_ROOT,
        env=_env(GANSCOPE_MAX_RUN_COST="-1", GANSCOPE_STORE_MB="lots"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2
    lines = bad.stderr.splitlines()
    assert len(lines) == 2 and all(line.startswith("GANscope will not start: ") for line in lines)
    assert "GANSCOPE_MAX_RUN_COST: '-1'" in lines[0] and "GANSCOPE_STORE_MB: 'lots'" in lines[1]


def test_make_run_refuses_bad_settings_before_starting_the_server(tmp_path):
    stamp = tmp_path / "runtime.stamp"  # newer than requirements.txt: make installs nothing
    stamp.touch()
    make = subprocess.Popen(
        ["make", "--no-print-directory", "run", f"RUNTIME_STAMP={stamp}", "PORT=1"],
        cwd=REPO_ROOT,
        env=_env(GANSCOPE_WORKERS="many"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # so a server it should not have started can be ended
    )
    try:
        stdout, stderr = make.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(make.pid, signal.SIGKILL)
        make.communicate()
        pytest.fail("make run started the server despite a bad setting")
    assert make.returncode != 0
    ours = [line for line in stderr.splitlines() if line.startswith("GANscope")]
    assert ours == [
        "GANscope will not start: GANSCOPE_WORKERS must be a whole number >= 0, not 'many'"
    ]
    assert "streamlit" not in stdout  # the server's command never ran


def test_a_misconfigured_server_says_so_on_its_page(clean_env, tmp_path):
    clean_env.setenv("GANSCOPE_DATA_DIR", str(tmp_path / "data"))
    clean_env.setenv(job_limits.MAX_JOBS_ENV, "abc")
    at = AppTest.from_file(str(REPO_ROOT / "dashboard.py"), default_timeout=60).run()
    assert not at.exception
    errors = [shown(error.value) for error in at.error]
    assert len(errors) == 1 and "This server is misconfigured" in errors[0]
    assert "GANSCOPE_MAX_JOBS" in errors[0] and "abc" in errors[0]
    assert "Train" not in [button.label for button in at.button]  # the page stopped there


def test_the_servers_pool_is_refused_with_every_problem_named(clean_env):
    shutdown_pool()
    clean_env.setenv(job_limits.MAX_JOBS_ENV, "abc")
    clean_env.setenv(job_limits.PER_ADDRESS_ENV, "0")
    with pytest.raises(job_limits.SettingError) as refused:
        get_pool()
    message = str(refused.value)
    assert message.startswith("the server is misconfigured: " + BAD_MAX_JOBS)
    assert "GANSCOPE_MAX_JOBS_PER_ADDRESS must be a whole number >= 1, not '0'" in message


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("mysql://someone:hunter2@db/runs", "'mysql://someone:***@db/runs' must start with"),
        ("garbage", "'garbage' must start with postgresql://"),
        ("postgresql://someone:hunter2@db:port/runs", "is not a URL; allowed: postgresql://"),
    ],
)
def test_the_check_refuses_a_malformed_database_url_naming_it(url, said):
    bad = subprocess.run(
        [sys.executable, "-m", "gan_core.jobs.limits"],
        cwd=REPO_ROOT,
        env=_env(GANSCOPE_DATABASE_URL=url),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2
    lines = bad.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("GANscope will not start: GANSCOPE_DATABASE_URL")
    assert said in lines[0] and "hunter2" not in lines[0] and "Traceback" not in bad.stderr
    assert "postgresql://user:password@host:5432/database" in lines[0]


def test_the_check_takes_a_well_formed_database_url_without_connecting():
    good = subprocess.run(
        [sys.executable, "-m", "gan_core.jobs.limits"],
        cwd=REPO_ROOT,
        env=_env(GANSCOPE_DATABASE_URL="postgresql://someone:hunter2@127.0.0.1:1/runs"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert good.returncode == 0 and good.stderr == ""
