"""The log file never holds a terminal escape: a support desk reads it with ``tail``/``less -R``,
and a server's words (quoted in a retry line or an error) could retitle or clear that terminal."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from runway_desktop.base.logging_setup import setup_logging, teardown_logging

PAYLOAD = (
    "\x1b[2Jrefused\x1b]0;pwned\x07 see \x1b]8;;https://evil.example/\x07docs\x1b]8;;\x07\x9b31m!"
)


@pytest.fixture
def logs(tmp_path: Path) -> Iterator[Path]:
    path = setup_logging(directory=tmp_path)
    yield path
    teardown_logging()


def written(path: Path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return path.read_text(encoding="utf-8")


def test_messages_arguments_and_tracebacks_are_written_as_plain_text(logs: Path) -> None:
    log = logging.getLogger("runway_desktop.test")
    log.warning("Retrying GET example.org/api: %s", PAYLOAD)
    log.info(PAYLOAD)
    try:
        raise RuntimeError(PAYLOAD)
    except RuntimeError:
        log.exception("failed")
    text = written(logs)
    for control in ("\x1b", "\x07", "\x9b"):
        assert control not in text
    assert "evil.example" not in text
    assert text.count("refused see docs!") == 3  # the words stay: message, argument, traceback
    assert "Traceback (most recent call last):\n" in text  # newlines are not control damage
