"""A run's timeline: G's and D's weights at its logged steps, to replay the run afterwards.

The trainer offers a frame at every logged row (and the job once more when a run is
stopped between rows). A frame is the step, the losses and learning rates a snapshot
shows, and the weights of the generator shown (the moving average when EMA is on) and of
D: a few hundred numbers for the usual networks. Memory and storage stay bounded however
long the run: past `MAX_FRAMES` frames (or `MAX_TIMELINE_BYTES` of weights) every second
frame is dropped and only every second later step is taken, so the frames stay evenly
spaced; the first frame is always kept, and so is the latest one offered.

`encode_timeline` / `decode_timeline` turn frames into bytes and back (a small header and
raw little-endian numbers: nothing in it can run code, and every length is checked before
an array is read). `Replayer` rebuilds the snapshot at any frame from the run's config.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import torch

from gan_core.config import MAX_LR, GanConfig
from gan_core.i18n import _

if TYPE_CHECKING:  # the trainer imports this module
    from gan_core.training.snapshot import Bounds, Snapshot
    from gan_core.training.trainer import Trainer

TIMELINE = "timeline"  # the key of a run's frames in its last `Frame.extra`
TIMELINE_NOTE = "timeline_note"  # or of why it has none to replay
MAX_FRAMES = 300
# Weights kept per run, at most: 4 MB is 300 frames of networks of about 3,000 parameters;
# larger networks keep fewer frames (never fewer than the first and the latest).
MAX_TIMELINE_BYTES = 4_000_000
MAGIC = b"GANSCOPE-TIMELINE\n"
VERSION = 1
MAX_HEADER_BYTES = 1_000
# A replay draws its points from this seed at every frame: the same noise and the same real
# points each time, so the points move with G rather than jitter from frame to frame.
REPLAY_SEED_OFFSET = 4_000_003


class DamagedTimeline(ValueError):
    """Bytes that are not a timeline as `encode_timeline` writes one, and why."""


@dataclass(frozen=True)
class TimelineFrame:
    step: int
    loss_d: float  # the last update's losses, as a snapshot shows them
    loss_g: float
    lr_d: float
    lr_g: float
    generator: np.ndarray  # float32, the shown generator's parameters as one vector
    discriminator: np.ndarray  # float32, D's parameters as one vector

    @property
    def nbytes(self) -> int:
        return int(self.generator.nbytes + self.discriminator.nbytes)


def frame_of(trainer: Trainer) -> TimelineFrame:
    """The trainer's state now, as a timeline frame (copies: training goes on)."""
    engine = trainer.engine
    return TimelineFrame(
        step=trainer.step_count,
        loss_d=float(trainer.loss_d),
        loss_g=float(trainer.loss_g),
        lr_d=float(trainer.config.lr_d),
        lr_g=float(trainer.config.lr_g),
        generator=_frozen(engine.generator.flat[0]),
        discriminator=_frozen(engine.D.flat[0]),
    )


def _frozen(parameters: torch.Tensor) -> np.ndarray:
    array = parameters.detach().numpy().astype(np.float32, copy=True)
    array.flags.writeable = False
    return array


class Timeline:
    def __init__(self, max_frames: int = MAX_FRAMES, max_bytes: int = MAX_TIMELINE_BYTES) -> None:
        if max_frames < 2:
            raise ValueError("max_frames must be at least 2 (the first and the latest)")
        self.max_frames = max_frames
        self.max_bytes = max_bytes
        self._kept: list[TimelineFrame] = []  # evenly spaced: every `_stride`-th offer
        self._latest: TimelineFrame | None = None  # the latest offer, when not kept
        self._stride = 1
        self._offers = 0

    def record(self, trainer: Trainer) -> None:
        """Offer the trainer's state now, unless the latest frame is already of this step."""
        latest = self.latest
        if latest is not None and latest.step == trainer.step_count:
            return
        self.offer(frame_of(trainer))

    def offer(self, frame: TimelineFrame) -> None:
        if self._offers % self._stride == 0:
            self._kept.append(frame)
            self._latest = None
            # One place is left for the latest offer between two kept frames.
            if len(self._kept) > self.capacity(frame) - 1:
                self._kept = self._kept[::2]
                self._stride *= 2
        else:
            self._latest = frame
        self._offers += 1

    def capacity(self, frame: TimelineFrame) -> int:
        """How many frames of this size the timeline holds: at least 2."""
        by_bytes = self.max_bytes // max(1, frame.nbytes)
        return max(2, min(self.max_frames, by_bytes))

    @property
    def latest(self) -> TimelineFrame | None:
        if self._latest is not None:
            return self._latest
        return self._kept[-1] if self._kept else None

    def frames(self) -> tuple[TimelineFrame, ...]:
        """The frames kept, oldest first: an immutable copy, safe to hand to other threads."""
        return tuple(self._kept) + ((self._latest,) if self._latest is not None else ())

    def __len__(self) -> int:
        return len(self._kept) + (self._latest is not None)


# ---------------------------------------------------------------------- bytes


def encode_timeline(frames: Sequence[TimelineFrame]) -> bytes:
    """Frames as bytes: MAGIC, a JSON header's length and text, then the numbers."""
    if not frames:
        raise ValueError("a timeline needs at least one frame")
    g_size, d_size = frames[0].generator.size, frames[0].discriminator.size
    if any(f.generator.size != g_size or f.discriminator.size != d_size for f in frames):
        raise ValueError("every frame of a timeline must have the same networks")
    header = json.dumps(
        {"version": VERSION, "frames": len(frames), "generator": g_size, "discriminator": d_size}
    ).encode()
    steps = np.array([f.step for f in frames], dtype="<i8")
    numbers = np.array([[f.loss_d, f.loss_g, f.lr_d, f.lr_g] for f in frames], dtype="<f8")
    weights = np.stack([np.concatenate([f.generator, f.discriminator]) for f in frames])
    return b"".join(
        (
            MAGIC,
            struct.pack("<I", len(header)),
            header,
            steps.tobytes(),
            numbers.tobytes(),
            weights.astype("<f4").tobytes(),
        )
    )


def decode_timeline(data: bytes) -> tuple[TimelineFrame, ...]:
    """The frames `encode_timeline` wrote; DamagedTimeline says why other bytes are not."""
    if not data.startswith(MAGIC):
        raise DamagedTimeline(_("not a GANscope timeline"))
    at = len(MAGIC)
    if len(data) < at + 4:
        raise DamagedTimeline(_("cut short before its header"))
    (header_size,) = struct.unpack_from("<I", data, at)
    at += 4
    if header_size > MAX_HEADER_BYTES or len(data) < at + header_size:
        raise DamagedTimeline(
            _("its header of {size} bytes is not as written").format(size=f"{header_size:,}")
        )
    try:
        header = json.loads(data[at : at + header_size])
    except ValueError:
        raise DamagedTimeline(_("its header is not JSON")) from None
    at += header_size
    count, g_size, d_size = _header_counts(header)
    width = g_size + d_size
    expected = at + count * (8 + 4 * 8 + 4 * width)
    if len(data) != expected:
        raise DamagedTimeline(
            _("{size} bytes where its header says {expected}").format(
                size=f"{len(data):,}", expected=f"{expected:,}"
            )
        )
    steps = np.frombuffer(data, "<i8", count, at)
    at += 8 * count
    numbers = np.frombuffer(data, "<f8", 4 * count, at).reshape(count, 4)
    at += 4 * 8 * count
    weights = np.frombuffer(data, "<f4", width * count, at).reshape(count, width)
    if np.any(steps < 0) or np.any(np.diff(steps) <= 0):
        raise DamagedTimeline(_("its steps are not rising whole numbers ≥ 0"))
    if not np.isfinite(weights).all():
        raise DamagedTimeline(_("a weight is not a finite number"))
    rates = numbers[:, 2:]
    if not (np.isfinite(rates).all() and (rates > 0).all() and (rates <= MAX_LR).all()):
        raise DamagedTimeline(
            _("a learning rate is not a number in (0, {limit}]").format(limit=f"{MAX_LR:g}")
        )
    frames = []
    for step, (loss_d, loss_g, lr_d, lr_g), row in zip(steps, numbers, weights, strict=True):
        values = row.astype(np.float32)  # native byte order, a copy of its own
        values.flags.writeable = False
        frames.append(
            TimelineFrame(
                int(step),
                float(loss_d),
                float(loss_g),
                float(lr_d),
                float(lr_g),
                values[:g_size],
                values[g_size:],
            )
        )
    return tuple(frames)


def _header_counts(header: object) -> tuple[int, int, int]:
    if not isinstance(header, dict) or header.get("version") != VERSION:
        raise DamagedTimeline(
            _("not version {version} of the timeline format").format(version=VERSION)
        )
    counts = []
    for name in ("frames", "generator", "discriminator"):
        value = header.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 10**8:
            raise DamagedTimeline(
                _("its header's {name} is not a whole number ≥ 1").format(name=name)
            )
        counts.append(value)
    return counts[0], counts[1], counts[2]


# ---------------------------------------------------------------------- replaying


class Replayer:
    """Snapshots of a run at its timeline's frames, rebuilt from its config and weights.

    One trainer is built from the config (the same seed gives the same real data), and each
    frame's weights are loaded into it before the usual snapshot is taken: the plane, D's
    view, ellipses and arrows are drawn exactly as they were at that step.
    """

    def __init__(
        self,
        config: GanConfig,
        frames: Sequence[TimelineFrame],
        n_points: int = 500,
        field_resolution: int = 40,
        bounds: Bounds | None = None,
        n_arrows: int = 40,
    ) -> None:
        # Imported here: the trainer module imports this one to keep its timeline.
        from gan_core.training.trainer import Trainer

        if not frames:
            raise ValueError("a replay needs at least one frame")
        self.frames = tuple(frames)
        self.trainer = Trainer(config)
        sizes = (self.trainer.engine.generator.flat.shape[1], self.trainer.engine.D.flat.shape[1])
        for frame in self.frames:
            if (frame.generator.size, frame.discriminator.size) != sizes:
                raise DamagedTimeline(
                    _(
                        "the weights at step {step} do not fit this run's networks "
                        "({generator} + {discriminator} numbers, expected {g_size} + {d_size})"
                    ).format(
                        step=f"{frame.step:,}",
                        generator=frame.generator.size,
                        discriminator=frame.discriminator.size,
                        g_size=sizes[0],
                        d_size=sizes[1],
                    )
                )
        self.view = (n_points, field_resolution, bounds, n_arrows)

    @property
    def steps(self) -> list[int]:
        return [frame.step for frame in self.frames]

    def snapshot(self, index: int) -> Snapshot:
        """The run at frame `index` (0 is the first kept frame, -1 the last)."""
        frame = self.frames[index]
        trainer = self.trainer
        engine = trainer.engine
        with torch.no_grad():
            engine.generator.flat[0].copy_(torch.from_numpy(np.array(frame.generator)))
            engine.D.flat[0].copy_(torch.from_numpy(np.array(frame.discriminator)))
        trainer.step_count = frame.step
        trainer.loss_d, trainer.loss_g = frame.loss_d, frame.loss_g
        trainer.config = trainer.config.replace(lr_d=frame.lr_d, lr_g=frame.lr_g)
        trainer.view_rng.manual_seed(trainer.config.seed + REPLAY_SEED_OFFSET)
        n_points, field_resolution, bounds, n_arrows = self.view
        snapshot = trainer.snapshot(n_points, field_resolution, bounds, n_arrows)
        return replace(snapshot, lone_updates="")
