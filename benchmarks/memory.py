"""Memory of a long run: a training job of 1,000,000 iterations keeps a flat footprint.

Runs one job as the app does (worker thread, frames published ten times a second, the
history bounded) and samples this process's resident memory as it goes. Reports the growth
from 10% of the run to the end; the goal is growth under 5% of that 10% reading (bounded
buffers mean nothing should grow with the step count).

    python -m benchmarks.memory [--steps 1000000]
"""

from __future__ import annotations

import argparse
import math
import sys
import time

from gan_core.jobs.thread_job import TrainingJob
from gan_core.presets import preset_config

GOAL_GROWTH = 0.05


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return math.nan


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    base = preset_config("tutorial")
    config = base.replace(epochs=math.ceil(args.steps / base.steps_per_epoch))
    job = TrainingJob(config).start()
    samples = []  # (progress, rss, history rows)
    started = time.monotonic()
    while job.alive:
        frame = job.frame()
        step = frame.snapshot.step if frame.snapshot else 0
        samples.append((step / config.total_steps, rss_mb(), len(frame.history)))
        job.wait(2.0)
    frame = job.frame()
    seconds = time.monotonic() - started
    reference = next((s for s in samples if s[0] >= 0.1), samples[0])
    end = rss_mb()
    growth = (end - reference[1]) / reference[1]
    print("| measure | value |")
    print("|---|---|")
    print(f"| steps | {frame.snapshot.step:,} ({frame.status}) in {seconds:,.0f} s |")
    print(f"| resident memory at 10% of the run | {reference[1]:.1f} MB |")
    print(f"| resident memory at the end | {end:.1f} MB |")
    print(f"| growth | {100 * growth:+.2f}% (goal < {100 * GOAL_GROWTH:.0f}%) |")
    print(f"| history rows kept | {len(frame.history):,} (cap {job.trainer.history.cap:,}) |")
    return 0 if growth < GOAL_GROWTH and frame.status == "finished" else 1


if __name__ == "__main__":
    sys.exit(main())
