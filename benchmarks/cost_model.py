"""Calibrating the cost model (gan_core/jobs/cost.py) against this machine.

For each case, a fresh Python process (so one case's memory cannot hide in another's
allocator arenas) imports torch with one intra-op thread, notes its peak resident memory
(VmHWM), builds a `StackedGAN` of R runs, trains a few steps and reports:

- memory: the peak resident memory above the baseline, against `stack_bytes`;
- step: the median CPU seconds per step (process time, so that other people's work on a
  shared machine does not count), against `step_seconds`.

The model's constants are fitted so its estimates are at or above the measurements (a
refusal errs on the side of the server). Prints a table; `--quick` runs only the small cases.

    python -m benchmarks.cost_model [--quick]

Measured on the 2-core, 24 GB machine, one intra-op thread, while other people's test
suites kept the load average at 20-30 (so the CPU times include a busy machine's cache
misses and are above an idle core's):

    case                        MB meas MB model   ms meas  ms model
    tutorial                         15       30      1.37      1.01
    tutorial ×256                    21       41      5.90      2.67
    recommended                      16       32      2.85      1.92
    recommended ×256                285      454     74.21    109.04
    recommended ×1024              1003     1724    395.72    431.66
    wgan_gp_grid                     19       33     10.55      9.64
    wgan_gp_grid ×32                 93      140    209.67    200.09
    256×4, batch 256, GP             39       63     79.14    117.07
    256×4, batch 1024                63       77    182.72    328.41
    256×4, batch 1024 ×4            193      219    802.66   1310.63
    256×4, batch 4096, GP           221      400    916.33   1843.13
    narrow, batch 4096 ×64          258      374    219.08    428.82
    measured / model: memory up to 0.88 (median 0.60), step up to 2.21 (median 0.80)

Memory is over-estimated everywhere (by 12-50%): a refusal or a split errs on the side
of the server. Time is within 1.5x for every case that the limits can bind (steps of
10 ms and up); the tiny cases' per-operation overhead doubles under load, which matters
to nobody's limit. An earlier pass timed by the wall clock at a lower load gave 1.19 s
for the 256×4, batch 4096, GP step and 0.18 s for recommended ×1024.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

from gan_core.config import GanConfig
from gan_core.jobs.cost import stack_bytes, step_seconds
from gan_core.presets import preset_config

BIG = {"g_hidden": (256,) * 4, "d_hidden": (256,) * 4, "noise_dim": 64}
# (label, preset, changes, runs)
CASES: list[tuple[str, str, dict, int]] = [
    ("tutorial", "tutorial", {}, 1),
    ("tutorial ×256", "tutorial", {}, 256),
    ("recommended", "recommended", {}, 1),
    ("recommended ×256", "recommended", {}, 256),
    ("recommended ×1024", "recommended", {}, 1024),
    ("wgan_gp_grid", "wgan_gp_grid", {}, 1),
    ("wgan_gp_grid ×32", "wgan_gp_grid", {}, 32),
    (
        "256×4, batch 256, GP",
        "tutorial",
        {**BIG, "n_samples": 10_000, "batch_size": 256, "loss": "wasserstein_gp"},
        1,
    ),
    ("256×4, batch 1024", "tutorial", {**BIG, "n_samples": 10_000, "batch_size": 1024}, 1),
    ("256×4, batch 1024 ×4", "tutorial", {**BIG, "n_samples": 10_000, "batch_size": 1024}, 4),
    (
        "256×4, batch 4096, GP",
        "tutorial",
        {**BIG, "n_samples": 100_000, "batch_size": 4096, "loss": "wasserstein_gp"},
        1,
    ),
    ("narrow, batch 4096 ×64", "tutorial", {"n_samples": 100_000, "batch_size": 4096}, 64),
]
QUICK = {"tutorial", "recommended", "wgan_gp_grid", "256×4, batch 1024"}

MEASURE = r"""
import json, statistics, sys, time
import torch
torch.set_num_threads(1)
from gan_core.serialize import from_json
from gan_core.training.engine import StackedGAN
from gan_core.training.step_part import StepPart

def peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024

config, runs = from_json(sys.argv[1]), int(sys.argv[2])
configs = [config.replace(seed=s, lr_d=config.lr_d * (1 + s / 1000)) for s in range(runs)]
before = peak()
engine = StackedGAN(configs)
times = []
for _ in range(12):
    started = time.process_time()
    for _update in engine.updates(StepPart.BOTH):
        pass
    times.append(time.process_time() - started)
    if sum(times) > 6:
        break
print(json.dumps({"bytes": peak() - before, "step": statistics.median(times[1:] or times)}))
"""


def measure(config: GanConfig, runs: int) -> dict:
    from gan_core.serialize import to_json

    out = subprocess.run(
        [sys.executable, "-c", MEASURE, to_json(config), str(runs)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    print(f"{'case':26} {'MB meas':>8} {'MB model':>8} {'ms meas':>9} {'ms model':>9}")
    worst_memory, worst_time = [], []
    for label, preset, changes, runs in CASES:
        if args.quick and label not in QUICK:
            continue
        config = preset_config(preset).replace(**changes)
        started = time.perf_counter()
        seen = measure(config, runs)
        model_bytes = stack_bytes([config] * runs)
        model_step = step_seconds(config, runs)
        worst_memory.append(seen["bytes"] / model_bytes)
        worst_time.append(seen["step"] / model_step)
        print(
            f"{label:26} {seen['bytes'] / 1e6:8.0f} {model_bytes / 1e6:8.0f} "
            f"{seen['step'] * 1e3:9.2f} {model_step * 1e3:9.2f}"
            f"   ({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
    print(
        f"measured / model: memory up to {max(worst_memory):.2f} "
        f"(median {statistics.median(worst_memory):.2f}), step up to {max(worst_time):.2f} "
        f"(median {statistics.median(worst_time):.2f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
