"""How fast the run list and the Compare page are with many saved runs.

Builds a run store the way the app fills one (each run: `create_run`, a log, `finish` with a
real checkpoint of its own trainer), in a realistic mix: 10% of the runs train on one of two
uploaded 20,000-point targets, the rest on the presets, spread over 25 sessions. Then times
- `list_runs()` (median of 3),
- the Compare page (`pages/2_Compare.py` in streamlit's AppTest, `GANSCOPE_DATA_DIR` set to
  the store): its first render on a fresh server (store opened, nothing cached), its first
  render for another session on that server, and a rerun as after a click,
and reports the store's size on disk. AppTest itself costs 0.3-0.6 s a run before the page's
script starts (it scans installed packages for components, which a server does once at
start); that floor is timed on an empty page and subtracted, and shown in its own column.

The same measurement runs side by side on a store built and read by the code of an earlier
commit (`--baseline-ref`, default the commit before the run store's quota; checked out into a
scratch directory with `git archive`), with fewer runs (`--baseline-runs`, default 100).

Goal: the Compare page with 1,000 stored runs appears in under a second.

    python -m benchmarks.store_list [--runs 1000] [--baseline-runs 100] [--baseline-ref REF]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BASELINE_REF = "92fb195"
GOAL_SECONDS = 1.0
PRESETS = ("tutorial", "recommended", "ema_smoothing", "ring_collapse", "high_lr", "minimax")
SESSIONS = 25
LOG_ROWS = 250  # a 2,500-step run logged every 10 steps


def uploaded_targets() -> list[Any]:
    from gan_core.config import MAX_POINTS, Target

    targets = []
    for seed in (1, 2):
        points = np.random.default_rng(seed).normal(size=(MAX_POINTS, 2)).round(6)
        targets.append(Target(kind="points", points=tuple(map(tuple, points.tolist()))))
    return targets


def run_config(
    i: int, n_runs: int, points_share: float, targets: list[Any]
) -> tuple[Any, str | None]:
    """Run i's config and preset. Counted from the newest run, so the newest (which the
    Compare page opens first) trains on an uploaded target."""
    from gan_core.presets import preset_config

    if ((n_runs - 1 - i) % 10) < round(points_share * 10):
        base = preset_config("tutorial").replace(target=targets[i % len(targets)])
        return base.replace(seed=i), None
    preset = PRESETS[i % len(PRESETS)]
    return preset_config(preset).replace(seed=i), preset


def log_rows(rng: np.random.Generator) -> Any:
    import pandas as pd

    from gan_core.training.history import COLUMNS

    frame = pd.DataFrame(rng.random((LOG_ROWS, len(COLUMNS))), columns=list(COLUMNS))
    frame["step"] = np.arange(1, LOG_ROWS + 1) * 10
    frame["epoch"] = frame["step"] // 250
    return frame


def build(data_dir: Path, n_runs: int, points_share: float) -> float:
    """Fill a store with `n_runs` runs; the seconds it took."""
    from gan_core.store.run_store import RunStore
    from gan_core.training.checkpoint import checkpoint_bytes
    from gan_core.training.trainer import Trainer

    started = time.perf_counter()
    store = RunStore(data_dir)
    targets = uploaded_targets()
    rng = np.random.default_rng(0)
    for i in range(n_runs):
        config, preset = run_config(i, n_runs, points_share, targets)
        run_id = store.create_run(config, preset=preset, session_id=f"session-{i % SESSIONS}")
        store.append_history(run_id, log_rows(rng))
        checkpoint = checkpoint_bytes(Trainer(config))
        store.finish(run_id, "finished", {"frechet": float(rng.random())}, checkpoint)
        if (i + 1) % 100 == 0:
            print(f"built {i + 1} runs", file=sys.stderr, flush=True)
    store.close()
    return time.perf_counter() - started


def measure(data_dir: Path) -> dict[str, float]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from gan_core.store.run_store import RunStore

    os.environ["GANSCOPE_DATA_DIR"] = str(data_dir)
    store = RunStore(data_dir)
    listed = []
    for _ in range(3):
        started = time.perf_counter()
        runs = store.list_runs()
        listed.append(time.perf_counter() - started)
    store.close()

    floor = harness_floor()
    page = str(Path.cwd() / "pages" / "2_Compare.py")
    st.cache_resource.clear()  # a fresh server: the page opens the store itself
    app = AppTest.from_file(page, default_timeout=600)
    started = time.perf_counter()
    app.run()
    cold = time.perf_counter() - started
    if app.exception:
        raise RuntimeError(f"the Compare page failed: {app.exception}")
    started = time.perf_counter()
    app.run()  # a rerun, as after a click
    rerun = time.perf_counter() - started
    other = AppTest.from_file(page, default_timeout=600)  # another session, same server
    started = time.perf_counter()
    other.run()
    warm = time.perf_counter() - started
    size = sum(f.stat().st_size for f in data_dir.iterdir() if f.is_file())
    return {
        "runs": len(runs),
        "list_runs_s": statistics.median(listed),
        "harness_s": floor,
        "compare_cold_s": cold - floor,
        "compare_new_session_s": warm - floor,
        # A rerun does not scan the packages again (its time is below the floor): kept whole.
        "compare_rerun_s": rerun,
        "store_mb": size / 1e6,
    }


def harness_floor() -> float:
    """What one AppTest run of an empty page takes (median of 3): the harness's own cost."""
    from streamlit.testing.v1 import AppTest

    with tempfile.TemporaryDirectory() as scratch:
        empty = Path(scratch) / "empty_page.py"
        empty.write_text("import streamlit as st\n\nst.write('')\n")
        times = []
        for _ in range(3):
            app = AppTest.from_file(str(empty), default_timeout=600)
            started = time.perf_counter()
            app.run()
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def baseline(ref: str, n_runs: int, points_share: float, scratch: Path) -> dict[str, float]:
    """The same build and measurement, in a subprocess, with the code of commit `ref`."""
    tree = scratch / "baseline-tree"
    tree.mkdir()
    archive = scratch / "tree.tar"
    subprocess.run(
        ["git", "-C", str(REPO_ROOT), "archive", "--format=tar", "-o", str(archive), ref],
        check=True,
    )
    with tarfile.open(archive) as tar:
        tar.extractall(tree, filter="data")
    (tree / "benchmarks" / "store_list.py").write_text(Path(__file__).read_text())
    output = subprocess.run(
        [sys.executable, "-m", "benchmarks.store_list", "--only-this-code"]
        + ["--runs", str(n_runs), "--points-share", str(points_share)]
        + ["--data", str(scratch / "baseline-data")],
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
    )
    if output.returncode != 0:
        raise RuntimeError(f"the baseline failed:\n{output.stderr[-3000:]}")
    return json.loads(output.stdout.splitlines()[-1])


def this_code(n_runs: int, points_share: float, data_dir: Path) -> dict[str, float]:
    built = build(data_dir, n_runs, points_share)
    return {"build_s": built, **measure(data_dir)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--baseline-runs", type=int, default=100)
    parser.add_argument("--baseline-ref", default=DEFAULT_BASELINE_REF)
    parser.add_argument("--points-share", type=float, default=0.1)
    parser.add_argument("--only-this-code", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.only_this_code:  # the baseline's subprocess: one JSON line
        print(json.dumps(this_code(args.runs, args.points_share, args.data)))
        return 0

    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        rows = []
        new = this_code(args.runs, args.points_share, scratch / "data")
        print(json.dumps(new), file=sys.stderr, flush=True)
        if args.baseline_runs:
            old = baseline(args.baseline_ref, args.baseline_runs, args.points_share, scratch)
            rows.append((f"{args.baseline_ref} (before)", old))
        rows.append(("this tree", new))
    print(
        "| code | runs | list_runs | Compare, fresh server | Compare, another session "
        "| Compare, rerun | AppTest floor (subtracted from first renders) | store on disk | build |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in rows:
        print(
            f"| {name} | {r['runs']:,} | {r['list_runs_s'] * 1000:,.0f} ms "
            f"| {r['compare_cold_s']:.2f} s | {r['compare_new_session_s']:.2f} s "
            f"| {r['compare_rerun_s']:.2f} s | {r['harness_s']:.2f} s "
            f"| {r['store_mb']:,.0f} MB | {r['build_s']:.0f} s |"
        )
    met = new["compare_new_session_s"] < GOAL_SECONDS
    print(
        f"\nGoal: Compare with {new['runs']:,} runs in under {GOAL_SECONDS:g} s for a session "
        f"of a running server: {'met' if met else 'NOT met'} "
        f"({new['compare_new_session_s']:.2f} s; fresh server {new['compare_cold_s']:.2f} s)."
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
