"""One training run, one step at a time: the engine at R = 1, plus its log and its checks.

A `Trainer` knows nothing of threads or pages; `job.py` drives it from a worker thread.
Looking at a run (accuracy, snapshots) draws from a separate evaluation generator, so it
never changes the run: the same config and seed give the same history bit for bit,
however often it is looked at.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal, overload

import numpy as np
import torch

from gan_core.config import GanConfig
from gan_core.targets import target_moments
from gan_core.training import losses
from gan_core.training.engine import StackedGAN
from gan_core.training.history import History
from gan_core.training.snapshot import (
    Snapshot,
    exact_js_divergence,
    gaussian_distance,
    take_snapshot,
)
from gan_core.training.step_part import StepPart
from gan_core.training.timeline import Timeline

EVAL_SAMPLES = 100  # per side, for D accuracy: the seed's 100 real + 100 fake
# Default logging density: about this many history rows per run. Enough for smooth curves;
# each row measures D's accuracy and the distance, which costs about as much as a step.
ROWS_PER_RUN = 500


@dataclass(frozen=True)
class DReading:
    """How well D tells real from fake: its accuracy on each, and its score gap
    E[D(real)] - E[D(fake)] on D's output (the probability, or a critic's score)."""

    acc_real: float
    acc_fake: float
    score_gap: float


class Diverged(RuntimeError):
    """A loss or parameter stopped being finite. `quantity` and `step` say which and when."""

    def __init__(self, quantity: str, step: int):
        self.quantity, self.step = quantity, step
        super().__init__(f"{quantity} became NaN or infinite at step {step}")


class Trainer:
    def __init__(self, config: GanConfig, history_cap: int = 4000, log_every: int | None = None):
        self.config = config
        self.engine = StackedGAN([config])
        # Looking at a run must never change it, nor its log: the log's own measurements
        # and any viewer's samples each draw from a generator of their own.
        self.log_rng = torch.Generator().manual_seed(config.seed + 1_000_003)
        self.view_rng = torch.Generator().manual_seed(config.seed + 2_000_003)
        self.step_count = 0  # completed whole iterations
        self.lone_updates = ""  # D or G updates made alone since the last whole iteration
        self.loss_d = math.nan
        self.loss_g = math.nan
        self.interval_sums = [
            0.0,
            0.0,
            0,
            0,
        ]  # loss_d sum, loss_g sum, and their counts since the last row
        self.log_every = log_every or max(1, config.total_steps // ROWS_PER_RUN)
        self.history = History(history_cap)
        self.timeline = Timeline()  # the weights at logged steps, to replay the run later
        self.target_moments = target_moments(config.target)  # fixed for the run: computed once

    # ------------------------------------------------------------------ schedule

    @property
    def epoch(self) -> int:
        """The epoch the next step belongs to (0-based)."""
        return self.step_count // self.config.steps_per_epoch

    @property
    def finished(self) -> bool:
        return self.step_count >= self.config.total_steps

    @property
    def data(self) -> torch.Tensor:
        return self.engine.data[0]

    # ------------------------------------------------------------------ updates

    def step(self, part: StepPart | str = StepPart.BOTH) -> None:
        """One step: 'both' (d_steps D updates, then G on the same noise), or only 'd' or 'g'.

        `step_count` counts whole iterations. A D or G update made alone is a half step: it
        waits in `lone_updates` ("D", "G", "DD", ...) until an update of the other network
        joins it, and the two then count as one iteration (and may log a row), so the
        schedule, the history's steps and every saved form of the run count whole
        iterations only. Raises `Diverged` if a loss or parameter stops being finite; a
        non-finite loss stops the step at once, before any further update.
        """
        part = StepPart.parse(part)
        for update in self.engine.updates(part):
            if update.part == StepPart.D:
                self.loss_d = self._finite(update.loss.item(), "loss_d")
                self.interval_sums[0] += self.loss_d
                self.interval_sums[2] += 1
            else:
                self.loss_g = self._finite(update.loss.item(), "loss_g")
                self.interval_sums[1] += self.loss_g
                self.interval_sums[3] += 1
        self._check_parameters()
        if part != StepPart.BOTH:
            self.lone_updates += "D" if part == StepPart.D else "G"
            if "D" not in self.lone_updates or "G" not in self.lone_updates:
                return
            # A D and a G update made one at a time: together they are one iteration.
            self.lone_updates = self.lone_updates.replace("D", "", 1).replace("G", "", 1)
        self.step_count += 1
        if self.step_count % self.log_every == 0 or self.finished:
            self.log_row()

    def run(self, n_steps: int | None = None, should_stop: Callable[[], bool] | None = None) -> int:
        """Train up to `n_steps` more steps (to the end by default); returns steps taken."""
        end = self.config.total_steps
        if n_steps is not None:
            end = min(end, self.step_count + n_steps)
        start = self.step_count
        while self.step_count < end and not (should_stop and should_stop()):
            self.step()
        return self.step_count - start

    def set_learning_rates(self, lr_d: float | None = None, lr_g: float | None = None) -> None:
        """Change learning rates mid-run; the optimisers' moment estimates are kept."""
        changes = {k: v for k, v in (("lr_d", lr_d), ("lr_g", lr_g)) if v is not None}
        self.config = self.config.replace(**changes)  # validates the new values
        self.engine.set_learning_rates(lr_d=lr_d, lr_g=lr_g)

    # ------------------------------------------------------------------ checks and logging

    def _finite(self, value: float, quantity: str) -> float:
        if not math.isfinite(value):
            raise Diverged(quantity, self.step_count + 1)
        return value

    def _check_parameters(self) -> None:
        g_ok, d_ok = self.engine.finite_parameters()
        if not bool(g_ok[0]):
            raise Diverged("a generator parameter", self.step_count + 1)
        if not bool(d_ok[0]):
            raise Diverged("a discriminator parameter", self.step_count + 1)

    @torch.no_grad()
    def d_accuracy(self) -> tuple[float, float]:
        """As the seed measures it: share of 100 real and of 100 fake samples D gets right.

        D says "real" above its loss' threshold (`Loss.says_real`: 0.5 on D's probability
        for the cross-entropy family, 0.5 on the score for least squares, 0 on a critic's
        score) and "fake" otherwise.
        """
        reading = self.d_reading(self.log_rng)
        return reading.acc_real, reading.acc_fake

    @torch.no_grad()
    def d_reading(self, rng: torch.Generator | None = None) -> DReading:
        """D's accuracy on 100 real and 100 fake samples, and its score gap on the same.

        Without `rng`, the samples are the same every time (a generator of their own,
        seeded afresh): two readings then differ only because D or G moved, which is what
        a narrated step reports. Either way no other generator of the run is touched.
        """
        if rng is None:
            rng = torch.Generator().manual_seed(self.config.seed + 3_000_003)
        real = self.data[torch.randint(len(self.data), (EVAL_SAMPLES,), generator=rng)]
        fake = self.generator_samples(EVAL_SAMPLES, as_numpy=False, rng=rng)
        scores = self.discriminator_score(torch.cat([real, fake]))
        loss = self.engine.loss
        says_real = loss.says_real(scores)
        output = loss.output(scores)
        return DReading(
            acc_real=float(says_real[:EVAL_SAMPLES].float().mean()),
            acc_fake=float((~says_real[EVAL_SAMPLES:]).float().mean()),
            score_gap=float(output[:EVAL_SAMPLES].mean() - output[EVAL_SAMPLES:].mean()),
        )

    def log_row(self) -> None:
        loss_d_sum, loss_g_sum, n_d, n_g = self.interval_sums
        reading = self.d_reading(self.log_rng)
        self.history.append(
            step=self.step_count,
            epoch=(self.step_count - 1) // self.config.steps_per_epoch,
            loss_d=loss_d_sum / n_d if n_d else math.nan,
            loss_g=loss_g_sum / n_g if n_g else math.nan,
            acc_real=reading.acc_real,
            acc_fake=reading.acc_fake,
            frechet=self.distance(rng=self.log_rng),
            lr_d=self.config.lr_d,
            lr_g=self.config.lr_g,
            score_gap=reading.score_gap,
            js_divergence=exact_js_divergence(self),
        )
        self.interval_sums = [0.0, 0.0, 0, 0]
        self.timeline.record(self)

    # ------------------------------------------------------------------ looking at the run

    def discriminator_score(self, points: torch.Tensor) -> torch.Tensor:
        """D's score s(x) for (n, 2) points (D(x) = sigmoid(s) for the cross-entropy losses)."""
        return losses.score(self.engine.D(points.unsqueeze(0)))[0]

    def distance(self, rng: torch.Generator | None = None) -> float:
        """Squared Fréchet distance to the target: exact when G's law is known, else fitted."""
        return gaussian_distance(self, rng or self.view_rng)

    @overload
    def generator_samples(
        self, n: int, as_numpy: Literal[True] = True, rng: torch.Generator | None = None
    ) -> np.ndarray: ...

    @overload
    def generator_samples(
        self, n: int, as_numpy: Literal[False], rng: torch.Generator | None = None
    ) -> torch.Tensor: ...

    @torch.no_grad()
    def generator_samples(
        self, n: int, as_numpy: bool = True, rng: torch.Generator | None = None
    ) -> np.ndarray | torch.Tensor:
        """n samples of the generator shown: an (n, 2) float array, or a tensor if not as_numpy."""
        samples = self.engine.generator(self.engine.noise(n, rng or self.view_rng))[0]
        return samples.numpy().astype(float) if as_numpy else samples

    def generator_affine_map(self) -> tuple[np.ndarray, np.ndarray] | None:
        """(W (2, k), b (2,)) with x = W z + b, for an affine generator; else None."""
        if not self.config.generator_is_affine:
            return None
        w, b = self.engine.generator.layers[0]
        return w[0].T.numpy().astype(float), b[0, 0].numpy().astype(float)

    def snapshot(
        self,
        n_points: int = 500,
        field_resolution: int = 0,
        bounds: tuple[float, float, float, float] | None = None,
        n_arrows: int = 0,
        full_metrics: bool = False,
    ) -> Snapshot:
        """Everything a viewer needs about the run now, as plain numpy data (see snapshot.py)."""
        snap = take_snapshot(self, n_points, field_resolution, bounds, n_arrows, full_metrics)
        return replace(snap, lone_updates=self.lone_updates, d_reading=self.d_reading())
