"""The live charts' feed: each new frame's figures, fetched by the charts' frame itself.

A page that redrew its charts through Streamlit would rerun its script at the charts' frame
rate, five times a second: a script thread, the session's state and a message per element
for every frame. That cost the server about 0.2 of a core per watching page, the figures
themselves a small part of it. So while a run trains, the page opens a feed here instead:
an unguessable address on this server that names one job and how this page draws it
(its layers and language). The charts' frame asks it for new figures, five times a second
at most. With the figures come the maths below them, the numbers above them (step, epoch,
speed, distance, D's signal and the progress bar), which the frame writes into the page's
own elements, and
the run's status, so the frame can ask the page to redraw itself once the run moves on
(it finished, diverged, was stopped). The page's script itself then reruns only seldom.

A feed builds a frame's figures once, when first asked, and keeps them (through the same
cache the page uses, so a curve is rebuilt at most every CURVE_REFRESH_S). It answers
with the figures the frame has not got (most frames, the plane alone), and an ask that
names what the frame already drew with 204, no body and no work.

Bounds: one feed per page (a new job replaces the page's feed), at most MAX_FEEDS in all
(the least recently used goes first), and a feed neither asked for nor renewed by its page
for FEED_IDLE_S is dropped. A page whose feed was dropped opens a new one on its next run.
The address is random and is the only key; it is minted here and never derived from
anything a request sends, so a request can only read a feed whose address it was given.

Served only when the server runs `app.py` (which adds `routes()`): a server started on
`dashboard.py` itself, and AppTest, keep the charts' figures in the page's own messages.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
import secrets
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gan_core.i18n import use_language
from gan_core.jobs.protocol import Job

ROUTE = "/api/charts/{token}"
FEED_IDLE_S = 30.0
WAIT_S = 1.0  # the longest an ask waits for the job's next frame
CHECK_S = 0.04  # how often a waiting ask looks for it
MAX_FEEDS = 256
_TOKEN = re.compile(r"[A-Za-z0-9_-]{24}")
_SEEN = re.compile(r"[0-9]{1,12}(\.[0-9]{1,12}){0,7}")
# Sent as they are: Streamlit's gzip would cost the server more than building the figures
# (their arrays are base64, which compresses poorly), and each answer is sent once.
_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Content-Encoding": "identity",
}


@dataclass
class _Feed:
    token: str
    job: Callable[[], Job | None]  # a weak reference: a feed never keeps a job alive
    layers: frozenset[str]
    language: str
    version: int = 0  # rises when the layers or the language change
    touched: float = field(default_factory=time.monotonic)
    cache: dict = field(default_factory=dict)  # charts.build's own cache, kept per feed
    state: tuple[int, int] | None = None  # (frame number, version) the figures are for
    # (part -> its JSON, part -> its version): each chart's figure and NUMBERS, the run's
    # status and numbers. Replaced whole, read whole.
    built: tuple[dict[str, str], dict[str, int]] = ({}, {})
    answered: tuple[str, str, bytes] | None = None  # (key, seen, body) last answered
    building: threading.Lock = field(default_factory=threading.Lock)
    waiting: bool = False  # an ask is waiting for the next frame (one at a time)


class _Feeds:
    """Every open feed of this server process, by address and by the page that opened it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_token: OrderedDict[str, _Feed] = OrderedDict()  # least recently used first
        self._by_page: dict[str, str] = {}
        self.served = False  # set by routes(): only then may a page open a feed

    def open(self, page: str, job: Job, layers: frozenset[str], language: str) -> str:
        """The address of `page`'s feed of `job`, drawn with these layers in this language."""
        with self._lock:
            self._drop_idle()
            token = self._by_page.get(page)
            feed = self._by_token.get(token) if token else None
            if feed is None or feed.job() is not job:
                if feed is not None:
                    del self._by_token[feed.token]
                feed = _Feed(secrets.token_urlsafe(18), weakref.ref(job), layers, language)
                self._by_page[page] = feed.token
            elif (feed.layers, feed.language) != (layers, language):
                feed.layers, feed.language = layers, language
                feed.version += 1
            self._renew(feed)
            while len(self._by_token) > MAX_FEEDS:
                self._by_token.popitem(last=False)
            return feed.token

    def close(self, page: str) -> None:
        with self._lock:
            token = self._by_page.pop(page, None)
            if token:
                self._by_token.pop(token, None)

    def get(self, token: str) -> _Feed | None:
        with self._lock:
            self._drop_idle()
            feed = self._by_token.get(token)
            if feed is not None and feed.job() is None:  # its page has moved on
                del self._by_token[token]
                feed = None
            if feed is not None:
                self._renew(feed)
            return feed

    def __len__(self) -> int:
        return len(self._by_token)

    def holds(self, feed: _Feed) -> bool:
        """Whether `feed` is still open (not closed, replaced or dropped), without renewing it."""
        with self._lock:
            return self._by_token.get(feed.token) is feed

    def _renew(self, feed: _Feed) -> None:
        feed.touched = time.monotonic()
        self._by_token[feed.token] = feed
        self._by_token.move_to_end(feed.token)

    def _drop_idle(self) -> None:
        cutoff = time.monotonic() - FEED_IDLE_S
        while self._by_token:
            token, feed = next(iter(self._by_token.items()))
            if feed.touched >= cutoff and feed.job() is not None:
                break
            del self._by_token[token]
        live = set(self._by_token)
        for page in [p for p, t in self._by_page.items() if t not in live]:
            del self._by_page[page]


FEEDS = _Feeds()
NUMBERS = "numbers"  # the part of an answer that is not a chart: the status and the numbers


def answer(feed: _Feed, seen: str) -> bytes | None:
    """The figures of the job's latest frame that the frame asking has not got, as JSON;
    None if it has them all, or the job has no frame yet.

    Each figure (and the numbers) has a version, raised whenever it is rebuilt into
    something new; the key sent with the figures lists them all, and the frame sends it
    back as `seen`. So a curve that was not rebuilt for this frame is not sent again: most
    frames carry the plane and the numbers alone.
    """
    job = feed.job()
    if job is None:
        return None
    frame = job.frame()
    if frame.snapshot is None:
        return None  # before the first frame the page's own preview stays
    if feed.state != (frame.number, feed.version):
        # Built once per frame; a second ask meanwhile (another tab, a hurried client) is
        # answered from what was built before rather than building the same again.
        if feed.building.acquire(blocking=False):
            try:
                _rebuild(feed, job, (frame.number, feed.version))
            finally:
                feed.building.release()
    parts, versions = feed.built
    key = ".".join(str(versions[name]) for name in parts)
    if not parts or key == seen:
        return None
    if feed.answered is not None and feed.answered[:2] == (key, seen):
        return feed.answered[2]
    had = dict(zip(parts, seen.split("."))) if seen else {}
    # The parts are JSON already: written into the body as they are, not quoted as strings.
    changed = ",".join(
        f"{json.dumps(name)}:{part}"
        for name, part in parts.items()
        if name != NUMBERS and had.get(name) != str(versions[name])
    )
    body = f'{{"key":"{key}","figures":{{{changed}}},"run":{parts[NUMBERS]}}}'.encode()
    feed.answered = (key, seen, body)
    return body


def _rebuild(feed: _Feed, job: Job, state: tuple[int, int]) -> None:
    # Imported here, not at the top: `app.py` imports this module before Streamlit's runtime
    # exists, and a component declared then (the charts' frame) would not be served.
    from ui.live import charts, live_maths, metrics_row, view_state

    view = view_state.from_job(job)
    with use_language(feed.language):
        parts = charts.build(view, feed.layers, feed.cache)
        numbers = dataclasses.asdict(metrics_row.live_numbers(view))
        maths = live_maths.maths(view, feed.layers)
    # After the charts, so that a key's last number is the numbers' version.
    parts[NUMBERS] = json.dumps({"status": view.status, **numbers, "maths": maths})
    last_parts, versions = feed.built
    versions = dict(versions)
    for name, part in parts.items():
        # The figure cache hands back the very same string for a figure it kept.
        if part is not last_parts.get(name) and part != last_parts.get(name):
            versions[name] = versions.get(name, 0) + 1
    feed.built, feed.state = (parts, versions), state


async def respond(request: Request) -> Response:
    """GET /api/charts/<token>?seen=<key>: 200 with new figures, 204 when there are none
    new after WAIT_S, 404 for an address that is not (or no longer) a feed.

    An ask that comes before the job's next frame waits for it, up to WAIT_S, rather than
    being told "nothing new" and asking again: each request costs the server about a
    millisecond of Streamlit's own middleware, whatever it carries. One ask per feed
    waits at a time; any other is answered at once.

    Answered on the server's event loop, not in a worker thread: the waiting costs a
    check every CHECK_S, and a frame's figures take a few milliseconds once per frame,
    holding the GIL in a thread all the same."""
    token = request.path_params.get("token", "")
    feed = FEEDS.get(token) if _TOKEN.fullmatch(token) else None
    if feed is None:
        return Response(status_code=404, headers=_HEADERS)
    seen = request.query_params.get("seen", "")
    seen = seen if _SEEN.fullmatch(seen) else ""
    body = answer(feed, seen)
    if body is None and not feed.waiting:
        feed.waiting = True
        try:
            deadline = time.monotonic() + WAIT_S
            # A feed closed meanwhile (the run ended, the page moved on) stops the wait.
            while body is None and time.monotonic() < deadline and _open(feed):
                await asyncio.sleep(CHECK_S)
                body = answer(feed, seen)
        finally:
            feed.waiting = False
    if body is None:
        return Response(status_code=204, headers=_HEADERS)
    return Response(body, media_type="application/json", headers=_HEADERS)


def _open(feed: _Feed) -> bool:
    return FEEDS.holds(feed) and feed.job() is not None


def routes(base_path: str = "") -> list[Route]:
    """The feed's route for `st.App` (under the server's base URL path, if one is set)."""
    FEEDS.served = True
    path = "/" + "/".join(p for p in (base_path.strip("/"), ROUTE.lstrip("/")) if p)
    return [Route(path, respond, methods=["GET"])]


def address(token: str) -> str:
    """The feed's address as the charts' frame reaches it: the frame is served at
    <base>/component/<name>/index.html, so two levels up is the server's base path."""
    return "../../" + ROUTE.lstrip("/").replace("{token}", token)
