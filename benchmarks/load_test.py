"""Many browser sessions training at once against one server: does every run finish, and
does the server stay responsive?

One `streamlit run dashboard.py` server on a free loopback port (its run store in a
temporary directory); for each N, N pages in one chromium (one context each, so N
sessions) press Train on a short run given by link parameters. Meanwhile a thread asks
GET /_stcore/health every 100 ms and records the latency. Each page records, in the page
itself, every distinct step number it shows and when; frames per second seen is the
number of distinct step values shown between the first step > 0 and "Finished" (or the
end of the window), divided by that time.

    python -m benchmarks.load_test --sessions 5,10,20 [--seconds 90] [--epochs 2]

    python -m benchmarks.load_test --url http://localhost:8080 --sessions 20

With `--url`, the pages go to a server already running there (e.g. `make cluster`'s proxy in
front of two replicas) instead of one started for the test; the health requests go there
too, so through a proxy they are spread over its replicas.

    python -m benchmarks.load_test --sessions 20 --wave 5 [--load-timeout 120]

With `--wave`, the pages open that many at a time, each wave ready before the next opens
(each wave gets `--load-timeout` seconds); all still press Train together once every page
is ready, so what is measured after the press is the same. Without it all N open at once.

Prints a markdown table. Exits 1 if any run did not finish or any error occurred (an
exception or error box on a page, a page that failed, or a failed health request).

    python -m benchmarks.load_test --greedy [--sessions 10] [--seconds 90] [--engine]

The greedy student: one browser opens four tabs of a very heavy run and trains in each
(one after another, as a person would), then N ordinary sessions (default 10) press
Train together on a short run. It reports when each ordinary run shows its first step
after the press and whether it finishes; the goal is within 5 s, and all finish. With
`--engine`, the same people ask the server's pool directly (no browser, no pages): the
slots alone, for a machine too busy to load a dozen pages.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager

from benchmarks.app_server import app_server
from benchmarks.load_pages import (
    LOAD_TIMEOUT_S,
    STATUS,
    chromium,
    click_train,
    new_context,
    new_page,
    new_tab,
    open_ready,
    record,
    run_link,
)
from gan_core.presets import preset_config
from gan_core.serialize import to_query

MAX_WINDOW_S = 90.0


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


class HealthPoller(threading.Thread):
    """GET /_stcore/health every 100 ms; latencies in ms, failures counted."""

    def __init__(self, url: str, period_s: float = 0.1):
        super().__init__(daemon=True)
        self.url, self.period_s = url, period_s
        self.latencies: list[float] = []
        self.failures = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(self.url, timeout=5) as response:
                    response.read()
                    ok = response.status == 200
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                ok = False
            elapsed = time.perf_counter() - started
            if ok:
                self.latencies.append(elapsed * 1000)
            else:
                self.failures += 1
            self._stop_event.wait(max(0.0, self.period_s - elapsed))

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=10)


def fps_of(rec: dict, window_end: float) -> float | None:
    """Distinct step values > 0 shown per second, from the first one to Finished."""
    if rec is None or rec.get("firstStepAt") is None:
        return None
    end = rec["finishedAt"] if rec.get("finishedAt") is not None else window_end
    shown = [t for t, value in rec["steps"] if value > 0 and t <= end]
    span_s = (end - rec["firstStepAt"]) / 1000
    if span_s <= 0:
        return None
    return len(shown) / span_s


def one_round(
    browser, base_url: str, n: int, link: str, window_s: float, wave: int, load_timeout_s: float
) -> dict:
    round_started = time.monotonic()
    load_average = os.getloadavg()[0]
    poller = HealthPoller(f"{base_url}/_stcore/health")
    poller.start()
    contexts: list = []
    try:
        contexts, pages, failed = open_ready(browser, link, n, wave, load_timeout_s)
        loaded_s = time.monotonic() - round_started
        for i, page in enumerate(pages):
            if page is None or i in failed:
                continue
            try:
                click_train(page)
            except Exception as exc:  # noqa: BLE001
                print(f"  page {i}: Train failed: {exc}", file=sys.stderr)
                failed.add(i)
        window_deadline = time.monotonic() + window_s
        records: dict[int, dict] = {}
        while time.monotonic() < window_deadline:
            done = True
            for i, page in enumerate(pages):
                if page is None or i in failed:
                    continue
                try:
                    records[i] = record(page)
                except Exception as exc:  # noqa: BLE001
                    print(f"  page {i}: read failed: {exc}", file=sys.stderr)
                    failed.add(i)
                    continue
                rec = records[i]
                if rec.get("finishedAt") is None and not rec["errors"]:
                    done = False
            if done:
                break
            time.sleep(0.5)
        finished, errors, fps = 0, len(failed), []
        for i, page in enumerate(pages):
            if page is None or i in failed:
                continue
            try:
                rec = record(page)
            except Exception:  # noqa: BLE001
                rec = records.get(i)
                errors += 1
            if rec is None:
                continue
            if rec["errors"]:
                errors += 1
                print(f"  page {i}: shows an error (status {rec['status']!r})", file=sys.stderr)
            if rec.get("finishedAt") is not None:
                finished += 1
            else:
                print(f"  page {i}: not finished, status {rec['status']!r}", file=sys.stderr)
            value = fps_of(rec, rec["now"])
            if value is not None:
                fps.append(value)
    finally:
        poller.stop()
        for context in contexts:
            try:
                context.close()
            except Exception:  # noqa: BLE001
                pass
    wall_s = time.monotonic() - round_started
    return {
        "n": n,
        "finished": finished,
        "errors": errors + poller.failures,
        "health_failures": poller.failures,
        "p50": percentile(poller.latencies, 0.50),
        "p99": percentile(poller.latencies, 0.99),
        "fps_median": statistics.median(fps) if fps else float("nan"),
        "fps_min": min(fps) if fps else float("nan"),
        "wall_s": wall_s,
        "loaded_s": loaded_s,
        "load_average": load_average,
    }


# The greedy student's run: the largest networks and batch the form allows, 100 epochs
# (1,000 steps of about 2.4 s each on one idle core here: the better part of an hour). Not
# the very heaviest allowed: a cost check may refuse runs of many hours.
HEAVY = preset_config("recommended").replace(
    noise_dim=64, g_hidden=(256,) * 4, d_hidden=(256,) * 4, batch_size=4096, epochs=100
)
ORDINARY = preset_config("recommended").replace(epochs=1)  # 250 steps: a few seconds
GREEDY_TABS = 4
START_GOAL_S = 5.0


def link_of(base_url: str, config) -> str:
    return f"{base_url}/?{urllib.parse.urlencode(to_query(config))}"


def greedy_tabs(browser, base_url: str) -> tuple[object, list]:
    """One person, four tabs of the heavy run, Train pressed in each in turn."""
    context = new_context(browser)
    first = new_tab(context, link_of(base_url, HEAVY))
    train_when_ready(first)
    deadline = time.monotonic() + 30  # the browser keeps the session's id once a run is saved
    while time.monotonic() < deadline and not any(
        c["name"] == "ganscope_session" for c in context.cookies()
    ):
        time.sleep(0.2)
    others = [new_tab(context, link_of(base_url, HEAVY)) for _ in range(GREEDY_TABS - 1)]
    for page in others:
        train_when_ready(page)
    return context, [first, *others]


def train_when_ready(page) -> None:
    """Train once the button is there (the charts need not be drawn: nobody watches)."""
    page.locator(STATUS).filter(has_text="Ready").wait_for(timeout=LOAD_TIMEOUT_S * 1000)
    click_train(page)
    page.locator(STATUS).filter(has_text="Ready").wait_for(state="detached")


def status_text(page) -> str:
    return page.locator(STATUS).inner_text().replace("\n", " ").strip()


def greedy_student(n: int, window_s: float) -> int:
    """Four heavy tabs of one person beside `n` ordinary sessions; exits 1 below the goal."""
    print(
        f"heavy: noise {HEAVY.noise_dim}, G and D 256x4, batch {HEAVY.batch_size}, "
        f"{HEAVY.total_steps:,} steps, in {GREEDY_TABS} tabs of one browser; "
        f"ordinary: recommended, {ORDINARY.total_steps:,} steps, {n} sessions; "
        f"window {window_s:.0f} s"
    )
    with (
        tempfile.TemporaryDirectory(prefix="ganscope-bench-") as data_dir,
        app_server(data_dir) as base_url,
        chromium() as browser,
    ):
        greedy_context, tabs = greedy_tabs(browser, base_url)
        contexts, pages = [], []
        try:
            for _ in range(n):
                context, page = new_page(browser, link_of(base_url, ORDINARY))
                contexts.append(context)
                pages.append(page)
            load_deadline = time.monotonic() + 2 * LOAD_TIMEOUT_S
            for i, page in enumerate(pages):
                try:  # the charts need not be drawn: the press is what is timed
                    ready = page.locator(STATUS).filter(has_text="Ready")
                    ready.wait_for(timeout=max(1.0, load_deadline - time.monotonic()) * 1000)
                except Exception as exc:  # noqa: BLE001 - a page that never loads is a result
                    print(f"  session {i}: page not ready: {exc}".splitlines()[0], file=sys.stderr)
            for page in pages:
                try:
                    click_train(page)
                except Exception:  # noqa: BLE001 - counted below as never started
                    pass
            deadline = time.monotonic() + window_s
            while time.monotonic() < deadline:
                records = [record(page) for page in pages]
                if all(r.get("finishedAt") is not None or r["errors"] for r in records):
                    break
                time.sleep(0.5)
            records = [record(page) for page in pages]
            heavy_states = [status_text(tab) for tab in tabs]
        finally:
            for context in [*contexts, greedy_context]:
                try:
                    context.close()
                except Exception:  # noqa: BLE001
                    pass
    starts, never, finished, errors = [], 0, 0, 0
    for i, rec in enumerate(records):
        pressed = rec["pressed"].get("train")
        if rec.get("firstStepAt") is None or pressed is None:
            never += 1
            print(f"  session {i}: never started, status {rec['status']!r}", file=sys.stderr)
        else:
            starts.append((rec["firstStepAt"] - pressed) / 1000)
        finished += rec.get("finishedAt") is not None
        errors += bool(rec["errors"])
    for i, state in enumerate(heavy_states):
        print(f"  heavy tab {i + 1}: {state}")
    within = sum(s <= START_GOAL_S for s in starts)
    print()
    print(
        "| ordinary sessions | started within 5 s | first step after Train, median / max (s) "
        "| never started | finished | errors |"
    )
    print("|---|---|---|---|---|---|")
    median = statistics.median(starts) if starts else float("nan")
    worst = max(starts) if starts else float("nan")
    print(
        f"| {n} | {within} / {n} | {median:.1f} / {worst:.1f} | {never} "
        f"| {finished} / {n} | {errors} |"
    )
    return 0 if within == n and finished == n and errors == 0 else 1


def greedy_engine(n: int, window_s: float) -> int:
    """The greedy student against the pool itself: one person's four heavy jobs, then `n`
    people's ordinary ones; when each ordinary job trains its first step, and whether it
    finishes. Runs on code without per-person shares too (every job then anonymous)."""
    from gan_core.jobs.pool import WorkerPool
    from gan_core.jobs.process_job import ProcessTrainingJob

    try:
        from gan_core.jobs.slots import Owner
    except ImportError:  # before fair sharing: nobody is told apart
        Owner = None  # noqa: N806

    def job(config, person: str):
        extra = {"owner": Owner(person, None)} if Owner is not None else {}
        return ProcessTrainingJob(config, heartbeat_timeout=None, pool=pool, **extra)

    pool = WorkerPool()  # the server's defaults: the cap and shares from the environment
    try:
        pool.wait_ready(120)
        heavy = [job(HEAVY, "greedy").start() for _ in range(GREEDY_TABS)]
        time.sleep(2)
        pressed = time.monotonic()
        ordinary = [job(ORDINARY.replace(seed=i), f"student-{i}").start() for i in range(n)]
        started: dict[int, float] = {}
        deadline = pressed + window_s
        while time.monotonic() < deadline and not all(not j.alive for j in ordinary):
            for i, each in enumerate(ordinary):
                frame = each.frame()
                if i not in started and frame.snapshot is not None and frame.snapshot.step > 0:
                    started[i] = time.monotonic() - pressed
            time.sleep(0.05)
        finished = sum(j.frame().status == "finished" for j in ordinary)
        heavy_states = [j.frame().status.value for j in heavy]
    finally:
        for each in [*heavy, *ordinary]:
            each.stop()
        pool.shutdown()
    starts = list(started.values())
    within = sum(s <= START_GOAL_S for s in starts)
    median = statistics.median(starts) if starts else float("nan")
    worst = max(starts) if starts else float("nan")
    print(f"cap {pool.slots.limit} jobs; heavy jobs: {', '.join(heavy_states)}")
    print(
        "| ordinary jobs | started within 5 s | first step, median / max (s) | never started "
        "| finished |"
    )
    print("|---|---|---|---|---|")
    print(
        f"| {n} | {within} / {n} | {median:.1f} / {worst:.1f} | {n - len(starts)} "
        f"| {finished} / {n} |"
    )
    return 0 if within == n and finished == n else 1


@contextmanager
def served(url: str | None):
    """The base URL to load: `url` as given, else a server of our own with a fresh store."""
    if url is not None:
        yield url.rstrip("/")
        return
    with (
        tempfile.TemporaryDirectory(prefix="ganscope-bench-") as data_dir,
        app_server(data_dir) as base_url,
    ):
        yield base_url


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sessions", default=None, help="comma-separated session counts (default 5,10,20; 10)"
    )
    parser.add_argument(
        "--seconds", type=float, default=90.0, help="window per N, after Train (≤ 90)"
    )
    parser.add_argument("--epochs", type=int, default=2, help="epochs of the tutorial run")
    parser.add_argument(
        "--greedy", action="store_true", help="four heavy tabs of one person beside N sessions"
    )
    parser.add_argument("--engine", action="store_true", help="--greedy without a browser")
    parser.add_argument(
        "--url", default=None, help="an app already running there (e.g. a proxy), not our own"
    )
    parser.add_argument(
        "--wave",
        type=int,
        default=0,
        help="open the pages this many at a time, each wave ready before the next (0: all)",
    )
    parser.add_argument(
        "--load-timeout",
        type=float,
        default=LOAD_TIMEOUT_S,
        help=f"seconds for a wave of pages to get ready (default {LOAD_TIMEOUT_S:.0f})",
    )
    args = parser.parse_args(argv)
    if args.wave < 0:
        parser.error(f"--wave: {args.wave} is below 0; give a number of pages, or 0 for all")
    if args.load_timeout <= 0:
        parser.error(f"--load-timeout: {args.load_timeout:g} s is not above 0")
    sessions = args.sessions or ("10" if args.greedy else "5,10,20")
    counts = [int(part) for part in sessions.split(",") if part.strip()]
    window_s = min(args.seconds, MAX_WINDOW_S)
    if args.greedy:
        run = greedy_engine if args.engine else greedy_student
        return run(counts[0], window_s)
    results = []
    with served(args.url) as base_url, chromium() as browser:
        link = run_link(base_url, args.epochs)
        total = preset_config("tutorial").replace(epochs=args.epochs).total_steps
        print(f"run: tutorial, {args.epochs} epochs = {total:,} steps; window {window_s:.0f} s")
        waves = f"waves of {args.wave}" if args.wave > 0 else "all at once"
        print(f"pages: {waves}, {args.load_timeout:.0f} s for each wave to get ready")
        for n in counts:
            results.append(
                one_round(browser, base_url, n, link, window_s, args.wave, args.load_timeout)
            )
            time.sleep(2)  # let the closed sessions' jobs wind down
    print()
    print(
        "| N | runs finished / N | errors | health p50 / p99 (ms) "
        "| fps per session, median / min | wall time (s) |"
    )
    print("|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['n']} | {r['finished']} / {r['n']} | {r['errors']} "
            f"| {r['p50']:.1f} / {r['p99']:.1f} | {r['fps_median']:.1f} / {r['fps_min']:.1f} "
            f"| {r['wall_s']:.1f} |"
        )
    print()
    for r in results:
        print(
            f"N = {r['n']}: load average {r['load_average']:.2f} before the round; "
            f"pages ready after {r['loaded_s']:.0f} s"
        )
    ok = all(r["finished"] == r["n"] and r["errors"] == 0 for r in results)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
