"""The loss registry: one object per loss, what it says about D, and D's accuracy."""

import json
import math
import subprocess
import sys

import pytest
import torch

from gan_core.config import LOSSES, GanConfig
from gan_core.training.engine import StackedGAN
from gan_core.training.losses import LOSSES_BY_NAME, get_loss
from gan_core.training.step_part import StepPart
from gan_core.training.trainer import Trainer

SHORT = GanConfig(epochs=1, batch_size=32)


def test_the_registry_holds_every_loss_of_the_config():
    assert tuple(LOSSES_BY_NAME) == LOSSES
    for name, loss in LOSSES_BY_NAME.items():
        assert get_loss(name) is loss and loss.name == name
    with pytest.raises(ValueError, match="'nope' is not a loss; choose from cross_entropy"):
        get_loss("nope")


@pytest.mark.parametrize(
    "name, outputs, probability, threshold, meaningful, penalty",
    [
        ("cross_entropy", 2, True, 0.5, True, False),
        ("minimax", 2, True, 0.5, True, False),
        ("least_squares", 1, False, 0.5, True, False),
        ("wasserstein_gp", 1, False, 0.0, False, True),
        ("hinge", 1, False, 0.0, False, False),
    ],
)
def test_what_each_loss_says_about_d(name, outputs, probability, threshold, meaningful, penalty):
    loss = get_loss(name)
    assert (loss.outputs, loss.probability, loss.threshold) == (outputs, probability, threshold)
    assert (loss.accuracy_meaningful, loss.gradient_penalty) == (meaningful, penalty)
    assert StackedGAN([SHORT.replace(loss=name)]).D.sizes[-1] == outputs
    # D says "real" just above its threshold and "fake" at it and below.
    just_above = math.log(0.51 / 0.49) if probability else threshold + 0.01
    at = 0.0 if probability else threshold
    verdicts = loss.says_real(torch.tensor([just_above, at, at - 0.01]))
    assert verdicts.tolist() == [True, False, False]
    s = torch.tensor([-2.0, 0.0, 3.0])
    expected = torch.sigmoid(s) if probability else s
    torch.testing.assert_close(loss.output(s), expected)


def _undecided(trainer: Trainer, output: float) -> None:
    """D's last layer zeroed, its bias set so that D outputs `output` for every point."""
    weight, bias = trainer.engine.D.layers[-1]
    with torch.no_grad():
        weight.zero_()
        bias.zero_()
        bias[..., -1] = output  # one score, or the "real" logit of two (fake logit 0)


@pytest.mark.parametrize("name, score", [("least_squares", 0.5), ("cross_entropy", 0.0)])
def test_an_undecided_d_scores_half(name, score):
    """D that outputs 1/2 everywhere (score 0.5 for least squares, D(x) = 1/2 for the
    cross-entropy family) calls everything fake at its threshold: right on every fake,
    wrong on every real, half right in all."""
    trainer = Trainer(SHORT.replace(loss=name))
    _undecided(trainer, score)
    acc_real, acc_fake = trainer.d_accuracy()
    assert (acc_real, acc_fake) == (0.0, 1.0)
    # Scores a hair either side of the threshold: about half of each kind called real.
    with torch.no_grad():
        trainer.engine.D.layers[-1][0].normal_(0.0, 1e-3, generator=torch.Generator())
    acc_real, acc_fake = trainer.d_accuracy()
    assert 0.2 < (acc_real + acc_fake) / 2 < 0.8


def test_least_squares_accuracy_counts_real_above_one_half():
    """Least squares aims D at 1 for real and 0 for fake: 0.8 is a "real" verdict, 0.3 a
    "fake" one, whatever the sign (the old threshold at 0 called both real)."""
    trainer = Trainer(SHORT.replace(loss="least_squares"))
    _undecided(trainer, 0.8)
    assert trainer.d_accuracy() == (1.0, 0.0)
    _undecided(trainer, 0.3)
    assert trainer.d_accuracy() == (0.0, 1.0)


@pytest.mark.slow
def test_cli_least_squares_accuracy_is_no_longer_all_real(repo_root):
    """The least-squares preset ends with D near 1/2 everywhere (its loss near 0.25): its
    accuracy must be near one half, not 100% real and 0% fake."""
    result = subprocess.run(
        [sys.executable, "-m", "gan_core", "train", "--preset", "least_squares", "--json"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=repo_root,
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["loss_d"] == pytest.approx(0.25, abs=0.02)  # D near 1/2 everywhere
    assert (summary["d_accuracy_real"], summary["d_accuracy_fake"]) != (1.0, 0.0)
    assert 0.3 <= summary["d_accuracy"] <= 0.7


def test_step_parts_are_plain_strings_too():
    assert [p.value for p in StepPart] == ["both", "d", "g"]
    assert StepPart.parse("d") is StepPart.D and StepPart.parse(StepPart.G) is StepPart.G
    assert StepPart.D == "d" and json.dumps(StepPart.BOTH) == '"both"'
    for bad in ("x", None, 3):
        with pytest.raises(ValueError, match="part must be one of 'both', 'd', 'g'"):
            StepPart.parse(bad)


@pytest.mark.parametrize("d_steps", [1, 3])
def test_a_step_is_d_steps_d_updates_then_g_on_the_last_noise(d_steps):
    engine = StackedGAN([SHORT.replace(d_steps=d_steps)])
    updates = []
    for update in engine.updates(StepPart.BOTH):
        if update.part == StepPart.D:
            last_noise = engine.last_z
        else:
            assert engine.last_z is last_noise  # G's update reuses the last D batch's noise
        updates.append(update.part)
    assert updates == [StepPart.D] * d_steps + [StepPart.G]
    assert [u.part for u in engine.updates(StepPart.D)] == [StepPart.D]
    assert [u.part for u in engine.updates(StepPart.G)] == [StepPart.G]
