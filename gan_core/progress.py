"""The CLI's progress bar: tqdm on stderr with percent, steps per second, ETA and the
current distance. tqdm redraws at most every REDRAW_SECONDS, so drawing never slows the
training it reports; `quiet` makes it draw nothing at all.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping

from tqdm import tqdm

from gan_core.formatting import format_distance

REDRAW_SECONDS = 0.2
# tqdm fills in each field; {postfix} is ", Fréchet² …" once a distance is known.
BAR_FORMAT = "{percentage:5.1f}%|{bar}| {n_fmt}/{total_fmt}  {rate_fmt}  ETA {remaining}{postfix}"


def progress_bar(total: int, quiet: bool) -> tqdm:
    """A bar over `total` training steps; close it (or use it as a context manager)."""
    return tqdm(
        total=total,
        file=sys.stderr,
        disable=quiet,
        unit=" steps",
        mininterval=REDRAW_SECONDS,
        bar_format=BAR_FORMAT,
    )


def show_progress(bar: tqdm, done: int, last_row: Mapping[str, float] | None = None) -> None:
    """Move the bar to `done` steps; `last_row` (the history's last row) gives the distance."""
    if last_row is not None and "frechet" in last_row:
        # No redraw here: the update below redraws when REDRAW_SECONDS have passed.
        bar.set_postfix_str(f"Fréchet² {format_distance(last_row['frechet'])}", refresh=False)
    bar.update(done - bar.n)
