"""A one-line progress bar for the terminal: percent, speed, ETA and the current distance.

Redrawn at most five times a second so that drawing never slows the training it reports.
"""

from __future__ import annotations

import math
import time


def format_duration(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "--:--"
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class ProgressBar:
    def __init__(self, total: int, stream, width: int = 30, min_interval: float = 0.2):
        self.total, self.stream, self.width = total, stream, width
        self.min_interval = min_interval
        self.started = time.perf_counter()
        self._last_draw = -math.inf
        self._line = ""

    def update(self, done: int, last_row: dict | None = None) -> None:
        now = time.perf_counter()
        if now - self._last_draw < self.min_interval and done < self.total:
            return
        self._last_draw = now
        elapsed = now - self.started
        rate = done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - done) / rate if rate > 0 else math.inf
        filled = int(self.width * done / self.total) if self.total else self.width
        bar = "#" * filled + "." * (self.width - filled)
        distance = ""
        if last_row and math.isfinite(last_row.get("frechet", math.nan)):
            distance = f"  Fréchet² {last_row['frechet']:.4g}"
        line = (
            f"[{bar}] {100 * done / max(self.total, 1):5.1f}%  {done}/{self.total}"
            f"  {rate:,.0f} steps/s  ETA {format_duration(eta)}{distance}"
        )
        # Pad to the previous length so a shorter line leaves no leftovers behind it.
        self.stream.write("\r" + line.ljust(len(self._line)))
        self._line = line
        self.stream.flush()

    def close(self) -> None:
        if self._line:
            self.stream.write("\n")
            self.stream.flush()
