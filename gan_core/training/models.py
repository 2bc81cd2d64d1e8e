"""What the networks look like, as plain facts the engine and the views share.

The networks themselves are `stacked_mlp.StackedMLP`: G maps noise_dim -> hidden... -> 2
(no hidden layers: the seed's affine generator), D maps 2 -> hidden... -> the number of
outputs its loss asks for (`Loss.outputs`: the seed's two logits, or one score).
"""

from __future__ import annotations

from gan_core.config import GanConfig
from gan_core.training.losses import get_loss


def generator_sizes(config: GanConfig) -> list[int]:
    return [config.noise_dim, *config.g_hidden, 2]


def discriminator_sizes(config: GanConfig) -> list[int]:
    return [2, *config.d_hidden, get_loss(config.loss).outputs]


def noise_variance(config: GanConfig) -> float:
    """Per-coordinate variance of the noise: 1 for N(0, 1), 1/3 for U(-1, 1)."""
    return 1.0 if config.noise == "normal" else 1.0 / 3.0
