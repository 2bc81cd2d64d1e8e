"""What one live frame's figures cost the server: each figure's build and JSON, this tree
against a baseline commit, side by side.

A real frame: the tutorial preset trained by the engine for `--steps` steps, a history row
logged every `--log-every` steps (2,500 rows by default, where a run logs 500: a run
resumed or extended keeps up to 4,000), its snapshot taken as the live view takes it
(ui/session/session_job.py's VIEW) with every layer on (D's view, the ellipses, G's push,
G's warp, Best D*; the distance chart's JSD curve). The frame is pickled once (and kept in
the temp directory: training it takes minutes on a busy machine; `--fresh` trains it
again), and two worker processes, one importing this tree's gan_core and one a `git
archive` of the baseline's, build the four figures the way ui/live/charts.py does
(`*_spec` then `figure_json`), in alternating rounds, so the shared machine's load weighs
on both alike. Each round times `--repeats` builds of each figure (CPU time of the worker,
median); the table gives the median over the rounds and the ratio this tree / baseline.

    python -m benchmarks.figure_cost [--rounds 7] [--repeats 15] [--baseline 6442c31]
        [--steps 2500] [--log-every 1] [--fresh]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ("plane", "loss", "accuracy", "distance")
# ui/session/session_job.py's VIEW (not imported: that module starts the training workers):
# points a side, D's grid resolution, the plane's bounds (fitted afresh), arrows.
LIVE_VIEW = (500, 40, None, 40)
EVERY_LAYER = ("field", "ellipses", "arrows", "warp", "optimal")


def make_frame(steps: int, log_every: int) -> dict:
    """The tutorial preset trained for `steps` steps, as the live view would get it."""
    from gan_core.presets import preset_config
    from gan_core.training.trainer import Trainer

    config = preset_config("tutorial")
    epochs = max(1, -(-steps * config.batch_size // config.n_samples))
    trainer = Trainer(config.replace(epochs=epochs), log_every=log_every)
    trainer.run(steps)
    snapshot = trainer.snapshot(*LIVE_VIEW)
    history = trainer.history.to_frame()
    return dict(config=config, snapshot=snapshot, history=history)


def kept_frame(steps: int, log_every: int, fresh: bool) -> str:
    """The path of the frame's pickle, trained now if not kept from an earlier run."""
    path = Path(tempfile.gettempdir()) / f"ganscope_figure_cost_{steps}_{log_every}.pickle"
    if fresh or not path.exists():
        started = time.perf_counter()
        frame = make_frame(steps, log_every)
        print(f"trained the frame in {time.perf_counter() - started:.0f} s")
        with open(path.with_suffix(".part"), "wb") as file:
            pickle.dump(frame, file)
        path.with_suffix(".part").replace(path)
    with open(path, "rb") as file:
        rows = len(pickle.load(file)["history"])
    print(f"frame: the tutorial preset, {steps:,} steps, {rows:,} history rows, every layer on")
    return str(path)


def builders(frame: dict) -> dict:
    """Each figure's build as the live view calls it (ui/live/charts.py)."""
    from gan_core.figures.curves import distance_spec, loss_spec
    from gan_core.figures.plane import plane_spec
    from gan_core.figures.plotly_json import figure_json
    from gan_core.figures.signals import d_signals_spec
    from gan_core.training.losses import EQUILIBRIUM_D_LOSS

    snapshot, history, config = frame["snapshot"], frame["history"], frame["config"]
    layers = frozenset(EVERY_LAYER)
    return {
        "plane": lambda: figure_json(plane_spec(snapshot, snapshot.bounds, layers=layers)),
        "loss": lambda: figure_json(loss_spec(history, EQUILIBRIUM_D_LOSS, uirevision="loss r")),
        "accuracy": lambda: figure_json(d_signals_spec(history, config.loss, "accuracy r")),
        "distance": lambda: figure_json(
            distance_spec(history, config.has_exact_metrics, uirevision="distance r")
        ),
    }


def worker(frame_path: str) -> None:
    """Answer each line on stdin ("<repeats>") with one round's medians, in ms, as JSON."""
    import gan_core

    with open(frame_path, "rb") as file:
        frame = pickle.load(file)
    builds = builders(frame)
    built = {name: build() for name, build in builds.items()}  # a warm-up, and the JSON
    sizes = {name: len(text) for name, text in built.items()}
    digests = {name: hashlib.sha256(text.encode()).hexdigest() for name, text in built.items()}
    header = dict(source=gan_core.__file__, sizes=sizes, digests=digests)
    print(json.dumps(header), flush=True)
    for line in sys.stdin:
        repeats = int(line)
        medians = {}
        for name, build in builds.items():
            times = []
            for _ in range(repeats):
                started = time.process_time()
                build()
                times.append(time.process_time() - started)
            medians[name] = 1000 * statistics.median(times)
        print(json.dumps(medians), flush=True)


class Worker:
    def __init__(self, tree: Path, frame_path: str) -> None:
        env = {**os.environ, "PYTHONPATH": str(tree), "OMP_NUM_THREADS": "1"}
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--worker", frame_path],
            cwd=tree,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.header = json.loads(self._line())
        self.rounds: list[dict[str, float]] = []

    def _line(self) -> str:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("a benchmark worker ended early (its error is above)")
        return line

    def round(self, repeats: int) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(f"{repeats}\n")
        self.process.stdin.flush()
        self.rounds.append(json.loads(self._line()))

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


def baseline_tree(ref: str, into: Path) -> Path:
    """The baseline commit's gan_core, from git: all the figures and the pickled frame need."""
    archive = into / "baseline.tar"
    subprocess.run(["git", "archive", "-o", str(archive), ref, "gan_core"], cwd=ROOT, check=True)
    tree = into / "baseline"
    tree.mkdir()
    with tarfile.open(archive) as tar:
        tar.extractall(tree, filter="data")
    return tree


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--baseline", default="6442c31")
    parser.add_argument("--steps", type=int, default=2_500)
    parser.add_argument("--log-every", type=int, default=1)
    parser.add_argument("--fresh", action="store_true", help="train the frame again")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker)
        return
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as scratch:
        frame_path = kept_frame(args.steps, args.log_every, args.fresh)
        trees = {"baseline": baseline_tree(args.baseline, Path(scratch)), "this tree": ROOT}
        workers = {name: Worker(tree, frame_path) for name, tree in trees.items()}
        try:
            for _ in range(args.rounds):
                for each in workers.values():  # alternating: both see the same load
                    each.round(args.repeats)
        finally:
            for each in workers.values():
                each.close()
    report(workers, args)


def report(workers: dict[str, Worker], args: argparse.Namespace) -> None:
    base, this = workers["baseline"], workers["this tree"]
    for name, each in workers.items():
        print(f"{name}: {each.header['source']}")
    print(f"\nCPU ms per build (spec + figure_json), median of {args.rounds} rounds "
          f"of {args.repeats} builds; ratio = this tree / baseline {args.baseline}, per round "
          "then median")  # fmt: skip
    print(f"{'figure':<10}{'baseline':>10}{'this tree':>11}{'ratio':>8}"
          f"{'JSON bytes, base → this':>28}  same JSON")  # fmt: skip
    totals = {"baseline": 0.0, "this tree": 0.0}
    for figure in FIGURES:
        before = statistics.median(r[figure] for r in base.rounds)
        after = statistics.median(r[figure] for r in this.rounds)
        ratio = statistics.median(t[figure] / b[figure] for b, t in zip(base.rounds, this.rounds))
        totals["baseline"] += before
        totals["this tree"] += after
        sizes = f"{base.header['sizes'][figure]:,} → {this.header['sizes'][figure]:,}"
        same = base.header["digests"][figure] == this.header["digests"][figure]
        print(f"{figure:<10}{before:>10.2f}{after:>11.2f}{ratio:>8.2f}{sizes:>28}  "
              f"{'yes' if same else 'no'}")  # fmt: skip
    print(f"{'all four':<10}{totals['baseline']:>10.2f}{totals['this tree']:>11.2f}"
          f"{totals['this tree'] / totals['baseline']:>8.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
