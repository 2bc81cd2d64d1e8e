"""Where a run stands: one word, shared by jobs, frames, the run store, bundles and pages.

A `str` enum, so a status compares equal to its word ("running"), is stored in SQLite and
JSON as that word, and a word read back from either turns into the member again.
"""

from __future__ import annotations

from enum import Enum

from gan_core.config import quote_value
from gan_core.i18n import N_, _


class RunStatus(str, Enum):  # noqa: UP042 (str mixin: a status is its word)
    STARTING = "starting"
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"
    DIVERGED = "diverged"
    STOPPED = "stopped"
    ERROR = "error"
    # The server's state, not the run's: waiting for a free slot. Shown, never stored.
    QUEUED = "queued"

    def __str__(self) -> str:  # the word itself in messages and f-strings
        return self.value

    @property
    def label(self) -> str:
        """The status as a page shows it, in the reader's language ("finished": 已完成).
        The value itself stays the English word: it is what is stored and compared."""
        return _(LABELS[self])

    @property
    def ended(self) -> bool:
        """The run is over: nothing about it will change any more."""
        return self in ENDED

    @classmethod
    def stored(cls) -> tuple[RunStatus, ...]:
        """The statuses a saved run can have (every one but QUEUED), in their usual order."""
        return tuple(status for status in cls if status is not cls.QUEUED)

    @classmethod
    def parse_stored(cls, value: object) -> RunStatus:
        """`value` as a saved run's status; ValueError naming the allowed words if it is not."""
        allowed = cls.stored()
        if isinstance(value, str) and value in allowed:
            return cls(value)
        words = ", ".join(s.value for s in allowed)
        raise ValueError(f"{quote_value(value)} is not one of {words}")


# The shown words, one per status (Title Case where a page wants it is the page's business).
LABELS = {
    RunStatus.STARTING: N_("starting"),
    RunStatus.RUNNING: N_("running"),
    RunStatus.PAUSED: N_("paused"),
    RunStatus.FINISHED: N_("finished"),
    RunStatus.DIVERGED: N_("diverged"),
    RunStatus.STOPPED: N_("stopped"),
    RunStatus.ERROR: N_("error"),
    RunStatus.QUEUED: N_("queued"),
}
ENDED = frozenset({RunStatus.FINISHED, RunStatus.DIVERGED, RunStatus.STOPPED, RunStatus.ERROR})
