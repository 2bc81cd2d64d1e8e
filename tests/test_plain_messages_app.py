"""Names people choose reach the pages' Markdown only escaped (AppTest, real pages).

An uploaded file's name and an imported run's name are anyone's text; messages, captions
and button labels (which Streamlit reads as Markdown too) must show them as written.
Option texts of selectboxes and multiselects are plain text in Streamlit, so they are
left as they are.
"""

from __future__ import annotations

import json
import re

import pytest

from gan_core.store.run_store import RunStore
from tests.bad_inputs import bundle, run_with
from tests.markdown_text import shown
from tests.test_compare_page import SESSION, compare_page
from tests.test_dashboard_app import new_app
from ui.plain_text import plain

CRAFTED_NAME = "[sign in](https://evil.example/login) **now** :red[x].csv"
ESCAPED = re.compile(r"\\[!-/:-@\[-`{-~]")
PUNCTUATION = re.compile(r"[!-/:-@\[-`{-~]")


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("GANSCOPE_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def with_points_upload(data: bytes):
    at = new_app()
    at.radio(key="w.target_kind").set_value("points").run()
    at.file_uploader(key="points_upload").set_value((CRAFTED_NAME, data, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_an_uploaded_files_name_shows_as_plain_text_in_its_refusal():
    at = with_points_upload(b"x,y\n1,2\n3,abc\n")
    (markdown,) = [e.value for e in at.error]
    assert shown(markdown).startswith(f"{CRAFTED_NAME}: points: line 3, column y: 'abc'")
    assert markdown.startswith(plain(CRAFTED_NAME))


def test_an_uploaded_files_name_shows_as_plain_text_in_its_caption():
    at = with_points_upload(b"x,y\n1,2\n3,4\n5,6\n7,8\n")
    assert not at.error, [e.value for e in at.error]
    (caption,) = [c.value for c in at.caption if "points from" in c.value]
    assert caption == f"4 points from {plain(CRAFTED_NAME)}"
    assert shown(caption) == f"4 points from {CRAFTED_NAME}"


def test_an_imported_runs_name_is_escaped_in_button_labels(data_dir):
    # Run names allow ( ) : # _ + - . and spaces: enough for emphasis, emoji and a link's tail.
    name = "a _b_ :smile: (c) __d__ -e"
    store = RunStore(data_dir)
    logged = run_with(name=name, history={"step": [1]})  # one logged step: a run, not empty
    (run_id,) = store.import_bundle(json.dumps(json.loads(bundle(logged))), session_id=SESSION)
    store.close()
    app = compare_page()
    assert not app.exception, [e.value for e in app.exception]
    label = app.button(key=f"open_{run_id}").label
    assert shown(label) == f"Open #{run_id} a _b_ :smile: (c) __d__ -e on the dashboard"
    escaped_name = label.removeprefix("Open ").removesuffix(" on the dashboard")
    assert not PUNCTUATION.search(ESCAPED.sub("", escaped_name)), label
    # The run chooser's option texts are plain text: they show the name unescaped.
    chooser = next(m for m in app.multiselect if m.label == "Runs to compare")
    assert f"#{run_id} {name}" in chooser.options
