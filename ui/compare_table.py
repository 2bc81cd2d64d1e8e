"""Runs side by side as tables: their settings (differences marked) and their results.

Pure pandas: records in, DataFrames (and a pandas Styler) out, for the Compare page. The
results' row names and words are in the reader's language; the settings keep their code
names (they are the config's fields, as a config file and a link write them).
"""

from __future__ import annotations

import hashlib

import pandas as pd
from pandas.io.formats.style import Styler

from gan_core.config import GanConfig
from gan_core.formatting import MISSING, format_distance
from gan_core.i18n import N_, _
from gan_core.serialize import to_dict
from gan_core.store.record import RunRecord

DIFFERS_STYLE = "background-color: #ffe8a3; font-weight: 700"
RESULT_ROWS = {  # metric key -> row name in the results table (translated where shown)
    "frechet": N_("squared Fréchet distance"),
    "kl_gen_target": N_("KL(G ‖ target)"),
    "mean_error": N_("mean error"),
    "cov_error": N_("covariance error"),
    "sliced_wasserstein": N_("sliced Wasserstein"),
    "energy": N_("energy distance"),
    "modes_covered": N_("modes covered"),
    "high_quality": N_("high-quality share"),
}
# A saved run's status as the page says it (the stored value stays the English word).
STATUS_NAMES = {
    "starting": N_("starting"),
    "running": N_("running"),
    "paused": N_("paused"),
    "finished": N_("finished"),
    "diverged": N_("diverged"),
    "stopped": N_("stopped"),
    "error": N_("error"),
    "queued": N_("queued"),
    "damaged": N_("damaged"),
    "lost": N_("lost"),  # not ended, and its server stopped saving it (store/record.py)
}


def status_name(status: object) -> str:
    """`status` (a RunStatus or its stored word) in the reader's language."""
    word = str(status)
    return _(STATUS_NAMES[word]) if word in STATUS_NAMES else word


def flat_settings(config: GanConfig) -> dict[str, str]:
    """Every setting as one line of text. Floats print in their shortest exact form
    (repr), so two settings that differ never print alike."""
    data = to_dict(config)
    data.pop("version")
    target = data.pop("target")
    flat = {
        "target": target["kind"],
        "target mean": _text(target["mean"]),
        "target covariance": _text(target["cov"]),
    }
    if "points" in target:  # a digest tells two point sets apart without printing them
        digest = hashlib.sha256(repr(target["points"]).encode()).hexdigest()[:8]
        flat["target points"] = f"{len(target['points'])} points ({digest})"
    flat.update({name: _text(value) for name, value in data.items()})
    return flat


def _text(value) -> str:
    if isinstance(value, list):
        inner = ", ".join(_text(v) for v in value)
        return f"[{inner}]" if value and isinstance(value[0], list) else inner or "none"
    return repr(value) if isinstance(value, float) else str(value)


def settings_table(records: list[RunRecord]) -> pd.DataFrame:
    """Settings × runs: one row per setting, one column per run (named by its label)."""
    columns = {r.label: flat_settings(r.config) for r in records}
    table = pd.DataFrame(columns)
    return table.fillna("—")  # a setting only some runs have (target points)


def differing(table: pd.DataFrame) -> pd.Series:
    """True for the settings whose value is not the same in every run."""
    return table.nunique(axis=1) > 1


def styled_settings(table: pd.DataFrame, only_differences: bool = False) -> Styler:
    """The table with differing rows highlighted (and marked "≠", not by colour alone)."""
    differs = differing(table)
    if only_differences:
        table, differs = table[differs], differs[differs]
    marked = table.rename(index=lambda name: f"≠ {name}" if differs[name] else name)
    flags = dict(zip(marked.index, differs.tolist()))
    return marked.style.apply(
        lambda row: [DIFFERS_STYLE if flags[row.name] else ""] * len(row), axis=1
    )


def results_table(records: list[RunRecord]) -> pd.DataFrame:
    """Results × runs: status, steps done, the last losses and accuracy, final distances."""
    columns = {}
    for record in records:
        last = record.history.iloc[-1] if len(record.history) else None
        column = {
            _("status"): status_name(record.state),
            _("steps"): _("{done} of {total}").format(
                done=f"{int(last.step):,}", total=f"{record.config.total_steps:,}"
            )
            if last is not None
            else "0",
            _("D loss (last)"): _number(last.loss_d if last is not None else None),
            _("G loss (last)"): _number(last.loss_g if last is not None else None),
            _("D accuracy (last)"): _number(
                (last.acc_real + last.acc_fake) / 2 if last is not None else None
            ),
        }
        metrics = dict(record.metrics)
        if "frechet" not in metrics and last is not None:
            metrics["frechet"] = last.frechet  # a run still going: its latest distance
        for key, name in RESULT_ROWS.items():
            if key in metrics:
                column[_(name)] = _number(metrics[key])
        if record.message:
            column[_("message")] = record.message
        columns[record.label] = column
    return pd.DataFrame(columns).fillna("—")


def _number(value) -> str:
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return format_distance(value)
