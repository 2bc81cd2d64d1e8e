"""A snapshot: the state of a run at one step, as plain numpy data for charts and reports.

Taken on the training thread (it reads the networks), then handed to any other thread:
nothing in it refers back to the live model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from gan_core import metrics
from gan_core.analysis.gaussian_jsd import gaussian_jsd
from gan_core.analysis.optimal_discriminator import NOT_GAUSSIAN_NOTE, optimal_field
from gan_core.analysis.warp import noise_grid, noise_span
from gan_core.targets import mixture_modes, plot_bounds
from gan_core.training import plane_view
from gan_core.training.losses import get_loss
from gan_core.training.models import noise_variance

if TYPE_CHECKING:  # the trainer imports this module
    from gan_core.training.trainer import DReading, Trainer

Bounds = plane_view.Bounds  # x0, x1, y0, y1

FIT_SAMPLES = 2000  # fakes used to fit a Gaussian when G's law has no closed form
QUALITY_SAMPLES = 2500  # VEEGAN / PacGAN count modes on 2,500 samples


@dataclass(frozen=True)
class Snapshot:
    step: int
    epoch: int
    total_steps: int
    loss_d: float
    loss_g: float
    lr_d: float
    lr_g: float
    real: np.ndarray  # (k, 2) real points shown
    fake: np.ndarray  # (k, 2) generated points shown
    gen_mean: np.ndarray
    gen_cov: np.ndarray
    gen_moments_exact: bool  # closed form (affine G, Gaussian noise) rather than fitted
    target_mean: np.ndarray
    target_cov: np.ndarray
    metrics: dict = field(default_factory=dict)
    # G's parameters: for an affine G, "weight" (2, k) and "bias" (2,) of x = W z + b;
    # for a multilayer G, "flat": every parameter in one vector.
    generator_parameters: dict = field(default_factory=dict)
    field_x: np.ndarray | None = None  # grid axes and D's view of the plane on them
    field_y: np.ndarray | None = None
    field_values: np.ndarray | None = None
    field_is_probability: bool = True  # D(x) in [0, 1]; otherwise the raw critic score
    arrow_points: np.ndarray | None = None  # fake points and where G's update pushes them
    arrow_directions: np.ndarray | None = None  # G's push at each: −∇ₓ of G's loss there
    # Where the plane looks (plane_view.py): the axes, which D's grid covers, and the
    # length an arrow takes per unit of push, fixed for the run.
    bounds: Bounds | None = None
    arrow_scale: float = 1.0
    # The best discriminator D* = p_data / (p_data + p_G) on the field's grid, where both
    # densities are known (else None), and a note when it is left out or has no 0.5 line.
    optimal_values: np.ndarray | None = None
    optimal_x: np.ndarray | None = None  # D*'s own grid, where it is not D's (a narrow G)
    optimal_y: np.ndarray | None = None
    optimal_note: str = ""
    # G's warp of the noise: grid lines of noise space mapped by G, (n_lines, points, 2);
    # the first half run along z₁, the second along z₂ (one line for 1-D noise).
    warp_lines: np.ndarray | None = None
    # Set by `Trainer.snapshot`: the D or G updates made alone since the last whole step
    # ("D", "G", ...), and D's accuracy and score gap on a fixed evaluation batch.
    lone_updates: str = ""
    d_reading: DReading | None = None

    @property
    def progress(self) -> float:
        return self.step / self.total_steps if self.total_steps else 1.0


def generator_moments(
    trainer: Trainer, rng: torch.Generator | None = None
) -> tuple[np.ndarray, np.ndarray, bool]:
    """G's output mean and covariance: exact for an affine G of Gaussian noise, else fitted."""
    affine = trainer.generator_affine_map()
    if affine is not None and trainer.config.noise == "normal":
        mean, cov = metrics.affine_output_moments(
            affine[0], affine[1], noise_variance(trainer.config)
        )
        return mean, cov, True
    mean, cov = metrics.gaussian_fit(trainer.generator_samples(FIT_SAMPLES, rng=rng))
    return mean, cov, False


def exact_js_divergence(trainer: Trainer) -> float:
    """JSD(target, G) in nats where it is exact (Gaussian target, affine G of Gaussian
    noise: two Gaussians), else NaN."""
    if not trainer.config.has_exact_metrics:
        return float("nan")
    gen_mean, gen_cov, _ = generator_moments(trainer)
    return gaussian_jsd(*trainer.target_moments, gen_mean, gen_cov)


def gaussian_distance(trainer: Trainer, rng: torch.Generator | None = None) -> float:
    """Squared Fréchet distance between G's (exact or fitted) Gaussian and the target's moments."""
    target_mean, target_cov = trainer.target_moments
    gen_mean, gen_cov, _ = generator_moments(trainer, rng)
    return metrics.frechet_gaussian(gen_mean, gen_cov, target_mean, target_cov)


@torch.no_grad()
def discriminator_field(
    trainer: Trainer, bounds: Bounds, resolution: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """D's view of the plane on a resolution² grid: D(x) for the cross-entropy losses, else s(x)."""
    x0, x1, y0, y1 = bounds
    xs, ys = np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    s = trainer.discriminator_score(torch.as_tensor(grid, dtype=torch.float32))
    values = get_loss(trainer.config.loss).output(s)
    return xs, ys, values.reshape(resolution, resolution).numpy().astype(float)


@torch.no_grad()
def generator_warp(trainer: Trainer) -> np.ndarray:
    """The noise grid of `analysis.warp` pushed through the generator shown, (lines, points, 2)."""
    config = trainer.config
    grid = noise_grid(config.noise_dim, noise_span(config.noise))
    noise = torch.as_tensor(grid.reshape(1, -1, config.noise_dim), dtype=torch.float32)
    mapped = trainer.engine.generator(noise)[0].numpy().astype(float)
    return mapped.reshape(*grid.shape[:2], 2)


def generator_push(trainer: Trainer, points: np.ndarray) -> np.ndarray:
    """-∇ₓ of G's loss at each fake point: the direction G's update moves that sample."""
    x = torch.as_tensor(points, dtype=torch.float32).requires_grad_(True)
    per_point = get_loss(trainer.config.loss).g_loss(trainer.discriminator_score(x).unsqueeze(-1))
    (grad,) = torch.autograd.grad(per_point.sum(), x)
    return -grad.numpy().astype(float)


def take_snapshot(
    trainer: Trainer,
    n_points: int,
    field_resolution: int,
    bounds: Bounds | None,
    n_arrows: int,
    full_metrics: bool = False,
) -> Snapshot:
    """The run now. `bounds`: the plane's bounds so far (the last frame's), which this
    frame's follow without jitter; None fits them afresh (a new run or an edited target)."""
    config = trainer.config
    target_mean, target_cov = trainer.target_moments
    gen_mean, gen_cov, exact = generator_moments(trainer)
    found = metrics.gaussian_metrics(gen_mean, gen_cov, target_mean, target_cov)
    found["frechet_exact"] = exact and config.target.kind == "gaussian"
    if config.has_exact_metrics:
        found["js_divergence"] = gaussian_jsd(target_mean, target_cov, gen_mean, gen_cov)
    if full_metrics:
        found.update(sample_metrics(trainer))
    real = trainer.data[torch.randperm(len(trainer.data), generator=trainer.view_rng)[:n_points]]
    fake = trainer.generator_samples(n_points) if n_points else np.empty((0, 2))
    # Measured on the generator shown (the moving average when EMA is on).
    snap: dict[str, Any] = dict(
        step=trainer.step_count,
        epoch=trainer.epoch,
        total_steps=config.total_steps,
        loss_d=trainer.loss_d,
        loss_g=trainer.loss_g,
        lr_d=config.lr_d,
        lr_g=config.lr_g,
        real=real.numpy().astype(float),
        fake=fake,
        gen_mean=gen_mean,
        gen_cov=gen_cov,
        gen_moments_exact=exact,
        target_mean=target_mean,
        target_cov=target_cov,
        metrics=found,
        generator_parameters=generator_parameters(trainer),
    )
    target_bounds = plot_bounds(config.target)
    low, high = plane_view.content_box(target_bounds, fake, gen_mean, gen_cov)
    shown = plane_view.follow(bounds, low, high)
    snap.update(bounds=shown, arrow_scale=plane_view.arrow_scale(target_bounds))
    if field_resolution:
        grid = plane_view.field_bounds(shown)
        xs, ys, values = discriminator_field(trainer, grid, field_resolution)
        snap.update(
            field_x=xs,
            field_y=ys,
            field_values=values,
            field_is_probability=get_loss(config.loss).probability,
            warp_lines=generator_warp(trainer),
        )
        if config.has_exact_metrics:
            best = optimal_field(xs, ys, target_mean, target_cov, gen_mean, gen_cov)
            snap.update(
                optimal_values=best.values,
                optimal_note=best.note,
                optimal_x=best.xs,
                optimal_y=best.ys,
            )
        else:
            snap.update(optimal_note=NOT_GAUSSIAN_NOTE)
    if n_arrows and len(fake):
        points = fake[:n_arrows]
        snap.update(arrow_points=points, arrow_directions=generator_push(trainer, points))
    return Snapshot(**snap)


def generator_parameters(trainer: Trainer) -> dict[str, np.ndarray]:
    affine = trainer.generator_affine_map()
    if affine is not None:
        return {"weight": affine[0], "bias": affine[1]}
    return {"flat": trainer.engine.generator.flat[0].numpy().astype(float)}


def sample_metrics(trainer: Trainer) -> dict[str, float]:
    """Distances that need samples: any target, any generator. For reports, not frames.

    Measured on `QUALITY_SAMPLES` (2,500) generator samples against the run's real data.
    Their cost is bounded whatever the data's size: each distance takes a fixed, seeded
    subsample of a larger sample (`metrics.SLICED_MAX_SAMPLES` = 5,000 points for the
    sliced Wasserstein distance, `metrics.ENERGY_MAX_SAMPLES` = 2,000 for the energy
    distance, drawn from the metric's own seed, so neither training nor its log moves).
    Mode coverage is linear in the 2,500 samples and needs no subsample.
    """
    fake = trainer.generator_samples(QUALITY_SAMPLES)
    real = trainer.data.numpy().astype(float)
    found = {
        "sliced_wasserstein": metrics.sliced_wasserstein(fake, real, seed=0),
        "energy": metrics.energy_distance(fake, real, seed=0),
    }
    modes = mixture_modes(trainer.config.target)
    if modes is not None:
        coverage = metrics.mode_coverage(fake, modes)
        found["modes_covered"] = coverage.modes_covered
        found["n_modes"] = coverage.n_modes
        found["high_quality"] = coverage.high_quality_fraction
    return found
