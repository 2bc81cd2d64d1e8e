"""The leaderboard's order: runs that count by distance, lowest first, then those that do not.

Equal distances share a place (1, 2, 2, 4), and the earlier run (lower id) is listed first.
A run that does not count gets no place and keeps the order it was given in (newest first
on the board), so a student finds their own run and the reasons under the ranked ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from gan_core.classroom.check import Verdict


@dataclass(frozen=True)
class Ranked:
    place: int | None  # None: the run does not count
    verdict: Verdict


def rank(verdicts: Iterable[Verdict]) -> list[Ranked]:
    given = list(verdicts)
    counting = sorted((v for v in given if v.counts), key=lambda v: (v.distance, v.run_id))
    ranked: list[Ranked] = []
    for index, verdict in enumerate(counting):
        tied = index > 0 and verdict.distance == counting[index - 1].distance
        place = ranked[-1].place if tied else index + 1
        ranked.append(Ranked(place, verdict))
    ranked.extend(Ranked(None, v) for v in given if not v.counts)
    return ranked
