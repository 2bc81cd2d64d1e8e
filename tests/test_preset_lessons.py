"""The teaching presets show what they say, on a few seeds (the full check over ten seeds
is `python -m benchmarks.quality --lessons`).

Each lesson is compared with the twin that differs only in the setting it teaches, so the
test fails if the preset stops teaching, not merely if training changes a little.
"""

from __future__ import annotations

import numpy as np

from gan_core.presets import preset_config
from gan_core.training.trainer import Trainer

STUCK = 1.0  # squared distance: "never got there"


def final_metrics(config, full: bool = False) -> dict:
    trainer = Trainer(config)
    trainer.run()
    return trainer.snapshot(n_points=0, full_metrics=full).metrics


def test_high_learning_rates_end_far_from_where_the_tutorial_ends():
    for seed in (0, 1):
        high = final_metrics(preset_config("high_lr").replace(seed=seed))["frechet"]
        base = final_metrics(preset_config("tutorial").replace(seed=seed))["frechet"]
        assert high > 10 * base and high > STUCK, (seed, high, base)


def test_an_affine_generator_collapses_onto_few_modes_of_the_ring():
    covered = [
        final_metrics(preset_config("ring_collapse").replace(seed=s), full=True)["modes_covered"]
        for s in (0, 1, 2)
    ]
    assert np.median(covered) <= 2 and max(covered) < 8, covered


def test_minimax_stalls_where_the_non_saturating_loss_and_least_squares_land():
    # The preset's own seed, as a class opening it sees it (7 of seeds 0-9 stall, the
    # benchmark's figure; a few seeds escape, which the preset's text allows: "most seeds").
    minimax = preset_config("minimax")
    stalled = final_metrics(minimax)["frechet"]
    landed = final_metrics(minimax.replace(loss="cross_entropy"))["frechet"]
    least_squares = final_metrics(preset_config("least_squares"))["frechet"]
    assert stalled > STUCK > landed, (stalled, landed)
    assert least_squares < 0.05, least_squares
