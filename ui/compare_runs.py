"""Which saved runs the Compare page shows, and which it may act on.

On a shared server every person's runs sit in one store. A session sees its own runs
(filed under its id, `ui/session/session_id.py`) and, when it asks, the runs published to
the class. It may rename, publish, unpublish and delete only its own; a teacher (who entered
the teacher key, `ui/session/teacher.py`) may also rename, unpublish and delete published
ones. Exporting is reading: any run the session may see.

Everything is re-read from the store when acting, and the store checks each permission again
in the transaction that acts, so a run deleted or unpublished in another tab since the page
was drawn is reported, never changed by mistake. Runs with no logged step yet (just started,
or stopped at once) have nothing to compare and are left out of the lists. No Streamlit here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from gan_core.i18n import N_
from gan_core.store.bundle import encode_bundle
from gan_core.store.damage import DamagedRun
from gan_core.store.record import RunRecord
from gan_core.store.rows import DAMAGED
from gan_core.store.run_store import Deletion, RunNotFound, RunStore

MINE = N_("Mine")  # the views' values; translated where shown
PUBLISHED = N_("Published to the class")
VIEWS = (MINE, PUBLISHED)


def visible(
    store: RunStore,
    session: str | None,
    preset: str | None = None,
    status: list[str] | None = None,
    since: date | None = None,
    until: date | None = None,
    view: str = MINE,
) -> pd.DataFrame:
    """The run list (`RunStore.list_runs` columns) this session may see in `view`, newest
    first, empty runs included (`listed` leaves them out)."""
    filters = dict(preset=preset, status=status, since=since, until=until)
    if view == PUBLISHED:
        return store.list_runs(published=True, **filters)
    if session is None:  # a session that never saved a run has none
        return store.list_runs(limit=0)
    return store.list_runs(session_id=session, **filters)


def empty(runs: pd.DataFrame) -> pd.Series:
    """The runs with no logged step. A damaged run is never counted empty: it stays listed
    so that it can be deleted."""
    return (runs.steps == 0) & (runs.status != DAMAGED)


def listed(runs: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The runs worth listing, and how many empty ones were left out."""
    hidden = empty(runs)
    return runs[~hidden], int(hidden.sum())


def own_ids(store: RunStore, session: str | None) -> set[int]:
    """The runs this session made, as the store holds them now."""
    if session is None:
        return set()
    return set(store.list_runs(session_id=session).id.tolist())


def readable_ids(store: RunStore, session: str | None) -> set[int]:
    """The runs this session may read (and so export): its own and the published ones."""
    return own_ids(store, session) | set(store.list_runs(published=True).id.tolist())


def may_change(run_id: int, own: set[int], published: set[int], teacher: bool) -> bool:
    """What the page offers; the store decides again when it acts (`RunStore.rename` ...)."""
    return run_id in own or (teacher and run_id in published)


def damaged(runs: pd.DataFrame) -> pd.DataFrame:
    return runs[runs.status == DAMAGED]


@dataclass
class Loaded:
    """The chosen runs read in full: those readable, and what became of the others."""

    records: list[RunRecord] = field(default_factory=list)
    gone: list[int] = field(default_factory=list)  # deleted since the list was read
    damaged: dict[int, str] = field(default_factory=dict)  # id -> what is wrong


def load(store: RunStore, run_ids: list[int]) -> Loaded:
    loaded = Loaded()
    for run_id in run_ids:
        try:
            loaded.records.append(store.get_run(run_id))
        except RunNotFound:
            loaded.gone.append(run_id)
        except DamagedRun as error:
            loaded.damaged[run_id] = error.problem
    return loaded


@dataclass(frozen=True)
class Export:
    """A runs file of the wanted runs that are still there, and why any others are not."""

    data: bytes
    exported: list[int]
    gone: list[int]  # deleted (or never this session's)
    damaged: list[int]


def export(store: RunStore, session: str | None, run_ids: list[int]) -> Export:
    readable = readable_ids(store, session)
    loaded = load(store, [i for i in run_ids if i in readable])
    return Export(
        data=encode_bundle(loaded.records),
        exported=[r.id for r in loaded.records if r.id is not None],
        gone=[i for i in run_ids if i not in readable] + loaded.gone,
        damaged=list(loaded.damaged),
    )


def delete(
    store: RunStore, session: str | None, run_ids: list[int], teacher: bool = False
) -> Deletion:
    """Delete those of the runs this session may delete; the rest are named as gone (deleted
    already) or refused (not its to delete)."""
    return store.delete_runs_of(run_ids, session, teacher=teacher)
