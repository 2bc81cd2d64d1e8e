"""Big inputs stored once: a target's points, a run's weights and its timeline, by content hash.

A config of an uploaded 20,000-point target is 1.5 MB of JSON, and a checkpoint carries that
same config inside it. A class that trains the same upload 100 times would store it 200
times. Instead, the store keeps
- the config without its points (a few hundred bytes) in the run's row, with the points' JSON
  text in a blob: `split_config` / `join_config`;
- the checkpoint without the config text it embeds in a blob of its own, and the offset the
  text was cut at: `split_checkpoint` / `join_checkpoint`;
- a run's timeline (its weights at logged steps, for replay) in a blob of its own, read back
  with a tighter size bound: `store_timeline` / `read_timeline`.
Both cuts are byte-exact, so a run reads back exactly as written (a checkpoint's own hash is
checked on the way out). A blob is shared by every run that references it and deleted with
the last of them (`release`). Blobs are zlib-compressed: indented number text shrinks ~3×.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Iterable
from typing import Any

from gan_core.config import GanConfig
from gan_core.serialize import to_dict, to_json
from gan_core.store.sql.dialect import Connection

# Stands in for the points in a stored config. It cannot be a real value there: points are
# a list, and a NUL never appears in JSON that `to_json` writes for a config.
POINTS_PLACEHOLDER = json.dumps("\u0000points")
COMPRESSION_LEVEL = 6


# Above the largest checkpoint a run may save (50 MB) and any target's points.
MAX_BLOB_BYTES = 64_000_000
# A timeline's weights are at most 4 MB (training.timeline): its steps, numbers and header
# add a little; twice that is more than any the store writes.
MAX_TIMELINE_BLOB_BYTES = 8_000_000


class DamagedBlob(ValueError):
    """A stored blob is missing or does not match its hash."""


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------------- the blobs table


def put_blob(db: Connection, data: bytes) -> str:
    """Store `data` unless a blob with the same content is there already; its hash."""
    key = content_hash(data)
    if db.execute("SELECT 1 FROM blobs WHERE hash = ?", (key,)).fetchone() is None:
        packed = zlib.compress(data, COMPRESSION_LEVEL)
        # Another writer may have stored the same content since: one copy, whoever came first.
        db.execute(
            "INSERT INTO blobs (hash, data, size) VALUES (?, ?, ?) ON CONFLICT (hash) DO NOTHING",
            (key, packed, len(packed)),
        )
    return key


def get_blob(db: Connection, key: str, limit: int = MAX_BLOB_BYTES) -> bytes:
    """The blob's content, checked against its hash; DamagedBlob if missing, altered, or
    larger than `limit` bytes once inflated (what the caller's kind of blob can be)."""
    row = db.execute("SELECT data FROM blobs WHERE hash = ?", (key,)).fetchone()
    if row is None:
        raise DamagedBlob(f"stored data {key[:12]}… is missing")
    if isinstance(row[0], memoryview):  # how a driver may hand out binary data
        row = (bytes(row[0]),)
    if not isinstance(row[0], bytes):
        raise DamagedBlob(f"stored data {key[:12]}… is not bytes")
    # Bounded: a hand-altered file must not inflate a few bytes into gigabytes.
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(row[0], limit + 1)
    except zlib.error:
        raise DamagedBlob(f"stored data {key[:12]}… is not as the store compresses it") from None
    if len(data) > limit or inflater.unconsumed_tail:
        raise DamagedBlob(f"stored data {key[:12]}… is larger than any the store writes")
    if content_hash(data) != key:
        raise DamagedBlob(f"stored data {key[:12]}… is damaged")
    return data


def release(db: Connection, keys: Iterable[str | None]) -> int:
    """Delete those of `keys` no run references any more; the number of bytes freed."""
    freed = 0
    for key in {k for k in keys if k is not None}:
        row = db.execute(
            # length(data), not the size column: what it frees, whatever a hand wrote there
            "SELECT coalesce(length(data), 0) FROM blobs WHERE hash = ? "
            "AND NOT EXISTS (SELECT 1 FROM runs WHERE points_blob = ?) "
            "AND NOT EXISTS (SELECT 1 FROM checkpoints WHERE blob = ?) "
            "AND NOT EXISTS (SELECT 1 FROM timelines WHERE blob = ?)",
            (key, key, key, key),
        ).fetchone()
        if row is not None:
            db.execute("DELETE FROM blobs WHERE hash = ?", (key,))
            freed += row[0]
    return freed


def blobs_of_runs(db: Connection, run_ids: Iterable[int]) -> list[str]:
    """The blobs the runs reference (points, weights, timelines): what may be freed with them."""
    keys: list[str] = []
    for run_id in run_ids:
        for row in db.execute(
            "SELECT points_blob FROM runs WHERE id = ? "
            "UNION SELECT blob FROM checkpoints WHERE run_id = ? "
            "UNION SELECT blob FROM timelines WHERE run_id = ?",
            (run_id, run_id, run_id),
        ):
            if row[0] is not None:
                keys.append(row[0])
    return keys


# ---------------------------------------------------------------------- a config's points


def split_config(config: GanConfig) -> tuple[str, str | None]:
    """(the config's JSON with its points cut out, the points' JSON text or None).

    The pieces are cut from `to_json(config)` itself, so `join_config` gives back exactly the
    text `to_json` wrote, which is also the text a checkpoint of the run embeds."""
    text = to_json(config)
    if config.target.kind != "points":
        return text, None
    data: dict[str, Any] = to_dict(config)
    data["target"]["points"] = json.loads(POINTS_PLACEHOLDER)
    skeleton = json.dumps(data, indent=2)  # to_json's own layout
    before, after = skeleton.split(POINTS_PLACEHOLDER)
    if not (text.startswith(before) and text.endswith(after)):
        raise RuntimeError("a config's JSON layout changed: its points cannot be cut out")
    return skeleton, text[len(before) : len(text) - len(after)]


def join_config(skeleton: str, points: str | None) -> str:
    if points is None:
        return skeleton
    before, after = skeleton.split(POINTS_PLACEHOLDER)
    return before + points + after


# ---------------------------------------------------------------------- a checkpoint's config


def split_checkpoint(checkpoint: bytes, config_text: str) -> tuple[bytes, int | None]:
    """(the checkpoint with the run's config text cut out, where it was cut, or None).

    A checkpoint saves its trainer's config as this very text (see `training.checkpoint`);
    when it is not there (a checkpoint of another config), nothing is cut."""
    embedded = config_text.encode()
    at = checkpoint.find(embedded)
    if at < 0 or len(embedded) < 1024:  # too small to be worth a cut
        return checkpoint, None
    return checkpoint[:at] + checkpoint[at + len(embedded) :], at


def join_checkpoint(stored: bytes, at: int | None, config_text: str) -> bytes:
    if at is None:
        return stored
    return stored[:at] + config_text.encode() + stored[at:]


# ---------------------------------------------------------------------- a run's timeline


def store_timeline(db: Connection, run_id: int, timeline: bytes) -> None:
    """Keep the run's timeline (`training.timeline.encode_timeline`), replacing any older one."""
    if len(timeline) > MAX_TIMELINE_BLOB_BYTES:
        raise ValueError(f"a timeline is larger than {MAX_TIMELINE_BLOB_BYTES:,} bytes")
    old = db.execute("SELECT blob FROM timelines WHERE run_id = ?", (run_id,)).fetchone()
    db.execute(
        "INSERT INTO timelines (run_id, blob) VALUES (?, ?) "
        "ON CONFLICT (run_id) DO UPDATE SET blob = excluded.blob",
        (run_id, put_blob(db, timeline)),
    )
    if old is not None:
        release(db, [old[0]])


def read_timeline(db: Connection, run_id: int) -> bytes | None:
    """The run's timeline bytes, None if it has none; DamagedBlob if they are not as stored."""
    row = db.execute("SELECT blob FROM timelines WHERE run_id = ?", (run_id,)).fetchone()
    if row is None:
        return None
    if not isinstance(row[0], str):
        raise DamagedBlob(f"the timeline of run #{run_id} names no stored data")
    return get_blob(db, row[0], limit=MAX_TIMELINE_BLOB_BYTES)
