"""The small multiples: the newest published runs in a grid, each its plane, curve and name.

At most `MAX_DRAWN` runs are drawn, whatever a class publishes, with a note naming how many
more there are; a run that cannot be drawn (damaged, or deleted a moment ago) is left out
with one line saying why, and the rest of the board stays.
"""

from __future__ import annotations

import math
from dataclasses import replace

import pandas as pd
import streamlit as st

from gan_core.config import ConfigError
from gan_core.formatting import format_distance
from gan_core.i18n import _
from gan_core.store.damage import DamagedRun
from gan_core.store.record import LOST
from gan_core.store.run_store import RunNotFound, RunStore
from ui.board.tiles import Tile, tile
from ui.compare_table import status_name
from ui.plain_text import plain

MAX_DRAWN = 24
PER_ROW = 4
STATIC = {"staticPlot": True, "displayModeBar": False}  # small multiples are for looking


def render(store: RunStore, runs: pd.DataFrame, published: int) -> list[str]:
    """Draw up to MAX_DRAWN of `runs` (the sound rows of the published list, newest first);
    returns one line for each run that could not be drawn."""
    skipped: list[str] = []
    tiles: list[Tile] = []
    for run in runs.head(MAX_DRAWN).itertuples():
        try:
            # The status as listed now: a run goes from running to lost with no write
            # (its server stopped), which the cached tile, keyed by its last write, misses.
            tiles.append(replace(tile(store, int(run.id), run.updated), status=str(run.status)))
        except (ConfigError, RunNotFound) as error:  # DamagedRun is a ConfigError
            skipped.append(skip_note(run.label, error))
    if published > MAX_DRAWN:
        st.caption(
            _(
                "The {drawn} newest of {published} published runs are drawn; the leaderboard "
                "ranks more."
            ).format(drawn=MAX_DRAWN, published=f"{published:,}")
        )
    for start in range(0, len(tiles), PER_ROW):
        for column, one in zip(st.columns(PER_ROW), tiles[start : start + PER_ROW], strict=False):
            with column, st.container(border=True, key=f"board_tile_{one.run_id}"):
                _draw(one)
    return skipped


def skip_note(label: str, error: Exception) -> str:
    """One line for a run left off the board, and why."""
    if isinstance(error, DamagedRun):
        return _("{run} is skipped: it is damaged ({problem}).").format(
            run=label, problem=error.problem
        )
    if isinstance(error, RunNotFound):
        return _("{run} is skipped: it was deleted a moment ago.").format(run=label)
    return _("{run} is skipped: {error}.").format(run=label, error=error)


def _draw(one: Tile) -> None:
    st.markdown(f"**{plain(one.label)}**")
    if one.plane is not None:
        st.plotly_chart(one.plane, config=STATIC, key=f"board_plane_{one.run_id}")
    elif one.status == LOST:
        st.caption(_("No plane: its server stopped before it saved any weights."))
    else:
        st.caption(_("No final plane yet: the run is still training."))
    st.plotly_chart(one.curve, config=STATIC, key=f"board_curve_{one.run_id}")
    distance = format_distance(one.distance) if math.isfinite(one.distance) else _("none yet")
    st.caption(
        _("distance {distance} · {status}").format(
            distance=distance, status=status_name(one.status)
        )
    )
