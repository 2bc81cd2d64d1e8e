"""Training while a real page watches, against the bare engine: how much does the live view cost?

(a) The bare engine: a `Trainer` on a long tutorial run (1000 epochs = 250,000 steps,
never ends here), one torch thread, for a fixed number of seconds: iterations per second.
Measured before the server starts and again after it stops; the mean counts.
(b) The same run inside the app while chromium watches: a `streamlit run dashboard.py`
server, the page opened on a link carrying the config, Train pressed; after a warm-up, the
step numbers the page shows over a window give the steps per second, and the number of
distinct step values shown per second is the frames per second the viewer sees.
Goal: the app at least 90% of the bare engine, with at least 4 frames per second.
(c) Train -> first frame: from pressing the button to a step number > 0 on the page.
(d) Stop -> "Stopped": from pressing the button to the status shown. Three tries each,
median. Both are timed inside the page, from the button's mousedown (see load_test's
recorder), to within its 20 ms sampling.

    python -m benchmarks.live_view [--bare-seconds 10] [--window 10] [--warmup 3]

Exits 1 if the goal is missed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import torch

from benchmarks.load_test import (
    STATUS,
    STEP_VALUE,
    app_server,
    chromium,
    click_train,
    new_page,
    record,
    run_link,
    wait_ready,
)
from gan_core.presets import preset_config
from gan_core.trainer import Trainer

EPOCHS = 1000  # 250,000 steps: still running when every measurement is done
RATIO_GOAL = 0.90
FPS_GOAL = 4.0
TRIES = 3
UPDATE_TIMEOUT_MS = 30_000


def bare_rate(seconds: float) -> float:
    trainer = Trainer(preset_config("tutorial").replace(epochs=EPOCHS))
    trainer.run(200)  # warm-up: lazy initialisation
    start_step = trainer.step_count
    started = time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        trainer.run(100)
    return (trainer.step_count - start_step) / (time.perf_counter() - started)


def wait_step_above(page, step: int) -> None:
    page.wait_for_function(
        """([selector, previous]) => {
            const el = document.querySelector(selector);
            return el && Number(el.innerText.replace(/,/g, "")) > previous;
        }""",
        arg=[STEP_VALUE, step],
        timeout=UPDATE_TIMEOUT_MS,
        polling=10,
    )


def wait_status(page, text: str) -> None:
    page.wait_for_function(
        """([selector, text]) => {
            const el = document.querySelector(selector);
            return el && el.innerText.includes(text);
        }""",
        arg=[STATUS, text],
        timeout=UPDATE_TIMEOUT_MS,
        polling=10,
    )


def click_stop(page) -> None:
    page.locator(".st-key-run_stop").get_by_role("button").click()


def app_rate(browser, link: str, warmup_s: float, window_s: float) -> tuple[float, float, int]:
    """Steps per second and frames per second the watching page shows, over the window."""
    context, page = new_page(browser, link)
    try:
        wait_ready(page, 120)
        click_train(page)
        wait_step_above(page, 0)
        time.sleep(warmup_s)
        t0 = record(page)["now"]
        time.sleep(window_s)
        rec = record(page)
        t1 = rec["now"]
        inside = [(t, v) for t, v in rec["steps"] if t0 <= t <= t1]
        if len(inside) < 2:
            return 0.0, len(inside) / window_s, len(inside)
        (ta, va), (tb, vb) = inside[0], inside[-1]
        rate = (vb - va) / ((tb - ta) / 1000)
        fps = len(inside) / ((t1 - t0) / 1000)
        click_stop(page)
        wait_status(page, "Stopped")
        return rate, fps, len(inside)
    finally:
        context.close()


def first_frame_and_stop(browser, link: str) -> tuple[float, float]:
    """Seconds from pressing Train to the first step shown, and from pressing Stop to
    "Stopped" shown, both timed in the page from the button's mousedown."""
    context, page = new_page(browser, link)
    try:
        wait_ready(page, 120)
        click_train(page)
        wait_step_above(page, 0)
        time.sleep(1.0)
        click_stop(page)
        wait_status(page, "Stopped")
        time.sleep(0.1)  # the recorder samples every 20 ms
        rec = record(page)
        first_frame_s = (rec["firstStepAt"] - rec["pressed"]["train"]) / 1000
        stop_s = (rec["statusAt"]["Stopped"] - rec["pressed"]["stop"]) / 1000
        return first_frame_s, stop_s
    finally:
        context.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bare-seconds", type=float, default=10.0)
    parser.add_argument("--window", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)

    bare_before = bare_rate(args.bare_seconds)
    with app_server() as base_url, chromium() as browser:
        link = run_link(base_url, EPOCHS)
        rate, fps, frames = app_rate(browser, link, args.warmup, args.window)
        tries = [first_frame_and_stop(browser, link) for _ in range(TRIES)]
    bare_after = bare_rate(args.bare_seconds)
    bare = (bare_before + bare_after) / 2
    ratio = rate / bare if bare else 0.0
    first_frames = [f for f, _ in tries]
    stops = [s for _, s in tries]

    print(f"| measurement | value (tutorial, {EPOCHS} epochs; one torch thread) |")
    print("|---|---|")
    print(
        f"| (a) bare Trainer, iterations/s | {bare:,.0f} "
        f"(before server {bare_before:,.0f}, after {bare_after:,.0f}) |"
    )
    print(f"| (b) in the app, watched, steps/s | {rate:,.0f} ({args.window:.0f} s window) |")
    print(f"| ratio app / bare | {ratio:.0%} (goal ≥ {RATIO_GOAL:.0%}) |")
    print(f"| frames/s on the page | {fps:.1f} ({frames} frames; goal ≥ {FPS_GOAL:.0f}) |")
    print(
        f"| (c) Train → first frame, median of {TRIES} | {statistics.median(first_frames):.2f} s "
        f"({', '.join(f'{v:.2f}' for v in first_frames)}) |"
    )
    print(
        f"| (d) Stop → 'Stopped', median of {TRIES} | {statistics.median(stops):.2f} s "
        f"({', '.join(f'{v:.2f}' for v in stops)}) |"
    )
    return 0 if ratio >= RATIO_GOAL and fps >= FPS_GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
