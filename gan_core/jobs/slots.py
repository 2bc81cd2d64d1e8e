"""A cap on training jobs running at once, with a first-come-first-served queue behind it.

A job `enter`s: it either takes a free slot at once or joins the queue. When a running job
`leave`s, the head of the queue takes its slot; a queued job that leaves (stopped, or its
page went away) simply drops out, and everyone behind it moves up. Waiting jobs block in
`wait_turn`, which also wakes whenever the queue changes, so each can show its new place.
Nothing here knows about processes or training: a "job" is any hashable object.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Hashable


class JobSlots:
    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"the job limit must be at least 1, not {limit}")
        self.limit = limit
        self._changed = threading.Condition()
        self._running: set[Hashable] = set()
        self._waiting: deque[Hashable] = deque()

    def enter(self, job: Hashable) -> bool:
        """Take a slot (True) or join the end of the queue (False)."""
        with self._changed:
            if job in self._running or job in self._waiting:
                raise ValueError("this job has already entered")
            if not self._waiting and len(self._running) < self.limit:
                self._running.add(job)
                return True
            self._waiting.append(job)
            self._changed.notify_all()  # the queue grew: waiters' "of M" changed
            return False

    def leave(self, job: Hashable) -> None:
        """Give up the job's slot or its place in the queue (either way: no-op if neither)."""
        with self._changed:
            if job in self._running:
                self._running.discard(job)
            elif job in self._waiting:
                self._waiting.remove(job)
            else:
                return
            self._moved()

    def withdraw(self, job: Hashable) -> bool:
        """Leave the queue if waiting (True); a job that holds a slot keeps it."""
        with self._changed:
            if job not in self._waiting:
                return False
            self._waiting.remove(job)
            self._moved()
            return True

    def wait_turn(self, job: Hashable, timeout: float) -> bool:
        """Block until the job holds a slot (True), the queue changes or `timeout` passes.

        Returns False at once for a job that is neither running nor waiting (withdrawn).
        """
        with self._changed:
            if job in self._waiting:
                self._changed.wait(timeout)
            return job in self._running

    def position(self, job: Hashable) -> tuple[int, int] | None:
        """(place, queue length) with place 1 next in line; None if the job is not waiting."""
        with self._changed:
            try:
                return self._waiting.index(job) + 1, len(self._waiting)
            except ValueError:
                return None

    def _moved(self) -> None:
        """Hand free slots to the head of the queue and wake every waiter (under the lock)."""
        while self._waiting and len(self._running) < self.limit:
            self._running.add(self._waiting.popleft())
        self._changed.notify_all()

    def running_count(self) -> int:
        with self._changed:
            return len(self._running)

    def waiting_count(self) -> int:
        with self._changed:
            return len(self._waiting)
