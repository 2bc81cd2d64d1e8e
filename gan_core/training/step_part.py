"""Which part of a training step to take: both networks, or only D's or only G's update.

A `StrEnum`, so a member is also its plain string ("both", "d", "g"): callers that pass
strings, and commands sent between processes as strings, keep working unchanged.
This module imports nothing heavy, so pages and job plumbing can use it freely.
"""

from __future__ import annotations

from enum import StrEnum


class StepPart(StrEnum):
    BOTH = "both"  # d_steps D updates, then one G update on the noise of the last one
    D = "d"  # one D update alone
    G = "g"  # one G update alone, on fresh noise

    @classmethod
    def parse(cls, value: object) -> StepPart:
        """The part `value` names; a ValueError naming the allowed values otherwise."""
        if isinstance(value, str):
            try:
                return cls(value)
            except ValueError:
                pass
        allowed = ", ".join(repr(p.value) for p in cls)
        raise ValueError(f"part must be one of {allowed}, not {value!r}")
