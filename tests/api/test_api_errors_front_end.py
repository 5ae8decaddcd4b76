"""Every next step the CLI can print names the CLI's own commands and options, never the GUI's.

Walks the whole catalogue of Runway's error texts (api/errors/messages.py), the status-only
fallbacks, and the other mappers' errors that name a place (transport, sign-in, redirects, local
files, the pre-send scope rule, the local form check), through the CLI's one resolver
(``failure_from_error``). Each backticked command must parse with the real CLI parser, and each
``--option`` named must be one the CLI has.
"""

from __future__ import annotations

import argparse
import errno
import re
import shlex
from pathlib import Path

import httpx
import pytest

from runway_desktop.api.auth import TokenClaims
from runway_desktop.api.errors import (
    RunwayError,
    error_from_exception,
    error_from_os_error,
    error_from_token_response,
)
from runway_desktop.api.errors.answers import non_runway_answer_error, redirect_error
from runway_desktop.api.errors.messages import (
    _CATALOGUE,
    PLACES,
    error_from_runway_message,
    in_front_end,
)
from runway_desktop.bundles.registry import load_snapshot
from runway_desktop.bundles.validation import validate_submission
from runway_desktop.cli.main import build_parser
from runway_desktop.cli.output import failure_from_error
from runway_desktop.core.connection_check import send_scope_problem
from runway_desktop.core.submit.events import SubmissionInvalid

GUI_ONLY = re.compile(
    r"Settings|screen|button|click|Browse|Output sets|highlighted|dialog|menu|from the list"
)
PLACEHOLDERS = {"NAME": "x", "URL": "https://e.org", "ID": "id", "DIR": "/tmp/d", "CODE": "acme"}


def _catalogue_errors() -> list[RunwayError]:
    found = [
        error_from_runway_message(f"{prefix} a, b", {"status": 400}) for prefix, _ in _CATALOGUE
    ]
    found += [
        error_from_runway_message("Unlisted text", {"status": s})
        for s in (400, 401, 403, 404, 429, 500)
    ]
    found.append(error_from_runway_message(["schoolYear must be a string"], {"status": 400}))
    return found  # fmt: skip


def _other_errors() -> list[RunwayError]:
    found = [
        error_from_exception(httpx.InvalidURL("no scheme")),
        error_from_exception(httpx.ConnectError("[Errno -2] Name or service not known")),
        error_from_exception(httpx.ConnectError("[Errno 111] Connection refused")),
        error_from_exception(httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] self-signed")),
        error_from_os_error(OSError(errno.ENOSPC, "full"), path=Path("/d/f"), writing=True),
        error_from_os_error(PermissionError(errno.EACCES, "no"), path=Path("/d/f"), writing=True),
        redirect_error(302, host="h", location="https://sso.example/", source="api"),
        redirect_error(302, host="h", location="https://sso.example/", source="token"),
        non_runway_answer_error(404, "<html>", host="h"),
    ]
    for status, body in ((401, '{"error":"invalid_client"}'), (400, '{"error":"invalid_scope"}'),
                         (403, "x"), (500, "x")):  # fmt: skip
        found.append(error_from_token_response(status, body, host="idp"))
    refusal = send_scope_problem(TokenClaims({"scope": "read:jobs partner:acme"}), "read-only")
    assert refusal is not None
    found.append(refusal)
    bundle = load_snapshot().get("assessments/STAR")
    assert bundle is not None
    found.append(SubmissionInvalid(validate_submission(bundle, {}, {})))
    return found


def _options(parser: argparse.ArgumentParser) -> set[str]:
    names: set[str] = set()
    for action in parser._actions:
        names.update(o for o in action.option_strings if o.startswith("--"))
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                names |= _options(sub)
    return names


CLI_OPTIONS = _options(build_parser())
ERRORS = _catalogue_errors() + _other_errors()


def test_the_walk_covers_the_places_that_name_the_gui() -> None:
    # A walk that met no GUI words would prove nothing: these do name Settings as the GUI says.
    gui_texts = [f"{e.message} {e.next_step}" for e in ERRORS]
    assert sum("Settings" in t for t in gui_texts) >= 12
    assert len(ERRORS) >= len(_CATALOGUE) + 15


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: f"{type(e).__name__}-{e.code.value}")
def test_the_cli_prints_no_gui_only_place(error: RunwayError) -> None:
    failure = failure_from_error(error)
    for text in (failure.message, failure.next_step):
        assert not GUI_ONLY.search(text), text
        for command in re.findall(r"`runway-desktop-cli ([^`]+)`", text):
            words = re.sub(r"\[[^\]]*\]", "", command)
            argv = [PLACEHOLDERS.get(w, w) for w in shlex.split(words)]
            build_parser().parse_args(argv)  # raises (a usage error) if no such command
        for option in re.findall(r"(?<![\w-])--[a-z][a-z-]+", text):
            assert option in CLI_OPTIONS, (option, text)


def test_the_gui_keeps_its_own_words() -> None:
    text = ("The address in Settings is wrong.", "Check the client id and secret in Settings.")
    assert in_front_end(*text, "gui") == text
    message, next_step = in_front_end(*text, "cli")
    assert "Settings" not in message + next_step and "profile add NAME" in next_step


def test_every_place_of_the_vocabulary_is_used_by_some_error() -> None:
    texts = " ".join(f"{e.message} {e.next_step}" for e in ERRORS)
    unused = [p.gui for p in PLACES if not re.search(p.gui, texts)]
    assert unused == []
