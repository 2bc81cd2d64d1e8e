"""The run's log: one row per logged step, bounded in memory however long the run.

Past `cap` rows, the older half is thinned to every second row. Recent steps stay at full
resolution and older ones grow sparser, so a run of millions of steps keeps a flat footprint
and its curves keep their shape.
"""

from __future__ import annotations

import pandas as pd

COLUMNS = ("step", "epoch", "loss_d", "loss_g", "acc_real", "acc_fake", "frechet", "lr_d", "lr_g")


class History:
    def __init__(self, cap: int = 4000):
        if cap < 4:
            raise ValueError("cap must be at least 4")
        self.cap = cap
        self._rows: list[tuple] = []

    def append(self, **row: float) -> None:
        self._rows.append(tuple(float(row[c]) for c in COLUMNS))
        if len(self._rows) > self.cap:
            half = len(self._rows) // 2
            self._rows = self._rows[:half:2] + self._rows[half:]

    def __len__(self) -> int:
        return len(self._rows)

    def last(self) -> dict | None:
        return dict(zip(COLUMNS, self._rows[-1])) if self._rows else None

    def rows_since(self, step: float) -> list[tuple]:
        """Rows logged after `step`: what a viewer that has seen up to `step` still lacks."""
        index = len(self._rows)
        while index > 0 and self._rows[index - 1][0] > step:
            index -= 1
        return self._rows[index:]

    def to_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(self._rows, columns=list(COLUMNS))
        return frame.astype({"step": "int64", "epoch": "int64"})

    def to_columns(self) -> dict[str, list[float]]:
        return {c: [row[i] for row in self._rows] for i, c in enumerate(COLUMNS)}

    @classmethod
    def from_columns(cls, columns: dict, cap: int = 4000) -> History:
        history = cls(cap)
        history._rows = [
            tuple(float(v) for v in values) for values in zip(*(columns[c] for c in COLUMNS))
        ]
        return history
