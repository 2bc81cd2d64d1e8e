"""`python -m gan_core sweep`: a sweep from the command line.

    python -m gan_core sweep --preset tutorial --axis lr_d=logspace:1e-3:0.5:8 \\
        --axis lr_g=0.001,0.01,0.1 --seeds 3 --json

Without --json it prints one line per cell; with --json, one JSON object on stdout (see
`SweepResult.to_dict`). Progress goes to stderr unless --quiet, so it never mixes with the
JSON. Bad input: one line on stderr, exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# gan_core.cli imports this module only inside build_parser: no import cycle.
from gan_core.cli import read_config_file, thread_count
from gan_core.config import ConfigError, GanConfig, quote_value
from gan_core.formatting import DIVERGED, format_distance
from gan_core.presets import PRESETS, preset_config
from gan_core.progress import progress_bar, show_progress
from gan_core.sweep.axes import MAX_AXES, parse_axis
from gan_core.sweep.result import SweepResult
from gan_core.sweep.run import AXIS_KEYS, MAX_SWEEP_RUNS, plan_sweep, run_plan

EXIT_BAD_INPUT = 2


def add_sweep_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--preset", default=None, help=f"base preset (default: tutorial): {', '.join(PRESETS)}"
    )
    source.add_argument("--config", type=Path, help="base config: a config JSON file")
    parser.add_argument(
        "--axis",
        action="append",
        default=[],
        metavar="KEY=V1,V2,...",
        help=(
            f"a setting to vary (at most {MAX_AXES}): {', '.join(AXIS_KEYS)}; values as a "
            "list or logspace:FROM:TO:COUNT / linspace:FROM:TO:COUNT"
        ),
    )
    parser.add_argument(
        "--seeds",
        default="1",
        help="runs per cell, seeds base+0, base+1, ... (default: 1)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    parser.add_argument(
        "--threads",
        type=thread_count,
        default=1,
        help="torch threads (1 is fastest for these networks)",
    )


def base_config(args: argparse.Namespace) -> GanConfig:
    if getattr(args, "config", None) is not None:
        return read_config_file(args.config)
    return preset_config(args.preset or "tutorial")


def parse_seeds(text: str) -> int:
    try:
        seeds = int(str(text).strip())
    except ValueError:
        raise ConfigError("seeds", f"{quote_value(text)} is not a whole number") from None
    if not 1 <= seeds <= MAX_SWEEP_RUNS:
        raise ConfigError("seeds", f"{seeds} is out of range: allowed 1 to {MAX_SWEEP_RUNS}")
    return seeds


def sweep_command(args: argparse.Namespace) -> int:
    try:
        if len(args.axis) > MAX_AXES:
            raise ConfigError("axis", f"{len(args.axis)} axes given: at most {MAX_AXES}")
        plan = plan_sweep(
            base_config(args), [parse_axis(spec) for spec in args.axis], parse_seeds(args.seeds)
        )
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    threads = getattr(args, "threads", 1)  # checked by thread_count
    with progress_bar(plan.run_steps, quiet=args.quiet) as bar:
        result = run_plan(plan, lambda done, _total: show_progress(bar, done), threads=threads)
    if args.json:
        print(result.to_json())
    else:
        print_cells(result)
    return 0


def print_cells(result: SweepResult) -> None:
    print(
        f"{result.n_runs} runs × {result.iterations:,} iterations in {result.seconds:.2f} s "
        f"({result.iterations_per_second:,.0f} iterations/s); distance: {result.metric_label}"
    )
    keys = result.keys
    distances = ["median", "min", "max"]
    header = [*keys, *distances, "diverged"]
    print("  ".join(f"{h:>10}" for h in header))
    for row in result.cells.to_dict("records"):
        values = [
            format_distance(row[k], infinity=DIVERGED) if k in distances else _setting(row[k])
            for k in header
        ]
        print("  ".join(f"{v:>10}" for v in values))


def _setting(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)
