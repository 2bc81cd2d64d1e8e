"""Narrated steps: after Step, D step or G step, a sentence says what moved and why.

The numbers come from the snapshots before and after the step. D's accuracy and score gap
there are measured on one fixed batch of real and fake points (`Trainer.d_reading`), so a
change between them is the step's doing, not a new draw of points.

The sentence stays under the status while the run shows that very step (same step count,
same lone updates) and the run is paused; any other frame retires it.
"""

from __future__ import annotations

import math

import streamlit as st

from gan_core.figures.plane import step_text
from gan_core.formatting import format_distance
from gan_core.jobs.status import RunStatus
from gan_core.training.losses import get_loss
from gan_core.training.snapshot import Snapshot
from ui.live.view_state import ViewState
from ui.plain_text import plain

STORY_KEY = "step_story"  # (sentence, step, lone updates) of the last narrated step


def tell(action: str, before: Snapshot | None, after: Snapshot | None, loss: str) -> None:
    """Remember the sentence for a step just made (`action`: step, step_d or step_g)."""
    if before is None or after is None or after.d_reading is None:
        st.session_state.pop(STORY_KEY, None)
        return
    sentence = narrate(action, before, after, loss)
    st.session_state[STORY_KEY] = (sentence, after.step, after.lone_updates)


def forget() -> None:
    st.session_state.pop(STORY_KEY, None)


def render(view: ViewState) -> None:
    story = st.session_state.get(STORY_KEY)
    snapshot = view.snapshot
    if story is None or snapshot is None or view.status != RunStatus.PAUSED:
        return
    sentence, step, lone = story
    if (snapshot.step, snapshot.lone_updates) == (step, lone):
        st.container(key="step_story").info(plain(sentence), icon=":material/footprint:")


def narrate(action: str, before: Snapshot, after: Snapshot, loss: str) -> str:
    """What moved in one step and why, with the numbers before and after."""
    critic = not get_loss(loss).accuracy_meaningful
    judge = "the critic" if critic else "D"
    signal = _signal(before, after, critic)
    where = f"Now at step {step_text(after.step, after.lone_updates)}."
    if action == "step_d":
        return (
            f"D step: {judge} was updated on a batch of real and fake points, to tell them "
            f"apart better: {signal}. G did not move, so its points stayed where they were. "
            f"{where}"
        )
    distance = _distance(before, after)
    if action == "step_g":
        return (
            f"G step: G was updated to move its points where {judge} rates them more real: "
            f"{signal}; {distance}. {judge[0].upper() + judge[1:]} did not move. {where}"
        )
    return (
        f"Step: {judge} was updated on real and fake points, then G against the new "
        f"{judge}: {signal}; {distance}. {where}"
    )


def _signal(before: Snapshot, after: Snapshot, critic: bool) -> str:
    old, new = before.d_reading, after.d_reading
    if old is None or new is None:
        return "D's accuracy was not measured"
    if critic:
        return (
            f"its score gap (real − fake) went from {_number(old.score_gap)} to "
            f"{_number(new.score_gap)}"
        )
    return (
        f"its accuracy (real / fake) went from {old.acc_real:.0%} / {old.acc_fake:.0%} "
        f"to {new.acc_real:.0%} / {new.acc_fake:.0%}"
    )


def _distance(before: Snapshot, after: Snapshot) -> str:
    old = before.metrics.get("frechet", math.nan)
    new = after.metrics.get("frechet", math.nan)
    return (
        f"G's distance to the target (Fréchet²) went from {format_distance(old)} "
        f"to {format_distance(new)}"
    )


def _number(value: float) -> str:
    return f"{value:.3g}" if math.isfinite(value) else "—"
