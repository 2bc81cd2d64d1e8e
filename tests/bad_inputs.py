"""The catalogue of bad inputs: what a person may hand GANscope, and what they must be told.

Each entry is data: the surface the input arrives through, what it is, the input itself,
the field the refusal names and a word-for-word excerpt of the message. The tests in
tests/test_bad_inputs.py feed every entry to the real parser; docs/BAD_INPUTS.md holds
the table that `python -m tests.bad_inputs --markdown` prints.

Surfaces and what receives the input:
  url         serialize.from_query(dict of str)       a share link's parameters
  json        serialize.from_json(text or bytes)      an uploaded config or `--config` file
  csv         points_io.parse_points(bytes)           an uploaded point set
  checkpoint  checkpoint.load_checkpoint(bytes)       a saved run
  bundle      RunStore(dir).import_bundle(bytes)      runs exported from another store
  cli         cli.main(argv)                          `python -m gan_core ...` (with `environ`)
  ui          the pages' widgets, through AppTest     described here, tested where named

Inputs that must be built (files, checkpoints, very large data) are functions of a scratch
directory; `shown` then says what they are. Nothing here imports torch at module level, so
printing the table stays quick. `bundle()` and `checkpoint()` are the valid baselines
that entries alter; the tests check that the baselines themselves are accepted.
"""

from __future__ import annotations

import functools
import json
import os
import pickle
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from gan_core.training.history import COLUMNS as HISTORY_COLUMNS

SURFACES = ("url", "json", "csv", "checkpoint", "bundle", "cli", "ui")
HERE = "tests/test_bad_inputs.py"
MARKER = "payload-ran"  # the crafted pickle creates this file if it is ever run
# A longest message: a refusal quotes at most ~60 characters of any value it names.
MAX_MESSAGE_CHARS = 400
# A link and an image that fit in what a message quotes; any longer value is cut.
MARKDOWN_ATTACK = "[x](https://evil.example/a) ![t](https://evil.example/t.png)"
ATTACK_LINK_SHOWN = (  # as seen in an attack: longer than a message quotes
    "[Your session expired: click here to sign in again](https://evil.example/login) "
    "![t](https://evil.example/track.png)"
)


@dataclass(frozen=True)
class BadInput:
    surface: str
    description: str
    input: object  # the input, or a function of the scratch directory that builds it
    field: str | None  # the field the message names (None: a CLI usage error names none)
    shows: str  # the message word for word, from its start; " … " marks a part left out
    shown: str = ""  # how the table shows the input when the input itself would not do
    tested_in: str = HERE  # for ui entries: the test that drives the page
    known_bug: str = ""  # not yet refused cleanly: the test expects the failure (strict)
    environ: tuple[tuple[str, str], ...] = ()  # cli: environment variables set for the run

    def build(self, scratch: Path):
        return self.input(scratch) if callable(self.input) else self.input


# ---------------------------------------------------------------- inputs built on demand


class _RunsCommand:
    """Unpickling this calls os.system: the classic payload of a malicious pickle."""

    def __init__(self, command: str):
        self.command = command

    def __reduce__(self):
        return os.system, (self.command,)


def pickle_payload(scratch: Path) -> bytes:
    """A plain pickle that, if loaded unsafely, creates MARKER in the scratch directory."""
    command = _RunsCommand(f"touch {shlex.quote(str(scratch / MARKER))}")
    return pickle.dumps(command, protocol=2)  # torch.load's own protocol: no warning


def torch_payload(scratch: Path) -> bytes:
    """The same payload inside a real torch.save zip file, where a checkpoint's pickle lives."""
    command = _RunsCommand(f"touch {shlex.quote(str(scratch / MARKER))}")
    return _torch_bytes({"format": "ganscope-checkpoint", "G": command})


def _torch_bytes(obj) -> bytes:
    import io

    import torch

    buffer = io.BytesIO()
    torch.save(obj, buffer)
    return buffer.getvalue()


@functools.cache
def checkpoint() -> tuple[bytes, dict]:
    """A real checkpoint of a three-step run, and the state it holds."""
    from gan_core.config import GanConfig
    from gan_core.training.checkpoint import checkpoint_state
    from gan_core.training.trainer import Trainer

    trainer = Trainer(GanConfig(n_samples=16, epochs=1))
    trainer.run(n_steps=3)
    state = checkpoint_state(trainer)
    return _torch_bytes(state), state


def _checkpoint_with(**changes):
    return lambda _scratch: _torch_bytes({**checkpoint()[1], **changes})


def _engine_with(**changes):
    return lambda _scratch: _torch_bytes(
        {**checkpoint()[1], "engine": {**checkpoint()[1]["engine"], **changes}}
    )


def _expanded_weights(_scratch: Path) -> bytes:
    import torch

    engine = {**checkpoint()[1]["engine"], "G": torch.zeros(1).expand(1, 6)}
    return _torch_bytes({**checkpoint()[1], "engine": engine})


def _expanded_history(_scratch: Path) -> bytes:
    """One stored number viewed as 10**8 rows: 23 KB on disk, 800 MB once copied."""
    import torch

    history = {**checkpoint()[1]["history"]}
    history["step"] = torch.zeros(1, dtype=torch.float64).expand(10**8)
    return _torch_bytes({**checkpoint()[1], "history": history})


def _history_rows(rows: int):
    def build(_scratch: Path) -> bytes:
        import torch

        history = {c: torch.arange(rows, dtype=torch.float64) for c in HISTORY_COLUMNS}
        return _torch_bytes({**checkpoint()[1], "history": history, "history_cap": 4})

    return build


def _deflated_checkpoint(_scratch: Path) -> bytes:
    import io
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(checkpoint()[0]))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as deflated:
        for name in source.namelist():
            deflated.writestr(name, source.read(name))
    return buffer.getvalue()


def _weights_of_another_size(_scratch: Path) -> bytes:
    import torch

    engine = {**checkpoint()[1]["engine"], "G": torch.zeros(1, 3)}
    return _torch_bytes({**checkpoint()[1], "engine": engine})


def _tensor_format(_scratch: Path) -> bytes:
    import torch

    return _torch_bytes({**checkpoint()[1], "format": torch.zeros(0)})


def _other_weights(_scratch: Path) -> bytes:
    import torch

    return _torch_bytes({"weight": torch.zeros(3, 2), "bias": torch.zeros(3)})


def _resume_from(build, *extra: str):
    """`train --resume FILE ...` with FILE in the scratch directory holding `build`'s bytes."""

    def write(scratch: Path) -> list[str]:
        (scratch / "run.pt").write_bytes(build(scratch))
        return ["train", "--resume", str(scratch / "run.pt"), *extra]

    return write


def _resume_empty_dir(scratch: Path) -> list[str]:
    (scratch / "runs").mkdir()
    return ["train", "--resume", str(scratch / "runs")]


def bundle(*runs, **top) -> str:
    """A runs file holding `runs` (default: one good run), with top-level keys changed."""
    data = {"format": "ganscope-runs", "version": 1, "runs": list(runs) or [run_with()], **top}
    return json.dumps(data)


def run_with(history=None, **keys) -> dict:
    """One run of a bundle, its log columns all [0] except those given."""
    columns = {c: [0] for c in HISTORY_COLUMNS} | (history or {})
    return {"config": {}, "history": columns, **keys}


def _config_file(text: str):
    def write(scratch: Path) -> list[str]:
        (scratch / "config.json").write_text(text)
        return ["train", "--config", str(scratch / "config.json")]

    return write


def _scratch_as_config(scratch: Path) -> list[str]:
    return ["train", "--config", str(scratch)]


def _fifo_as_config(scratch: Path) -> list[str]:
    os.mkfifo(scratch / "config.json")
    return ["train", "--config", str(scratch / "config.json")]


def _sparse_config(scratch: Path) -> list[str]:
    with open(scratch / "config.json", "wb") as handle:
        handle.truncate(2 * 1024**3)  # sparse: takes no disk, reads as 2 GB of zeros
    return ["train", "--config", str(scratch / "config.json")]


def _linked_out_file(scratch: Path) -> list[str]:
    (scratch / "runs" / "x").mkdir(parents=True)
    (scratch / "elsewhere.txt").write_text("not yours to overwrite\n")
    (scratch / "runs" / "x" / "config.json").symlink_to(scratch / "elsewhere.txt")
    return ["train", "--out", str(scratch / "runs" / "x")]


def _linked_out_dir(scratch: Path) -> list[str]:
    (scratch / "runs" / "x").mkdir(parents=True)
    (scratch / "runs" / "y").symlink_to(scratch / "runs" / "x")
    return ["train", "--out", str(scratch / "runs" / "y")]


# ---------------------------------------------------------------- the catalogue

E = BadInput
# fmt: off
CATALOGUE: list[BadInput] = [
    # ------------------------------------------------ share link (URL query parameters)
    E("url", "learning rate zero", {"lr_d": "0"}, "lr_d",
      "lr_d: 0 is out of range: allowed (0, 10]"),
    E("url", "negative learning rate", {"lr_g": "-0.01"}, "lr_g",
      "lr_g: -0.01 is out of range: allowed (0, 10]"),
    E("url", "huge learning rate", {"lr_d": "1e9"}, "lr_d",
      "lr_d: 1e+09 is out of range: allowed (0, 10]"),
    E("url", "batch larger than the data", {"n_samples": "10", "batch_size": "20"}, "batch_size",
      "batch_size: 20 is larger than the data (10 real samples): allowed 1 to 10"),
    E("url", "epochs beyond the step cap", {"epochs": "1000000"}, "epochs",
      "epochs: 1000000 epochs make 250,000,000 steps: at most 5,000,000 steps allowed "
      "(20,000 epochs at this batch size)"),
    E("url", "hidden width beyond the bound", {"d_hidden": "5,999"}, "d_hidden[1]",
      "d_hidden[1]: 999 is out of range: allowed 1 to 256"),
    E("url", "too many hidden layers", {"g_hidden": "8,8,8,8,8"}, "g_hidden",
      "g_hidden: 5 hidden layers: at most 4 allowed"),
    E("url", "covariance not symmetric", {"cov": "1,2,3,4"}, "target.cov",
      "target.cov: [[1.0, 2.0], [3.0, 4.0]] is not symmetric: "
      "the off-diagonal entries 2 and 3 differ"),
    E("url", "covariance with NaN", {"cov": "nan,0,0,1"}, "target.cov",
      "target.cov: [[nan, 0.0], [0.0, 1.0]] contains a value that is not finite"),
    E("url", "absurd mean", {"mean": "1e300,0"}, "target.mean[0]",
      "target.mean[0]: 1e+300 is out of range: allowed [-10000, 10000]"),
    E("url", "covariance of three numbers", {"cov": "1,0,1"}, "cov",
      "cov: '1,0,1' must be 4 comma-separated numbers"),
    E("url", "text for a whole number", {"epochs": "ten"}, "epochs",
      "epochs: 'ten' is not a valid value (int expected)"),
    E("url", "unknown parameter", {"zoom": "3"}, "zoom",
      "zoom: unknown setting (allowed: target, mean, cov, points, n_samples, … seed)"),
    E("url", "unknown parameter with an empty name", {"": "1"}, "''", "'': unknown setting"),
    E("url", "version mismatch", {"v": "2"}, "v", "v: '2' is not supported: this version reads 1"),
    E("url", "damaged base64 points", {"target": "points", "points": "%%not-base64"}, "points",
      "points: the link's point data is damaged"),
    E("url", "a 60,000-digit number", {"seed": "1" * 60_000}, "seed",
      "seed: '1111111111 … …' (60,000 characters) is not a valid value (int expected)",
      shown="?seed=111…(60,000 digits)"),
    E("url", "Markdown link and image in a value", {"seed": MARKDOWN_ATTACK}, "seed",
      f"seed: {MARKDOWN_ATTACK!r} is not a valid value (int expected)"),
    E("url", "a parameter name of 60,000 characters", {"z" * 60_000: "1"},
      "'" + "z" * 60 + "…' (60,000 characters)", "unknown setting (allowed: target, … seed)",
      shown="?zzz…(60,000 characters)=1"),
    # ------------------------------------------------ uploaded config (JSON)
    E("json", "unknown key", '{"lr_d": 0.1, "wings": 2}', "wings",
      "wings: unknown setting (allowed: target, n_samples, … seed)"),
    E("json", "number given as text", '{"lr_d": "0.1"}', "lr_d", "lr_d: '0.1' is not a number"),
    E("json", "covariance indefinite", '{"target": {"cov": [[1, 5], [5, 1]]}}', "target.cov",
      "target.cov: [[1.0, 5.0], [5.0, 1.0]] is not positive semi-definite: its eigenvalues are "
      "-4 and 6 (both must be ≥ 0)"),
    E("json", "covariance with Infinity", '{"target": {"cov": [[Infinity, 0], [0, 1]]}}',
      "target.cov", "target.cov: [[inf, 0.0], [0.0, 1.0]] contains a value that is not finite"),
    E("json", "covariance entries as text", '{"target": {"cov": [["1", "0"], ["0", "1"]]}}',
      "target.cov", "target.cov: (('1', '0'), ('0', '1')) is not a 2x2 matrix of numbers"),
    E("json", "covariance too large", '{"target": {"cov": [[1e300, 0], [0, 1]]}}', "target.cov",
      "target.cov: entries must be within ±1e+06, got [[1e+300, 0.0], [0.0, 1.0]]"),
    E("json", "absurd mean (a 401-digit integer)", '{"target": {"mean": [1' + "0" * 400 + ", 0]}}",
      "target.mean[0]", "is out of range: allowed [-10000, 10000]",
      shown='{"target": {"mean": [10**400, 0]}}'),
    E("json", "mean as one number", '{"target": {"mean": 5}}', "target.mean",
      "target.mean: 5 must be two numbers (x, y)"),
    E("json", "points on a Gaussian target", '{"target": {"points": 5}}', "target.points",
      "target.points: only allowed when target.kind is 'points'"),
    E("json", "batch larger than one's own points",
      '{"target": {"kind": "points", "points": [[0, 0], [1, 1], [2, 2]]}, "batch_size": 4}',
      "batch_size", "batch_size: 4 is larger than the data (3 real samples): allowed 1 to 3"),
    E("json", "fractional epochs", '{"epochs": 2.5}', "epochs",
      "epochs: 2.5 is not a whole number"),
    E("json", "layers as one number", '{"d_hidden": 5}', "d_hidden",
      "d_hidden: 5 must be a list of layer widths"),
    E("json", "nested too deep", '{"target": {"cov": ' + "[" * 50 + "]" * 50 + "}}", "config",
      "config: nested more than 8 levels deep", shown='{"target": {"cov": [[[…50 deep…]]]}}'),
    E("json", "nested past the parser's stack", "[" * 100_000 + "]" * 100_000, "config",
      "config: not valid JSON (nested too deeply)", shown="[[[[…100,000 deep…]]]]"),
    E("json", "integer literal of 5,000 digits", '{"seed": ' + "9" * 5000 + "}", "config",
      "config: not valid JSON (a number has too many digits)",
      shown='{"seed": 999…(5,000 digits)}'),
    E("json", "file too large", lambda _s: b" " * 2_000_001, "config",
      "config: file is 2,000,001 bytes: at most 2,000,000 allowed", shown="2,000,001 bytes"),
    E("json", "not JSON", "{nope", "config",
      "config: not valid JSON (Expecting property name enclosed in double quotes"),
    E("json", "binary file", b"\x89PNG\r\n\x1a\n\x00\x00", "config",
      "config: not valid JSON ('utf-8' codec can't decode byte 0x89 in position 0"),
    E("json", "a list, not an object", "[1, 2]", "config",
      "config: must be a JSON object, got list"),
    E("json", "version mismatch", '{"version": 2}', "version",
      "version: 2 is not supported: this version reads 1"),
    E("json", "100,000 characters of text for a number", '{"lr_d": "' + "x" * 100_000 + '"}',
      "lr_d", "lr_d: 'xxxxxxxxxx … …' (100,000 characters) is not a number",
      shown='{"lr_d": "xxx…(100,000 characters)"}'),
    E("json", "a version of 100,000 characters", '{"version": "' + "9" * 100_000 + '"}',
      "version", "version: '9999999999 … …' (100,000 characters) is not supported",
      shown='{"version": "999…(100,000 characters)"}'),
    # ------------------------------------------------ uploaded points (CSV)
    E("csv", "empty file", b"", "points", "points: the file is empty"),
    E("csv", "binary file", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "points",
      "points: the file is binary, not a CSV text file"),
    E("csv", "over the byte cap", lambda _s: b"1,2\n" * 500_001, "points",
      "points: the file is 2,000,004 bytes: at most 2,000,000 bytes allowed",
      shown="500,001 lines of 1,2"),
    E("csv", "more rows than points allowed", lambda _s: b"x,y\n" + b"1,2\n" * 20_001, "points",
      "points: 20,001 rows: at most 20,000 points allowed", shown="a header and 20,001 rows"),
    E("csv", "text in a number column", b"x,y\n1,2\n3,abc\n", "points",
      "points: line 3, column y: 'abc' is not a number"),
    E("csv", "one column", b"1\n2\n3\n", "points",
      "points: line 1 has 1 columns and the file has no header: give exactly two columns, "
      "or a header naming the columns x and y"),
    E("csv", "three unnamed columns", b"a,b,c\n1,2,3\n", "points",
      "points: no numeric x,y columns: expected columns named x and y (found 'a', 'b', 'c')"),
    E("csv", "NaN coordinate", b"1,2\nnan,3\n", "points",
      "points: line 2, column x: 'nan' is not a finite number (NaN or inf)"),
    E("csv", "coordinate out of range", b"1,2\n1e5,3\n", "points",
      "points: line 2, column x: 100000 is out of range: coordinates must be within ±10000"),
    E("csv", "not UTF-8", b"x,y\n\xff,1\n", "points",
      "points: the file is not UTF-8 text (undecodable byte at offset 4)"),
    E("csv", "a single point", b"x,y\n1,2\n", "points",
      "points: 1 point(s): at least 2 are needed to train on"),
    E("csv", "a field over 131,072 characters", lambda _s: b"x,y\n1," + b"1" * 200_000 + b"\n",
      "points", "points: line 2 is not a CSV row (field larger than field limit (131072))",
      shown="x,y then 1,111…(200,000 digits)"),
    E("csv", "a cell of 100,000 characters", lambda _s: b"x,y\n1," + b"a" * 100_000 + b"\n",
      "points", "points: line 2, column y: 'aaaaaaaaaa … …' (100,000 characters) is not a number",
      shown="x,y then 1,aaa…(100,000 characters)"),
    E("csv", "a header of 10,000 long names", lambda _s: b",".join([b"n" * 100] * 10_000) + b"\n",
      "points", "points: no numeric x,y columns: expected columns named x and y (found "
      "'nnnnnnnnnn … …' (100 characters), … 10,000 columns in all)",
      shown="10,000 columns named nnn…(100 characters)"),
    # ------------------------------------------------ checkpoints
    E("checkpoint", "pickle that runs a command on load", pickle_payload, "checkpoint",
      "checkpoint: unsafe: it holds objects other than tensors, numbers and text, which could "
      "run code, so it was not loaded",
      shown="pickle of os.system('touch …') — the file must not appear"),
    E("checkpoint", "same payload in a torch.save zip", torch_payload, "checkpoint",
      "checkpoint: unsafe: it holds objects other than tensors, numbers and text, which could "
      "run code, so it was not loaded",
      shown="torch.save({..., 'G': os.system('touch …')})"),
    E("checkpoint", "truncated checkpoint",
      lambda _s: checkpoint()[0][: len(checkpoint()[0]) // 2],
      "checkpoint", "not a GANscope checkpoint, or unsafe (",
      shown="the first half of a real checkpoint"),
    E("checkpoint", "empty file", b"", "checkpoint", "not a GANscope checkpoint, or unsafe"),
    E("checkpoint", "another model's weights", _other_weights, "checkpoint",
      "checkpoint: not a GANscope checkpoint", shown="torch.save({'weight': …, 'bias': …})"),
    E("checkpoint", "format field holding a tensor", _tensor_format, "checkpoint",
      "checkpoint: not a GANscope checkpoint", shown="a real checkpoint, format = torch.zeros(0)"),
    E("checkpoint", "newer version", _checkpoint_with(version=2), "checkpoint",
      "checkpoint: version 2 is not supported", shown="a real checkpoint, version = 2"),
    E("checkpoint", "invalid config inside", _checkpoint_with(config='{"lr_d": 0}'), "checkpoint",
      "checkpoint: damaged or incompatible (ConfigError: lr_d: 0 is out of range: allowed (0, 10])",
      shown="a real checkpoint, config = {\"lr_d\": 0}"),
    E("checkpoint", "generator weights of another size", _weights_of_another_size, "checkpoint",
      "checkpoint: damaged or incompatible (ValueError: engine.G has shape (1, 3): "
      "(1, 6) expected)", shown="a real checkpoint, engine G = torch.zeros(1, 3)"),
    E("checkpoint", "step beyond the run", _checkpoint_with(step=-5), "checkpoint",
      "checkpoint: step: -5 is out of range: allowed 0 to 4",
      shown="a real checkpoint, step = -5"),
    E("checkpoint", "over the size cap", lambda _s: bytes(50_000_001), "checkpoint",
      "checkpoint: file is 50,000,001 bytes: at most 50,000,000 allowed",
      shown="50,000,001 bytes"),
    # -- tensors that are views, numbers without bounds, archives that inflate
    E("checkpoint", "a log column expanded to 10**8 rows (stride 0)", _expanded_history,
      "checkpoint", "checkpoint: history.step repeats its elements (shape (100000000,), "
      "strides (0,)): a saved tensor must hold each element once",
      shown="history step = torch.zeros(1).expand(10**8): 23 KB on disk"),
    E("checkpoint", "generator weights expanded from one number", _expanded_weights,
      "checkpoint", "checkpoint: engine.G repeats its elements (shape (1, 6), strides (0, 0)): "
      "a saved tensor must hold each element once",
      shown="a real checkpoint, engine G = torch.zeros(1).expand(1, 6)"),
    E("checkpoint", "a log cap of 10**12 rows", _checkpoint_with(history_cap=10**12),
      "checkpoint", "checkpoint: history_cap: 1000000000000 is out of range: "
      "allowed 4 to 100,000", shown="a real checkpoint, history_cap = 10**12"),
    E("checkpoint", "a log cap given as text", _checkpoint_with(history_cap="4000"),
      "checkpoint", "checkpoint: history_cap: '4000' is not a whole number",
      shown="a real checkpoint, history_cap = '4000'"),
    E("checkpoint", "logging every 0 steps", _checkpoint_with(log_every=0), "checkpoint",
      "checkpoint: log_every: 0 is out of range: allowed 1 to 4",
      shown="a real checkpoint, log_every = 0"),
    E("checkpoint", "a data cursor of 10**30", _engine_with(cursor=10**30), "checkpoint",
      "checkpoint: engine.cursor: 1000000000000000000000000000000 is out of range: "
      "allowed 0 to 2,147,483,647", shown="a real checkpoint, engine cursor = 10**30"),
    E("checkpoint", "a log longer than its cap", _history_rows(5), "checkpoint",
      "checkpoint: history: 5 rows: at most history_cap (4) allowed",
      shown="a real checkpoint, history_cap = 4 and 5 rows"),
    E("checkpoint", "a compressed archive", _deflated_checkpoint, "checkpoint",
      "checkpoint: not a GANscope checkpoint (its parts are compressed)",
      shown="a real checkpoint, its zip parts deflated (a zip bomb's form)"),
    # ------------------------------------------------ run bundles (Compare page import)
    E("bundle", "text in a loss column", bundle(run_with({"loss_d": ["high"]})),
      "run 1 history loss_d",
      "run 1 history loss_d: row 0: 'high' is not a number",
      shown='runs[0].history.loss_d = ["high"]'),
    E("bundle", "columns of different lengths", bundle(run_with({"step": [0, 1]})), "run 1 history",
      "run 1 history: columns have different lengths", shown="step has 2 rows, the rest 1"),
    E("bundle", "a step twice", bundle(run_with({c: [0, 0] for c in HISTORY_COLUMNS})),
      "run 1 history step", "run 1 history step: the same step appears twice",
      shown="steps [0, 0]"),
    E("bundle", "invalid config in the second run",
      bundle(run_with(), run_with(config={"lr_d": 0})), "run 2 config",
      "run 2 config: lr_d: 0 is out of range: allowed (0, 10]",
      shown="run 1 good, run 2 with lr_d 0"),
    E("bundle", "NaN literal", bundle(run_with({"loss_d": [float("nan")]})), "bundle",
      "bundle: not valid JSON (NaN is not a JSON value)", shown="runs[0].history.loss_d = [NaN]"),
    E("bundle", "not JSON", b"{oops", "bundle",
      "bundle: not valid JSON (Expecting property name enclosed in double quotes"),
    E("bundle", "another program's file", '{"format": "other"}', "bundle",
      "bundle: not a GANscope runs file (expected format 'ganscope-runs')"),
    E("bundle", "newer version", bundle(version=2), "bundle.version",
      "bundle.version: 2 is not supported: this version reads 1",
      shown='{"format": "ganscope-runs", "version": 2, "runs": [...]}'),
    E("bundle", "no runs", bundle(runs=[]), "bundle.runs",
      "bundle.runs: must be a list of 1 to 200 runs"),
    E("bundle", "over the size cap", lambda _s: b" " * 20_000_001, "bundle",
      "bundle: file is 20,000,001 bytes: at most 20,000,000 allowed", shown="20,000,001 bytes"),
    E("bundle", "a 401-digit integer in the log", bundle(run_with({"loss_d": [10**400]})),
      "run 1 history loss_d", "run 1 history loss_d: row 0: … is out of range",
      shown="runs[0].history.loss_d = [10**400]"),
    E("bundle", "integer literal of 5,000 digits", '{"format": ' + "9" * 5000 + "}", "bundle",
      "bundle: not valid JSON", shown='{"format": 999…(5,000 digits)}'),
    E("bundle", "a run name of 10,000 characters", bundle(run_with(name="n" * 10_000)),
      "run 1 name", "run 1 name: run name 'nnnnnnnnnn … …' (10,000 characters) must be 1 to 80",
      shown='runs[0].name = "nnn…(10,000 characters)"'),
    E("bundle", "a key of 10,000 characters", bundle(run_with(**{"k" * 10_000: 1})), "run 1",
      "run 1: unknown key 'kkkkkkkkkk … …' (10,000 characters) (allowed: ",
      shown='runs[0]["kkk…(10,000 characters)"] = 1'),
    E("bundle", "text for a distance", bundle(run_with(metrics={"frechet": "abc"})),
      "run 1 metrics",
      "run 1 metrics: frechet is 'abc': a metric must be a finite number, true/false or null",
      shown='runs[0].metrics = {"frechet": "abc"}'),
    E("bundle", "text for modes covered", bundle(run_with(metrics={"modes_covered": "x"})),
      "run 1 metrics", "run 1 metrics: modes_covered is 'x': a metric must be a finite number",
      shown='runs[0].metrics = {"modes_covered": "x"}'),
    E("bundle", "a metric without a name", bundle(run_with(metrics={"": 1})), "run 1 metrics",
      "run 1 metrics: key '' must be a letter then up to 63 letters, digits or _",
      shown='runs[0].metrics = {"": 1}'),
    E("bundle", "a date pandas cannot hold",
      bundle(run_with(created="9999-12-31T23:59:59-14:00")), "run 1 created",
      "run 1 created: '9999-12-31T23:59:59-14:00' is out of range: allowed 2000 to 2199",
      shown='runs[0].created = "9999-12-31T23:59:59-14:00"'),
    E("bundle", "a date in the future", bundle(run_with(created="2150-01-01T00:00:00+00:00")),
      "run 1 created", "run 1 created: '2150-01-01T00:00:00+00:00' is in the future",
      shown='runs[0].created = "2150-01-01T00:00:00+00:00"'),
    E("bundle", "finished before it was created",
      bundle(run_with(created="2024-05-02T00:00:00+00:00", finished="2024-05-01T00:00:00+00:00")),
      "run 1 finished",
      "run 1 finished: 2024-05-01T00:00:00+00:00 is before created 2024-05-02T00:00:00+00:00",
      shown="created 2024-05-02, finished 2024-05-01"),
    # ------------------------------------------------ command line
    E("cli", "--cov with three numbers", ["train", "--cov", "1", "2", "3"], None,
      "argument --cov: expected 4 arguments"),
    E("cli", "--cov not finite", ["train", "--cov", "1", "nan", "nan", "1"], "target.cov",
      "target.cov: [[1.0, nan], [nan, 1.0]] contains a value that is not finite"),
    E("cli", "--set with an unknown key", ["train", "--set", "colour=red"], "colour",
      "colour: unknown setting (allowed: target, mean, cov, points, n_samples, … seed)"),
    E("cli", "--set with text for a number", ["train", "--set", "lr_d=abc"], "lr_d",
      "lr_d: 'abc' is not a valid value (float expected)"),
    E("cli", "--set a layer too wide", ["train", "--set", "d_hidden=5,999"], "d_hidden[1]",
      "d_hidden[1]: 999 is out of range: allowed 1 to 256"),
    E("cli", "--epochs beyond the step cap", ["train", "--epochs", "1000000"], "epochs",
      "epochs: 1000000 epochs make 250,000,000 steps: at most 5,000,000 steps allowed "
      "(20,000 epochs at this batch size)"),
    E("cli", "--mean absurd", ["train", "--mean", "1e300", "0"], "target.mean[0]",
      "target.mean[0]: 1e+300 is out of range: allowed [-10000, 10000]"),
    E("cli", "--config to a directory", _scratch_as_config, "config",
      "config: … is a directory, not a regular file", shown="--config <a directory>"),
    E("cli", "--config file that is not JSON", _config_file("{nope"), "config",
      "config: not valid JSON (Expecting property name enclosed in double quotes",
      shown="--config config.json holding {nope"),
    E("cli", "--config nested too deep", _config_file("[" * 100_000 + "]" * 100_000), "config",
      "config: not valid JSON (nested too deeply)",
      shown="--config config.json holding [[[…100,000 deep…]]]"),
    E("cli", "--set of a newer link version", ["train", "--set", "v=2"], "v",
      "v: '2' is not supported: this version reads 1"),
    E("cli", "--set a 60,000-digit seed", ["train", "--set", "seed=" + "1" * 60_000], "seed",
      "seed: '1111111111 … …' (60,000 characters) is not a valid value (int expected)",
      shown="python -m gan_core train --set seed=111…(60,000 digits)"),
    # -- files that are not files, outputs through links, numbers past the machine
    E("cli", "--config /dev/zero (endless)", ["train", "--config", "/dev/zero"], "config",
      "config: '/dev/zero' is a character device, not a regular file"),
    E("cli", "sweep --config /dev/zero", ["sweep", "--config", "/dev/zero"], "config",
      "config: '/dev/zero' is a character device, not a regular file"),
    E("cli", "--config a FIFO (no writer: a read waits for ever)", _fifo_as_config, "config",
      "config: … is a FIFO (named pipe), not a regular file",
      shown="--config <a FIFO made by os.mkfifo>"),
    E("cli", "--config a 2 GB sparse file", _sparse_config, "config",
      "config: file is 2,147,483,648 bytes: at most 2,000,000 allowed",
      shown="--config <2 GB of nothing: truncate -s 2G>"),
    E("cli", "--out whose config.json links elsewhere", _linked_out_file, "--out",
      "--out: … config.json' is a symbolic link: refused, writing through it would change "
      "a file elsewhere", shown="--out runs/x with runs/x/config.json -> a file elsewhere"),
    E("cli", "--out a symbolic link to a directory", _linked_out_dir, "--out",
      "--out: … is a symbolic link: refused, writing through it would change a file elsewhere",
      shown="--out runs/y with runs/y -> runs/x"),
    E("cli", "--threads 10**20", ["train", "--threads", str(10**20)], None,
      "argument --threads: 100000000000000000000 is out of range: allowed 1 to … "
      "(the CPU cores this process may use)"),
    E("cli", "--threads 256", ["train", "--threads", "256"], None,
      "argument --threads: 256 is out of range: allowed 1 to … "
      "(the CPU cores this process may use)"),
    E("cli", "sweep --threads 0", ["sweep", "--threads", "0"], None,
      "argument --threads: 0 is out of range: allowed 1 to"),
    E("cli", "sweep range past the largest number",
      ["sweep", "--axis", "seed=linspace:-1e308:1e308:3"], "seed",
      "seed: the range linspace:-1e+308:1e+308:3 overflows (its span is beyond the largest "
      "number, 1.8e+308): choose closer ends"),
    # -- train --resume: a checkpoint that does not fit, or options that would change the run
    E("cli", "--resume a text file", _resume_from(lambda _s: b"hello\n"), "checkpoint",
      "checkpoint: not a GANscope checkpoint (not a file saved by torch at all)",
      shown="--resume run.pt holding 'hello'"),
    E("cli", "--resume a checkpoint of another version",
      _resume_from(lambda s: _checkpoint_with(version=2)(s)), "checkpoint",
      "checkpoint: version 2 is not supported", shown="--resume run.pt, version = 2"),
    E("cli", "--resume weights of another size", _resume_from(_weights_of_another_size),
      "checkpoint", "checkpoint: damaged or incompatible (ValueError: engine.G has shape (1, 3): "
      "(1, 6) expected)", shown="--resume run.pt, engine G = torch.zeros(1, 3)"),
    E("cli", "--resume a file that is not there", ["train", "--resume", "no-such.pt"],
      "checkpoint", "checkpoint: cannot read 'no-such.pt' (No such file or directory)"),
    E("cli", "--resume a directory without a checkpoint", _resume_empty_dir, "--resume",
      "is a directory without a checkpoint.pt (name the checkpoint file, or a directory that "
      "`train --out` wrote)", shown="--resume runs/ (an empty directory)"),
    E("cli", "--resume to fewer epochs than done",
      _resume_from(lambda _s: checkpoint()[0], "--epochs", "0"), "epochs",
      "epochs: 0 is fewer than the run has done (0 epochs and 3 steps, step 3): "
      "allowed 1 or more", shown="--resume run.pt --epochs 0 (a run at step 3)"),
    E("cli", "--resume with a setting", ["train", "--resume", "run.pt", "--set", "lr_d=1"],
      None, "--resume continues the saved run with its own settings: --set would change "
      "them (with --resume, only --epochs, --out, --store, --json, --quiet and --threads)"),
    E("cli", "--store with a 5,000-character GANSCOPE_DATA_DIR", ["train", "--store"],
      "data directory", "data directory: 'aaaaaaaaaa … …' (5,000 characters) is too long: "
      "at most 1,024 characters allowed", environ=(("GANSCOPE_DATA_DIR", "a" * 5000),),
      shown="GANSCOPE_DATA_DIR=aaa…(5,000 characters) python -m gan_core train --store"),
    # ------------------------------------------------ the pages' own fields (AppTest)
    E("ui", "covariance as a full matrix, b ≠ c", "matrix form: b = 3.0, c = 1.95", "target.cov",
      "not symmetric",
      tested_in="tests/test_dashboard_app.py::test_full_matrix_refusals_keep_the_previous_target"),
    E("ui", "covariance as a full matrix, indefinite", "matrix form: a = 2, b = c = 3, d = 4.25",
      "target.cov", "not positive semi-definite",
      tested_in="tests/test_dashboard_app.py::test_full_matrix_refusals_keep_the_previous_target"),
    E("ui", "hidden layers with a word", 'D hidden layers: "5, three"', "d_hidden",
      "'three' is not a positive whole number",
      tested_in="tests/test_dashboard_app.py::test_bad_layers_text_is_refused_with_the_reason"),
    E("ui", "hidden layer too wide", 'D hidden layers: "5, 999"', "d_hidden[1]", "d_hidden[1]",
      tested_in="tests/test_dashboard_app.py::test_bad_layers_text_is_refused_with_the_reason"),
    E("ui", "layers text that is not whole numbers", '"5.5", "-3", "5;3", "0x10"', "g_hidden",
      "not a positive whole number",
      tested_in="tests/test_ui_forms.py::test_parse_layers_refuses_what_is_not_whole_numbers"),
    E("ui", "samples fewer than the batch", "n_samples = 2 with batch 4", "batch_size",
      "batch_size",
      tested_in="tests/test_dashboard_app.py::test_dependent_settings_resolve_whatever_the_order"),
    E("ui", "own points chosen, no file yet", "target kind: points", None, "Upload a CSV file",
      tested_in="tests/test_dashboard_app.py::test_own_points_without_a_file_ask_for_one"),
    E("ui", "a bad share link opened", "?lr_d=-1, ?bogus=1, ?epochs=ten, ?cov=1,5,5,1", None,
      "could not be used",
      tested_in="tests/test_dashboard_app.py::"
      "test_bad_link_says_why_and_falls_back_to_the_tutorial"),
    E("ui", "a broken runs file imported", "Compare page: import {oops", "bundle",
      "Could not import runs.json",
      tested_in="tests/test_compare_page.py::test_a_bad_import_shows_an_error_and_adds_nothing"),
    E("ui", "Markdown link and image in a shared link", f"?seed={ATTACK_LINK_SHOWN}", "seed",
      "seed: '[Your session expired: click here",
      tested_in="tests/test_dashboard_app.py::test_markdown_in_a_link_shows_as_plain_text"),
    E("ui", "a 60,000-digit number in a shared link", "?seed=111…(60,000 digits)", "seed",
      "…' (60,000 characters) is not a valid value (int expected)",
      tested_in="tests/test_dashboard_app.py::test_a_huge_number_in_a_link_gives_a_short_message"),
    E("ui", "Markdown in an uploaded file's name", "a CSV file named [sign in](https://…) **now**",
      None, "points: line 3, column y: 'abc'",
      tested_in="tests/test_plain_messages_app.py::"
      "test_an_uploaded_files_name_shows_as_plain_text_in_its_refusal"),
    E("ui", "Markdown in an imported run's name", "a run named a _b_ :smile: (c) __d__ -e", None,
      "a _b_ :smile: (c) __d__ -e on the dashboard",
      tested_in="tests/test_plain_messages_app.py::"
      "test_an_imported_runs_name_is_escaped_in_button_labels"),
    # ------------------------------------------------ the server's cost limits
    E("ui", "Train on the heaviest setup the form allows",
      "noise 64, G and D 256×4, batch 4,096, 100,000 samples, 10 D steps, WGAN-GP", "run",
      "run: one training step would take about",
      tested_in="tests/test_cost.py::test_train_refuses_a_run_over_the_limits_and_keeps_the_page"),
    E("ui", "Train on a run longer than the cost limit", "tutorial, 20,000 epochs (5M steps)",
      "run", "run: 5,000,000 steps would take about",
      tested_in="tests/test_cost.py::test_a_long_run_is_refused_with_the_epochs_that_would_fit"),
    E("ui", "a sweep of the heaviest setup", "Sweep page: the heaviest setup as the base, any grid",
      "sweep", "This sweep cannot run: sweep: one training step would take about",
      tested_in="tests/test_sweep_page.py::"
      "test_a_sweep_over_the_servers_limits_is_refused_and_the_form_stays"),
    E("ui", "a sweep longer than the cost limit", "Sweep page: Recommended, 32 × 32 cells",
      "sweep", "sweep: 1,024 runs would take about",
      tested_in="tests/test_cost.py::test_a_sweep_over_the_time_limit_names_the_runs_that_would_fit"),
    E("ui", "axis ends whose range overflows", "batch_size from -1e308 to 1e308", None,
      "Axis 1: batch_size: the range linspace:-1e+308:1e+308:3 overflows",
      tested_in="tests/test_sweep_page.py::"
      "test_axis_ends_that_overflow_are_refused_by_name_and_the_form_stays"),
    E("ui", "a server limit that is not a number", "GANSCOPE_MAX_SWEEP_MEMORY=lots",
      "GANSCOPE_MAX_SWEEP_MEMORY",
      "GANSCOPE_MAX_SWEEP_MEMORY: 'lots' is not allowed: the server's limit is a positive number",
      tested_in="tests/test_cost.py::test_a_bad_limit_refuses_every_sweep_by_name"),
    E("ui", "a damaged run in the store", "a row with text for its distance, a date past 2262, "
      "text in its log", None, "is damaged and cannot be shown or exported",
      tested_in="tests/test_compare_page.py::"
      "test_a_damaged_run_is_listed_with_a_delete_and_the_page_stays_up"),
    E("ui", "an export of runs another tab deleted", "Compare page: Export after a delete "
      "elsewhere", None, "deleted (in another tab?)",
      tested_in="tests/test_compare_page.py::test_an_export_of_runs_another_tab_deleted_says_so"),
    E("ui", "the runs shown deleted in another tab", "Compare page: the chosen run deleted "
      "elsewhere", None, "so no longer compared",
      tested_in="tests/test_compare_page.py::"
      "test_the_chosen_runs_stay_chosen_and_a_deleted_one_is_named"),
]
# fmt: on


# ---------------------------------------------------------------- the table for the docs


def _shown_input(entry: BadInput) -> str:
    if entry.shown:
        return entry.shown
    if entry.surface == "cli":
        return "python -m gan_core " + shlex.join(entry.input)
    if entry.surface == "url":
        return "?" + "&".join(f"{k}={v}" for k, v in entry.input.items())
    text = entry.input if isinstance(entry.input, str) else repr(entry.input)
    return text if len(text) <= 70 else text[:67] + "…"


def seen(entry: BadInput) -> str:
    """The message as the table shows it: the entry's excerpt, with what it leaves out
    marked " … ". A ConfigError's text starts with its field; the CLI prints that text
    after "error: "."""
    text = entry.shows
    if entry.surface == "ui":
        return text
    if entry.field and not text.startswith(f"{entry.field}: "):
        text = f"{entry.field}: … {text}"
    return f"error: {text}" if entry.surface == "cli" else text


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("`", "'")


def markdown() -> str:
    """The catalogue as a Markdown table, one row per entry."""
    lines = ["| # | Surface | Input | What the user sees |", "|---|---|---|---|"]
    for number, entry in enumerate(CATALOGUE, start=1):
        shown = f"{_cell(entry.description)}: `{_cell(_shown_input(entry))}`"
        message = f"`{_cell(seen(entry))}`"
        if entry.surface == "cli":
            message = f"exit status 2 and one line: {message}"
        if entry.surface == "ui":
            message += f" (page test: `{entry.tested_in.removeprefix('tests/')}`)"
        if entry.known_bug:
            message += f" — **known bug**: {_cell(entry.known_bug)}"
        lines.append(f"| {number} | {entry.surface} | {shown} | {message} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if sys.argv[1:] != ["--markdown"]:
        sys.exit("usage: python -m tests.bad_inputs --markdown")
    sys.stdout.write(markdown())
