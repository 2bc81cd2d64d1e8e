"""A run's status message in the reader's language, translated when it is shown.

The messages are written where the run is: the training worker (a thread or a process, with
no Streamlit session, so in English), the job's queue, or the run store (saved in English).
The page matches each against the English forms below and writes it again from the
catalog, numbers and all. A message of no known form (an error's own text) stays as it is.
"""

from __future__ import annotations

import re

from gan_core.i18n import N_, _, current_language

# The English forms: each pattern's named groups are the template's placeholders.
FORMS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"(?P<quantity>.+) became NaN or infinite at step (?P<step>[\d,]+)"),
        N_("{quantity} became NaN or infinite at step {step}"),
    ),
    (re.compile(r"stopped on request"), N_("stopped on request")),
    (
        re.compile(r"stopped: the page that started it went away"),
        N_("stopped: the page that started it went away"),
    ),
    (
        re.compile(r"stopped \(the training worker did not answer\)"),
        N_("stopped (the training worker did not answer)"),
    ),
    (
        re.compile(r"the training worker stopped unexpectedly \(exit code (?P<code>.+)\)"),
        N_("the training worker stopped unexpectedly (exit code {code})"),
    ),
    (
        re.compile(r"waiting for a free training slot: position (?P<place>\d+) of (?P<of>\d+)"),
        N_("waiting for a free training slot: position {place} of {of}"),
    ),
    (
        re.compile(
            r"waiting for a free training slot: the one slot is busy, "
            r"position (?P<place>\d+) of (?P<of>\d+)"
        ),
        N_("waiting for a free training slot: the one slot is busy, position {place} of {of}"),
    ),
    (
        re.compile(
            r"waiting for a free training slot: all (?P<slots>\d+) slots busy, "
            r"position (?P<place>\d+) of (?P<of>\d+)"
        ),
        N_("waiting for a free training slot: all {slots} slots busy, position {place} of {of}"),
    ),
    (
        re.compile(r"waiting: your other run is using your slot; this one starts when it ends"),
        N_("waiting: your other run is using your slot; this one starts when it ends"),
    ),
    (
        re.compile(
            r"waiting: your other (?P<n>\d+) runs are using your slots; "
            r"this one starts when one of them ends"
        ),
        N_(
            "waiting: your other {n} runs are using your slots; "
            "this one starts when one of them ends"
        ),
    ),
    (
        re.compile(
            r"waiting: (?P<n>\d+) runs from your network address are training, the most one "
            r"address may run at once; this one starts when one of them ends"
        ),
        N_(
            "waiting: {n} runs from your network address are training, the most one "
            "address may run at once; this one starts when one of them ends"
        ),
    ),
    (
        re.compile(r"run #(?P<id>\d+) reopened from the run store, read-only; (?P<why>.+)"),
        N_("run #{id} reopened from the run store, read-only; {why}"),
    ),
    (
        re.compile(r"run #(?P<id>\d+) reopened from the run store, read-only"),
        N_("run #{id} reopened from the run store, read-only"),
    ),
)
# What stopped being finite, as the trainer names it.
QUANTITIES = {
    "loss_d": N_("D's loss"),
    "loss_g": N_("G's loss"),
    "a generator parameter": N_("a generator parameter"),
    "a discriminator parameter": N_("a discriminator parameter"),
}


def translated(message: str) -> str:
    """`message` in the reader's language; English (and any unknown form) as it is."""
    if not message or current_language() == "en":
        return message
    for pattern, template in FORMS:
        found = pattern.fullmatch(message)
        if found is not None:
            values = found.groupdict()
            if "quantity" in values:
                quantity = values["quantity"]
                values["quantity"] = _(QUANTITIES[quantity]) if quantity in QUANTITIES else quantity
            if "why" in values:  # a saved run's own message, after the reopening note
                values["why"] = translated(values["why"])
            return _(template).format(**values)
    return message
