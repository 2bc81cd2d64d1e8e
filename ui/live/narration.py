"""Narrated steps: after Step, D step or G step, a sentence says what moved and why.

The numbers come from the snapshots before and after the step. D's accuracy and score gap
there are measured on one fixed batch of real and fake points (`Trainer.d_reading`), so a
change between them is the step's doing, not a new draw of points.

The sentence is written when shown, in the reader's language, from what the step left in
the session; it stays under the status while the run shows that very step (same step count,
same lone updates) and the run is paused; any other frame retires it.
"""

from __future__ import annotations

import math

import streamlit as st

from gan_core.figures.plane import step_text
from gan_core.formatting import format_distance
from gan_core.i18n import N_, _
from gan_core.jobs.status import RunStatus
from gan_core.training.losses import get_loss
from gan_core.training.snapshot import Snapshot
from ui.live.view_state import ViewState
from ui.plain_text import plain

STORY_KEY = "step_story"  # (action, before, after, loss) of the last narrated step

# (action, read by a critic?) -> the sentence; {signal}, {distance} and {step} are filled in.
SENTENCES = {
    ("step_d", False): N_(
        "D step: D was updated on a batch of real and fake points, to tell them apart "
        "better: {signal}. G did not move, so its points stayed where they were. "
        "Now at step {step}."
    ),
    ("step_d", True): N_(
        "D step: the critic was updated on a batch of real and fake points, to tell them "
        "apart better: {signal}. G did not move, so its points stayed where they were. "
        "Now at step {step}."
    ),
    ("step_g", False): N_(
        "G step: G was updated to move its points where D rates them more real: {signal}; "
        "{distance}. D did not move. Now at step {step}."
    ),
    ("step_g", True): N_(
        "G step: G was updated to move its points where the critic rates them more real: "
        "{signal}; {distance}. The critic did not move. Now at step {step}."
    ),
    ("step", False): N_(
        "Step: D was updated on real and fake points, then G against the new D: {signal}; "
        "{distance}. Now at step {step}."
    ),
    ("step", True): N_(
        "Step: the critic was updated on real and fake points, then G against the new "
        "critic: {signal}; {distance}. Now at step {step}."
    ),
}


def tell(action: str, before: Snapshot | None, after: Snapshot | None, loss: str) -> None:
    """Remember a step just made (`action`: step, step_d or step_g), to narrate it."""
    if before is None or after is None or after.d_reading is None:
        st.session_state.pop(STORY_KEY, None)
        return
    st.session_state[STORY_KEY] = (action, before, after, loss)


def forget() -> None:
    st.session_state.pop(STORY_KEY, None)


def render(view: ViewState) -> None:
    story = st.session_state.get(STORY_KEY)
    snapshot = view.snapshot
    if story is None or snapshot is None or view.status != RunStatus.PAUSED:
        return
    action, before, after, loss = story
    if (snapshot.step, snapshot.lone_updates) == (after.step, after.lone_updates):
        sentence = narrate(action, before, after, loss)
        st.container(key="step_story").info(plain(sentence), icon=":material/footprint:")


def narrate(action: str, before: Snapshot, after: Snapshot, loss: str) -> str:
    """What moved in one step and why, with the numbers before and after."""
    critic = not get_loss(loss).accuracy_meaningful
    return _(SENTENCES[action, critic]).format(
        signal=_signal(before, after, critic),
        distance=_distance(before, after),
        step=step_text(after.step, after.lone_updates),
    )


def _signal(before: Snapshot, after: Snapshot, critic: bool) -> str:
    old, new = before.d_reading, after.d_reading
    if old is None or new is None:
        return _("D's accuracy was not measured")
    if critic:
        return _("its score gap (real − fake) went from {old} to {new}").format(
            old=_number(old.score_gap), new=_number(new.score_gap)
        )
    return _("its accuracy (real / fake) went from {old} to {new}").format(
        old=f"{old.acc_real:.0%} / {old.acc_fake:.0%}",
        new=f"{new.acc_real:.0%} / {new.acc_fake:.0%}",
    )


def _distance(before: Snapshot, after: Snapshot) -> str:
    old = before.metrics.get("frechet", math.nan)
    new = after.metrics.get("frechet", math.nan)
    return _("G's distance to the target (Fréchet²) went from {old} to {new}").format(
        old=format_distance(old), new=format_distance(new)
    )


def _number(value: float) -> str:
    return f"{value:.3g}" if math.isfinite(value) else "—"
