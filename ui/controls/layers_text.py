"""Hidden layer widths as a person types them: "5, 3" means two layers of 5 and 3 units.

Parsing checks only the shape of the text (whole numbers separated by commas or spaces);
the config itself checks the widths and the number of layers, with its own messages.
"""

from __future__ import annotations

import re

from gan_core.config import ConfigError, quote_value
from gan_core.i18n import _


def format_layers(widths: tuple[int, ...]) -> str:
    return ", ".join(str(w) for w in widths)


def parse_layers(field: str, text: str) -> tuple[int, ...]:
    """Widths from text like "5, 3", "64 64" or "[5, 3]"; empty text means no hidden layer."""
    cleaned = text.strip().strip("[]()").strip()
    if not cleaned:
        return ()
    parts = [p for p in re.split(r"[,\s]+", cleaned) if p]
    widths = []
    for part in parts:
        if not re.fullmatch(r"[+]?\d+", part):
            raise ConfigError(
                field,
                _(
                    "{text} is not a list of layer widths: {part} is not a positive whole "
                    'number (write widths like "5, 3", or leave empty for none)'
                ).format(text=quote_value(text.strip()), part=quote_value(part)),
            )
        widths.append(int(part))
    return tuple(widths)
