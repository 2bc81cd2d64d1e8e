"""Where the run store lives, and the rule that it never writes anywhere else.

The data directory comes from an argument, else the `GANSCOPE_DATA_DIR` environment
variable, else `./data`. (On Streamlit, a root-level `GANSCOPE_DATA_DIR = "..."` in
`.streamlit/secrets.toml` also works: Streamlit copies root-level secrets into the
environment.) Inside it the store writes one SQLite file (plus SQLite's own `-wal` and
`-shm` files beside it) whose name must be a plain file name: no separators, no `..`,
and a symlink that leads out of the directory is refused.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from gan_core.config import ConfigError, quote_value
from gan_core.i18n import _

ENV_VAR = "GANSCOPE_DATA_DIR"
DEFAULT_DATA_DIR = "data"
DEFAULT_DB_NAME = "runs.sqlite3"
# Far beyond any real directory, well within what file systems take (4,096 bytes on Linux,
# 255 per folder name): a longer value is a mistake or an attack, refused before any use.
MAX_DATA_DIR_CHARS = 1024
MAX_NAME_BYTES = 255
_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def data_dir_from_environment(environ: Mapping[str, str] | None = None) -> Path:
    value = (os.environ if environ is None else environ).get(ENV_VAR, "").strip()
    return Path(value) if value else Path(DEFAULT_DATA_DIR)


def check_file_name(name: object) -> str:
    """A bare file name for the database: letters, digits, `_ . -`; never a path."""
    if not isinstance(name, str) or not _FILE_NAME.match(name) or ".." in name:
        raise ConfigError(
            "store name",
            _("{value} must be a plain file name (letters, digits, _ . -; no / \\ or ..)").format(
                value=repr(name)
            ),
        )
    return name


def database_path(data_dir: object, name: object = DEFAULT_DB_NAME) -> Path:
    """The database file's absolute path inside `data_dir`, creating the directory if needed."""
    file_name = check_file_name(name)
    root = check_data_dir(data_dir)
    shown = quote_value(str(root))
    try:
        if root.exists() and not root.is_dir():
            raise ConfigError(
                "data directory", _("{path} exists and is not a directory").format(path=shown)
            )
        root.mkdir(parents=True, exist_ok=True)
        if not os.access(root, os.W_OK | os.X_OK):
            raise ConfigError("data directory", _("{path} is not writable").format(path=shown))
        root = root.resolve()
        # resolve() follows a symlinked database file: it must still land in the data directory.
        path = (root / file_name).resolve()
        if path.parent != root:
            raise ConfigError(
                "store name",
                _("{name} leads outside the data directory {path}").format(
                    name=quote_value(file_name), path=quote_value(str(root))
                ),
            )
        if path.exists() and not path.is_file():
            raise ConfigError(
                "store name",
                _("{path} exists and is not a file").format(path=quote_value(str(path))),
            )
    except OSError as error:  # e.g. a name the file system refuses, or no permission
        raise ConfigError(
            "data directory",
            _("{path} cannot be used ({reason})").format(path=shown, reason=error.strerror),
        ) from None
    return path


def check_data_dir(data_dir: object) -> Path:
    """A data directory path fit to hand to the file system, before it is touched."""
    if not isinstance(data_dir, (str, os.PathLike)) or not str(data_dir).strip():
        raise ConfigError("data directory", _not_a_directory_path(data_dir))
    text = os.fspath(data_dir)
    if not isinstance(text, str):  # a PathLike of bytes
        raise ConfigError("data directory", _not_a_directory_path(text))
    if len(text) > MAX_DATA_DIR_CHARS:
        raise ConfigError(
            "data directory",
            _("{value} is too long: at most {limit} characters allowed").format(
                value=quote_value(text), limit=f"{MAX_DATA_DIR_CHARS:,}"
            ),
        )
    if "\0" in text:
        raise ConfigError(
            "data directory",
            _("{value} contains a NUL character").format(value=quote_value(text)),
        )
    root = Path(text).expanduser()
    longest = max((len(os.fsencode(part)) for part in root.parts), default=0)
    if longest > MAX_NAME_BYTES:
        raise ConfigError(
            "data directory",
            _("{value} has a folder name of {size} bytes: at most {limit} allowed").format(
                value=quote_value(text), size=f"{longest:,}", limit=MAX_NAME_BYTES
            ),
        )
    return root


def _not_a_directory_path(value: object) -> str:
    return _("{value} is not a directory path").format(value=quote_value(value))
