"""The Guide's experiments: one lesson each, tied to whichever preset shows it best.

Presets are tuned elsewhere, so lessons name the presets they want in order of preference
(and, failing those, a test on the config) and are matched to `PRESETS` as it is now.
Presets no lesson claims are still offered, with their own explanation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gan_core.config import GanConfig
from gan_core.i18n import N_
from gan_core.presets import PRESETS, Preset


@dataclass(frozen=True)
class Lesson:
    # Both texts are marked with N_() and translated where the Guide shows them.
    title: str
    watch: str  # what to look for, in a sentence or three
    wants: tuple[str, ...]  # preset names, best first
    fallback: Callable[[GanConfig], bool] | None = None  # any preset whose config passes


@dataclass(frozen=True)
class Experiment:
    lesson: Lesson | None  # None: a preset no lesson claimed
    preset: Preset


LESSONS = (
    Lesson(
        N_("The seed, as it was"),
        N_(
            "D's loss climbs towards 2·ln 2 ≈ 1.386 and its accuracy sinks to about 50 %: D can no "
            "longer tell real from fake. Yet the distance stalls around 0.1, and the fake ellipse "
            "stays too narrow across the target's thin axis, where D barely notices a difference."
        ),
        ("tutorial",),
    ),
    Lesson(
        N_("Mode collapse on the ring"),
        N_(
            "An affine generator makes a single Gaussian blob, but the target is eight separate "
            "ones. Watch the fakes either smear over the empty middle of the ring or huddle near "
            "a few modes, while D's heatmap keeps lighting up the modes G never reaches."
        ),
        ("ring_collapse",),
        lambda c: c.target.kind == "ring",
    ),
    Lesson(
        N_("Vanishing gradients with the minimax loss"),
        N_(
            "Early on D spots the fakes easily, so D(G(z)) is near 0, where log(1 − D) is flat: "
            "G's push arrows are short and its loss hardly moves. The tutorial's non-saturating "
            "loss, −log D(G(z)), is steepest exactly there. Run both and compare the first epochs."
        ),
        ("minimax",),
        lambda c: c.loss == "minimax",
    ),
    Lesson(
        N_("Oscillation from high learning rates"),
        N_(
            "Each player overshoots the other's last move: the loss curves swing instead of "
            "settling, the fake ellipse jumps and turns from frame to frame, and the distance "
            "never comes down for good. It may even diverge; the status then says at which step."
        ),
        ("high_lr",),
        lambda c: c.lr_d >= 0.2,
    ),
    Lesson(
        N_("Smoothing with an averaged generator (EMA)"),
        N_(
            "The generator shown is a running average of G's recent weights. The raw G still "
            "circles the optimum, but the average sits near its centre: the fakes drift smoothly "
            "and the distance curve is calmer and lower. Set EMA to 0 and run again to compare."
        ),
        ("ema_smoothing",),
        lambda c: c.ema > 0,
    ),
    Lesson(
        N_("WGAN-GP on the 25-mode grid"),
        N_(
            "The critic gives scores, not probabilities, so its heatmap is a landscape and its "
            "loss estimates (minus) a distance between the two distributions rather than sitting "
            "near 2·ln 2. Watch how many of the 25 modes the fakes find and how much mass falls "
            "between."
        ),
        ("wgan_gp_grid",),
        lambda c: c.loss == "wasserstein_gp" and c.target.kind == "grid",
    ),
)


def experiments(presets: dict[str, Preset] | None = None) -> list[Experiment]:
    """Each lesson with its preset (lessons without one are left out), then the other presets.

    A preset serves at most one lesson, so every button loads a different setup.
    """
    presets = PRESETS if presets is None else presets
    used: set[str] = set()
    found = []
    for lesson in LESSONS:
        preset = _match(lesson, presets, used)
        if preset is not None:
            used.add(preset.name)
            found.append(Experiment(lesson, preset))
    found += [Experiment(None, p) for name, p in presets.items() if name not in used]
    return found


def _match(lesson: Lesson, presets: dict[str, Preset], used: set[str]) -> Preset | None:
    for name in lesson.wants:
        if name in presets and name not in used:
            return presets[name]
    if lesson.fallback is not None:
        for name, preset in presets.items():
            if name not in used and lesson.fallback(preset.config):
                return preset
    return None
