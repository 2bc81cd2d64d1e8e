"""The classroom's browser pages: chromium, one context per person with a recorder in the
page, and opening many pages in waves until each is ready to train.

The load test (`benchmarks/load_test.py`) and the live view benchmark drive these. A page is
ready when its status says Ready, its Train button is there and the plane is drawn in the
charts' frame. Twenty pages loading at once on two cores (beside the server) may not all get
there in two minutes; opened a few at a time, each wave waiting for its pages, they do, and
a ready page sits idle (no timer runs until a run starts), so the waves before cost little.
"""

from __future__ import annotations

import sys
import tempfile
import time
import urllib.parse
from contextlib import contextmanager
from pathlib import Path

from benchmarks.app_server import CHROMIUM, CHROMIUM_ARGS
from gan_core.presets import preset_config
from gan_core.serialize import to_query

LOAD_TIMEOUT_S = 120.0  # N pages loading at once on a small machine
STEP_VALUE = ".st-key-metric_step [data-testid='stMetricValue']"
STATUS = ".st-key-run_status"

# Runs in every page from its first script on: samples the step number and the status
# every 20 ms and keeps each distinct step value with the time it was first seen, and when
# each status was first shown. It also notes when each run button was pressed (mousedown,
# as the person presses it), so latencies are timed in the page from the press itself:
# a driver's click first waits for the button to hold still, which on a busy page takes
# longer than the app's answer. Only in the page itself: an init script runs in every
# frame, and in the charts' frame the recorder kept the charts from ever being drawn
# (the frame stayed hidden and empty), so no page got ready. The step is read where each
# frame shows it, the plane's title in the charts' frame ("Step 120 of 2,500"), which the
# charts fetch several times a second; the numbers above them, redrawn once a second while
# a run trains, stand in only before the plane has a title.
RECORDER_JS = """
(() => {
  if (window !== window.top) return;
  const rec = {steps: [], status: "", firstStepAt: null, finishedAt: null, errors: 0,
               pressed: {}, statusAt: {}};
  window.__ganscope = rec;
  document.addEventListener("mousedown", (event) => {
    const holder = event.target.closest("[class*='st-key-run_']");
    if (!holder) return;
    const key = [...holder.classList].find((name) => name.startsWith("st-key-run_"));
    rec.pressed[key.slice("st-key-run_".length)] = performance.now();
  }, true);
  let last = null;
  const planeStep = () => {
    try {
      const frame = document.querySelector(".st-key-live_charts iframe");
      const title = frame && frame.contentDocument.querySelector("#chart-plane .gtitle");
      const found = title && title.textContent.replace(/,/g, "").match(/\\d+/);
      return found ? Number(found[0]) : NaN;
    } catch (error) {
      return NaN;
    }
  };
  setInterval(() => {
    const now = performance.now();
    const el = document.querySelector(STEP_SELECTOR);
    const shown = planeStep();
    if (el || !Number.isNaN(shown)) {
      const value = Number.isNaN(shown) ? Number(el.textContent.replace(/,/g, "")) : shown;
      if (!Number.isNaN(value) && value !== last) {
        last = value;
        rec.steps.push([now, value]);
        if (value > 0 && rec.firstStepAt === null) rec.firstStepAt = now;
      }
    }
    const status = document.querySelector(STATUS_SELECTOR);
    rec.status = status ? status.textContent : "";
    for (const word of ["Starting", "Running", "Paused", "Stopped", "Finished"]) {
      if (!(word in rec.statusAt) && rec.status.includes(word)) rec.statusAt[word] = now;
    }
    if (rec.finishedAt === null && rec.status.includes("Finished")) rec.finishedAt = now;
    rec.errors = document.querySelectorAll(
      '[data-testid="stException"], [data-testid="stAlertContentError"]').length;
    rec.now = now;
  }, 20);
})();
""".replace("STEP_SELECTOR", repr(STEP_VALUE)).replace("STATUS_SELECTOR", repr(STATUS))


@contextmanager
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def run_link(base_url: str, epochs: int) -> str:
    config = preset_config("tutorial").replace(epochs=epochs)
    return f"{base_url}/?{urllib.parse.urlencode(to_query(config))}"


def new_context(browser, timeout_s: float = LOAD_TIMEOUT_S):
    """A browser context (its own cookies: one person), with the recorder installed."""
    context = browser.new_context(viewport={"width": 1600, "height": 1300})
    context.set_default_timeout(timeout_s * 1000)
    context.add_init_script(RECORDER_JS)
    return context


def new_tab(context, url: str):
    page = context.new_page()
    page.goto(url, wait_until="commit")
    return page


def new_page(browser, url: str, timeout_s: float = LOAD_TIMEOUT_S):
    """A page in a context of its own (its own session), with the recorder installed."""
    context = new_context(browser, timeout_s)
    return context, new_tab(context, url)


def wait_ready(page, timeout_s: float) -> None:
    """The page has loaded: status, Train button, and the plane drawn in the charts' frame
    (plotly.js loads in the frame after the rest of the page)."""
    page.locator(STATUS).filter(has_text="Ready").wait_for(timeout=timeout_s * 1000)
    page.locator(".st-key-run_train").get_by_role("button").wait_for(timeout=timeout_s * 1000)
    plane = page.frame_locator(".st-key-live_charts iframe").locator("#chart-plane .main-svg")
    plane.first.wait_for(timeout=timeout_s * 1000)


def click_train(page) -> None:
    page.locator(".st-key-run_train").get_by_role("button").click()


def record(page) -> dict:
    return page.evaluate("() => window.__ganscope")


def open_ready(browser, link: str, n: int, wave: int, timeout_s: float):
    """Open `n` pages of `link`, `wave` at a time (all at once if `wave` ≤ 0), each wave
    given `timeout_s` to get all its pages ready before the next one opens.

    Returns the contexts to close, the pages (None where one could not open) and the
    indices of the pages that failed to open or to get ready (told on stderr)."""
    wave = n if wave <= 0 else wave
    contexts, pages, failed = [], [], set()
    for first in range(0, n, wave):
        indices = range(first, min(n, first + wave))
        for i in indices:
            try:
                context, page = new_page(browser, link, timeout_s)
                contexts.append(context)
                pages.append(page)
            except Exception as exc:  # noqa: BLE001 - a page that fails is a result
                print(f"  page {i}: failed to open: {exc}", file=sys.stderr)
                failed.add(i)
                pages.append(None)
        deadline = time.monotonic() + timeout_s
        for i in indices:
            if pages[i] is None:
                continue
            try:
                wait_ready(pages[i], max(1.0, deadline - time.monotonic()))
            except Exception as exc:  # noqa: BLE001
                print(f"  page {i}: not ready: {exc}".splitlines()[0], file=sys.stderr)
                print(f"    as it was: {screenshot(pages[i], i)}", file=sys.stderr)
                failed.add(i)
    return contexts, pages, failed


def screenshot(page, index: int) -> str:
    """A picture of a page that did not get ready, to read why; where it was saved."""
    path = Path(tempfile.gettempdir()) / f"ganscope-load-page-{index}.png"
    try:
        page.screenshot(path=str(path), timeout=30_000)
    except Exception as exc:  # noqa: BLE001 - a page too stuck to draw is told as such
        return f"no screenshot ({exc})".splitlines()[0]
    return str(path)
