"""Apply a set of edits to a config one setting at a time, keeping every edit that is valid.

A refused edit leaves that setting as it was and is reported; the others still apply.
Edits that depend on each other (the batch size and the number of samples, the epochs
and the batch size) are retried until nothing more can be applied, so the order in which
the person made them does not matter.
"""

from __future__ import annotations

from gan_core.config import ConfigError, GanConfig


def apply_changes(config: GanConfig, changes: dict) -> tuple[GanConfig, dict[str, ConfigError]]:
    """(new config, {setting: why it was refused}) for `changes` = {setting: new value}."""
    pending = {name: value for name, value in changes.items() if getattr(config, name) != value}
    errors: dict[str, ConfigError] = {}
    progress = True
    while pending and progress:
        progress, errors = False, {}
        for name, value in list(pending.items()):
            try:
                config = config.replace(**{name: value})
            except ConfigError as error:
                errors[name] = error
            else:
                del pending[name]
                progress = True
    return config, errors
