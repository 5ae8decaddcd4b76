"""Terminal escapes from a server never reach the terminal raw, nor History; ``--json`` keeps the
text whole with every control character escaped.

A hostile "Runway" on a real socket (no honest server sends these) puts real payloads in a 4xx
message and in a listing's names: clear screen (``ESC [2J``), an OSC 0 window title, an OSC 8
link whose target differs from its label, the 8-bit CSI ``U+009B`` and a BEL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile_http import (
    TOKEN_ANSWER,
    HostileRequest,
    HostileServer,
    Writer,
    hostile_server,
    json_answer,
    nest_error,
    whole,
)

from runway_desktop.cli.main import main

CLEAR = "\x1b[2J\x1b[H"
TITLE = "\x1b]0;pwned\x07"
LINK = "\x1b]8;;https://evil.example/steal\x07Runway docs\x1b]8;;\x07"
CSI8 = "\x9b31m"
PAYLOAD = f"{CLEAR}2026{TITLE} see {LINK} {CSI8}now\x07"
CONTROLS = ("\x1b", "\x07", "\x9b", "\x9d")
TENANT = f"district{TITLE}-a{CSI8}"
FILE = f"scores{CLEAR}.jsonl"
SET = {
    "uid": "3f2b8c1e-5d4a-4b6f-9e7d-2a1c0b9f8e7d", "files": [FILE], "sentToOds": False,
    "createdAt": "2026-03-15T14:30:00.123Z", "jobUid": "0b2b8c1e-5d4a-4b6f-9e7d-2a1c0b9f8e7d",
    "partner": "acme", "tenant": TENANT, "schoolYear": "2026", "bundle": "assessments/STAR",
}  # fmt: skip
SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples" / "STAR"


class Hostile:
    """What the hostile server answers: a refusal carrying PAYLOAD, or a listing of SET."""

    def __init__(self) -> None:
        self.listing_refused = True

    async def __call__(self, request: HostileRequest, writer: Writer) -> None:
        if request.path.startswith("/token"):
            writer.write(TOKEN_ANSWER)
        elif request.path.startswith("/api/v1/token/verify"):
            text = b"Token is valid for partner: acme"
            writer.write(whole(201, text, {"Content-Type": "text/html; charset=utf-8"}))
        elif request.path.startswith("/api/v1/output-sets"):
            if self.listing_refused:
                writer.write(nest_error(400, f"Unknown school year: {PAYLOAD}"))
            else:
                writer.write(json_answer(200, [SET]))
        elif request.path.startswith("/api/v1/jobs"):
            writer.write(nest_error(400, f"Invalid school year: {PAYLOAD}"))
        else:
            writer.write(nest_error(404, "Cannot GET"))


@pytest.fixture
def hostile() -> Iterator[tuple[HostileServer, Hostile]]:
    behaviour = Hostile()
    with hostile_server(behaviour) as server:
        yield server, behaviour


@pytest.fixture
def profile_file(hostile: tuple[HostileServer, Hostile], tmp_path: Path) -> Path:
    server, _ = hostile
    profile = {
        "api_base_url": f"{server.url}/api/v1", "token_url": f"{server.url}/token",
        "client_id": "hostile", "client_secret": "hostile-secret", "scopes": "",
    }  # fmt: skip
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(profile), encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err


def assert_clean(text: str) -> None:
    for control in CONTROLS:
        assert control not in text, f"{control!r} reached the terminal: {text!r}"
    assert "evil.example" not in text  # the OSC 8 target goes, its label stays


def test_an_escape_laden_refusal_is_printed_as_plain_text(
    capsys: pytest.CaptureFixture[str], profile_file: Path
) -> None:
    code, out, err = run(
        capsys, "--profile-file", str(profile_file), "outputs", "list", "--partner", "acme"
    )
    assert code == 3
    assert_clean(out + err)
    assert "2026 see Runway docs now" in err  # the server's words, minus the escapes


def test_json_keeps_listed_text_whole_with_every_control_escaped(
    capsys: pytest.CaptureFixture[str], profile_file: Path, hostile: tuple[HostileServer, Hostile]
) -> None:
    hostile[1].listing_refused = False
    code, out, err = run(
        capsys, "--profile-file", str(profile_file), "--json", "outputs", "list", "--partner",
        "acme",
    )  # fmt: skip
    assert code == 0, err
    assert_clean(out)  # escaped, so no raw control character on the terminal
    assert "\\u001b" in out and "\\u009b" in out and "\\u0007" in out
    [listed] = json.loads(out)
    assert listed["tenant"] == TENANT  # whole: a script gets exactly what the server sent
    assert FILE in listed["files"]


def test_the_table_strips_what_a_listing_carries(
    capsys: pytest.CaptureFixture[str], profile_file: Path, hostile: tuple[HostileServer, Hostile]
) -> None:
    hostile[1].listing_refused = False
    code, out, err = run(
        capsys, "--profile-file", str(profile_file), "outputs", "list", "--partner", "acme"
    )
    assert code == 0, err
    assert_clean(out + err)
    assert "district-a" in out


def test_history_stores_a_refusal_as_clean_text(
    capsys: pytest.CaptureFixture[str], profile_file: Path
) -> None:
    files = {
        "INPUT_FILE": "SR_sample_anonymized_file.csv",
        "INPUT_FILE_DS": "SR_Dashboard_Standards_v2_sample_anonymized_file.csv",
        "INPUT_FILE_SA": "SR_SkillArea_v1_sample_anonymized_file.csv",
    }
    file_args = [a for k, n in files.items() for a in ("--file", f"{k}={SAMPLES / n}")]
    code, out, err = run(
        capsys, "--profile-file", str(profile_file), "submit", "--partner", "acme", "--tenant",
        "district-a", "--year", "2024", "--bundle", "assessments/STAR", *file_args,
    )  # fmt: skip
    assert code == 3, err
    assert_clean(out + err)
    code, out, err = run(capsys, "--json", "history", "list")
    assert code == 0, err
    assert "\\u001b" not in out and "\\u009b" not in out  # stored clean, not just shown clean
    document = json.loads(out)
    assert "2026 see Runway docs now" in json.dumps(document, ensure_ascii=False)
