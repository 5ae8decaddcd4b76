"""History's schema changes, driven by the version SQLite keeps in ``PRAGMA user_version``.

Version 1 is the schema 0.1.0 wrote. Each later version is one function that brings a database
from the version before it; they run in order, each in its own transaction, so a database made
by any earlier release opens with every submission, job uid and download it had. A database
newer than this release knows is refused rather than guessed at.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable

Migration = Callable[[sqlite3.Connection], None]


def _v2_error_codes(db: sqlite3.Connection) -> None:
    # History stores the error's stable code; 0.1.0 stored the error's class name, which is
    # kept in error_kind for old rows and read as a code by the status derivation.
    db.execute("ALTER TABLE submissions ADD COLUMN error_code TEXT")


def _v3_download_verification(db: sqlite3.Connection) -> None:
    # How each downloaded file was checked, by its local name: "md5" (the MD5 of what was
    # written equals S3's ETag) or "size" (only the byte count could be checked). Rows from
    # before were checked by size at most, and say nothing ({}): never claimed as verified.
    db.execute("ALTER TABLE downloads ADD COLUMN verification_json TEXT NOT NULL DEFAULT '{}'")


def _v4_batches(db: sqlite3.Connection) -> None:
    # Runs of batch plans with each item's outcome (history/batches.py); each item's
    # submission stays a normal submission row.
    from runway_desktop.history.batches import BATCH_TABLES

    _create_base(db, BATCH_TABLES)


# index i brings a database from version i + 1 to version i + 2
MIGRATIONS: tuple[Migration, ...] = (_v2_error_codes, _v3_download_verification, _v4_batches)
SCHEMA_VERSION = 1 + len(MIGRATIONS)


# Switching a new file to WAL needs it to itself for a moment; SQLite answers "locked" at once
# (no busy wait) while another process creates or migrates it.
WAL_RETRY_SECONDS = 10.0


def use_wal(db: sqlite3.Connection) -> None:
    deadline = time.monotonic() + WAL_RETRY_SECONDS
    while True:
        try:
            db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


class NewerDatabase(RuntimeError):
    """The history file was written by a newer Runway Desktop."""


def migrate(db: sqlite3.Connection, base_schema: str) -> None:
    """Create the base schema if the file is new, then apply what is missing."""
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise NewerDatabase(
            f"The history file was made by a newer Runway Desktop (schema {version}; this "
            f"version knows up to {SCHEMA_VERSION}). Update Runway Desktop."
        )
    if version == 0:
        # Under the write lock, like every step: a second process that also saw version 0
        # must not write version 1 over a file the first one has migrated further.
        _in_write_transaction(db, 1, lambda d: _create_base(d, base_schema))
        version = 1
    for target, step in enumerate(MIGRATIONS[version - 1 :], start=version + 1):
        _in_write_transaction(db, target, step)


def _in_write_transaction(db: sqlite3.Connection, target: int, apply: Migration) -> None:
    """Bring the file to version ``target`` unless another process already did.

    IMMEDIATE takes the write lock before the version is read again: the app and a CLI run
    (or two CLI runs) opening the same file at once must not both apply a step.
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        if int(db.execute("PRAGMA user_version").fetchone()[0]) < target:
            apply(db)
            db.execute(f"PRAGMA user_version = {target}")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _create_base(db: sqlite3.Connection, base_schema: str) -> None:
    # One statement at a time: executescript would commit, and so drop the write lock.
    statement = ""
    for line in base_schema.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""
    if statement.strip():
        db.execute(statement)
