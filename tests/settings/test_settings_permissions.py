"""What a token allows, in plain words (runway_desktop.settings.permissions)."""

from __future__ import annotations

from runway_desktop.settings.permissions import (
    CREATE_JOBS,
    READ_JOBS,
    READ_OUTPUT_FILES,
    summarize_permissions,
)

ALL = (CREATE_JOBS, READ_JOBS, READ_OUTPUT_FILES)


def test_full_client_lists_its_partners_and_misses_nothing() -> None:
    summary = summarize_permissions([*ALL, "partner:acme", "partner:ea"], ["acme", "ea"])

    assert summary.lines[0].text == "Can send files for: acme, ea"
    assert summary.partners == ("acme", "ea")
    assert summary.missing_scopes == ()
    assert summary.complete and summary.can_send
    assert all(line.kind == "ok" for line in summary.lines)
    assert "Can download results for: acme, ea" in summary.text()


def test_missing_download_scope_says_what_breaks_and_who_fixes_it() -> None:
    summary = summarize_permissions([CREATE_JOBS, READ_JOBS, "partner:acme"], ["acme"])

    assert summary.missing_scopes == (READ_OUTPUT_FILES,)
    assert summary.can_send and not summary.complete
    missing = [line.text for line in summary.lines if line.kind == "missing"]
    assert missing == [
        "Missing: read:jobs:output-files — downloading results will not work. "
        "Ask your Runway administrator to add it to this client."
    ]


def test_read_only_client_cannot_send_but_can_fetch() -> None:
    summary = summarize_permissions([READ_JOBS, READ_OUTPUT_FILES, "partner:acme"], ["acme"])

    assert not summary.can_send
    assert summary.missing_scopes == (CREATE_JOBS,)
    first = summary.lines[0]
    assert first.kind == "missing"
    assert first.text.startswith("This client cannot send files to Runway")
    assert "create:jobs" in first.text
    assert "Can see processed output for: acme" in summary.text()
    # create:jobs is explained once, not twice
    assert summary.text().count("create:jobs") == 1


def test_no_partner_scope_is_explained() -> None:
    summary = summarize_permissions(list(ALL), [])

    assert summary.partners == ()
    assert not summary.can_send and not summary.complete
    assert summary.lines[0].kind == "missing"
    assert "no partner:<code> scope" in summary.lines[0].text
    assert not any(line.text.startswith("Can ") for line in summary.lines)


def test_no_partners_and_no_create_scope_names_both_gaps() -> None:
    summary = summarize_permissions([READ_JOBS], [])

    text = summary.text()
    assert "no partner:<code> scope" in text
    assert "Missing: create:jobs — sending files will not work." in text
    assert "Missing: read:jobs:output-files" in text


def test_verify_answer_is_used_as_given_without_duplicates() -> None:
    # Runway's verify answer is authoritative; the token's scope text only decides resources.
    summary = summarize_permissions([*ALL, "partner:acme"], ["ea", "acme", "ea", ""])

    assert summary.partners == ("ea", "acme")
    assert summary.lines[0].text == "Can send files for: ea, acme"


def test_scopes_are_matched_exactly() -> None:
    summary = summarize_permissions(["Create:Jobs", "read:jobs:", "partner:acme"], ["acme"])

    assert summary.missing_scopes == ALL
