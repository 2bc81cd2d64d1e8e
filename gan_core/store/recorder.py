"""Save a run to the run store while it trains: for the dashboard's job and for the CLI.

With a `TrainingJob`, pass the recorder's callables; they run on the worker thread:

    recorder = RunRecorder(store, config, preset="tutorial", session_id=sid)
    job = TrainingJob(config, on_frame=recorder.on_frame, on_end=recorder.on_end).start()
    recorder.run_id          # the run's id in the store, known from the start

New log rows are buffered and written in one transaction at most every `flush_interval`
seconds (and at once when the status changes), so a crash loses at most the last second.
A failing store (disk full, file deleted) is logged and never raised into the worker: the
training goes on, unrecorded, and `recorder.error` says why. A store that fails for a while
(a PostgreSQL server restarting) only delays the rows: a flush that fails keeps them, the
next one writes them (each row once: they are keyed by step), and `error` is cleared again;
the run's end waits for the server (`db.RETRY_DELAYS`). Runs the store evicted to make
room for this one (its quota, `quota.py`) are listed in `recorder.evicted`.

While the run goes on, one thread of the process beats for every open recorder every
`BEAT_S` seconds (`beat()`): it stamps the run's `updated` time, even while it is paused and
writes no rows, so that a run whose server died (which stops beating) reads as lost after
`record.LOST_AFTER_S`; and it keeps the job's weights so far (`RunStore.save_progress`) when
it has trained on since the last beat, so that a lost run reopens at that state, not at its
start.

A CLI run without a job: `record_trainer(store, trainer, "finished")` after training, or a
`RunRecorder` fed with `observe(trainer)` between chunks of steps and closed with
`finish_trainer(trainer, status)`.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import pandas as pd

from gan_core.config import GanConfig
from gan_core.store.quota import EvictedRun
from gan_core.store.record import LOG_COLUMNS
from gan_core.store.run_store import RunNotFound, RunStore
from gan_core.training.checkpoint import checkpoint_bytes
from gan_core.training.timeline import TIMELINE, TimelineFrame, encode_timeline
from gan_core.training.trainer import Trainer

if TYPE_CHECKING:  # types only: the jobs import the store, not the other way round
    from gan_core.jobs.thread_job import Frame

log = logging.getLogger(__name__)

FLUSH_INTERVAL = 1.0  # seconds between batched writes while a run goes on
BEAT_S = 20.0  # between two beats of a run still training: well under record.LOST_AFTER_S
CHECKPOINT_TIMEOUT_S = 5.0  # a beat waits this long, at most, for a job's weights


class ProgressSource(Protocol):
    """What a beat asks of a running job: its state and its weights so far."""

    @property
    def alive(self) -> bool: ...

    def frame(self) -> Frame: ...

    def checkpoint(self, timeout: float = ...) -> bytes: ...


class EndedJob(Protocol):
    """What `on_end` reads of a job: its last frame and its trainer (thread or process job)."""

    @property
    def trainer(self) -> Trainer | None: ...

    def frame(self) -> Frame: ...


class RunRecorder:
    def __init__(
        self,
        store: RunStore,
        config: GanConfig,
        preset: str | None = None,
        session_id: str | None = None,
        source: str = "dashboard",
        name: str | None = None,
        flush_interval: float = FLUSH_INTERVAL,
    ) -> None:
        self.store = store
        self.flush_interval = flush_interval
        self.run_id: int | None = None
        self.error: str | None = None  # the last recording failure, for the page to show
        self.evicted: list[EvictedRun] = []  # runs deleted to make room, for the page to say
        self._lock = threading.Lock()  # on_frame and on_end may come from different threads
        self._pending: dict[int, tuple[Any, ...]] = {}  # step -> row, not yet written
        self._last_step = -1  # newest step taken from the log (written or pending)
        self._last_history: pd.DataFrame | None = None  # the log last taken from
        self._last_flush = time.monotonic()
        self._status: str | None = None
        self._ended = False
        self._behind = False  # a flush failed: its rows wait for the next one
        self._job: weakref.ref[ProgressSource] | None = None  # the job it records, once known
        self._saved_step = -1  # the step of the weights last kept by a beat
        self._last_progress = time.monotonic()  # when a CLI loop last kept the weights
        self._beat_failed = False
        try:
            added = store.add_run(
                config, preset=preset, session_id=session_id, source=source, name=name
            )
            self.run_id = added.run_id
            self.evicted += added.evicted
        except Exception as error:
            self._fail("could not create the run", error)
        else:
            _BEATS.add(self)

    @property
    def recording(self) -> bool:
        return self._open_run() is not None

    def _open_run(self) -> int | None:
        """The run's id while it may still be written to; None once ended or never created."""
        return self.run_id if not self._ended else None

    # ------------------------------------------------------------------ TrainingJob hooks

    def on_frame(self, job: object, frame: Frame) -> None:
        """Called by the job after each frame it publishes."""
        if self._job is None and hasattr(job, "checkpoint"):
            try:
                self._job = weakref.ref(job)  # type: ignore[arg-type]  # a job, by its hooks
            except TypeError:  # an object without weak references: no weights kept early
                pass
        try:
            with self._lock:
                run_id = self._open_run()
                if run_id is None:
                    return
                self._take(frame.history)
                status_changed = frame.status != self._status and not frame.ended
                if status_changed or time.monotonic() - self._last_flush >= self.flush_interval:
                    self._flush(run_id, status=frame.status if status_changed else None)
        except Exception as error:
            self._behind = True
            self._fail("could not record a frame", error)

    def on_end(self, job: EndedJob) -> None:
        """Called by the job once its worker has ended: last rows, status, metrics, weights
        and the timeline for replay."""
        frame = job.frame()
        trainer = job.trainer
        status = frame.status if frame.ended else "stopped"
        metrics = frame.snapshot.metrics if frame.snapshot is not None else {}
        # The timeline travels with the last frame: a process job's trainer is rebuilt
        # from the final checkpoint, which does not carry it.
        timeline = frame.extra.get(TIMELINE) or (trainer.timeline.frames() if trainer else ())
        self._finish(status, frame.message, trainer, metrics, frame.history, timeline)

    # ------------------------------------------------------------------ driving it by hand

    def observe(self, trainer: Trainer) -> None:
        """Take the trainer's new log rows and write them if a flush is due (CLI loops)."""
        try:
            with self._lock:
                run_id = self._open_run()
                if run_id is None:
                    return
                self._take(trainer.history.to_frame())
                if time.monotonic() - self._last_flush >= self.flush_interval:
                    self._flush(run_id)
                # The caller's thread trains: the weights are taken here, between steps.
                if time.monotonic() - self._last_progress >= BEAT_S:
                    self._last_progress = time.monotonic()
                    self._keep_progress(run_id, checkpoint_bytes(trainer), trainer.step_count)
        except Exception as error:
            self._behind = True
            self._fail("could not record progress", error)

    def finish_trainer(
        self,
        trainer: Trainer,
        status: str,
        message: str = "",
        metrics: Mapping[str, object] | None = None,
    ) -> None:
        """End the run from a trainer (CLI): final metrics are measured if not given."""
        if metrics is None:
            try:
                metrics = trainer.snapshot(n_points=0, full_metrics=True).metrics
            except Exception as error:  # a diverged trainer may not give metrics; keep its log
                log.warning("run %s: no final metrics (%s)", self.run_id, error)
                metrics = {}
        if status != "diverged":  # a diverged trainer's weights may not be finite
            trainer.timeline.record(trainer)  # where it stopped, between two logged rows
        self._finish(status, message, trainer, metrics, None, trainer.timeline.frames())

    # ------------------------------------------------------------------ the beat

    def beat(self) -> None:
        """Tell the store the run is still being trained, and keep the job's weights if
        it has trained on since the last beat. Called by the beat thread; never raises."""
        try:
            with self._lock:
                if self._open_run() is None:
                    return
            job = self._job() if self._job is not None else None
            # Outside the lock: a thread job's worker answers between two steps, and it may
            # be waiting for this lock in on_frame meanwhile.
            progress = _weights_so_far(job, self._saved_step)
            with self._lock:
                run_id = self._open_run()
                if run_id is None:  # it ended meanwhile: its final weights are saved
                    return
                if progress is None or not self._keep_progress(run_id, *progress):
                    with self.store.failing_fast():
                        self.store.touch(run_id)
            self._beat_failed = False
        except Exception as error:  # the next beat tries again; saving rows is not affected
            if isinstance(error, RunNotFound):
                self._ended = True
            if not self._beat_failed:
                log.warning("run %s: could not say it is still training (%s)", self.run_id, error)
            self._beat_failed = True

    def _keep_progress(self, run_id: int, checkpoint: bytes, step: int) -> bool:
        """Keep the weights so far (with the log rows before them); False if not kept."""
        if self._pending:
            self._flush(run_id)
        with self.store.failing_fast():  # the next beat tries again
            kept = self.store.save_progress(run_id, checkpoint)
        if kept:
            self._saved_step = step
        return kept

    # ------------------------------------------------------------------ internals

    def _finish(
        self,
        status: str,
        message: str,
        trainer: Trainer | None,
        metrics: Mapping[str, object],
        history: pd.DataFrame | None,
        timeline: Sequence[TimelineFrame] = (),
    ) -> None:
        try:
            with self._lock:
                run_id = self._open_run()
                if run_id is None:
                    return
                if history is not None:
                    self._take(history)
                if trainer is not None:  # the trainer's own log may hold rows no frame showed
                    self._take(trainer.history.to_frame())
                checkpoint = None
                if trainer is not None:
                    try:
                        checkpoint = checkpoint_bytes(trainer)
                    except Exception as error:  # save the rest of the run even so
                        log.warning("run %s: no checkpoint (%s)", self.run_id, error)
                rows = list(self._pending.values())
                self.evicted += self.store.finish(
                    run_id, status, metrics, checkpoint, message=message, rows=rows
                )
                self._pending.clear()
                self._ended = True
                if self._behind:  # the rows that waited went in with the end
                    self._behind = False
                    self.error = None
                if timeline:
                    self._save_timeline(run_id, timeline)
        except Exception as error:
            self._fail("could not save the end of the run", error)

    def _save_timeline(self, run_id: int, timeline: Sequence[TimelineFrame]) -> None:
        """Keep the run's timeline for replay; a run saved without it still has the rest."""
        try:
            if not self.store.save_timeline(run_id, encode_timeline(timeline)):
                log.warning("run %s: no room for its timeline; it cannot be replayed", run_id)
        except Exception as error:
            self._fail("could not save the run's timeline", error)

    def _take(self, history: pd.DataFrame | None) -> None:
        if history is None or history.empty or history is self._last_history:
            return  # the very log of the frame before: a frame sent without a new one
        self._last_history = history
        fresh = history["step"].to_numpy() > self._last_step
        if not fresh.any():  # most frames: no new row since the last one
            return
        # The stored columns; one a (restored, older) log lacks is NaN.
        new = history.loc[fresh].reindex(columns=list(LOG_COLUMNS))
        for row in new.itertuples(index=False, name=None):
            self._pending[int(row[0])] = row
        if len(new):
            self._last_step = int(new["step"].iloc[-1])

    def _flush(self, run_id: int, status: str | None = None) -> None:
        self._last_flush = time.monotonic()
        # While the run trains, a save never waits for a server to come back: the rows stay
        # pending and the next flush writes them.
        with self.store.failing_fast():
            if self._pending:
                self.store.append_history(run_id, list(self._pending.values()))
                self._pending.clear()
            if status is not None:
                self.store.set_status(run_id, status)
                self._status = status
        if self._behind:  # caught up: the rows that waited are written
            self._behind = False
            self.error = None
            log.info("run %s: saving again", run_id)

    def _fail(self, what: str, error: Exception) -> None:
        first = self.error is None
        self.error = f"{what}: {type(error).__name__}: {error}"
        if isinstance(error, RunNotFound):  # deleted while it trained: stop writing to it
            self._ended = True
        # A broken store fails on every flush: say so once, not every second.
        if first:
            log.warning("run %s: %s", self.run_id, self.error, exc_info=error)
        else:
            log.debug("run %s: %s", self.run_id, self.error)


def _weights_so_far(job: ProgressSource | None, saved_step: int) -> tuple[bytes, int] | None:
    """The job's weights and their step, if it is training and has moved past `saved_step`;
    None otherwise, or if the job cannot answer now (it is ending, or its worker is busy)."""
    if job is None or not job.alive:
        return None
    frame = job.frame()
    if frame.ended or frame.snapshot is None or frame.snapshot.step == saved_step:
        return None
    try:
        checkpoint = job.checkpoint(timeout=CHECKPOINT_TIMEOUT_S)
    except Exception as error:  # only this beat's weights are lost: the next one tries again
        log.debug("no weights from the job this beat: %s", error)
        return None
    return checkpoint, frame.snapshot.step  # the step shown: a beat's mark, not exact


class _Beats:
    """One daemon thread for every recorder of the process: it beats each open one every
    BEAT_S seconds, and ends when none is left (a recorder no one holds any more drops out
    of the set by itself)."""

    def __init__(self) -> None:
        self._recorders: weakref.WeakSet[RunRecorder] = weakref.WeakSet()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def add(self, recorder: RunRecorder) -> None:
        with self._lock:
            self._recorders.add(recorder)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="run-beats", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            time.sleep(BEAT_S)
            with self._lock:
                recorders = [r for r in self._recorders if r.recording]
                if not recorders:
                    self._thread = None
                    return
            for recorder in recorders:
                recorder.beat()


_BEATS = _Beats()


def record_trainer(
    store: RunStore,
    trainer: Trainer,
    status: str = "finished",
    preset: str | None = None,
    session_id: str | None = None,
    source: str = "cli",
    name: str | None = None,
    message: str = "",
    metrics: Mapping[str, object] | None = None,
) -> int | None:
    """Save a trained (or stopped, or diverged) trainer as one run; returns its id.

    For `python -m gan_core train --store`: log rows, final metrics and weights in one go.
    Returns None (and logs why) if the store could not take it.
    """
    recorder = RunRecorder(
        store, trainer.config, preset=preset, session_id=session_id, source=source, name=name
    )
    recorder.finish_trainer(trainer, status, message=message, metrics=metrics)
    if recorder.error:
        log.warning("the run was not fully saved: %s", recorder.error)
    return recorder.run_id
