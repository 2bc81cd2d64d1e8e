"""The engine against independent references: autograd, torch.optim, and itself (determinism)."""

import pytest
import torch

from gan_core.config import LOSSES, GanConfig
from gan_core.training import losses
from gan_core.training.engine import StackedGAN
from gan_core.training.optim import StackedAdam, StackedSGD
from gan_core.training.stacked_mlp import ACTIVATIONS, StackedMLP


def _reference_forward(mlp: StackedMLP, flat: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """The same network written with plain autograd-tracked ops, for gradient checks."""
    h = x
    for i, (w, b) in enumerate(mlp.views(flat)):
        h = h @ w + b
        if i < len(mlp.shapes) - 1:
            h = mlp.activation(h)
    return h


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_hand_written_backprop_matches_autograd(activation):
    torch.manual_seed(0)
    runs = 3
    mlp = StackedMLP([2, 7, 4, 2], activation, runs)
    mlp.initialise([0.5] * runs, [torch.Generator().manual_seed(r) for r in range(runs)])
    x = torch.randn(runs, 9, 2, dtype=torch.float32)
    d_out = torch.randn(runs, 9, 2)
    out, inputs = mlp.forward(x)
    grad, d_x = mlp.backward(inputs, d_out, input_grad=True)

    flat = mlp.flat.detach().clone().requires_grad_(True)
    x_ref = x.clone().requires_grad_(True)
    ref = _reference_forward(mlp, flat, x_ref)
    torch.testing.assert_close(out, ref.detach())
    ref_grad, ref_dx = torch.autograd.grad((ref * d_out).sum(), (flat, x_ref))
    torch.testing.assert_close(grad, ref_grad, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(d_x, ref_dx, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("loss", LOSSES)
def test_loss_derivatives_match_autograd(loss):
    objective = losses.get_loss(loss)  # every loss of the config, through the registry
    torch.manual_seed(1)
    s_real = (torch.randn(2, 6) * 2).requires_grad_(True)
    s_fake = (torch.randn(2, 5) * 2).requires_grad_(True)
    value, d_real, d_fake = objective.d_loss_grads(s_real, s_fake)
    ref_real, ref_fake = torch.autograd.grad(
        objective.d_loss(s_real, s_fake).sum(), (s_real, s_fake)
    )
    torch.testing.assert_close(d_real, ref_real)
    torch.testing.assert_close(d_fake, ref_fake)
    torch.testing.assert_close(value, objective.d_loss(s_real, s_fake))
    g_value, g_grad = objective.g_loss_grad(s_fake)
    (ref_g,) = torch.autograd.grad(objective.g_loss(s_fake).sum(), s_fake)
    torch.testing.assert_close(g_grad, ref_g)
    assert value.shape == g_value.shape == (2,)


def test_two_logit_loss_equals_cross_entropy():
    """The seed's CrossEntropyLoss on two logits is softplus of the score difference."""
    torch.manual_seed(2)
    real_logits, fake_logits = torch.randn(8, 2), torch.randn(8, 2)
    ce = torch.nn.functional.cross_entropy
    expected = ce(real_logits, torch.ones(8, dtype=torch.long)) + ce(
        fake_logits, torch.zeros(8, dtype=torch.long)
    )
    cross_entropy = losses.get_loss("cross_entropy")
    ours = cross_entropy.d_loss(losses.score(real_logits)[None], losses.score(fake_logits)[None])
    torch.testing.assert_close(ours[0], expected)
    g_expected = ce(fake_logits, torch.ones(8, dtype=torch.long))
    torch.testing.assert_close(cross_entropy.g_loss(losses.score(fake_logits)[None])[0], g_expected)


def test_adam_matches_torch_optim():
    torch.manual_seed(3)
    start = torch.randn(1, 12)
    ours = start.clone()
    adam = StackedAdam(ours, lr=0.05, beta1=0.5, beta2=0.99)
    reference = start.clone().requires_grad_(True)
    torch_adam = torch.optim.Adam([reference], lr=0.05, betas=(0.5, 0.99))
    for _ in range(25):
        grad = torch.randn(1, 12)
        adam.step(grad)
        reference.grad = grad.clone()
        torch_adam.step()
    torch.testing.assert_close(ours, reference.detach(), rtol=1e-5, atol=1e-6)


def test_per_run_adam_equals_separate_runs():
    torch.manual_seed(4)
    lrs, betas = [0.01, 0.1], [0.5, 0.9]
    stacked = torch.zeros(2, 5)
    adam = StackedAdam(stacked, lr=lrs, beta1=betas, beta2=0.999)
    singles = [torch.zeros(1, 5) for _ in range(2)]
    single_adams = [
        StackedAdam(p, lr=lr, beta1=b, beta2=0.999) for p, lr, b in zip(singles, lrs, betas)
    ]
    for _ in range(10):
        grad = torch.randn(2, 5)
        adam.step(grad)
        for r in range(2):
            single_adams[r].step(grad[r : r + 1])
    torch.testing.assert_close(stacked, torch.cat(singles), rtol=1e-5, atol=1e-7)


def test_sgd_momentum_matches_torch_optim():
    torch.manual_seed(5)
    start = torch.randn(1, 6)
    ours = start.clone()
    sgd = StackedSGD(ours, lr=0.1, momentum=0.9)
    reference = start.clone().requires_grad_(True)
    torch_sgd = torch.optim.SGD([reference], lr=0.1, momentum=0.9)
    for _ in range(10):
        grad = torch.randn(1, 6)
        sgd.step(grad)
        reference.grad = grad.clone()
        torch_sgd.step()
    torch.testing.assert_close(ours, reference.detach())


def test_stack_requires_matching_structure():
    with pytest.raises(ValueError, match="may differ only"):
        StackedGAN([GanConfig(), GanConfig(batch_size=8)])
    engine = StackedGAN([GanConfig(seed=1, lr_d=0.01), GanConfig(seed=2, lr_d=0.05)])
    assert engine.data.shape == (2, 1000, 2)


def test_stacked_run_starts_from_its_own_seed():
    """Run r of a stack starts from the same data and weights as a single run with its seed."""
    stack = StackedGAN([GanConfig(seed=7), GanConfig(seed=11)])
    single = StackedGAN([GanConfig(seed=11)])
    torch.testing.assert_close(stack.data[1], single.data[0])
    torch.testing.assert_close(stack.G.flat[1], single.G.flat[0])
    torch.testing.assert_close(stack.D.flat[1], single.D.flat[0])


def test_gradient_penalty_gradient_matches_finite_difference():
    config = GanConfig(loss="wasserstein_gp", d_hidden=(6,), batch_size=8, gp_weight=10.0)
    engine = StackedGAN([config])
    real, fake = torch.randn(1, 8, 2), torch.randn(1, 8, 2)
    state = engine.rng.get_state()
    penalty, grad = engine._gradient_penalty(real, fake)
    index, eps = 3, 1e-3
    values = []
    for sign in (1, -1):
        engine.rng.set_state(state)
        with torch.no_grad():
            engine.D.flat[0, index] += sign * eps
        values.append(engine._gradient_penalty(real, fake)[0].item() * 10.0)
        with torch.no_grad():
            engine.D.flat[0, index] -= sign * eps
    numeric = (values[0] - values[1]) / (2 * eps)
    assert grad[0, index].item() == pytest.approx(numeric, rel=0.05, abs=1e-3)
