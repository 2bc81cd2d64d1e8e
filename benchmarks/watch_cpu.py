"""What one watching page costs the server: its CPU time over wall time, layers off and on.

A class of 30 on a 2-core server leaves each watching page at most 0.05 of a core. This
measures the server process alone (not its training workers, which are its children): one
chromium page at 1280×720 watches a long tutorial run capped at 100 steps a second, and in
alternating windows the plane shows its default layers (D's view, the ellipses, G's push),
then every layer (Best D*, G's warp and the maths too). Alternating pairs, because the
shared machine's speed drifts; each pair gives a ratio, the medians count. Frames shown
per second (distinct plane titles) say what the page got for that CPU.

    python -m benchmarks.watch_cpu [--window 10] [--pairs 3]

Reports; exits 1 if the all-layers median is above the goal.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import tempfile
import time
import urllib.parse

import psutil
from playwright.sync_api import Page, sync_playwright

from benchmarks.app_server import CHROMIUM, CHROMIUM_ARGS, app_server
from gan_core.presets import preset_config
from gan_core.serialize import to_query

GOAL_CORES = 0.05  # of a core per watching page, all layers on
EXTRA_LAYERS = ("Best D*", "G's warp", "The maths")
TITLE_PROBE = """() => {
  const frame = [...document.querySelectorAll('iframe')].find(f => f.title && f.contentDocument
      && f.contentDocument.querySelector('.gtitle'));
  const title = frame && frame.contentDocument.querySelector('.gtitle');
  return title ? title.textContent : '';
}"""


def server_process() -> psutil.Process:
    """The `streamlit run` this process started (its workers are that one's children)."""
    for child in psutil.Process().children(recursive=True):
        if "streamlit" in " ".join(child.cmdline()):
            return child
    raise RuntimeError("no streamlit server below this process")


def window(page: Page, server: psutil.Process, seconds: float) -> tuple[float, float]:
    """(cores used by the server, frames shown per second) over `seconds`."""
    start_cpu = sum(server.cpu_times()[:2])
    start = time.monotonic()
    titles = set()
    while time.monotonic() - start < seconds:
        titles.add(page.evaluate(TITLE_PROBE))
        page.wait_for_timeout(50)
    elapsed = time.monotonic() - start
    return (sum(server.cpu_times()[:2]) - start_cpu) / elapsed, len(titles) / elapsed


def toggle_extra_layers(page: Page) -> None:
    for label in EXTRA_LAYERS:
        page.get_by_role("button", name=label, exact=True).first.click()
        page.wait_for_timeout(300)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--window", type=float, default=10.0, help="seconds per window")
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument(
        "--default-only",
        action="store_true",
        help="default layers only: runs against a tree without the newer layers (a baseline)",
    )
    args = parser.parse_args()
    config = dataclasses.replace(preset_config("tutorial"), epochs=1000)  # never ends here
    query = urllib.parse.urlencode({**to_query(config), "speed": "100"})
    names = ["default layers"] if args.default_only else ["default layers", "all layers"]
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
    with tempfile.TemporaryDirectory() as data, app_server(data) as url:
        server = server_process()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.goto(f"{url}/?{query}", timeout=120_000)
            page.get_by_role("button", name="Train").first.click(timeout=120_000)
            page.wait_for_function(f"() => ({TITLE_PROBE})().includes('Step')", timeout=120_000)
            window(page, server, 3.0)  # warm-up: the first frames build caches
            for _ in range(args.pairs):
                for name in results:
                    results[name].append(window(page, server, args.window))
                    if not args.default_only:
                        toggle_extra_layers(page)  # on after "default", off after "all"
            browser.close()
    medians = {}
    for name, runs in results.items():
        cores = statistics.median(c for c, _ in runs)
        fps = statistics.median(f for _, f in runs)
        medians[name] = cores
        each = ", ".join(f"{c:.3f}" for c, _ in runs)
        print(f"{name:15s} server cores {cores:.3f} (windows {each}); frames/s {fps:.1f}")
    if args.default_only:
        return 0
    ratios = [a[0] / d[0] for a, d in zip(results["all layers"], results["default layers"])]
    print(f"all / default, per pair: {', '.join(f'{r:.2f}' for r in ratios)}")
    verdict = "met" if medians["all layers"] <= GOAL_CORES else "missed"
    print(f"goal ≤ {GOAL_CORES} of a core per page, all layers on: {verdict}")
    return 0 if verdict == "met" else 1


if __name__ == "__main__":
    sys.exit(main())
