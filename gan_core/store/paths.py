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

from gan_core.config import ConfigError

ENV_VAR = "GANSCOPE_DATA_DIR"
DEFAULT_DATA_DIR = "data"
DEFAULT_DB_NAME = "runs.sqlite3"
_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def data_dir_from_environment(environ: Mapping[str, str] | None = None) -> Path:
    value = (os.environ if environ is None else environ).get(ENV_VAR, "").strip()
    return Path(value) if value else Path(DEFAULT_DATA_DIR)


def check_file_name(name: object) -> str:
    """A bare file name for the database: letters, digits, `_ . -`; never a path."""
    if not isinstance(name, str) or not _FILE_NAME.match(name) or ".." in name:
        raise ConfigError(
            "store name",
            f"{name!r} must be a plain file name (letters, digits, _ . -; no / \\ or ..)",
        )
    return name


def database_path(data_dir: object, name: object = DEFAULT_DB_NAME) -> Path:
    """The database file's absolute path inside `data_dir`, creating the directory if needed."""
    file_name = check_file_name(name)
    if not isinstance(data_dir, (str, os.PathLike)) or not str(data_dir).strip():
        raise ConfigError("data directory", f"{data_dir!r} is not a directory path")
    root = Path(data_dir).expanduser()
    if root.exists() and not root.is_dir():
        raise ConfigError("data directory", f"{str(root)!r} exists and is not a directory")
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigError("data directory", f"cannot create {str(root)!r} ({error})") from None
    root = root.resolve()
    # resolve() follows a symlinked database file: it must still land in the data directory.
    path = (root / file_name).resolve()
    if path.parent != root:
        raise ConfigError(
            "store name", f"{file_name!r} leads outside the data directory {str(root)!r}"
        )
    if path.exists() and not path.is_file():
        raise ConfigError("store name", f"{str(path)!r} exists and is not a file")
    return path
