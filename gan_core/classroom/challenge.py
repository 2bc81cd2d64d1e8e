"""A challenge for the class: reach the lowest exact distance to one target within a step limit.

Every field is bounded and checked where a challenge is made, whether from the board's form
or read back from the store (where anything may have been written): a refusal is a
`ConfigError` naming the field, the value and what is allowed. The target must be a
Gaussian, because only there is the distance exact (with the seed's affine generator), and
so the same for every run, however it was watched.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from gan_core.config import (
    LOSSES,
    MAX_LAYERS,
    MAX_WIDTH,
    ConfigError,
    Target,
    not_whole_number,
    out_of_range_between,
    quote_value,
)
from gan_core.i18n import _

FORMAT_VERSION = 1
MAX_TITLE_CHARS = 80
MIN_STEP_LIMIT, MAX_STEP_LIMIT = 1, 1_000_000
MAX_STORED_CHARS = 2_000  # a stored challenge is a few hundred characters
# Printable text on one line: a title sits in a heading and a table, never as Markup.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


@dataclass(frozen=True)
class Challenge:
    """`title` names it; a run counts if it trained on `target` for at most `step_limit`
    steps, with `loss` (None: any) and D's hidden layers `d_hidden` (None: any)."""

    title: str
    target: Target
    step_limit: int = 2_500
    loss: str | None = None
    d_hidden: tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "title", _title(self.title))
        object.__setattr__(self, "target", _target(self.target))
        object.__setattr__(self, "step_limit", _step_limit(self.step_limit))
        object.__setattr__(self, "loss", _loss(self.loss))
        object.__setattr__(self, "d_hidden", _d_hidden(self.d_hidden))

    def to_json(self) -> str:
        """The stored form: what `from_json` reads back."""
        return json.dumps(
            {
                "version": FORMAT_VERSION,
                "title": self.title,
                "target": {
                    "kind": self.target.kind,
                    "mean": list(self.target.mean),
                    "cov": [list(row) for row in self.target.cov],
                },
                "step_limit": self.step_limit,
                "loss": self.loss,
                "d_hidden": None if self.d_hidden is None else list(self.d_hidden),
            },
            allow_nan=False,
        )

    @classmethod
    def from_json(cls, text: object) -> Challenge:
        """A stored challenge, checked field by field; ConfigError says what is wrong."""
        if not isinstance(text, str):
            raise ConfigError(
                "challenge", _("{value} is not JSON text").format(value=quote_value(text))
            )
        if len(text) > MAX_STORED_CHARS:
            raise ConfigError(
                "challenge",
                _("{count} characters: at most {limit} allowed").format(
                    count=f"{len(text):,}", limit=f"{MAX_STORED_CHARS:,}"
                ),
            )
        try:
            data = json.loads(text)
        except ValueError as error:
            raise ConfigError(
                "challenge", _("not valid JSON ({reason})").format(reason=error)
            ) from None
        if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION:
            raise ConfigError(
                "challenge",
                _("not a challenge of format {version}").format(version=FORMAT_VERSION),
            )
        target = data.get("target")
        if not isinstance(target, dict):
            raise ConfigError("challenge.target", _not_a_target(target))
        return cls(
            title=data.get("title"),  # type: ignore[arg-type]  # checked in __post_init__
            target=Target(
                kind=target.get("kind"),  # type: ignore[arg-type]  # checked by Target
                mean=target.get("mean"),  # type: ignore[arg-type]
                cov=target.get("cov"),  # type: ignore[arg-type]
            ),
            step_limit=data.get("step_limit"),  # type: ignore[arg-type]
            loss=data.get("loss"),
            d_hidden=data.get("d_hidden"),
        )


def _title(value: object) -> str:
    if not isinstance(value, str):
        raise ConfigError("title", _("{value} is not text").format(value=quote_value(value)))
    title = value.strip()
    if not 1 <= len(title) <= MAX_TITLE_CHARS:
        raise ConfigError(
            "title",
            _("{count} characters: allowed 1 to {limit} (not blank)").format(
                count=f"{len(title):,}", limit=MAX_TITLE_CHARS
            ),
        )
    if _CONTROL.search(title):
        raise ConfigError(
            "title",
            _("{value} holds a control character or line break").format(value=quote_value(title)),
        )
    return title


def _not_a_target(value: object) -> str:
    return _("{value} is not a target").format(value=quote_value(value))


def _target(value: object) -> Target:
    if not isinstance(value, Target):
        raise ConfigError("target", _not_a_target(value))
    if value.kind != "gaussian":
        raise ConfigError(
            "target.kind",
            _(
                "{value} is not allowed: a challenge's target is a gaussian "
                "(the one kind whose distance is exact)"
            ).format(value=quote_value(value.kind)),
        )
    return value


def _step_limit(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError("step limit", not_whole_number(quote_value(value)))
    if not MIN_STEP_LIMIT <= value <= MAX_STEP_LIMIT:
        raise ConfigError(
            "step limit",
            out_of_range_between(f"{value:,}", MIN_STEP_LIMIT, f"{MAX_STEP_LIMIT:,}"),
        )
    return value


def _loss(value: object) -> str | None:
    if value is not None and value not in LOSSES:
        raise ConfigError(
            "loss",
            _("{value} is not one of {allowed}").format(
                value=quote_value(value), allowed=", ".join(["any", *LOSSES])
            ),
        )
    return value


def _d_hidden(value: object) -> tuple[int, ...] | None:
    if value is None:
        return None
    if not isinstance(value, (list, tuple)):
        raise ConfigError(
            "D's layers",
            _("{value} is not a list of layer widths").format(value=quote_value(value)),
        )
    if len(value) > MAX_LAYERS:
        raise ConfigError(
            "D's layers",
            _("{count} hidden layers: at most {limit} allowed").format(
                count=len(value), limit=MAX_LAYERS
            ),
        )
    for width in value:
        if isinstance(width, bool) or not isinstance(width, int) or not 1 <= width <= MAX_WIDTH:
            raise ConfigError(
                "D's layers",
                _("width {value} is not allowed: 1 to {limit}").format(
                    value=quote_value(width), limit=MAX_WIDTH
                ),
            )
    return tuple(value)
