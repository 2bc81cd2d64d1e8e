"""Files named on the command line: only regular files within a size cap are read, and
output is never written through a link (symbolic or hard)."""

import os

import pytest

from gan_core.config import ConfigError
from gan_core.user_files import (
    check_output_dir,
    read_user_file,
    shown_path,
    write_user_files,
)


def test_a_regular_file_is_read_up_to_its_limit(tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(b"x" * 100)
    assert read_user_file(path, field="f", limit=100) == b"x" * 100
    with pytest.raises(ConfigError, match=r"^f: file is 100 bytes: at most 99 allowed$"):
        read_user_file(path, field="f", limit=99)


@pytest.mark.parametrize(
    "make, kind",
    [
        (lambda p: p.mkdir(), "a directory"),
        (lambda p: os.mkfifo(p), "a FIFO (named pipe)"),
    ],
)
def test_what_is_not_a_regular_file_is_refused_by_kind(tmp_path, make, kind):
    path = tmp_path / "thing"
    make(path)
    with pytest.raises(ConfigError) as caught:
        read_user_file(path, field="config", limit=10)
    assert str(caught.value) == f"config: {shown_path(path)} is {kind}, not a regular file"


def test_a_device_is_refused_unread():
    with pytest.raises(ConfigError, match="'/dev/zero' is a character device"):
        read_user_file("/dev/zero", field="config", limit=10)


def test_a_sparse_file_is_refused_by_its_size(tmp_path):
    path = tmp_path / "sparse"
    with open(path, "wb") as handle:
        handle.truncate(2 * 1024**3)
    with pytest.raises(ConfigError, match=r"file is 2,147,483,648 bytes: at most 10 allowed"):
        read_user_file(path, field="config", limit=10)


def test_a_missing_file_or_a_nul_in_the_path_is_one_clear_line(tmp_path):
    with pytest.raises(ConfigError, match=r"cannot read .* \(No such file or directory\)$"):
        read_user_file(tmp_path / "absent", field="config", limit=10)
    with pytest.raises(ConfigError, match="NUL character"):
        read_user_file("a\0b", field="config", limit=10)


def test_a_long_path_is_shown_by_its_end():
    shown = shown_path("/" + "d" * 200 + "/config.json")
    assert shown.startswith("'…") and shown.endswith("/config.json'") and len(shown) < 70


def test_writing_replaces_a_hard_link_instead_of_writing_into_it(tmp_path):
    """A rename swaps the directory entry: the other name of a hard-linked file keeps its
    contents, where opening the target for writing would have changed both."""
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me")
    out = tmp_path / "out"
    out.mkdir()
    os.link(outside, out / "config.json")
    write_user_files(out, {"config.json": b"{}", "history.csv": b"step\n"}, field="--out")
    assert outside.read_text() == "keep me"
    assert (out / "config.json").read_bytes() == b"{}"
    assert sorted(p.name for p in out.iterdir()) == ["config.json", "history.csv"]


def test_writing_refuses_a_linked_directory_or_file(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    with pytest.raises(ConfigError, match=r"^--out: '.*/link' is a symbolic link: refused"):
        write_user_files(tmp_path / "link", {"a": b"1"}, field="--out")
    (tmp_path / "elsewhere").write_text("keep me")
    (real / "a").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(ConfigError, match=r"^--out: '.*/real/a' is a symbolic link: refused"):
        write_user_files(real, {"a": b"1"}, field="--out")
    assert (tmp_path / "elsewhere").read_text() == "keep me"
    with pytest.raises(ConfigError, match="symbolic link"):
        check_output_dir(real, ["a"], field="--out")
    assert list(real.iterdir()) == [real / "a"], "a partial file was left behind"
