"""The leaderboard: the current challenge in words, and every published run checked against
it, the runs that count ranked by distance and the others with the reasons they do not.

Checking a run reads its whole log, so a run's verdict is kept until the run or the
challenge changes (and per language: its reasons are words); at most `MAX_RANKED` of the
newest published runs are checked.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from gan_core.classroom.challenge import Challenge
from gan_core.classroom.check import Verdict, check, describe_target
from gan_core.classroom.ranking import rank
from gan_core.config import ConfigError
from gan_core.formatting import COLUMN_FORMAT
from gan_core.i18n import _, current_language
from gan_core.store.run_store import RunNotFound, RunStore
from ui.board.challenge_form import loss_name
from ui.board.gallery import skip_note
from ui.plain_text import plain

MAX_RANKED = 200
VERDICTS_KEPT = 2_000


def current(store: RunStore) -> tuple[Challenge | None, str | None]:
    """The stored challenge, or (None, why) when what is stored cannot be read as one."""
    stored = store.challenge()
    if stored is None:
        return None, None
    try:
        return Challenge.from_json(stored), None
    except ConfigError as error:
        return None, _(
            "The stored challenge cannot be read ({error}); a teacher can set a new one."
        ).format(error=error)


def describe(challenge: Challenge) -> str:
    """The rules in one sentence (plain text: the title is shown apart, never as Markdown)."""
    rules = [
        _("lowest exact distance to the Gaussian with {target}").format(
            target=describe_target(challenge.target)
        ),
        _("within {steps} steps").format(steps=f"{challenge.step_limit:,}"),
        _("finished runs only"),
    ]
    if challenge.loss is not None:
        rules.append(_("loss {loss}").format(loss=loss_name(challenge.loss)))
    if challenge.d_hidden is not None:
        widths = ", ".join(map(str, challenge.d_hidden)) or _("none")
        rules.append(_("D's layers {widths}").format(widths=widths))
    return _("Challenge: {rules}.").format(rules=_("; ").join(rules))


def render(store: RunStore, challenge: Challenge, runs: pd.DataFrame) -> list[str]:
    """The leaderboard of `runs` (the sound published rows, newest first); returns one line
    for each run that could not be checked."""
    st.subheader(plain(challenge.title), anchor=False)
    st.caption(plain(describe(challenge)))
    verdicts: list[Verdict] = []
    skipped: list[str] = []
    body = challenge.to_json()
    for run in runs.head(MAX_RANKED).itertuples():
        try:
            verdicts.append(
                _verdict(
                    store.identity, int(run.id), run.updated.value, body, current_language(), store
                )
            )
        except (ConfigError, RunNotFound) as error:
            skipped.append(skip_note(run.label, error))
    if not verdicts:
        st.info(_("No published run to rank yet."))
        return skipped
    table = pd.DataFrame(
        [
            {
                "place": entry.place,
                "run": entry.verdict.label,
                "distance": entry.verdict.distance,
                "step": entry.verdict.steps,
                "why it does not count": _("; ").join(entry.verdict.reasons),
            }
            for entry in rank(verdicts)
        ]
    ).astype({"place": "Int64"})
    st.dataframe(
        table,
        hide_index=True,
        key="leaderboard",
        column_config={
            "place": st.column_config.NumberColumn(_("place")),
            "run": _("run"),
            "distance": st.column_config.NumberColumn(_("distance"), format=COLUMN_FORMAT),
            "step": st.column_config.NumberColumn(_("step"), format="%d"),
            "why it does not count": _("why it does not count"),
        },
    )
    return skipped


@st.cache_data(show_spinner=False, max_entries=VERDICTS_KEPT)
def _verdict(
    store_identity: str, run_id: int, updated_ns: int, body: str, language: str, _store: RunStore
) -> Verdict:
    # Keyed by the store (its file, or its database's URL without the password), the run,
    # when it was last written, the challenge and the language its reasons are written in.
    return check(_store.get_run(run_id), Challenge.from_json(body))
