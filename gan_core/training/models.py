"""What the networks look like, as plain facts the engine and the views share.

The networks themselves are `stacked_mlp.StackedMLP`: G maps noise_dim -> hidden... -> 2
(no hidden layers: the seed's affine generator), D maps 2 -> hidden... -> 1 or 2 outputs.
"""

from __future__ import annotations

from gan_core.config import GanConfig

# The seed's D has two logits (fake, real) under cross-entropy; minimax keeps that D so
# that comparing the two generator objectives changes nothing else.
TWO_LOGIT_LOSSES = ("cross_entropy", "minimax")


def discriminator_outputs(loss: str) -> int:
    return 2 if loss in TWO_LOGIT_LOSSES else 1


def generator_sizes(config: GanConfig) -> list[int]:
    return [config.noise_dim, *config.g_hidden, 2]


def discriminator_sizes(config: GanConfig) -> list[int]:
    return [2, *config.d_hidden, discriminator_outputs(config.loss)]


def noise_variance(config: GanConfig) -> float:
    """Per-coordinate variance of the noise: 1 for N(0, 1), 1/3 for U(-1, 1)."""
    return 1.0 if config.noise == "normal" else 1.0 / 3.0
