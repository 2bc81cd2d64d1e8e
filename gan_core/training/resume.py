"""Take a saved run up again: find its checkpoint, load it, and set how far it goes.

`resume(path, epochs)` is what `python -m gan_core train --resume PATH [--epochs N]` does
before it trains. The trainer it returns continues the run exactly: trained on to the
checkpoint's own epochs, it gives bit for bit what the run would have given had it never
stopped (history, weights, optimiser and random state alike).

Going further than the checkpoint's epochs (`epochs` above them) trains on exactly as a
longer run would, the same batches and updates, so the weights come out the same as a
straight run of that length. The log is the one exception: a trainer logs a row every
`log_every` steps, an interval set from the run's length when it started, and a run that
reached its end logged a row there. The extended run keeps the interval it was saved with,
so its history equals a straight run's only when the two intervals agree (every run of
fewer than 1,000 steps logs every step) and the old end fell on a logged step.
"""

from __future__ import annotations

import os
from pathlib import Path

from gan_core.config import ConfigError, quote_value
from gan_core.i18n import _
from gan_core.training.checkpoint import load_checkpoint
from gan_core.training.trainer import Trainer
from gan_core.user_files import shown_path

CHECKPOINT_NAME = "checkpoint.pt"  # what `train --out DIR` writes into DIR
FIELD = "--resume"


def resume(path: str | os.PathLike[str], epochs: int | None = None) -> Trainer:
    """The run saved at `path` (a checkpoint, or a directory holding `checkpoint.pt`),
    set to train on to `epochs` in all (default: the epochs its config says).

    ConfigError with a one-line message if the file is not a checkpoint that fits, or if
    `epochs` is fewer than the run has already done."""
    trainer = load_checkpoint(checkpoint_file(path))
    if epochs is not None:
        continue_to(trainer, epochs)
    return trainer


def checkpoint_file(path: str | os.PathLike[str]) -> Path:
    """`path` itself, or for a directory (an `--out` directory), the checkpoint in it."""
    given = Path(path).expanduser()
    try:
        is_dir = given.is_dir()
    except OSError as error:  # e.g. a name longer than the file system allows
        raise ConfigError(
            FIELD,
            _("cannot read {path} ({reason})").format(
                path=shown_path(given), reason=error.strerror
            ),
        ) from None
    if not is_dir:
        return given  # read_user_file says what is wrong with it, if anything
    found = given / CHECKPOINT_NAME
    if not (found.exists() or found.is_symlink()):
        raise ConfigError(
            FIELD,
            _(
                "{path} is a directory without a {name} "
                "(name the checkpoint file, or a directory that `train --out` wrote)"
            ).format(path=shown_path(given), name=CHECKPOINT_NAME),
        )
    return found


def continue_to(trainer: Trainer, epochs: int) -> None:
    """Let the run train on to `epochs` in all: its config's epochs become `epochs`.

    Nothing else about the run changes: the engine never reads the number of epochs (its
    batches reshuffle at each pass over the data, however many passes there will be)."""
    done = trainer.step_count
    per_epoch = trainer.config.steps_per_epoch
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs * per_epoch < done:
        whole, part = divmod(done, per_epoch)
        if part:
            so_far = _("{epochs} epochs and {steps} steps").format(
                epochs=f"{whole:,}", steps=f"{part:,}"
            )
        else:
            so_far = _("{epochs} epochs").format(epochs=f"{whole:,}")
        least = whole + (1 if part else 0)
        raise ConfigError(
            "epochs",
            _(
                "{value} is fewer than the run has done ({so_far}, step {step}): "
                "allowed {least} or more"
            ).format(
                value=quote_value(epochs), so_far=so_far, step=f"{done:,}", least=f"{least:,}"
            ),
        )
    trainer.config = trainer.config.replace(epochs=epochs)  # validates: the step cap
