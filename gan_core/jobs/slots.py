"""A cap on training jobs running at once, shared fairly, with a queue behind it.

A job `enter`s for an `Owner` (a browser session and a client address): it either takes a
free slot at once or joins the queue. Besides the cap on all jobs, an owner may hold only
so many slots at once, per session and per address. The queue is first come, first
served among the jobs that may run: a job whose owner already holds its share waits, but
does not hold up the jobs behind it, so one person's extra runs never stand between
other people and a free slot.

When a running job `leave`s, the first queued job that may run takes its slot; a queued
job that leaves (stopped, or its page went away) simply drops out. Waiting jobs block in
`wait_turn`, which also wakes whenever the queue changes, so each can show its new place
and why it waits (`waiting`). Nothing here knows about processes or training: a "job" is
any hashable object.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Hashable
from dataclasses import dataclass
from typing import NamedTuple

FREE_SLOT, SESSION, ADDRESS = "", "session", "address"  # what a waiting job waits for


@dataclass(frozen=True)
class Owner:
    """Who a job is for. None: unknown, and then not grouped with anyone (a job with no
    session is a person of its own; an unknown address, such as localhost, is no limit)."""

    session: str | None = None
    address: str | None = None


ANONYMOUS = Owner()


class Wait(NamedTuple):
    """Where a queued job stands."""

    place: int  # 1: next to take a free slot, among the jobs that wait only for one
    of: int  # how many jobs wait only for a free slot
    waits_for: str  # FREE_SLOT, or the owner's own limit: SESSION or ADDRESS
    limit: int  # the limit it waits on: the cap on all jobs, or per session / per address


class JobSlots:
    def __init__(
        self, limit: int, per_session: int | None = None, per_address: int | None = None
    ) -> None:
        """`limit` jobs at once in all; None for a per-owner limit: no such limit."""
        limits = {"job": limit, "per-session": per_session, "per-address": per_address}
        for name, value in limits.items():
            if value is not None and value < 1:
                raise ValueError(f"the {name} limit must be at least 1, not {value}")
        self.limit = limit
        self.per_session = per_session
        self.per_address = per_address
        self._changed = threading.Condition()
        self._running: set[Hashable] = set()
        self._waiting: deque[Hashable] = deque()
        self._owners: dict[Hashable, Owner] = {}  # of every running or waiting job

    def enter(self, job: Hashable, owner: Owner = ANONYMOUS) -> bool:
        """Take a slot (True) or join the end of the queue (False)."""
        with self._changed:
            if job in self._owners:
                raise ValueError("this job has already entered")
            self._owners[job] = owner
            self._waiting.append(job)
            self._moved()  # takes a slot at once if one is free and nobody may go first
            return job in self._running

    def leave(self, job: Hashable) -> None:
        """Give up the job's slot or its place in the queue (either way: no-op if neither)."""
        with self._changed:
            if job in self._running:
                self._running.discard(job)
            elif job in self._waiting:
                self._waiting.remove(job)
            else:
                return
            del self._owners[job]
            self._moved()

    def withdraw(self, job: Hashable) -> bool:
        """Leave the queue if waiting (True); a job that holds a slot keeps it."""
        with self._changed:
            if job not in self._waiting:
                return False
            self._waiting.remove(job)
            del self._owners[job]
            self._moved()
            return True

    def disown(self, job: Hashable) -> None:
        """A running job is ending (stopped): it keeps its slot until it has left, but no
        longer counts against its owner's share, so that person's next run need not wait
        for the old one's last step."""
        with self._changed:
            if job in self._running:
                self._owners[job] = ANONYMOUS
                self._moved()

    def wait_turn(self, job: Hashable, timeout: float) -> bool:
        """Block until the job holds a slot (True), the queue changes or `timeout` passes.

        Returns False at once for a job that is neither running nor waiting (withdrawn).
        """
        with self._changed:
            if job in self._waiting:
                self._changed.wait(timeout)
            return job in self._running

    def waiting(self, job: Hashable) -> Wait | None:
        """Where a queued job stands and what it waits for; None if it is not waiting."""
        with self._changed:
            if job not in self._waiting:
                return None
            place, of = 0, 0
            for other in self._waiting:
                if other == job:
                    place = of + 1
                if not self._held_back(other):
                    of += 1
            waits_for = self._held_back(job)
            if waits_for == SESSION:
                return Wait(place, of, SESSION, self.per_session or 0)
            if waits_for == ADDRESS:
                return Wait(place, of, ADDRESS, self.per_address or 0)
            return Wait(place, of, FREE_SLOT, self.limit)

    def position(self, job: Hashable) -> tuple[int, int] | None:
        """(place, of) as in `waiting`; None if the job is not waiting."""
        wait = self.waiting(job)
        return (wait.place, wait.of) if wait is not None else None

    def running_count(self) -> int:
        with self._changed:
            return len(self._running)

    def waiting_count(self) -> int:
        with self._changed:
            return len(self._waiting)

    # ------------------------------------------------------------------ under the lock

    def _held_back(self, job: Hashable) -> str:
        """SESSION or ADDRESS if the job's owner holds its share of slots already, else ""."""
        owner = self._owners[job]
        if owner.session is not None and self.per_session is not None:
            mine = sum(self._owners[other].session == owner.session for other in self._running)
            if mine >= self.per_session:
                return SESSION
        if owner.address is not None and self.per_address is not None:
            ours = sum(self._owners[other].address == owner.address for other in self._running)
            if ours >= self.per_address:
                return ADDRESS
        return FREE_SLOT

    def _moved(self) -> None:
        """Hand free slots to the first queued jobs that may run, and wake every waiter."""
        while len(self._running) < self.limit:
            ready = next((job for job in self._waiting if not self._held_back(job)), None)
            if ready is None:
                break
            self._waiting.remove(ready)
            self._running.add(ready)
        self._changed.notify_all()
