"""Terminal and JSON output of the command-line front end, and what each failure exits with.

Results go to stdout (one per line, or one JSON document with ``--json``); progress, notes and
error explanations go to stderr, so ``job=$(runway-desktop-cli submit …)`` captures only the job
uid. Nothing printed here ever contains a token, a client secret or a presigned URL: errors are
shown through their ``message``/``next_step``, never their raw server text.

Text a server sent (a tenant code, a file name, an error message) reaches these lines too, so
every line is passed through :func:`~runway_desktop.base.text.plain_text`: an escape sequence
in it must not clear the screen, retitle the window or plant an OSC 8 link. ``--json`` keeps
the text whole instead, with every control character (C1 too) escaped by ``ensure_ascii``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from typing import Any, NoReturn, TextIO, TypeAlias

from runway_desktop.api.errors import (
    AuthError,
    BlockedByProxy,
    LocalFileError,
    NetworkError,
    NotFound,
    PermissionDenied,
    RunwayError,
    S3Error,
    ServerError,
    ValidationFailed,
)
from runway_desktop.api.errors.messages import in_front_end
from runway_desktop.base.text import plain_text

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_REJECTED = 3
EXIT_TRANSIENT = 4
EXIT_LOCAL_FILE = 5
EXIT_INTERRUPTED = 130  # the shell's convention for Ctrl-C

_CATEGORIES = {
    EXIT_USAGE: "usage",
    EXIT_REJECTED: "rejected",
    EXIT_TRANSIENT: "network",
    EXIT_LOCAL_FILE: "local_file",
    EXIT_INTERRUPTED: "interrupted",
}


class CommandFailure(Exception):
    """A failure, already phrased for the user: one the CLI itself detects, or a core error.

    ``code`` is the error's stable :class:`ErrorCode` value (``None`` for the CLI's own
    failures, which ``kind`` names); scripts branch on it, never on ``message``. ``extra`` is
    added to the ``--json`` document (e.g. the job uid after a ``--wait`` timeout, so a script
    can look the job up later).
    """

    def __init__(
        self,
        message: str,
        next_step: str = "",
        exit_code: int = EXIT_USAGE,
        kind: str = "UsageError",
        extra: Mapping[str, Any] | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.next_step = next_step
        self.exit_code = exit_code
        self.kind = kind
        self.code = code
        self.extra: dict[str, Any] = dict(extra or {})


def usage_error(message: str, next_step: str = "") -> CommandFailure:
    return CommandFailure(message, next_step, EXIT_USAGE, "UsageError")


class CliParser(argparse.ArgumentParser):
    """Raises instead of exiting, so ``main`` returns the code (and tests can call it)."""

    def error(self, message: str) -> NoReturn:
        raise usage_error(f"{message}.", f"See `{self.prog} --help`.")


# Subscripted only for the type checker: argparse does not make it generic at run time.
SubCommands: TypeAlias = "argparse._SubParsersAction[CliParser]"


def exit_code_for(error: RunwayError) -> int:
    """Map the core's typed errors onto the documented exit codes."""
    if isinstance(error, LocalFileError):
        return EXIT_LOCAL_FILE
    if isinstance(error, NetworkError | ServerError | BlockedByProxy | S3Error):
        return EXIT_TRANSIENT
    if isinstance(error, AuthError | PermissionDenied | NotFound | ValidationFailed):
        return EXIT_REJECTED
    if error.status is not None and 400 <= error.status < 500:
        return EXIT_REJECTED
    return EXIT_TRANSIENT


def failure_from_error(
    error: RunwayError, *, exit_code: int | None = None, extra: Mapping[str, Any] | None = None
) -> CommandFailure:
    details: dict[str, Any] = {}
    if error.fields:
        details["fields"] = list(error.fields)
    if error.status is not None:
        details["status"] = error.status
    details.update(extra or {})
    # The core names the desktop app's places ("… in Settings"); the catalogue's vocabulary
    # gives the command line's own (a command or option that exists), here and only here.
    message, next_step = in_front_end(error.message, error.next_step, "cli")
    return CommandFailure(
        message,
        next_step,
        exit_code_for(error) if exit_code is None else exit_code,
        # Kept for scripts written against 0.1.0's --json; ``code`` is the stable field.
        type(error).__name__,
        details,
        code=error.code.value,
    )


# ESC [ K: erase to the end of the line, so a shorter redraw leaves nothing of a longer one.
_CLEAR_TO_END = "\x1b[K"


class Console:
    """Where the CLI writes. Streams are looked up once, when a command starts."""

    def __init__(
        self, *, json_mode: bool, stdout: TextIO | None = None, stderr: TextIO | None = None
    ) -> None:
        self.json_mode = json_mode
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr

    @property
    def interactive(self) -> bool:
        """Whether stderr is a terminal: only then is a redrawn progress bar worth drawing."""
        isatty = getattr(self.stderr, "isatty", None)
        return bool(isatty and isatty())

    def result(self, text: str) -> None:
        """A line of the command's result (suppressed in JSON mode, which prints one document)."""
        if not self.json_mode:
            print(plain_text(text), file=self.stdout, flush=True)

    def note(self, text: str) -> None:
        print(plain_text(text), file=self.stderr, flush=True)

    def redraw(self, text: str, width: int = 120) -> None:
        """Draw ``text`` over the current stderr line (a progress bar on a terminal). The text
        is cleaned like every other line; the only escape written is this method's own."""
        self.stderr.write("\r" + plain_text(text)[:width] + _CLEAR_TO_END)
        self.stderr.flush()

    def clear_line(self) -> None:
        self.stderr.write("\r" + _CLEAR_TO_END)
        self.stderr.flush()

    def json(self, document: Any) -> None:
        # ensure_ascii: ensure_ascii=False leaves C1 controls (U+0080-U+009F, e.g. the 8-bit
        # CSI U+009B) raw, and a terminal showing the document would act on them.
        print(json.dumps(document, indent=2, ensure_ascii=True), file=self.stdout, flush=True)

    def fail(self, failure: CommandFailure) -> int:
        """Explain on stderr (always) and, with ``--json``, as a JSON object on stdout."""
        self.note(f"Error: {failure.message}")
        if failure.next_step:
            self.note(f"What to do: {failure.next_step}")
        if self.json_mode:
            error: dict[str, Any] = {
                "category": _CATEGORIES.get(failure.exit_code, "error"),
                "code": failure.code,
                "kind": failure.kind,
                "message": failure.message,
                "next_step": failure.next_step,
                "exit_code": failure.exit_code,
            }
            self.json({"ok": False, "error": error, **failure.extra})
        return failure.exit_code


def render_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Plain left-aligned columns separated by two spaces (readable, and easy to ``cut``)."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in (headers, *rows)
    ]
    return "\n".join(lines)


def yes_no(value: bool) -> str:
    return "yes" if value else "no"
