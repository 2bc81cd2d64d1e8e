"""Files a person names on the command line: read with a size cap, written through no link.

Reading. A path may name anything: `/dev/zero` (endless), a FIFO (its reader waits for ever
for a writer), a directory, a sparse file of terabytes. Only a regular file within the
limit is read. The path is opened non-blocking (a FIFO's open returns at once instead of
waiting) and the *opened descriptor* is what is checked, so nothing can be swapped in
between the check and the read; at most `limit + 1` bytes are read, so a file that grows
after the check is refused as well.

Writing. An output directory may hold links someone planted (`config.json -> ~/.bashrc`).
A target that is a symbolic link is refused with a plain message. Beyond that check, the
directory is opened without following a link, and each file is written under a fresh
temporary name in it and renamed over its target: a rename replaces a directory entry, it
never writes through a link (or into another name of a hard-linked file), so a link planted
after the check changes nothing either.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path

from gan_core.config import QUOTE_LIMIT, ConfigError
from gan_core.i18n import N_, _

_KINDS = (
    (stat.S_ISDIR, N_("{path} is a directory, not a regular file")),
    (stat.S_ISFIFO, N_("{path} is a FIFO (named pipe), not a regular file")),
    (stat.S_ISCHR, N_("{path} is a character device, not a regular file")),
    (stat.S_ISBLK, N_("{path} is a block device, not a regular file")),
    (stat.S_ISSOCK, N_("{path} is a socket, not a regular file")),
)
_READ_CHUNK = 1 << 20


def read_user_file(path: str | os.PathLike[str], *, field: str, limit: int) -> bytes:
    """The bytes of the regular file at `path`, at most `limit` of them, or a ConfigError."""
    shown = shown_path(path)
    if "\0" in os.fsdecode(path):  # the system calls below would raise ValueError
        raise ConfigError(
            field, _("cannot read {path} (the path holds a NUL character)").format(path=shown)
        )
    try:
        # Refuse what is plainly not a file before opening it: opening some devices has
        # effects of its own. The check that counts is the fstat of the descriptor below.
        before = os.stat(path)
    except OSError as error:
        raise ConfigError(field, _cannot_read(shown, error)) from None
    _check_regular(before, shown, field, limit)
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as error:
        raise ConfigError(field, _cannot_read(shown, error)) from None
    try:
        _check_regular(os.fstat(descriptor), shown, field, limit)  # what was really opened
        chunks: list[bytes] = []
        remaining = limit + 1
        while remaining > 0:
            chunk = os.read(descriptor, min(remaining, _READ_CHUNK))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    except OSError as error:
        raise ConfigError(field, _cannot_read(shown, error)) from None
    finally:
        os.close(descriptor)
    data = b"".join(chunks)
    if len(data) > limit:  # it grew after the check
        raise ConfigError(
            field,
            _("file is more than {size} bytes: at most {limit} allowed").format(
                size=f"{limit:,}", limit=f"{limit:,}"
            ),
        )
    return data


def _cannot_read(shown: str, error: BaseException) -> str:
    return _("cannot read {path} ({reason})").format(path=shown, reason=_reason(error))


def _check_regular(status: os.stat_result, shown: str, field: str, limit: int) -> None:
    if not stat.S_ISREG(status.st_mode):
        message = next(
            (message for test, message in _KINDS if test(status.st_mode)),
            N_("{path} is not a file, not a regular file"),
        )
        raise ConfigError(field, _(message).format(path=shown))
    if status.st_size > limit:
        raise ConfigError(
            field,
            _("file is {size} bytes: at most {limit} allowed").format(
                size=f"{status.st_size:,}", limit=f"{limit:,}"
            ),
        )


def check_output_dir(out: Path, names: Iterable[str], *, field: str) -> None:
    """Refuse an output directory that is a link, is not a directory, or holds a link or a
    non-file under one of the names about to be written. Checked before any work starts."""
    _refuse_link(out, field)
    if out.exists() and not out.is_dir():
        raise ConfigError(
            field, _("{path} exists and is not a directory").format(path=shown_path(out))
        )
    for name in names:
        target = out / name
        _refuse_link(target, field)
        if target.exists() and not target.is_file():
            raise ConfigError(field, _not_a_file(target))


def write_user_files(out: Path, files: Mapping[str, bytes], *, field: str) -> None:
    """Write each name's bytes into directory `out` (created if missing), never through a link."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
        directory = os.open(out, flags)
    except OSError as error:
        _refuse_link(out, field)  # O_NOFOLLOW's ELOOP: say what it means
        shown = shown_path(out)
        raise ConfigError(
            field, _("cannot write to {path} ({reason})").format(path=shown, reason=_reason(error))
        ) from None
    try:
        for name, data in files.items():
            _check_target(directory, out / name, field)
            _write_and_rename(directory, name, data, out, field)
    finally:
        os.close(directory)


def _check_target(directory: int, target: Path, field: str) -> None:
    try:
        status = os.stat(target.name, dir_fd=directory, follow_symlinks=False)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(status.st_mode):
        raise ConfigError(field, _link_message(target))
    if not stat.S_ISREG(status.st_mode):
        raise ConfigError(field, _not_a_file(target))


def _write_and_rename(directory: int, name: str, data: bytes, out: Path, field: str) -> None:
    temporary = f".{name}.{os.getpid()}.partial"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        try:
            os.unlink(temporary, dir_fd=directory)  # left by a killed run of this process id
        except FileNotFoundError:
            pass
        descriptor = os.open(temporary, flags, 0o644, dir_fd=directory)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(descriptor, view) :]
        finally:
            os.close(descriptor)
        os.replace(temporary, name, src_dir_fd=directory, dst_dir_fd=directory)
    except OSError as error:
        try:
            os.unlink(temporary, dir_fd=directory)
        except OSError:
            pass
        shown = shown_path(out / name)
        raise ConfigError(
            field, _("cannot write {path} ({reason})").format(path=shown, reason=_reason(error))
        ) from None


def _refuse_link(path: Path, field: str) -> None:
    if path.is_symlink():
        raise ConfigError(field, _link_message(path))


def _link_message(path: Path) -> str:
    return _(
        "{path} is a symbolic link: refused, writing through it would change a file elsewhere"
    ).format(path=shown_path(path))


def _not_a_file(path: Path) -> str:
    return _("{path} exists and is not a file").format(path=shown_path(path))


def shown_path(path: str | os.PathLike[str]) -> str:
    """A path as a message quotes it: a long one keeps its end, where the file name is."""
    text = os.fsdecode(path)
    if len(text) <= QUOTE_LIMIT:
        return repr(text)
    quoted = repr(text[-QUOTE_LIMIT:])
    return f"{quoted[0]}…{quoted[1:]}"


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error).splitlines()[0][:200] if str(error) else type(error).__name__
