"""The app's log: rotating file in the data folder, credentials removed before writing."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from runway_desktop.base.logging_setup import log_file, log_files, setup_logging, teardown_logging
from runway_desktop.base.paths import data_dir
from runway_desktop.base.redaction import redact

JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhY21lLWNsaWVudCJ9.c2lnbmF0dXJlLXBhcnQ"
PRESIGNED = (
    "https://bucket.s3.amazonaws.com/acme/job/input/scores.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256"
    "&X-Amz-Credential=AKIAEXAMPLE%2F20261123&X-Amz-Signature=0123456789abcdef0123"
)


@pytest.fixture
def logs() -> Iterator[Path]:
    path = setup_logging()
    yield path
    teardown_logging()


def written(path: Path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return path.read_text(encoding="utf-8")


def test_log_file_lives_in_the_data_folder_and_setup_is_idempotent(logs: Path) -> None:
    assert logs == log_file() == data_dir() / "logs" / "runway-desktop.log"
    assert setup_logging() == logs
    ours = [h for h in logging.getLogger().handlers if getattr(h, "_runway_desktop", False)]
    assert len(ours) == 1


def test_tokens_secrets_and_presigned_urls_are_redacted_at_the_source(logs: Path) -> None:
    log = logging.getLogger("runway_desktop.test")
    log.info("Authorization: Bearer %s", JWT)
    log.info("token body client_secret=s3cr3t-value&grant_type=client_credentials")
    log.warning("upload to %s failed", PRESIGNED)
    logging.getLogger("httpx").info('HTTP Request: PUT %s "HTTP/1.1 200 OK"', PRESIGNED)
    try:
        raise RuntimeError(f"refused {JWT}")
    except RuntimeError:
        log.exception("while sending")
    text = written(logs)
    for secret in (JWT, "s3cr3t-value", "X-Amz-Signature=0123", "AKIAEXAMPLE", "eyJ"):
        assert secret not in text
    assert "Bearer [redacted]" in text
    assert "client_secret=[redacted]&grant_type=client_credentials" in text
    assert "https://bucket.s3.amazonaws.com/acme/job/input/scores.csv?[redacted]" in text
    assert "RuntimeError: refused [redacted]" in text  # the traceback too


def test_rotation_keeps_a_few_small_files(tmp_path: Path) -> None:
    path = setup_logging(directory=tmp_path, max_bytes=2_000, backup_count=2)
    try:
        log = logging.getLogger("runway_desktop.test")
        for number in range(200):
            log.info("line %d %s", number, "x" * 40)
        files = log_files(tmp_path)
    finally:
        teardown_logging()
    assert path in files and len(files) == 3
    assert files[-1] == path  # oldest first, the current one last
    assert all(f.stat().st_size <= 2_200 for f in files)


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("GET https://api.example.org/api/v1/output-sets?partner=acme", "?partner=acme"),
        ('{"access_token": "abc.def", "expires_in": 300}', '"expires_in": 300'),
        ("X-Amz-Signature=feedbeef&X-Amz-Date=20261123", "X-Amz-Signature=[redacted]"),
    ],
)
def test_redaction_keeps_what_is_not_secret(raw: str, kept: str) -> None:
    assert kept in redact(raw)
    assert "abc.def" not in redact(raw) and "feedbeef" not in redact(raw)


def test_known_literal_secrets_are_removed_whatever_they_look_like() -> None:
    assert redact("the secret is plain-Words-42 ok", ["plain-Words-42"]) == (
        "the secret is [redacted] ok"
    )
