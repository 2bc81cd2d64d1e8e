"""GAN objectives on the discriminator's scalar score s(x): one object per loss, in a registry.

For the seed's two-logit D, s = logit_real - logit_fake, so D(x) = sigmoid(s) and
CrossEntropy(logits, real) = softplus(-s), CrossEntropy(logits, fake) = softplus(s).
Writing every loss on s lets one D architecture serve every objective.

Scores have shape (R, n): R runs side by side, n samples each; each loss is a mean over
the n samples of a run, so values have shape (R,). The derivative methods return
dLoss/ds, which the hand-written backward pass of `stacked_mlp` starts from; tests check
them against autograd applied to the value methods.

Each loss also says how to read D: whether its output is a probability, how many outputs
the network has, and where D draws the line between "real" and "fake" when its accuracy
is measured. `LOSSES_BY_NAME` is the registry; `get_loss` looks a name up.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

# D's loss when it outputs 1/2 everywhere (cross-entropy family): the equilibrium value.
EQUILIBRIUM_D_LOSS = 2 * math.log(2)

Tensor = torch.Tensor


class Loss:
    """One GAN objective: D's and G's losses on the score, their derivatives, how to read D.

    Class attributes, set by each loss:
    - `name`: the config's spelling (`GanConfig.loss`).
    - `outputs`: D's number of outputs (2 logits for the seed's cross-entropy, else 1).
    - `probability`: D(x) = sigmoid(s) is a probability; otherwise D gives a raw score.
    - `threshold`: D says "real" when its output (the probability, or else the score) is
      above it, and "fake" otherwise; D's accuracy counts how often that verdict is right.
    - `accuracy_meaningful`: False when no threshold turns the score into a verdict with a
      probabilistic meaning (a critic's score has an arbitrary offset); the accuracy is
      then still measured at `threshold`, but a view should prefer the real-fake score gap.
    - `gradient_penalty`: D's loss also carries WGAN-GP's gradient penalty (see engine).
    """

    name: str
    outputs: int = 1
    probability: bool = False
    threshold: float = 0.0
    accuracy_meaningful: bool = True
    gradient_penalty: bool = False

    def d_loss(self, s_real: Tensor, s_fake: Tensor) -> Tensor:
        """What D minimises, per run (a gradient penalty is added separately)."""
        raise NotImplementedError

    def d_loss_grads(self, s_real: Tensor, s_fake: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """(value (R,), dL/ds_real (R, n), dL/ds_fake (R, m))."""
        raise NotImplementedError

    def g_loss(self, s_fake: Tensor) -> Tensor:
        """What G minimises, per run."""
        raise NotImplementedError

    def g_loss_grad(self, s_fake: Tensor) -> tuple[Tensor, Tensor]:
        """(value (R,), dL/ds_fake (R, m))."""
        raise NotImplementedError

    @property
    def score_threshold(self) -> float:
        """`threshold` carried over to the score: D says "real" when s > this."""
        if self.probability:  # sigmoid(s) > p  <=>  s > logit(p); logit(1/2) is exactly 0
            return math.log(self.threshold / (1.0 - self.threshold))
        return self.threshold

    def says_real(self, s: Tensor) -> Tensor:
        """D's verdict on each score: True for "real", False for "fake"."""
        return s > self.score_threshold

    def output(self, s: Tensor) -> Tensor:
        """What D outputs for a score: the probability D(x), or the score itself."""
        return torch.sigmoid(s) if self.probability else s

    def __repr__(self) -> str:
        return f"<loss {self.name}>"


class CrossEntropy(Loss):
    """The seed's: D's two mean cross-entropies (real labelled 1, fake labelled 0), and the
    non-saturating G loss -log D(G(z)): G asks D to call its samples real."""

    name = "cross_entropy"
    outputs = 2
    probability = True
    threshold = 0.5

    def d_loss(self, s_real: Tensor, s_fake: Tensor) -> Tensor:
        return F.softplus(-s_real).mean(-1) + F.softplus(s_fake).mean(-1)

    def d_loss_grads(self, s_real: Tensor, s_fake: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        n, m = s_real.shape[-1], s_fake.shape[-1]
        value = self.d_loss(s_real, s_fake)
        return value, -torch.sigmoid(-s_real) / n, torch.sigmoid(s_fake) / m

    def g_loss(self, s_fake: Tensor) -> Tensor:
        return F.softplus(-s_fake).mean(-1)

    def g_loss_grad(self, s_fake: Tensor) -> tuple[Tensor, Tensor]:
        return self.g_loss(s_fake), -torch.sigmoid(-s_fake) / s_fake.shape[-1]


class Minimax(CrossEntropy):
    """The same D (two logits, same loss), so that comparing the two G objectives changes
    nothing else; G minimises log(1 - D(G(z))) = -softplus(s), flat where D is confident."""

    name = "minimax"

    def g_loss(self, s_fake: Tensor) -> Tensor:
        return -F.softplus(s_fake).mean(-1)

    def g_loss_grad(self, s_fake: Tensor) -> tuple[Tensor, Tensor]:
        return self.g_loss(s_fake), -torch.sigmoid(s_fake) / s_fake.shape[-1]


class LeastSquares(Loss):
    """D regresses real to 1 and fake to 0; G pulls its samples' score to 1. D's score aims
    at 1 or 0, so the line between its two answers is halfway, at 0.5."""

    name = "least_squares"
    threshold = 0.5

    def d_loss(self, s_real: Tensor, s_fake: Tensor) -> Tensor:
        return 0.5 * ((s_real - 1.0).pow(2).mean(-1) + s_fake.pow(2).mean(-1))

    def d_loss_grads(self, s_real: Tensor, s_fake: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        n, m = s_real.shape[-1], s_fake.shape[-1]
        return self.d_loss(s_real, s_fake), (s_real - 1.0) / n, s_fake / m

    def g_loss(self, s_fake: Tensor) -> Tensor:
        return 0.5 * (s_fake - 1.0).pow(2).mean(-1)

    def g_loss_grad(self, s_fake: Tensor) -> tuple[Tensor, Tensor]:
        return self.g_loss(s_fake), (s_fake - 1.0) / s_fake.shape[-1]


class _Critic(Loss):
    """A critic's score has no fixed meaning, only differences do: its accuracy at 0 is
    measured as it always was, but is flagged as having no probabilistic meaning."""

    accuracy_meaningful = False

    def g_loss(self, s_fake: Tensor) -> Tensor:
        return -s_fake.mean(-1)

    def g_loss_grad(self, s_fake: Tensor) -> tuple[Tensor, Tensor]:
        return self.g_loss(s_fake), torch.full_like(s_fake, -1.0 / s_fake.shape[-1])


class WassersteinGP(_Critic):
    """The critic widens the gap between its mean score on real and on fake samples, held
    to slope 1 by the gradient penalty; G raises its samples' score."""

    name = "wasserstein_gp"
    gradient_penalty = True

    def d_loss(self, s_real: Tensor, s_fake: Tensor) -> Tensor:
        return s_fake.mean(-1) - s_real.mean(-1)

    def d_loss_grads(self, s_real: Tensor, s_fake: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        n, m = s_real.shape[-1], s_fake.shape[-1]
        return (
            self.d_loss(s_real, s_fake),
            torch.full_like(s_real, -1.0 / n),
            torch.full_like(s_fake, 1.0 / m),
        )


class Hinge(_Critic):
    """The critic pushes real scores above 1 and fake ones below -1, then stops pushing."""

    name = "hinge"

    def d_loss(self, s_real: Tensor, s_fake: Tensor) -> Tensor:
        return F.relu(1.0 - s_real).mean(-1) + F.relu(1.0 + s_fake).mean(-1)

    def d_loss_grads(self, s_real: Tensor, s_fake: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        n, m = s_real.shape[-1], s_fake.shape[-1]
        return (
            self.d_loss(s_real, s_fake),
            -(s_real < 1.0).to(s_real.dtype) / n,
            (s_fake > -1.0).to(s_fake.dtype) / m,
        )


LOSSES_BY_NAME: dict[str, Loss] = {
    loss.name: loss
    for loss in (CrossEntropy(), Minimax(), LeastSquares(), WassersteinGP(), Hinge())
}


def get_loss(name: str) -> Loss:
    """The loss a config names; a ValueError naming the choices for any other name."""
    try:
        return LOSSES_BY_NAME[name]
    except (KeyError, TypeError):
        choices = ", ".join(LOSSES_BY_NAME)
        raise ValueError(f"loss: {name!r} is not a loss; choose from {choices}") from None


def score(output: Tensor) -> Tensor:
    """(R, n, 1 or 2) network output -> (R, n) score."""
    if output.shape[-1] == 2:
        return output[..., 1] - output[..., 0]
    return output[..., 0]


def score_grad_to_output(d_score: Tensor, outputs: int) -> Tensor:
    """Chain rule through `score`: (R, n) -> (R, n, outputs)."""
    if outputs == 2:
        return torch.stack((-d_score, d_score), dim=-1)
    return d_score.unsqueeze(-1)
