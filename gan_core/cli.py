"""Command line: `python -m gan_core train|presets|sweep|runs`.

Settings are resolved in one order: a preset or a config file, then the named options
(`--seed`, `--lr-d`, ...), then `--set KEY=VALUE` (the same keys as a share link). Every
value goes through the one config validation, so the CLI refuses exactly what the app
refuses, with the same message. Bad input: one line on stderr, exit status 2.

`train --resume PATH` continues a saved run instead (training/resume.py) and takes no
settings that would change it.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sqlite3
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import torch

from gan_core.config import ConfigError, GanConfig, quote_value
from gan_core.formatting import format_distance
from gan_core.presets import PRESETS, preset_config
from gan_core.progress import progress_bar, show_progress
from gan_core.serialize import MAX_JSON_BYTES, from_json, from_query, to_dict, to_json, to_query
from gan_core.store.paths import data_dir_from_environment
from gan_core.training.checkpoint import checkpoint_bytes
from gan_core.training.resume import resume
from gan_core.training.trainer import Diverged, Trainer
from gan_core.user_files import check_output_dir, read_user_file, shown_path, write_user_files

if TYPE_CHECKING:  # the store is imported only when a run is recorded
    import pandas as pd
    from tqdm import tqdm

    from gan_core.store.recorder import RunRecorder

DEFAULT_PRESET = "tutorial"
EXIT_BAD_INPUT = 2
EXIT_DIVERGED = 3
EXIT_INTERNAL_ERROR = 1
OUT_FILES = ("config.json", "history.csv", "checkpoint.pt", "replay.html")
# torch threads beyond the cores this process may use only contend with each other (and, on
# a shared server, with everyone else's runs); past 64, even a large machine gains nothing
# on networks this small. One thread is the fastest for them anyway.
MAX_THREADS = 64


class CliError(Exception):
    """Bad input from the command line: reported as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one clear line instead of usage + message
        raise CliError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m gan_core", description="Train and inspect tiny 2-D GANs.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    train = commands.add_parser("train", help="train one run")
    source = train.add_mutually_exclusive_group()
    source.add_argument("--preset", help=f"preset name (default: {DEFAULT_PRESET})")
    source.add_argument("--config", type=Path, help="a config JSON file")
    add_resume_argument(train)
    train.add_argument("--seed", type=int)
    train.add_argument("--epochs", type=int)
    train.add_argument("--batch-size", type=int)
    train.add_argument("--lr-d", type=float)
    train.add_argument("--lr-g", type=float)
    train.add_argument("--mean", type=float, nargs=2, metavar=("X", "Y"))
    train.add_argument(
        "--cov", type=float, nargs=4, metavar=("A", "B", "C", "D"), help="covariance, row-major 2x2"
    )
    train.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="any setting, with the keys of a share link (repeatable)",
    )
    train.add_argument(
        "--out",
        type=Path,
        help="write config.json, history.csv, checkpoint.pt and replay.html here",
    )
    train.add_argument(
        "--store",
        action="store_true",
        help="record the run in the run store ($GANSCOPE_DATABASE_URL, else $GANSCOPE_DATA_DIR)",
    )
    train.add_argument("--json", action="store_true", help="print one JSON summary at the end")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    train.add_argument(
        "--threads",
        type=thread_count,
        default=1,
        help="torch threads (1 is fastest for these small networks)",
    )
    commands.add_parser("presets", help="list the presets")
    try:
        from gan_core.sweep.cli import add_sweep_arguments
    except ImportError:  # the sweep is optional for the rest of the CLI
        pass
    else:
        add_sweep_arguments(commands.add_parser("sweep", help="train a grid of runs at once"))
    add_runs_arguments(commands.add_parser("runs", help="list the runs in the run store"))
    return parser


def usable_cores() -> int:
    """The CPU cores this process may run on (its affinity, where the system reports one)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def thread_count(text: str) -> int:
    """--threads: a whole number from 1 to the usable cores (at most MAX_THREADS)."""
    highest = min(MAX_THREADS, usable_cores())
    try:
        threads = int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{quote_value(text)} is not a whole number") from None
    if not 1 <= threads <= highest:
        raise argparse.ArgumentTypeError(
            f"{quote_value(threads)} is out of range: allowed 1 to {highest} "
            "(the CPU cores this process may use)"
        )
    return threads


def read_config_file(path: str | os.PathLike[str]) -> GanConfig:
    """A config JSON file named on the command line, read with the size cap checked first."""
    return from_json(read_user_file(path, field="config", limit=MAX_JSON_BYTES))


def resolve_config(args: argparse.Namespace) -> GanConfig:
    """Preset or file, then named options, then --set: all validated by GanConfig."""
    if args.config is not None:
        base = read_config_file(args.config)
    else:
        base = preset_config(args.preset or DEFAULT_PRESET)
    query = to_query(base)
    named = {
        "seed": args.seed,
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "lr_d": args.lr_d,
        "lr_g": args.lr_g,
    }
    query.update({key: repr(value) for key, value in named.items() if value is not None})
    if args.mean is not None:
        query["mean"] = ",".join(repr(v) for v in args.mean)
    if args.cov is not None:
        query["cov"] = ",".join(repr(v) for v in args.cov)
    for item in args.set:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise CliError(f"--set {quote_value(item)}: expected KEY=VALUE")
        query[key.strip()] = value.strip()
    return from_query(query)


def train_command(args: argparse.Namespace) -> int:
    resumed = resumed_trainer(args) if args.resume is not None else None
    config = resumed.config if resumed else resolve_config(args)
    if args.out is not None:
        args.out = checked_out_dir(args.out)  # refused before training, not after
    torch.set_num_threads(args.threads)
    trainer = resumed or Trainer(config)
    first_step = trainer.step_count
    preset = None if args.config or resumed else args.preset or DEFAULT_PRESET
    recorder = start_recording(config, preset=preset) if args.store else None
    progress = progress_bar(config.total_steps, quiet=args.quiet)
    start_progress_at(progress, first_step)
    started = time.perf_counter()
    status, message = "finished", ""
    try:
        while not trainer.finished:
            trainer.run(n_steps=max(1, config.total_steps // 200))
            show_progress(progress, trainer.step_count, trainer.history.last())
            if recorder:  # saved as it trains: a killed run keeps its log up to the last second
                recorder.observe(trainer)
    except Diverged as error:
        status, message = "diverged", str(error)
    except KeyboardInterrupt:
        status, message = "stopped", "interrupted"
        progress.close()
        if recorder:
            recorder.finish_trainer(trainer, status, message=message)
        raise
    seconds = time.perf_counter() - started
    progress.close()
    if status == "diverged":
        print(f"diverged: {message}", file=sys.stderr)
    if args.out is not None:
        write_outputs(trainer, args.out)
    if recorder:
        recorder.finish_trainer(trainer, status, message=message)
        if recorder.error:
            print(f"warning: the run store did not take the run: {recorder.error}", file=sys.stderr)
    if args.json:
        steps = trainer.step_count - first_step
        print(json.dumps(summary(trainer, status, message, seconds, steps), default=_json_default))
    elif status == "finished":
        last = trainer.snapshot(n_points=0).metrics
        print(
            f"finished {trainer.step_count} steps in {seconds:.2f} s; "
            f"squared Fréchet distance {format_distance(last['frechet'])}"
        )
    return 0 if status == "finished" else EXIT_DIVERGED


def summary(
    trainer: Trainer, status: str, message: str, seconds: float, steps_taken: int | None = None
) -> dict:
    """The run's end as JSON data; `steps_taken` (all of them by default) sets the speed."""
    taken = trainer.step_count if steps_taken is None else steps_taken
    snapshot = trainer.snapshot(n_points=0, full_metrics=True) if status == "finished" else None
    metrics = snapshot.metrics if snapshot else {}
    if snapshot and snapshot.gen_moments_exact:  # G's exact Gaussian: affine G, Gaussian noise
        metrics.update(generator_mean=snapshot.gen_mean, generator_cov=snapshot.gen_cov)
    acc_real, acc_fake = trainer.d_accuracy() if status == "finished" else (math.nan, math.nan)
    return {
        "status": status,
        "message": message,
        "config": to_dict(trainer.config),
        "steps": trainer.step_count,
        "train_seconds": seconds,
        "steps_per_second": taken / seconds if seconds > 0 else None,
        "loss_d": trainer.loss_d,
        "loss_g": trainer.loss_g,
        "d_accuracy": (acc_real + acc_fake) / 2,
        "d_accuracy_real": acc_real,
        "d_accuracy_fake": acc_fake,
        "frechet": metrics.get("frechet"),
        "metrics": metrics,
    }


def _json_default(value: object) -> object:
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def checked_out_dir(out: Path) -> Path:
    """--out must stay inside the working directory or the data directory, and neither it
    nor the files it will hold may be symbolic links.

    A command line is often pasted from a share or a script: a path must never be a way to
    write files somewhere the user did not mean, such as a system directory or, through a
    planted link, a file elsewhere. (Links among its parent directories are followed: the
    place they lead to must still be inside the allowed directories.)
    """
    try:
        check_output_dir(out.expanduser(), OUT_FILES, field="--out")
        resolved = out.expanduser().resolve()
        roots = [Path.cwd().resolve(), data_dir_from_environment().expanduser().resolve()]
    except OSError as error:  # e.g. a name longer than the file system allows
        raise ConfigError("--out", f"{shown_path(out)}: {error.strerror}") from None
    if not any(resolved == root or root in resolved.parents for root in roots):
        allowed = " or ".join(shown_path(root) for root in roots)
        raise CliError(f"--out {shown_path(out)}: outside the allowed directories ({allowed})")
    return resolved


def write_outputs(trainer: Trainer, out: Path) -> None:
    files = {
        "config.json": to_json(trainer.config).encode(),
        "history.csv": trainer.history.to_frame().to_csv(index=False).encode(),
        "checkpoint.pt": checkpoint_bytes(trainer),
    }
    frames = trainer.timeline.frames()
    if frames:  # none only when a run diverged before its first logged step
        from gan_core.figures.replay_html import replay_html  # plotly: only when written

        files["replay.html"] = replay_html(trainer.config, frames, "GANscope run").encode()
    write_user_files(out, files, field="--out")


def start_recording(config: GanConfig, preset: str | None) -> RunRecorder:
    from gan_core.store.recorder import RunRecorder
    from gan_core.store.run_store import store_from_environment

    return RunRecorder(store_from_environment(), config, preset=preset, source="cli")


# ---------------------------------------------------------------------- train --resume
# A resumed run is the saved run, going on: an option that would make it another run is
# refused rather than silently ignored. --epochs, --out, --store, --json, --quiet and
# --threads change only how far it goes, where it is written and how it is shown.
RUN_CHANGING_OPTIONS = {
    "preset": "--preset",
    "config": "--config",
    "seed": "--seed",
    "batch_size": "--batch-size",
    "lr_d": "--lr-d",
    "lr_g": "--lr-g",
    "mean": "--mean",
    "cov": "--cov",
    "set": "--set",
}


def add_resume_argument(train: argparse.ArgumentParser) -> None:
    train.add_argument(
        "--resume",
        type=Path,
        metavar="PATH",
        help="continue a saved run: a checkpoint file, or a directory `--out` wrote; "
        "--epochs N then means N epochs in all (default: the run's own)",
    )


def resumed_trainer(args: argparse.Namespace) -> Trainer:
    """The run saved at --resume, set to train on to --epochs in all."""
    given = [
        flag for name, flag in RUN_CHANGING_OPTIONS.items() if getattr(args, name) not in (None, [])
    ]
    if given:
        raise CliError(
            f"--resume continues the saved run with its own settings: {', '.join(given)} "
            "would change them (with --resume, only --epochs, --out, --store, --json, "
            "--quiet and --threads)"
        )
    return resume(args.resume, args.epochs)


def start_progress_at(bar: tqdm, done: int) -> None:
    """A resumed run's bar starts at its step, with its speed measured from there."""
    bar.n = bar.last_print_n = bar.initial = done
    if done:
        bar.refresh()


def presets_command(_args: argparse.Namespace) -> int:
    width = max(len(name) for name in PRESETS)
    for preset in PRESETS.values():
        print(f"{preset.name:<{width}}  {preset.explanation}")
    return 0


# ---------------------------------------------------------------------- runs: the store's list

RUNS_FIELDS = ("id", "name", "status", "steps", "final_distance", "published")


def add_runs_arguments(runs: argparse.ArgumentParser) -> None:
    runs.add_argument("--json", action="store_true", help="print the runs as a JSON list")
    runs.add_argument("--all", action="store_true", help="also the runs with no logged step")


def runs_command(args: argparse.Namespace) -> int:
    """The runs of the store on `$GANSCOPE_DATABASE_URL` if set, else in `$GANSCOPE_DATA_DIR`
    (else ./data), newest first. A store file must exist already: a list never creates one
    (a PostgreSQL database gets the store's tables, empty, as the app would give it)."""
    from gan_core.store.paths import DEFAULT_DB_NAME, check_data_dir
    from gan_core.store.run_store import RunStore
    from gan_core.store.sql.postgres import database_url_from_environment, described, psycopg

    url = database_url_from_environment()  # a bad one: ConfigError, exit status 2
    if url is not None:
        try:
            store = RunStore(database_url=url)
            try:
                runs = store.list_runs()
            finally:
                store.close()
        except psycopg.Error as error:  # the server went away between two statements
            raise CliError(f"the run store cannot be read ({described(error, url)})") from None
        return print_runs(runs, args)
    data_dir = check_data_dir(data_dir_from_environment())
    if not (data_dir / DEFAULT_DB_NAME).is_file():
        raise CliError(
            f"no run store in {shown_path(data_dir)} (set GANSCOPE_DATA_DIR to the data "
            "directory the app or `train --store` writes to)"
        )
    try:
        store = RunStore(data_dir)
        try:
            runs = store.list_runs()
        finally:
            store.close()
    except sqlite3.Error as error:  # a file that is a database, but not one we can read
        raise CliError(
            f"the run store in {shown_path(data_dir)} cannot be read ({error})"
        ) from None
    return print_runs(runs, args)


def print_runs(runs: pd.DataFrame, args: argparse.Namespace) -> int:
    """The listed runs (`RunStore.list_runs`) as a table, or as JSON with `--json`."""
    empty = runs.steps == 0
    if not args.all:
        runs = runs[~empty]
    rows = [run_row(run) for run in runs.to_dict("records")]
    if args.json:
        print(json.dumps(rows))
        return 0
    print(runs_table(rows))
    hidden = int(empty.sum())
    if hidden and not args.all:
        print(f"({hidden} run(s) with no logged step not shown; --all shows them)")
    return 0


def run_row(run: dict[Any, Any]) -> dict[str, object]:
    """One listed run (`RunStore.list_runs` columns) as plain JSON-ready values."""
    distance = float(run["frechet"])
    return {
        "id": int(run["id"]),
        "name": run["name"],  # None for a damaged row whose name cannot be read
        "status": str(run["status"]),
        "steps": int(run["steps"]),
        "final_distance": distance if math.isfinite(distance) else None,
        "published": bool(run["published"]),
    }


def runs_table(rows: list[dict[str, Any]]) -> str:
    """Rows as aligned text columns, numbers to the right."""
    header = ["id", "name", "status", "steps", "final distance", "published"]
    cells = [
        [
            str(row["id"]),
            row["name"] or "(unreadable name)",
            row["status"],
            f"{row['steps']:,}",
            "—" if row["final_distance"] is None else format_distance(row["final_distance"]),
            "yes" if row["published"] else "no",
        ]
        for row in rows
    ]
    widths = [max(len(line[i]) for line in [header, *cells]) for i in range(len(header))]
    right = {0, 3, 4}  # id, steps, distance
    lines = [
        "  ".join(
            cell.rjust(width) if i in right else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(line, widths, strict=True))
        ).rstrip()
        for line in [header, *cells]
    ]
    if not cells:
        lines.append("(no runs)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        if args.command == "train":
            return train_command(args)
        if args.command == "presets":
            return presets_command(args)
        if args.command == "runs":
            return runs_command(args)
        from gan_core.sweep.cli import sweep_command

        return sweep_command(args)
    except (CliError, ConfigError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (e.g. `| head`): nothing left to say
        sys.stderr.close()
        return 0
    except MemoryError:
        print("error: out of memory", file=sys.stderr)
        return EXIT_INTERNAL_ERROR
    except Exception as error:  # a bug of ours: one line, not a traceback, and not exit 2
        print(f"internal error: {_one_line(error)}", file=sys.stderr)
        return EXIT_INTERNAL_ERROR


def _one_line(error: BaseException) -> str:
    text = str(error).strip()
    first = text.splitlines()[0][:200] if text else ""
    return f"{type(error).__name__}: {first}" if first else type(error).__name__
