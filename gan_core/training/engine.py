"""The GAN training step for R runs of one architecture at once (R = 1 for a single run).

Runs in a stack share everything structural (target, network shapes, loss, batch size,
schedule) and may differ in the per-run numbers listed in `PER_RUN_FIELDS`. Each run
draws its real data and initial weights from its own seed; per-step randomness (batch
order, noise) comes from one generator for the whole stack, so a stack of one is a
deterministic function of its config.

One step, as in the seed: `d_steps` discriminator updates on fresh real and fake batches,
then one generator update on the noise of the last D update (D already updated). That
order is written once, in `StackedGAN.updates`, which the single-run trainer and the
sweep both follow.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import NamedTuple

import torch

from gan_core.config import GanConfig
from gan_core.targets import sample_target
from gan_core.training import losses
from gan_core.training.models import discriminator_sizes, generator_sizes
from gan_core.training.optim import column, make_optimizer
from gan_core.training.stacked_mlp import StackedMLP
from gan_core.training.step_part import StepPart

PER_RUN_FIELDS = ("lr_d", "lr_g", "beta1", "beta2", "ema", "init_std", "gp_weight", "seed")


class Update(NamedTuple):
    """One network update of a step: which network moved, and its loss per run, (R,)."""

    part: StepPart  # StepPart.D or StepPart.G
    loss: torch.Tensor


def structure(config: GanConfig) -> GanConfig:
    """The config with per-run fields reset: two configs can share a stack iff these match."""
    defaults = GanConfig()
    return dataclasses.replace(config, **{f: getattr(defaults, f) for f in PER_RUN_FIELDS})


class StackedGAN:
    def __init__(self, configs: list[GanConfig], stream_seed: int | None = None) -> None:
        if not configs:
            raise ValueError("at least one config is needed")
        shape = structure(configs[0])
        if any(structure(c) != shape for c in configs[1:]):
            raise ValueError("configs in one stack may differ only in " + ", ".join(PER_RUN_FIELDS))
        self.configs = list(configs)
        self.config = config = configs[0]
        self.runs = runs = len(configs)
        self.rng = torch.Generator().manual_seed(
            config.seed if stream_seed is None else stream_seed
        )
        # A stack of one draws everything from its one generator; larger stacks give each
        # run its own generator for data and initial weights, so a run's start is its seed's.
        run_rngs = (
            [self.rng] if runs == 1 else [torch.Generator().manual_seed(c.seed) for c in configs]
        )
        self.data = torch.stack(
            [sample_target(config.target, config.data_size, g) for g in run_rngs]
        )
        self.loss = losses.get_loss(config.loss)
        self.G = StackedMLP(generator_sizes(config), config.g_activation, runs)
        self.D = StackedMLP(discriminator_sizes(config), config.d_activation, runs)
        # Per run: data, then G's weights, then D's, from that run's generator.
        self.G.initialise([c.init_std for c in configs], run_rngs)
        self.D.initialise([c.init_std for c in configs], run_rngs)
        self.ema = column([c.ema for c in configs], runs)
        self.G_ema = (
            StackedMLP(self.G.sizes, config.g_activation, runs)
            if any(c.ema for c in configs)
            else None
        )
        if self.G_ema is not None:
            self.G_ema.flat.copy_(self.G.flat)
        self.opt_d = make_optimizer(
            config.optimizer,
            self.D.flat,
            [c.lr_d for c in configs],
            [c.beta1 for c in configs],
            [c.beta2 for c in configs],
        )
        self.opt_g = make_optimizer(
            config.optimizer,
            self.G.flat,
            [c.lr_g for c in configs],
            [c.beta1 for c in configs],
            [c.beta2 for c in configs],
        )
        self.gp_weight = column([c.gp_weight for c in configs], runs)
        self._order = torch.empty(runs, 0, dtype=torch.long)
        self._cursor = 0
        self.last_z: torch.Tensor | None = None

    # ------------------------------------------------------------------ sampling

    def noise(self, n: int, rng: torch.Generator | None = None) -> torch.Tensor:
        rng = rng or self.rng
        shape = (self.runs, n, self.config.noise_dim)
        if self.config.noise == "normal":
            return torch.randn(shape, generator=rng)
        return torch.rand(shape, generator=rng) * 2.0 - 1.0

    def next_real_batch(self) -> torch.Tensor:
        """(R, b, 2): the next slice of each run's own permutation, reshuffled every epoch."""
        n = self.data.shape[1]
        if self._cursor >= self._order.shape[1]:
            self._order = torch.rand(self.runs, n, generator=self.rng).argsort(dim=1)
            self._cursor = 0
        index = self._order[:, self._cursor : self._cursor + self.config.batch_size]
        self._cursor += self.config.batch_size
        return torch.take_along_dim(self.data, index.unsqueeze(-1), dim=1)

    @property
    def generator(self) -> StackedMLP:
        """The generator to show and measure: the moving average when EMA is on."""
        return self.G_ema if self.G_ema is not None else self.G

    # ------------------------------------------------------------------ updates

    def updates(self, part: StepPart = StepPart.BOTH) -> Iterator[Update]:
        """The updates of one step, each made when the caller asks for the next one.

        BOTH: `d_steps` D updates, then one G update on the noise of the last D update.
        D or G: that one update alone (G on fresh noise). A caller that stops iterating,
        say on a non-finite loss, stops the step there: no further update is made.
        """
        if part != StepPart.G:
            for _ in range(self.config.d_steps if part == StepPart.BOTH else 1):
                yield Update(StepPart.D, self.d_step())
        if part != StepPart.D:
            yield Update(StepPart.G, self.g_step(self.last_z if part == StepPart.BOTH else None))

    def d_step(self) -> torch.Tensor:
        """One discriminator update per run on a real batch and a fake batch of the same size.

        Returns D's loss per run, (R,).
        """
        real = self.next_real_batch()
        b = real.shape[1]
        z = self.noise(b)
        fake = self.G(z)
        # One pass over real and fake together: the same values as two passes, half the calls.
        out, inputs = self.D.forward(torch.cat((real, fake), dim=1))
        s = losses.score(out)
        value, d_real, d_fake = self.loss.d_loss_grads(s[:, :b], s[:, b:])
        d_out = losses.score_grad_to_output(torch.cat((d_real, d_fake), dim=1), self.loss.outputs)
        grad, _ = self.D.backward(inputs, d_out)
        if self.loss.gradient_penalty:
            penalty, penalty_grad = self._gradient_penalty(real, fake)
            value = value + self.gp_weight_flat() * penalty
            grad = grad + penalty_grad
        self.opt_d.step(grad)
        self.last_z = z
        return value

    def g_step(self, z: torch.Tensor | None = None) -> torch.Tensor:
        """One generator update per run (D is held fixed). Returns G's loss per run, (R,)."""
        if z is None:
            z = self.noise(self.config.batch_size)
        fake, g_inputs = self.G.forward(z)
        out, d_inputs = self.D.forward(fake)
        value, d_s = self.loss.g_loss_grad(losses.score(out))
        _, d_fake = self.D.backward(
            d_inputs,
            losses.score_grad_to_output(d_s, self.loss.outputs),
            param_grads=False,
            input_grad=True,
        )
        grad, _ = self.G.backward(g_inputs, d_fake)
        self.opt_g.step(grad)
        if self.G_ema is not None:
            self.G_ema.flat.lerp_(self.G.flat, 1 - self.ema)
        return value

    def gp_weight_flat(self) -> float | torch.Tensor:
        """The gradient penalty's weight: one float, or one per run, (R,)."""
        return self.gp_weight if isinstance(self.gp_weight, float) else self.gp_weight[:, 0]

    def _gradient_penalty(
        self, real: torch.Tensor, fake: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """WGAN-GP: (‖∇ₓ s(x̂)‖ − 1)² at random points between real and fake, per run.

        Needs the gradient of a gradient, so it uses autograd on the same forward pass.
        Returns (penalty (R,), its weighted gradient w.r.t. D's flat parameters).
        """
        params = self.D.flat.detach().requires_grad_(True)
        alpha = torch.rand(self.runs, real.shape[1], 1, generator=self.rng)
        mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
        s = losses.score(self.D.forward(mixed, self.D.views(params))[0])
        (slope,) = torch.autograd.grad(s.sum(), mixed, create_graph=True)
        penalty = (slope.norm(dim=-1) - 1.0).pow(2).mean(-1)
        (grad,) = torch.autograd.grad((penalty * self.gp_weight_flat()).sum(), params)
        return penalty.detach(), grad

    def set_learning_rates(
        self,
        lr_d: float | list[float] | None = None,
        lr_g: float | list[float] | None = None,
    ) -> None:
        """Change learning rates mid-run; the optimisers' moment estimates are kept."""
        if lr_d is not None:
            self.opt_d.lr = column(lr_d, self.runs)
        if lr_g is not None:
            self.opt_g.lr = column(lr_g, self.runs)

    def finite_parameters(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Per run: are all of G's, and all of D's, parameters finite? Two (R,) bool tensors."""
        return torch.isfinite(self.G.flat).all(dim=1), torch.isfinite(self.D.flat).all(dim=1)

    # ------------------------------------------------------------------ state

    def state(self) -> dict:
        state = {
            "G": self.G.flat,
            "D": self.D.flat,
            "data": self.data,
            "rng": self.rng.get_state(),
            "order": self._order,
            "cursor": self._cursor,
            "opt_d": self.opt_d.state(),
            "opt_g": self.opt_g.state(),
        }
        if self.G_ema is not None:
            state["G_ema"] = self.G_ema.flat
        return state

    def load_state(self, state: dict) -> None:
        with torch.no_grad():
            self.G.flat.copy_(state["G"])
            self.D.flat.copy_(state["D"])
            self.data = state["data"].clone()
            if self.G_ema is not None:
                self.G_ema.flat.copy_(state["G_ema"])
        self.rng.set_state(state["rng"])
        self._order, self._cursor = state["order"].clone(), int(state["cursor"])
        self.opt_d.load_state(state["opt_d"])
        self.opt_g.load_state(state["opt_g"])
