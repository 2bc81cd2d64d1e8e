"""The run's log: one row per logged step, bounded in memory however long the run.

Past `cap` rows, the older half is thinned to every second row. Recent steps stay at full
resolution and older ones grow sparser, so a run of millions of steps keeps a flat footprint
and its curves keep their shape.

`COLUMNS` are the columns every saved form of a history keeps (the run store, bundles).
The log also carries `EXTRA_COLUMNS`, added later: the CSV download, the CLI's history.csv
and checkpoints have them as further columns at the end, so a reader of the older columns
reads them as before; a history saved without them reads them back as NaN.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

COLUMNS = ("step", "epoch", "loss_d", "loss_g", "acc_real", "acc_fake", "frechet", "lr_d", "lr_g")
# score_gap: E[D(real)] - E[D(fake)] on D's output (the probability, or a critic's score).
# js_divergence: JSD(target, G) in nats where it is exact (two Gaussians), else NaN.
EXTRA_COLUMNS = ("score_gap", "js_divergence")
LOGGED_COLUMNS = (*COLUMNS, *EXTRA_COLUMNS)


@dataclass(frozen=True)
class LogRows:
    """Which rows of its run's log a history holds. A log gains rows at its end and, past
    its cap, thins its older half (so its length alone may come back); a replay shows a
    prefix of it. So within one run, the count and the last step tell whether a history
    has anything new, without comparing it row by row."""

    count: int
    last_step: float


def log_rows(history: pd.DataFrame) -> LogRows:
    if not len(history) or "step" not in history:
        return LogRows(0, -math.inf)
    return LogRows(len(history), float(history["step"].to_numpy()[-1]))


class History:
    def __init__(self, cap: int = 4000) -> None:
        if cap < 4:
            raise ValueError("cap must be at least 4")
        self.cap = cap
        self._rows: list[tuple[float, ...]] = []

    def append(self, **row: float) -> None:
        """One row; an extra column left out is logged as NaN."""
        self._rows.append(tuple(float(row.get(c, math.nan)) for c in LOGGED_COLUMNS))
        missing = [c for c in COLUMNS if c not in row]
        if missing:
            self._rows.pop()
            raise ValueError(f"a history row lacks {', '.join(missing)}")
        if len(self._rows) > self.cap:
            half = len(self._rows) // 2
            self._rows = self._rows[:half:2] + self._rows[half:]

    def __len__(self) -> int:
        return len(self._rows)

    def last(self) -> dict[str, float] | None:
        return dict(zip(LOGGED_COLUMNS, self._rows[-1])) if self._rows else None

    def rows_since(self, step: float) -> list[tuple[float, ...]]:
        """Rows logged after `step`: what a viewer that has seen up to `step` still lacks."""
        index = len(self._rows)
        while index > 0 and self._rows[index - 1][0] > step:
            index -= 1
        return self._rows[index:]

    def to_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(self._rows, columns=list(LOGGED_COLUMNS))
        return frame.astype({"step": "int64", "epoch": "int64"})

    def to_columns(self) -> dict[str, list[float]]:
        return {c: [row[i] for row in self._rows] for i, c in enumerate(LOGGED_COLUMNS)}

    @classmethod
    def from_columns(cls, columns: Mapping[str, Sequence[float]], cap: int = 4000) -> History:
        """The inverse of `to_columns`; extra columns a saved history lacks read as NaN."""
        history = cls(cap)
        length = len(columns[COLUMNS[0]])
        filled = [
            columns[c] if c in COLUMNS else columns.get(c, [math.nan] * length)
            for c in LOGGED_COLUMNS
        ]
        history._rows = [tuple(float(v) for v in values) for values in zip(*filled)]
        return history
