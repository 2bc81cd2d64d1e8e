"""A run's status message, written in English by the worker, the queue or the run store, is
shown in the reader's language: every form the code writes is known to the translation."""

from __future__ import annotations

import pytest

from gan_core.i18n import use_language
from gan_core.jobs.pooled_job import STOPPED_ON_REQUEST, queue_message, wait_message
from gan_core.jobs.slots import ADDRESS, FREE_SLOT, SESSION, Wait
from gan_core.jobs.status import RunStatus
from gan_core.jobs.steering import ORPHANED
from gan_core.training.trainer import Diverged
from tests.i18n_check import english_words, has_chinese
from ui.live.run_messages import translated

MESSAGES = [
    str(Diverged("loss_d", 12)),
    str(Diverged("a generator parameter", 3)),
    STOPPED_ON_REQUEST,
    ORPHANED,
    "stopped (the training worker did not answer)",
    "the training worker stopped unexpectedly (exit code 1)",
    queue_message(2, 5),
    queue_message(2, 5, 1),
    queue_message(3, 4, 6),
    wait_message(Wait(1, 1, SESSION, 1)),
    wait_message(Wait(1, 1, SESSION, 2)),
    wait_message(Wait(1, 1, ADDRESS, 3)),
    wait_message(Wait(2, 3, FREE_SLOT, 4)),
    "run #7 reopened from the run store, read-only",
    f"run #7 reopened from the run store, read-only; {STOPPED_ON_REQUEST}",
]


@pytest.mark.parametrize("message", MESSAGES)
def test_every_run_message_is_shown_in_chinese(message):
    with use_language("zh"):
        shown = translated(message)
    assert has_chinese(shown) and english_words(shown) == [], shown
    with use_language("en"):
        assert translated(message) == message  # English is shown as written


def test_the_numbers_of_a_message_are_kept():
    with use_language("zh"):
        assert translated(queue_message(3, 4, 6)) == (
            "等待空闲的训练名额：6 个名额都在使用中，排在第 3 位，共 4 位"
        )
        assert translated(str(Diverged("loss_g", 40))) == "G 的损失在第 40 步变成了 NaN 或无穷大"


def test_an_unknown_message_stays_as_it_is():
    with use_language("zh"):
        assert translated("ValueError: bad thing") == "ValueError: bad thing"
        assert translated("") == ""


def test_status_words_follow_the_language():
    with use_language("zh"):
        assert RunStatus.FINISHED.label == "已完成" and RunStatus.QUEUED.label == "排队中"
    with use_language("en"):
        assert [s.label for s in RunStatus] == [s.value for s in RunStatus]
