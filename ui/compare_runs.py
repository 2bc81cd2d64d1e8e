"""Which saved runs the Compare page shows, and which it may export or delete: a session's own.

On a shared server every person's runs sit in one store; a session sees, exports and
deletes only the runs filed under its own id (`ui/session/session_id.py`). Two sets are
kept apart on purpose: `visible` is what the page lists, `own` what it may act on. Today
they are the same runs; a set that everyone may see (runs published to a class) would join
`visible` only, and exporting or deleting would still ask `own`.

Everything is re-read from the store when acting, so a run deleted in another tab since the
page was drawn is reported as gone, never exported or deleted by mistake. No Streamlit here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from gan_core.store.bundle import encode_bundle
from gan_core.store.damage import DamagedRun
from gan_core.store.record import RunRecord
from gan_core.store.rows import DAMAGED
from gan_core.store.run_store import RunNotFound, RunStore


def visible(
    store: RunStore,
    session: str | None,
    preset: str | None = None,
    status: list[str] | None = None,
    since: date | None = None,
    until: date | None = None,
) -> pd.DataFrame:
    """The run list (`RunStore.list_runs` columns) this session may see, newest first."""
    if session is None:  # a session that never saved a run has none
        return store.list_runs(limit=0)
    return store.list_runs(
        preset=preset, status=status, since=since, until=until, session_id=session
    )


def own_ids(store: RunStore, session: str | None) -> set[int]:
    """The runs this session may export and delete, as the store holds them now."""
    if session is None:
        return set()
    return set(store.list_runs(session_id=session).id.tolist())


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
    mine = own_ids(store, session)
    loaded = load(store, [i for i in run_ids if i in mine])
    return Export(
        data=encode_bundle(loaded.records),
        exported=[r.id for r in loaded.records if r.id is not None],
        gone=[i for i in run_ids if i not in mine] + loaded.gone,
        damaged=list(loaded.damaged),
    )


def delete(store: RunStore, session: str | None, run_ids: list[int]) -> int:
    """Delete those of the runs that are this session's; how many were deleted (fewer when
    some were already gone)."""
    mine = own_ids(store, session)
    return store.delete_runs([i for i in run_ids if i in mine])
