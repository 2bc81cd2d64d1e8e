"""Does a run count for a challenge? Each of the challenge's rules checked, with the reasons
a run does not count said in words a student can act on.

A run counts when it trained on the challenge's target, was set up for no more steps than
the limit, finished (not stopped early, diverged or still training), measured its distance
exactly (affine G of Gaussian noise), and kept to the loss and D's shape if the challenge
names them. Its score is the exact squared Fréchet distance of its last logged step at or
before the limit: for a run that counts, where it ended.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from gan_core.classroom.challenge import Challenge
from gan_core.config import GanConfig, Target
from gan_core.formatting import format_distance
from gan_core.i18n import N_, _
from gan_core.jobs.status import RunStatus
from gan_core.store.record import RunRecord

# Settings typed into two forms (the board's, a student's sidebar) that mean the same target.
RELATIVE_TOLERANCE, ABSOLUTE_TOLERANCE = 1e-6, 1e-9
STATUS_REASONS = {
    RunStatus.STARTING: N_("it has not started training yet"),
    RunStatus.RUNNING: N_("it is still training"),
    RunStatus.PAUSED: N_("it is paused, not finished"),
    RunStatus.STOPPED: N_("it was stopped before its last step"),
    RunStatus.DIVERGED: N_("it diverged"),
    RunStatus.ERROR: N_("it ended with an error"),
}


@dataclass(frozen=True)
class Reason:
    """Why a run does not count, kept untranslated: a board caches verdicts across the
    people who read it, so the words are put in each reader's language when shown."""

    template: str  # an N_-marked English message with {named} placeholders
    values: tuple[tuple[str, object], ...] = ()  # a value may itself be a Reason

    def text(self) -> str:
        filled = {k: v.text() if isinstance(v, Reason) else v for k, v in self.values}
        return _(self.template).format(**filled)


@dataclass(frozen=True)
class Verdict:
    """One run against one challenge: its score, and why it does not count (if it does not)."""

    run_id: int
    label: str
    distance: float  # NaN when no finite distance was logged at or before the limit
    steps: int  # the step the distance was read at
    why: tuple[Reason, ...]

    @property
    def reasons(self) -> tuple[str, ...]:
        """The reasons in the current reader's language."""
        return tuple(reason.text() for reason in self.why)

    @property
    def counts(self) -> bool:
        return not self.why


def check(run: RunRecord, challenge: Challenge) -> Verdict:
    """`run` against every rule of `challenge` (see the module's docstring)."""
    config = run.config
    reasons = [
        reason
        for reason in (
            _target_reason(config.target, challenge.target),
            _steps_reason(config, challenge.step_limit),
            _status_reason(run.status),
            _exact_reason(config),
            _loss_reason(config, challenge.loss),
            _d_hidden_reason(config, challenge.d_hidden),
        )
        if reason is not None
    ]
    step, distance = _distance_at(run.history, challenge.step_limit)
    if not math.isfinite(distance):
        reasons.append(
            Reason(
                N_("no finite distance was logged by step {step}"),
                (("step", f"{challenge.step_limit:,}"),),
            )
        )
    return Verdict(
        run_id=int(run.id) if run.id is not None else -1,
        label=run.label,
        distance=distance,
        steps=step,
        why=tuple(reasons),
    )


def same_target(a: Target, b: Target) -> bool:
    """The same Gaussian, allowing for the rounding of typed-in numbers."""
    return (
        a.kind == b.kind == "gaussian"
        and np.allclose(a.mean, b.mean, rtol=RELATIVE_TOLERANCE, atol=ABSOLUTE_TOLERANCE)
        and np.allclose(a.cov, b.cov, rtol=RELATIVE_TOLERANCE, atol=ABSOLUTE_TOLERANCE)
    )


def describe_target(target: Target) -> str:
    """A Gaussian as a board shows it: mean (1, 2), cov [[1.01, 1.95], [1.95, 4.25]]."""
    return _target_description(target).text()


def _target_description(target: Target) -> Reason:
    if target.kind != "gaussian":
        return Reason(N_("a {kind} target"), (("kind", target.kind),))
    (a, b), (_a, d) = (tuple(format_distance(v) for v in row) for row in target.cov)
    mean = ", ".join(format_distance(v) for v in target.mean)
    return Reason(
        N_("mean ({mean}), cov {cov}"), (("mean", mean), ("cov", f"[[{a}, {b}], [{b}, {d}]]"))
    )


def _status_reason(status: RunStatus) -> Reason | None:
    template = STATUS_REASONS.get(status)
    return None if template is None else Reason(template)


def _target_reason(run: Target, wanted: Target) -> Reason | None:
    if same_target(run, wanted):
        return None
    return Reason(
        N_("its target ({target}) is not the challenge's"), (("target", _target_description(run)),)
    )


def _steps_reason(config: GanConfig, limit: int) -> Reason | None:
    if config.total_steps <= limit:
        return None
    return Reason(
        N_("it was set up for {steps} steps: the limit is {limit}"),
        (("steps", f"{config.total_steps:,}"), ("limit", f"{limit:,}")),
    )


def _exact_reason(config: GanConfig) -> Reason | None:
    if config.has_exact_metrics:
        return None
    if config.g_hidden:
        template = N_(
            "its distance is not exact (its G has hidden layers; the challenge needs the affine "
            "G of normal noise)"
        )
    else:
        template = N_(
            "its distance is not exact (its noise is uniform; the challenge needs the affine G "
            "of normal noise)"
        )
    return Reason(template)


def _loss_reason(config: GanConfig, loss: str | None) -> Reason | None:
    if loss is None or config.loss == loss:
        return None
    return Reason(
        N_("its loss is {loss}: the challenge asks for {asked}"),
        (("loss", config.loss), ("asked", loss)),
    )


def _d_hidden_reason(config: GanConfig, d_hidden: tuple[int, ...] | None) -> Reason | None:
    if d_hidden is None or config.d_hidden == d_hidden:
        return None
    return Reason(
        N_("its D has layers {layers}: the challenge asks for {asked}"),
        (("layers", _layers(config.d_hidden)), ("asked", _layers(d_hidden))),
    )


def _layers(widths: tuple[int, ...]) -> Reason | str:
    return "-".join(str(w) for w in widths) if widths else Reason(N_("none"))


def _distance_at(history: pd.DataFrame, limit: int) -> tuple[int, float]:
    """(step, distance) of the last logged row at or before `limit`; (0, NaN) if none."""
    within = history[history["step"] <= limit]
    if within.empty:
        return 0, math.nan
    last = within.iloc[-1]
    distance = float(last["frechet"])
    return int(last["step"]), distance if math.isfinite(distance) else math.nan
