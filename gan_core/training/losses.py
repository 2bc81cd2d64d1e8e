"""GAN objectives on the discriminator's scalar score s(x), with their exact derivatives.

For the seed's two-logit D, s = logit_real - logit_fake, so D(x) = sigmoid(s) and
CrossEntropy(logits, real) = softplus(-s), CrossEntropy(logits, fake) = softplus(s).
Writing every loss on s lets one D architecture serve every objective.

Scores have shape (R, n): R runs side by side, n samples each; each loss is a mean over
the n samples of a run, so values have shape (R,). The derivative functions return
dLoss/ds, which the hand-written backward pass of `stacked_mlp` starts from; tests check
them against autograd applied to the value functions.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

# D's loss when it outputs 1/2 everywhere (cross-entropy family): the equilibrium value.
EQUILIBRIUM_D_LOSS = 2 * math.log(2)


def score(output: torch.Tensor) -> torch.Tensor:
    """(R, n, 1 or 2) network output -> (R, n) score."""
    if output.shape[-1] == 2:
        return output[..., 1] - output[..., 0]
    return output[..., 0]


def score_grad_to_output(d_score: torch.Tensor, outputs: int) -> torch.Tensor:
    """Chain rule through `score`: (R, n) -> (R, n, outputs)."""
    if outputs == 2:
        return torch.stack((-d_score, d_score), dim=-1)
    return d_score.unsqueeze(-1)


def discriminator_loss(loss: str, s_real: torch.Tensor, s_fake: torch.Tensor) -> torch.Tensor:
    """What D minimises, per run (the gradient penalty of wasserstein_gp is added separately)."""
    if loss in ("cross_entropy", "minimax"):
        # The seed's sum of two mean cross-entropies: real labelled 1, fake labelled 0.
        return F.softplus(-s_real).mean(-1) + F.softplus(s_fake).mean(-1)
    if loss == "least_squares":
        return 0.5 * ((s_real - 1.0).pow(2).mean(-1) + s_fake.pow(2).mean(-1))
    if loss == "wasserstein_gp":
        return s_fake.mean(-1) - s_real.mean(-1)
    if loss == "hinge":
        return F.relu(1.0 - s_real).mean(-1) + F.relu(1.0 + s_fake).mean(-1)
    raise ValueError(f"unknown loss {loss!r}")


def generator_loss(loss: str, s_fake: torch.Tensor) -> torch.Tensor:
    if loss == "cross_entropy":
        # Non-saturating: G asks D to call its samples real, -log D(G(z)).
        return F.softplus(-s_fake).mean(-1)
    if loss == "minimax":
        # Saturating: G minimises log(1 - D(G(z))) = -softplus(s); flat where D is confident.
        return -F.softplus(s_fake).mean(-1)
    if loss == "least_squares":
        return 0.5 * (s_fake - 1.0).pow(2).mean(-1)
    if loss in ("wasserstein_gp", "hinge"):
        return -s_fake.mean(-1)
    raise ValueError(f"unknown loss {loss!r}")


def discriminator_loss_grads(loss: str, s_real: torch.Tensor, s_fake: torch.Tensor):
    """(value (R,), dL/ds_real (R, n), dL/ds_fake (R, m))."""
    n, m = s_real.shape[-1], s_fake.shape[-1]
    value = discriminator_loss(loss, s_real, s_fake)
    if loss in ("cross_entropy", "minimax"):
        return value, -torch.sigmoid(-s_real) / n, torch.sigmoid(s_fake) / m
    if loss == "least_squares":
        return value, (s_real - 1.0) / n, s_fake / m
    if loss == "wasserstein_gp":
        return value, torch.full_like(s_real, -1.0 / n), torch.full_like(s_fake, 1.0 / m)
    if loss == "hinge":
        return value, -(s_real < 1.0).to(s_real.dtype) / n, (s_fake > -1.0).to(s_fake.dtype) / m
    raise ValueError(f"unknown loss {loss!r}")


def generator_loss_grad(loss: str, s_fake: torch.Tensor):
    """(value (R,), dL/ds_fake (R, m))."""
    m = s_fake.shape[-1]
    value = generator_loss(loss, s_fake)
    if loss == "cross_entropy":
        return value, -torch.sigmoid(-s_fake) / m
    if loss == "minimax":
        return value, -torch.sigmoid(s_fake) / m
    if loss == "least_squares":
        return value, (s_fake - 1.0) / m
    if loss in ("wasserstein_gp", "hinge"):
        return value, torch.full_like(s_fake, -1.0 / m)
    raise ValueError(f"unknown loss {loss!r}")
