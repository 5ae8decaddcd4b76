"""History's schema changes, driven by the version SQLite keeps in ``PRAGMA user_version``.

Version 1 is the schema 0.1.0 wrote. Each later version is one function that brings a database
from the version before it; they run in order, each in its own transaction, so a database made
by any earlier release opens with every submission, job uid and download it had. A database
newer than this release knows is refused rather than guessed at.
"""

from __future__ import annotations

import sqlite3
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


# index i brings a database from version i + 1 to version i + 2
MIGRATIONS: tuple[Migration, ...] = (_v2_error_codes, _v3_download_verification)
SCHEMA_VERSION = 1 + len(MIGRATIONS)


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
        # executescript commits on its own, so it runs outside a transaction.
        db.executescript(base_schema)
        db.execute("PRAGMA user_version = 1")
        version = 1
    for target, step in enumerate(MIGRATIONS[version - 1 :], start=version + 1):
        # IMMEDIATE takes the write lock before reading the version again: the app and a CLI
        # run (or two CLI runs) opening an old file at once must not both apply a step.
        db.execute("BEGIN IMMEDIATE")
        try:
            if int(db.execute("PRAGMA user_version").fetchone()[0]) < target:
                step(db)
                db.execute(f"PRAGMA user_version = {target}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
