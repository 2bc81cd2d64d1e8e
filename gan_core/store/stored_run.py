"""A saved run reopened from the run store, shown the way a live job is, but read-only.

It answers what a viewer asks a `TrainingJob` (`frame()`, `alive`, `bounds`,
`checkpoint()`, ...) from the store: the saved log gives the curves, the saved final
metrics the numbers, and the saved weights, restored into a trainer, the last state on the
plane; the saved timeline, if any, lets the run be replayed step by step. It never trains;
`restore()` hands out a fresh trainer to continue the run exactly in a new job.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from gan_core.i18n import _
from gan_core.jobs.protocol import Frame, Job, ViewOptions, first_frame
from gan_core.jobs.status import RunStatus
from gan_core.store.damage import DamagedRun
from gan_core.store.record import RunRecord
from gan_core.store.run_store import RunStore
from gan_core.targets import plot_bounds
from gan_core.training.checkpoint import load_checkpoint
from gan_core.training.timeline import (
    TIMELINE,
    TIMELINE_NOTE,
    DamagedTimeline,
    decode_timeline,
)
from gan_core.training.trainer import Trainer


class NoSavedState(LookupError):
    """The run has no saved weights (yet): it may still be training, or it crashed."""


class StoredRun:
    alive = False  # never trains

    def __init__(
        self,
        record: RunRecord,
        checkpoint: bytes,
        view: ViewOptions | None = None,
        timeline: bytes | str | None = None,
    ) -> None:
        """`timeline`: its stored bytes, None if it has none, or text saying why it cannot
        be read."""
        self.record = record
        self.run_id = record.id
        self._checkpoint = checkpoint
        view = view or ViewOptions()
        trainer = load_checkpoint(checkpoint)
        self.config = trainer.config
        self.step = trainer.step_count
        self.bounds = plot_bounds(self.config.target)
        snapshot = trainer.snapshot(
            view.n_points, view.field_resolution, self.bounds, view.n_arrows
        )
        # The numbers the run ended with, as saved, rather than measured again (a stored
        # metric that was not finite is saved as None: leave the snapshot's own there).
        saved = {k: v for k, v in record.metrics.items() if v is not None}
        snapshot.metrics.update(saved)
        if record.message:
            message = _("run #{id} reopened from the run store, read-only; {message}").format(
                id=record.id, message=record.message
            )
        else:
            message = _("run #{id} reopened from the run store, read-only").format(id=record.id)
        frame = first_frame(self.config, record.status, message, snapshot, record.history, 1)
        # The timeline rides in the frame as a live run's last frame carries it, so replay
        # reads both alike; a damaged one becomes a note, never an error.
        self._frame = replace(frame, extra=timeline_extra(timeline))

    @classmethod
    def open(cls, store: RunStore, run_id: int, view: ViewOptions | None = None) -> StoredRun:
        """RunNotFound if there is no such run; NoSavedState if it has no weights saved;
        a ConfigError (the store's `DamagedRun`, or the checkpoint's own) if what is saved
        is damaged."""
        record = store.get_run(run_id)
        checkpoint = store.checkpoint(run_id)
        if checkpoint is None:
            raise NoSavedState(_("run #{id} has no saved state yet").format(id=run_id))
        timeline: bytes | str | None
        try:
            timeline = store.timeline(run_id)
        except DamagedRun as error:
            timeline = error.problem
        return cls(record, checkpoint, view, timeline)

    @property
    def can_continue(self) -> bool:
        """Worth continuing: steps are left and the run did not blow up."""
        return self.step < self.config.total_steps and self.record.status is not RunStatus.DIVERGED

    def restore(self) -> Trainer:
        """A new trainer at the saved state, continuing the run exactly."""
        return load_checkpoint(self._checkpoint)

    # ------------------------------------------------------------------ what a job answers

    def frame(self) -> Frame:
        return self._frame

    def checkpoint(self, timeout: float = 0.0) -> bytes:
        return self._checkpoint

    def heartbeat(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def wait(self, timeout: float | None = None) -> bool:
        return True


def timeline_extra(timeline: bytes | str | None) -> dict[str, object]:
    """A stored timeline as a frame carries it: its frames, or a note on why there are none."""
    if timeline is None:
        return {TIMELINE_NOTE: _("this run was saved without a timeline, so it cannot be replayed")}
    if isinstance(timeline, str):
        return {TIMELINE_NOTE: _damaged_timeline(timeline)}
    try:
        return {TIMELINE: decode_timeline(timeline)}
    except DamagedTimeline as error:
        return {TIMELINE_NOTE: _damaged_timeline(str(error))}


def _damaged_timeline(reason: str) -> str:
    return _("its saved timeline is damaged ({reason})").format(reason=reason)


if TYPE_CHECKING:  # mypy checks that a stored run answers as a Job
    _conforms: type[Job] = StoredRun
