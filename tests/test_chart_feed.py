"""The live charts' feed (`ui/live/chart_feed.py`) over HTTP, with real training jobs.

The route is mounted on a bare Starlette app served by uvicorn on a free loopback port and
asked over HTTP: the same handler `app.py` adds to the Streamlit server. The browser side
(the charts' frame fetching from it on a live server) is in
tests/browser/test_live_view_browser.py.
"""

from __future__ import annotations

import gc
import json
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

import pytest
import uvicorn
from starlette.applications import Starlette

from gan_core.jobs.thread_job import TrainingJob
from tests.job_helpers import FAST_VIEW, LONG, wait_for
from ui.live import chart_feed

CHARTS = {"plane", "loss", "accuracy", "distance"}
LAYERS = frozenset({"field", "ellipses", "arrows"})


@pytest.fixture
def feeds(monkeypatch: pytest.MonkeyPatch) -> chart_feed._Feeds:
    """A registry of the test's own, in place of the server's."""
    registry = chart_feed._Feeds()
    monkeypatch.setattr(chart_feed, "FEEDS", registry)
    return registry


@dataclass
class Answer:
    status_code: int
    headers: dict[str, str]
    content: bytes

    def json(self) -> dict:
        return json.loads(self.content)


class Client:
    """GET and POST over HTTP to a server on `base`; any status comes back as an Answer."""

    def __init__(self, base: str) -> None:
        self.base = base

    def get(self, path: str, params: dict | None = None) -> Answer:
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        return self._ask(urllib.request.Request(self.base + path + query))

    def post(self, path: str) -> Answer:
        return self._ask(urllib.request.Request(self.base + path, data=b"", method="POST"))

    def _ask(self, request: urllib.request.Request) -> Answer:
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return Answer(response.status, dict(response.headers.items()), response.read())
        except urllib.error.HTTPError as error:
            return Answer(error.code, dict(error.headers.items()), error.read())


@pytest.fixture
def client(feeds: chart_feed._Feeds):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = Starlette(routes=chart_feed.routes())
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    assert wait_for(lambda: server.started)
    yield Client(f"http://127.0.0.1:{port}")
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def paused_job():
    """A long run, paused before its first step; stepped by hand, stopped afterwards."""
    job = TrainingJob(LONG, view=FAST_VIEW, start_paused=True).start()
    assert wait_for(lambda: job.frame().snapshot is not None)
    yield job
    job.stop()
    job.wait(10)


def path(token: str) -> str:
    return chart_feed.address(token).replace("../..", "")


def step_once(job: TrainingJob) -> None:
    number = job.frame().number
    job.step()
    assert wait_for(lambda: job.frame().number > number)


def test_a_feed_sends_every_chart_once_per_frame(client, feeds, paused_job):
    token = feeds.open("page-1", paused_job, LAYERS, "en")
    first = client.get(path(token))
    assert first.status_code == 200
    assert first.headers["cache-control"] == "no-store"
    assert first.headers["content-type"] == "application/json"
    body = first.json()
    assert set(body["figures"]) == CHARTS
    plane = body["figures"]["plane"]
    assert plane["layout"]["title"]["text"].startswith("Step 0")
    # The frame the page drew already: nothing new, no body.
    again = client.get(path(token), params={"seen": body["key"]})
    assert again.status_code == 204 and again.content == b""
    # A frame that has all but a newer plane gets the plane alone.
    versions = body["key"].split(".")
    older_plane = ".".join([str(int(versions[0]) - 1), *versions[1:]])
    plane_only = client.get(path(token), params={"seen": older_plane}).json()
    assert set(plane_only["figures"]) == {"plane"} and plane_only["key"] == body["key"]
    step_once(paused_job)
    newer = client.get(path(token), params={"seen": body["key"]})
    assert newer.status_code == 200
    assert newer.json()["key"] != body["key"]
    title = newer.json()["figures"]["plane"]["layout"]["title"]["text"]
    assert title.startswith("Step 1")


def test_a_feed_sends_the_numbers_and_the_runs_status(client, feeds, paused_job):
    token = feeds.open("page-1", paused_job, LAYERS, "en")
    first = client.get(path(token)).json()
    run = first["run"]
    assert run["status"] == "paused"
    assert run["metrics"]["metric_step"] == "0" and run["percent"] == 0
    assert run["progress"].startswith("0% of ")
    step_once(paused_job)
    stepped = client.get(path(token), params={"seen": first["key"]}).json()
    assert stepped["run"]["metrics"]["metric_step"] == "1"
    # The run moves on with no new figure to draw: the numbers alone tell the frame.
    paused_job.stop()
    assert wait_for(lambda: paused_job.frame().ended)
    stopped = client.get(path(token), params={"seen": stepped["key"]})
    assert stopped.status_code == 200
    assert stopped.json()["run"]["status"] == "stopped"
    feeds.open("page-1", paused_job, LAYERS, "zh")
    chinese = client.get(path(token), params={"seen": stopped.json()["key"]}).json()
    assert "步" in chinese["run"]["progress"]


def test_an_ask_before_the_next_frame_waits_for_it(client, feeds, paused_job, monkeypatch):
    monkeypatch.setattr(chart_feed, "WAIT_S", 60.0)  # a busy machine may step slowly
    token = feeds.open("page-1", paused_job, LAYERS, "en")
    key = client.get(path(token)).json()["key"]
    answers: list[Answer] = []
    asking = threading.Thread(target=lambda: answers.append(client.get(path(token), {"seen": key})))
    asking.start()
    assert wait_for(lambda: feeds.get(token).waiting)  # asked, and waiting: no 204 yet
    step_once(paused_job)
    asking.join(30)
    assert answers and answers[0].status_code == 200
    assert answers[0].json()["run"]["metrics"]["metric_step"] == "1"
    # A feed closed meanwhile (the run ended, the page moved on) ends the wait: nothing new.
    key = answers[0].json()["key"]
    asking = threading.Thread(target=lambda: answers.append(client.get(path(token), {"seen": key})))
    asking.start()
    assert wait_for(lambda: feeds.get(token).waiting)
    feeds.close("page-1")
    asking.join(30)  # far less than the wait it was allowed
    assert not asking.is_alive() and answers[1].status_code == 204


def test_new_layers_or_language_are_sent_at_once(client, feeds, paused_job):
    token = feeds.open("page-1", paused_job, LAYERS, "en")
    key = client.get(path(token)).json()["key"]
    assert feeds.open("page-1", paused_job, LAYERS | {"warp"}, "en") == token
    with_warp = client.get(path(token), params={"seen": key})
    assert with_warp.status_code == 200
    names = [t.get("name") or "" for t in with_warp.json()["figures"]["plane"]["data"]]
    assert any(name.startswith("G's warp") for name in names)
    feeds.open("page-1", paused_job, LAYERS | {"warp"}, "zh")
    chinese = client.get(path(token), params={"seen": with_warp.json()["key"]}).json()
    assert chinese["figures"]["loss"]["layout"]["title"]["text"] == "损失"


def test_addresses_that_are_not_feeds_are_refused(client, feeds, paused_job):
    token = feeds.open("page-1", paused_job, LAYERS, "en")
    for wrong in ("x" * 24, token[:-1], token + "a", "../../_stcore/health", "%00" * 8):
        assert client.get(f"/api/charts/{wrong}").status_code == 404
    assert client.post(path(token)).status_code == 405
    # A malformed `seen` is read as "nothing drawn yet", never echoed back.
    odd = client.get(path(token), params={"seen": "<script>" * 50})
    assert odd.status_code == 200 and b"<script>" not in odd.content


def test_a_page_keeps_one_feed_and_a_new_job_replaces_it(client, feeds, paused_job):
    token = feeds.open("page-1", paused_job, LAYERS, "en")
    other = TrainingJob(LONG, view=FAST_VIEW, start_paused=True).start()
    try:
        assert wait_for(lambda: other.frame().snapshot is not None)
        replaced = feeds.open("page-1", other, LAYERS, "en")
        assert replaced != token and len(feeds) == 1
        assert client.get(path(token)).status_code == 404
        assert client.get(path(replaced)).status_code == 200
        feeds.close("page-1")
        assert client.get(path(replaced)).status_code == 404 and len(feeds) == 0
    finally:
        other.stop()
        other.wait(10)


def test_feeds_are_bounded_and_dropped_when_idle(client, feeds, paused_job, monkeypatch):
    monkeypatch.setattr(chart_feed, "MAX_FEEDS", 3)
    tokens = [feeds.open(f"page-{i}", paused_job, LAYERS, "en") for i in range(5)]
    assert len(feeds) == 3
    assert [client.get(path(t)).status_code for t in tokens[:2]] == [404, 404]
    assert client.get(path(tokens[4])).status_code == 200
    monkeypatch.setattr(chart_feed, "FEED_IDLE_S", 0.05)
    time.sleep(0.1)
    assert client.get(path(tokens[4])).status_code == 404 and len(feeds) == 0


def test_before_the_first_frame_there_is_nothing_new(client, feeds):
    job = TrainingJob(LONG, view=FAST_VIEW, start_paused=True)  # not started: no snapshot
    token = feeds.open("page-1", job, LAYERS, "en")
    assert job.frame().snapshot is None
    assert client.get(path(token)).status_code == 204


def test_a_feed_never_keeps_its_job_alive(client, feeds):
    job = TrainingJob(LONG, view=FAST_VIEW, start_paused=True)  # never started
    token = feeds.open("page-1", job, LAYERS, "en")
    del job
    gc.collect()  # the job and its thread refer to each other
    assert client.get(path(token)).status_code == 404
