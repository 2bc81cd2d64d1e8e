"""Every entry of the bad-input catalogue (tests/bad_inputs.py), fed to the real parser.

Each must be refused with a ConfigError that names the field and says, word for word,
what the catalogue promises; the CLI must exit 2 with one line on stderr; a failed
bundle import must leave the store as it was; a crafted pickle must never run.
"""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import pytest

from gan_core.cli import main
from gan_core.config import ConfigError, GanConfig
from gan_core.points_io import parse_points
from gan_core.serialize import from_json, from_query
from gan_core.store.run_store import RunStore
from gan_core.training.checkpoint import load_checkpoint
from tests.bad_inputs import (
    CATALOGUE,
    MARKER,
    MAX_MESSAGE_CHARS,
    SURFACES,
    BadInput,
    bundle,
    checkpoint,
    markdown,
    pickle_payload,
    seen,
)

REPO = Path(__file__).resolve().parent.parent
PARSERS = {
    "url": from_query,
    "json": from_json,
    "csv": parse_points,
    "checkpoint": load_checkpoint,
}


def cases(*surfaces: str) -> list:
    """Catalogue entries as pytest params; a known bug is expected to fail, strictly, so
    the mark has to go (and the catalogue be updated) once the bug is fixed."""
    return [
        pytest.param(
            entry,
            id=f"{entry.surface}-{entry.description}",
            marks=pytest.mark.xfail(strict=True, reason=entry.known_bug) if entry.known_bug else (),
        )
        for entry in CATALOGUE
        if entry.surface in surfaces
    ]


def assert_clear(error: ConfigError, entry: BadInput) -> None:
    assert error.field == entry.field
    assert "\n" not in str(error)  # shown in one line: a notice, a table cell, stderr
    assert len(str(error)) <= MAX_MESSAGE_CHARS, f"{len(str(error)):,} characters"
    assert_seen(str(error), entry)


def assert_seen(message: str, entry: BadInput) -> None:
    """The message holds what the docs' table shows, piece by piece, in order and
    from its very start (the table elides with …, never adds)."""
    at = 0
    for number, piece in enumerate(seen(entry).split(" … ")):
        found = message.find(piece, at)
        assert found == 0 if number == 0 else found >= at, (piece, message)
        at = found + len(piece)


@pytest.mark.parametrize("entry", cases(*PARSERS))
def test_parsers_refuse_with_a_clear_message(entry, tmp_path):
    data = entry.build(tmp_path)
    with pytest.raises(ConfigError) as caught:  # anything else escapes and fails the test
        PARSERS[entry.surface](data)
    assert_clear(caught.value, entry)
    assert not (tmp_path / MARKER).exists(), "loading the file ran code"


def test_the_crafted_pickle_would_run_if_loaded_unsafely(tmp_path):
    """Proof that the catalogue's payload is live, so its absence above means something."""
    pickle.loads(pickle_payload(tmp_path))
    assert (tmp_path / MARKER).exists()


@pytest.fixture
def store(tmp_path):
    store = RunStore(tmp_path / "store")
    store.create_run(GanConfig(), name="before", status="finished")
    yield store
    store.close()


def test_the_baselines_the_entries_alter_are_accepted(store):
    """So each refusal is down to the one thing an entry changed."""
    assert load_checkpoint(checkpoint()[0]).step_count == 3
    (run_id,) = store.import_bundle(bundle())
    assert len(store.get_run(run_id).history) == 1


@pytest.mark.parametrize("entry", cases("bundle"))
def test_bundle_import_refuses_and_changes_nothing(entry, store, tmp_path):
    before = store.list_runs()
    with pytest.raises(ConfigError) as caught:
        store.import_bundle(entry.build(tmp_path))
    assert_clear(caught.value, entry)
    after = store.list_runs()
    assert after.equals(before), "a refused import changed the store"
    assert store.integrity_check() == "ok"


@pytest.mark.parametrize("entry", cases("cli"))
def test_cli_exits_2_with_one_line(entry, tmp_path, capsys, monkeypatch):
    # main() in this process, not a subprocess: the same code path as `python -m gan_core`
    # (whose __main__ only calls sys.exit(main())) at a fraction of the cost of importing
    # torch once per case. An exception escaping main() would be the traceback.
    for name, value in entry.environ:
        monkeypatch.setenv(name, value)
    code = main(entry.build(tmp_path))
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert len(lines[0]) <= len("error: ") + MAX_MESSAGE_CHARS, f"{len(lines[0]):,} characters"
    assert_seen(lines[0], entry)
    if entry.field:
        assert lines[0].startswith(f"error: {entry.field}: ")
    assert "Traceback" not in err


@pytest.mark.parametrize("entry", cases("ui"))
def test_ui_entries_point_at_a_test_that_checks_them(entry):
    """The page tests live elsewhere (AppTest); the catalogue must name a real one that
    asserts the very words the table promises."""
    path, name = entry.tested_in.split("::")
    source = (REPO / path).read_text()
    match = re.search(rf"^def {name}\(.*?(?=^def |\Z)", source, re.S | re.M)
    assert match, f"{name} is not in {path}"
    assert entry.shows in match.group(0), f"{name} does not check {entry.shows!r}"


def test_catalogue_is_complete_and_unambiguous():
    assert len(CATALOGUE) >= 30
    assert {e.surface for e in CATALOGUE} == set(SURFACES)
    ids = [(e.surface, e.description) for e in CATALOGUE]
    assert len(ids) == len(set(ids)), "two entries with the same surface and description"


def test_doc_holds_the_current_table():
    doc = (REPO / "docs" / "BAD_INPUTS.md").read_text()
    assert markdown() in doc, "docs/BAD_INPUTS.md is stale: python -m tests.bad_inputs --markdown"
