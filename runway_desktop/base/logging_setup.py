"""The app's log: a rotating file in the data folder, with credentials removed at the source.

Everything the app and its libraries log (httpx logs each request's URL at INFO) passes
through ``RedactingFilter`` on the file handler before it is written, and the formatter
redacts the final text once more so tracebacks cannot carry a token either. Both also drop
control characters and escape sequences (:func:`~runway_desktop.base.text.plain_text`): a log
line can quote a server's words, and ``tail -f`` or a support desk's terminal would obey them. Call
``setup_logging()`` once at start-up; calling it again changes nothing.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from runway_desktop.base.paths import data_dir
from runway_desktop.base.redaction import redact
from runway_desktop.base.text import plain_text

LOG_DIR_NAME = "logs"
LOG_FILE_NAME = "runway-desktop.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 4
FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


class RedactingFilter(logging.Filter):
    """Formats the record's message now, redacted, so no handler sees the raw arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a bad format string: keep what there is
            message = str(record.msg)
        record.msg = plain_text(redact(message))
        record.args = None
        return True


class RedactingFormatter(logging.Formatter):
    """Redacts the whole formatted entry, exception text and stack included."""

    def format(self, record: logging.LogRecord) -> str:
        return plain_text(redact(super().format(record)))


def log_dir() -> Path:
    return data_dir() / LOG_DIR_NAME


def log_file() -> Path:
    return log_dir() / LOG_FILE_NAME


def log_files(directory: Path | None = None) -> list[Path]:
    """The current log and its rotated predecessors, oldest first."""
    folder = directory or log_dir()
    if not folder.is_dir():
        return []
    found = [p for p in folder.glob(f"{LOG_FILE_NAME}*") if p.is_file()]
    return sorted(found, key=lambda p: (-_rotation_number(p), p.name))


def _rotation_number(path: Path) -> int:
    suffix = path.name[len(LOG_FILE_NAME) :].lstrip(".")
    return int(suffix) if suffix.isdigit() else 0


def _ours(handler: logging.Handler) -> bool:
    return getattr(handler, "_runway_desktop", False) is True


def setup_logging(
    level: int = logging.INFO,
    *,
    directory: Path | None = None,
    max_bytes: int = MAX_BYTES,
    backup_count: int = BACKUP_COUNT,
) -> Path:
    """Attach the rotating, redacting file handler to the root logger; returns the log path.

    Idempotent: a second call returns the same path and adds no second handler.
    """
    root = logging.getLogger()
    for handler in root.handlers:
        if _ours(handler) and isinstance(handler, logging.FileHandler):
            return Path(handler.baseFilename)
    folder = directory or log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOG_FILE_NAME
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=max_bytes, backupCount=backup_count, encoding="utf-8", delay=True
    )
    handler.setLevel(level)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(RedactingFormatter(FORMAT))
    handler._runway_desktop = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
    return path


def teardown_logging() -> None:
    """Remove and close the handler ``setup_logging`` added (tests, shutdown)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if _ours(handler):
            root.removeHandler(handler)
            handler.close()
