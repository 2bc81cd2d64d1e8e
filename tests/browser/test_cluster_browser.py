"""The app past one server, in chromium: PostgreSQL, two replicas and nginx, as `make cluster`
starts them (deploy/cluster.py, on free ports, its state in a temporary directory).

Several people on one machine spread over both replicas, each staying on its own; every run
reaches the shared store, read back the way an operator would (`python -m gan_core runs`);
a run published on one replica shows on the other's class board. Then one replica is killed
mid-run: its person's page is offered the lost run from the shared store, through the
other replica, while the other person's run trains on untouched.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from benchmarks.app_server import REPO_ROOT, free_port, python
from tests.browser.test_dashboard_browser import (
    LOAD_TIMEOUT,
    STATUS,
    UPDATE_TIMEOUT,
    no_exception,
    open_page,
    run_button,
    step_shown,
    wait_for_step_above,
)

REPLICA_COOKIE = "ganscope_replica"
PEOPLE = 6
SHORT_RUN = "?epochs=1"  # the tutorial preset: 250 steps
SHORT_STEPS = 250
FINISH_TIMEOUT = 300_000  # six pages and six runs on two cores shared with other work
LONG_RUN = "?epochs=40"  # 10,000 steps: still training when its replica is killed
VIEWPORT = {"width": 1600, "height": 1300}


@dataclass(frozen=True)
class Cluster:
    url: str
    state_dir: Path
    database_url: str

    def replica_pid(self, name: str) -> int:
        return int((self.state_dir / f"replica-{name}.pid").read_text().split()[0])

    def runs(self) -> list[dict]:
        """Every run in the shared store, as the command line lists it."""
        env = {
            **os.environ,
            "GANSCOPE_DATA_DIR": str(self.state_dir / "data"),
            "GANSCOPE_DATABASE_URL": self.database_url,
        }
        done = subprocess.run(
            [python(), "-m", "gan_core", "runs", "--json", "--all"],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return json.loads(done.stdout)


def launcher(command: str, state_dir: Path, *options: str) -> subprocess.CompletedProcess:
    """What `make cluster` / `make cluster-down` run (make itself would first check the
    shared virtualenv's requirements)."""
    return subprocess.run(
        [python(), "deploy/cluster.py", command, "--dir", str(state_dir), *options],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    # Not pytest's tmp_path: PostgreSQL runs as `postgres`, which must pass through every
    # directory above its data, and pytest's are private to us.
    state_dir = Path(tempfile.mkdtemp(prefix="ganscope-cluster-"))
    state_dir.chmod(0o711)
    proxy, db, app_a, app_b = (free_port() for _ in range(4))
    options = ["--proxy-port", str(proxy), "--db-port", str(db), "--app-ports", f"{app_a},{app_b}"]
    # Small pools: the two replicas share this machine's cores with the browsers.
    options += ["--replica-jobs", "6", "--replica-workers", "2"]
    try:
        started = launcher("up", state_dir, *options)
        if started.returncode != 0:
            pytest.fail(f"the cluster did not start:\n{started.stdout}{started.stderr}")
        yield Cluster(
            f"http://localhost:{proxy}", state_dir, f"postgresql://ganscope@localhost:{db}/ganscope"
        )
    finally:
        stopped = launcher("down", state_dir)
        left = stopped.stdout + stopped.stderr
        shutil.rmtree(state_dir, ignore_errors=True)
        assert stopped.returncode == 0, f"the cluster did not stop cleanly: {left}"


@pytest.fixture
def people(browser: Browser) -> Iterator[list[BrowserContext]]:
    """Browser contexts: people on one machine, each with their own cookies."""
    contexts: list[BrowserContext] = []
    yield contexts
    for context in contexts:
        context.close()


def new_person(browser: Browser, people: list[BrowserContext]) -> Page:
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_navigation_timeout(FINISH_TIMEOUT)  # six pages loading on shared cores
    people.append(context)
    return context.new_page()


def wait_loaded(page: Page) -> None:
    """The page is ready to train (its charts may still be drawing: six pages load at once)."""
    expect(page.locator(STATUS)).to_contain_text("Ready", timeout=FINISH_TIMEOUT)
    expect(run_button(page, "train")).to_be_enabled(timeout=FINISH_TIMEOUT)


def replica_of(page: Page) -> str | None:
    for cookie in page.context.cookies():
        if cookie["name"] == REPLICA_COOKIE:
            return cookie["value"]
    return None


@pytest.mark.timeout(1800)  # six pages and six runs on two shared cores
def test_people_spread_over_both_replicas_and_share_one_store(
    browser: Browser, people: list[BrowserContext], cluster: Cluster, screenshot_dir: Path
) -> None:
    pages = []
    for _ in range(PEOPLE):
        page = new_person(browser, people)
        response = page.goto(f"{cluster.url}/{SHORT_RUN}", wait_until="commit")
        assert response is not None and response.headers["x-replica"] == replica_of(page)
        pages.append(page)
    for page in pages:
        wait_loaded(page)
    served = [replica_of(page) for page in pages]
    assert set(served) == {"a", "b"}, f"one replica served everyone: {served}"

    for page in pages:
        run_button(page, "train").click()
    for page in pages:
        expect(page.locator(STATUS)).to_contain_text("Finished", timeout=FINISH_TIMEOUT)
        no_exception(page)
    # Each person stayed on their replica throughout.
    assert [replica_of(page) for page in pages] == served

    runs = cluster.runs()
    finished = [run for run in runs if run["status"] == "finished" and run["steps"] == SHORT_STEPS]
    assert len(finished) == PEOPLE, runs

    # A run made on replica a, published from there, shows on the board of replica b.
    maker = pages[served.index("a")]
    viewer = pages[served.index("b")]
    maker.goto(f"{cluster.url}/Compare")
    expect(maker.get_by_role("heading", name="Compare runs")).to_be_visible(timeout=FINISH_TIMEOUT)
    maker.get_by_role("button", name="Publish to the class").click()
    expect(maker.get_by_text("is published")).to_be_visible(timeout=UPDATE_TIMEOUT)
    published = [run for run in cluster.runs() if run["published"]]
    assert len(published) == 1
    label = f"#{published[0]['id']} {published[0]['name']}"
    viewer.goto(f"{cluster.url}/Board")
    expect(viewer.get_by_role("heading", name="Class board")).to_be_visible(timeout=FINISH_TIMEOUT)
    expect(viewer.get_by_text(label, exact=True)).to_be_visible(timeout=UPDATE_TIMEOUT)
    assert replica_of(maker) == "a" and replica_of(viewer) == "b"
    viewer.screenshot(path=str(screenshot_dir / "cluster_board.png"))


@pytest.mark.timeout(1200)
def test_a_killed_replicas_people_reach_the_other_and_are_offered_their_lost_run(
    browser: Browser, people: list[BrowserContext], cluster: Cluster, screenshot_dir: Path
) -> None:
    by_replica: dict[str, Page] = {}
    while len(by_replica) < 2 and len(people) < 6:  # fresh browsers go to each in turn
        page = new_person(browser, people)
        open_page(page, f"{cluster.url}/{LONG_RUN}")
        by_replica.setdefault(replica_of(page) or "?", page)
    victim, survivor = by_replica["a"], by_replica["b"]
    for page in (victim, survivor):
        run_button(page, "train").click()
    for page in (victim, survivor):
        wait_for_step_above(page, 100)
    before = {run["id"] for run in cluster.runs()}

    os.killpg(cluster.replica_pid("a"), signal.SIGKILL)  # the server and its workers

    # The victim's page reconnects, through the proxy, to replica b and is told plainly.
    offer = victim.locator(".st-key-reopen_offer")
    expect(offer).to_contain_text(
        "The connection to the server training your last run", timeout=LOAD_TIMEOUT
    )
    assert replica_of(victim) == "b"
    victim.screenshot(path=str(screenshot_dir / "cluster_lost_offer.png"), full_page=True)
    lost = [run for run in cluster.runs() if run["status"] == "running" and run["id"] in before]
    # The survivor's run is running too; the lost one is the one named in the offer.
    text = offer.inner_text()
    (run,) = [run for run in lost if f"(#{run['id']})" in text]
    assert f"stopped at step {run['steps']:,} of 10,000" in text

    offer.get_by_role("button", name="Reopen").click()
    expect(victim.locator(STATUS)).to_contain_text("Stopped", timeout=UPDATE_TIMEOUT)
    expect(victim.get_by_text(f"its server stopped at step {run['steps']:,}")).to_be_visible()
    expect(run_button(victim, "train")).to_be_enabled()
    no_exception(victim)

    # The other replica's person noticed nothing: still training, on b, nothing offered.
    step = step_shown(survivor)
    assert wait_for_step_above(survivor, step) > step
    expect(survivor.locator(STATUS)).to_contain_text("Running")
    expect(survivor.locator(".st-key-reopen_offer")).to_have_count(0)
    assert replica_of(survivor) == "b"
    no_exception(survivor)
