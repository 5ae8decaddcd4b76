"""``python -m runway_desktop.sandbox`` as a real process, driven with curl like a user would."""

from __future__ import annotations

import csv
import io
import json
import os
import selectors
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from runway_desktop.sandbox.__main__ import main as sandbox_main

PROFILE_KEYS = {
    "api_base_url",
    "token_url",
    "issuer",
    "audience",
    "client_id",
    "client_secret",
    "scopes",
    "s3_endpoint",
    "seed",
}
CUSTOM_TOML = """
executor_delay_seconds = 0.1
token_lifetime_seconds = 120

[partners.initech]
tenants = ["springfield"]
bundles = ["assessments/MAP_Growth"]
school_years = { "2026" = "ods", "2025" = "no-ods-roster" }

[[clients]]
client_id = "initech-client"
client_secret = "initech-secret"
client_name = "Initech uploader"
scopes = "create:jobs read:jobs read:jobs:output-files partner:initech"
"""


@dataclass
class Running:
    process: subprocess.Popen[str]
    profile: dict[str, Any]


def start(*args: str) -> Running:
    process = subprocess.Popen(
        [sys.executable, "-m", "runway_desktop.sandbox", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    if not selector.select(timeout=20):
        process.kill()
        raise AssertionError("the sandbox printed nothing")
    line = process.stdout.readline()
    return Running(process, json.loads(line))


def stop(running: Running, signum: int = signal.SIGTERM) -> tuple[int, str, str]:
    running.process.send_signal(signum)
    out, err = running.process.communicate(timeout=15)
    return running.process.returncode, out, err


@pytest.fixture(scope="module")
def served() -> Iterator[Running]:
    running = start("--executor-delay", "0.2")
    yield running
    if running.process.poll() is None:
        stop(running)


def listening_addresses(port: int) -> list[str]:
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, _, hex_port = fields[1].partition(":")
            if int(hex_port, 16) == port and fields[3] == "0A":  # LISTEN
                found.append(address)
    return found


def test_prints_one_profile_line_and_binds_loopback_only(served: Running) -> None:
    profile = served.profile
    assert set(profile) >= PROFILE_KEYS
    assert profile["client_id"] == "runway-desktop-sandbox"
    assert set(profile["seed"]) == {"acme", "ea", "globex"}
    for key in ("api_base_url", "token_url", "issuer", "s3_endpoint"):
        assert urlsplit(profile[key]).hostname == "127.0.0.1"
    if not Path("/proc/net/tcp").exists():
        pytest.skip("no /proc/net/tcp to inspect listening sockets")
    for key in ("api_base_url", "s3_endpoint"):
        port = urlsplit(profile[key]).port
        assert port is not None
        assert listening_addresses(port) == ["0100007F"]  # 127.0.0.1, nothing else


def test_exits_zero_on_sigint_right_after_the_profile_line() -> None:
    running = start()
    code, out, err = stop(running, signal.SIGINT)
    assert code == 0, err
    assert out == ""  # only the one profile line, already read
    assert err.strip() == "Sandbox stopped."


def test_custom_toml_config(tmp_path: Path) -> None:
    config = tmp_path / "sandbox.toml"
    config.write_text(CUSTOM_TOML)
    running = start("--config", str(config))
    try:
        profile = running.profile
        assert profile["client_id"] == "initech-client"
        assert profile["client_secret"] == "initech-secret"
        assert profile["seed"] == {
            "initech": {
                "tenants": ["springfield"],
                "school_years": {"2026": "ods", "2025": "no-ods-roster"},
                "bundles": ["assessments/MAP_Growth"],
                # No ods table in the file: each tenant has an ODS for its 'ods' years.
                "ods": {"springfield": ["2026"]},
            }
        }
        walk = CurlWalk(profile)
        token = walk.token()
        assert walk.api("POST", "/token/verify", token) == (
            201,
            b"Token is valid for partner: initech",
        )
        body = {
            "partner": "initech",
            "tenant": "springfield",
            "bundle": "assessments/MAP_Growth",
            "schoolYear": "2025",
            "files": {"INPUT_FILE": "map.csv"},
        }
        status, created = walk.api("POST", "/jobs", token, body)
        assert status == 201, created
    finally:
        code, out, err = stop(running, signal.SIGTERM)
    assert (code, out) == (0, ""), err
    assert err.strip() == "Sandbox stopped."


ONE_CLIENT = '[[clients]]\nclient_id = "x"\nclient_secret = "y"\n'
BROKEN_CONFIGS = {
    "syntax": "partners = [",
    "unknown kind": '[partners.p]\ntenants = ["t"]\nschool_years = { "2026" = "sometimes" }\n',
    "no clients": '[partners.p]\ntenants = ["t"]\n',
    "client without secret": '[[clients]]\nclient_id = "x"\n',
    "tenants not a list": '[partners.p]\ntenants = "t"\n' + ONE_CLIENT,
    "missing key file": 'signing_key_file = "nope.pem"\n' + ONE_CLIENT,
    "key file not a key": 'signing_key_file = "broken.toml"\n' + ONE_CLIENT,
}


def test_broken_config_exits_2_with_a_plain_message(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(BROKEN_CONFIGS["syntax"])
    result = subprocess.run(
        [sys.executable, "-m", "runway_desktop.sandbox", "--config", str(path)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith("The sandbox configuration is not valid:")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("name", [*BROKEN_CONFIGS, "missing file"])
def test_broken_configs_in_process(
    tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "broken.toml"
    if name != "missing file":
        path.write_text(BROKEN_CONFIGS[name])
    assert sandbox_main(["--config", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("The sandbox configuration is not valid:")
    assert err.count("\n") == 1 and "Traceback" not in err


# -- curl walk-through ---------------------------------------------------------------------
CURL = shutil.which("curl")
needs_curl = pytest.mark.skipif(CURL is None, reason="curl is not installed")


class CurlWalk:
    def __init__(self, profile: dict[str, Any]) -> None:
        self.profile = profile
        self.control = profile["api_base_url"].removesuffix("/api/v1") + "/_sandbox"

    def curl(self, *args: str) -> tuple[int, bytes]:
        assert CURL is not None
        result = subprocess.run(
            [CURL, "-sS", "--max-time", "10", "-w", "\n%{http_code}", *args],
            capture_output=True,
            timeout=20,
            env={**os.environ, "NO_PROXY": "*"},
        )
        if result.returncode != 0:
            return -result.returncode, result.stderr
        body, _, code = result.stdout.rpartition(b"\n")
        return int(code), body

    def token(self) -> str:
        status, body = self.curl(
            "-d", "grant_type=client_credentials",
            "-d", f"client_id={self.profile['client_id']}",
            "-d", f"client_secret={self.profile['client_secret']}",
            self.profile["token_url"],
        )  # fmt: skip
        assert status == 200, body
        token = json.loads(body)["access_token"]
        assert isinstance(token, str)
        return token

    def api(
        self, method: str, path: str, token: str, body: object | None = None
    ) -> tuple[int, bytes]:
        args = ["-X", method, "-H", f"Authorization: Bearer {token}"]
        if body is not None:
            args += ["-H", "Content-Type: application/json", "--data-binary", json.dumps(body)]
        return self.curl(*args, self.profile["api_base_url"] + path)

    def faults(self, faults: dict[str, Any]) -> None:
        status, body = self.curl(
            "-X", "PUT", "-H", "Content-Type: application/json",
            "--data-binary", json.dumps(faults), self.control + "/faults",
        )  # fmt: skip
        assert status == 200, body


def psat(walk: CurlWalk, token: str) -> dict[str, Any]:
    body = {
        "partner": "acme",
        "tenant": "district-a",
        "bundle": "assessments/PSAT_SAT",
        "schoolYear": "2026",
        "files": {"INPUT_FILE": "sat.csv"},
        "params": {"TEST_TYPE": "SAT"},
    }
    status, created = walk.api("POST", "/jobs", token, body)
    assert status == 201, created
    result: dict[str, Any] = json.loads(created)
    return result


SAMPLE = (
    Path(__file__).resolve().parents[2]
    / "resources/samples/PSAT_SAT/sample_anonymized_file_sat.csv"
)


@needs_curl
def test_curl_walk_through(served: Running) -> None:
    walk = CurlWalk(served.profile)
    walk.curl("-X", "POST", walk.control + "/reset")
    token = walk.token()
    assert walk.api("POST", "/token/verify", token) == (
        201,
        b"Token is valid for partners: acme, ea",
    )
    created = psat(walk, token)
    assert walk.curl("-T", str(SAMPLE), created["uploadUrls"]["INPUT_FILE"])[0] == 200
    assert walk.api("POST", f"/jobs/{created['uid']}/start", token) == (202, b"")
    deadline = time.monotonic() + 10
    while True:
        status, listed = walk.api("GET", "/output-sets?partner=acme&sentToOds=true", token)
        assert status == 200
        sets = [s for s in json.loads(listed) if s["jobUid"] == created["uid"]]
        if sets or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert len(sets) == 1
    status, links = walk.api("POST", f"/output-sets/{sets[0]['uid']}/download-links", token)
    assert status == 200
    download = json.loads(links)["downloadLinks"]
    assert list(download) == sets[0]["files"]
    status, content = walk.curl(download["studentAssessments.jsonl"])
    assert status == 200
    rows = [r for r in csv.reader(io.StringIO(SAMPLE.read_text())) if any(r)]
    assert len(content.decode().splitlines()) == len(rows) - 1


@needs_curl
def test_curl_walk_through_with_faults(served: Running) -> None:
    walk = CurlWalk(served.profile)
    walk.curl("-X", "POST", walk.control + "/reset")
    token = walk.token()

    walk.faults({"token_down": {"count": 1}})
    status, body = walk.curl("-d", "grant_type=client_credentials", served.profile["token_url"])
    assert status == 503 and b"temporarily_unavailable" in body

    walk.faults({"api_disabled": True})
    assert walk.api("POST", "/token/verify", token)[0] == 503
    assert walk.curl("-X", "POST", served.profile["api_base_url"] + "/token/verify")[0] == 401
    walk.faults({"api_disabled": None, "api_error": {"status": 502, "count": 1}})
    status, body = walk.api("POST", "/token/verify", token)
    assert status == 502 and b"<html>" in body
    assert walk.api("POST", "/token/verify", token)[0] == 201

    created = psat(walk, token)
    url = created["uploadUrls"]["INPUT_FILE"]
    walk.faults({"s3_expired": True})
    status, body = walk.curl("-T", str(SAMPLE), url)
    assert status == 403 and b"Request has expired" in body
    walk.faults({"s3_expired": None, "s3_error": {"status": 503, "count": 1}})
    status, body = walk.curl("-T", str(SAMPLE), url)
    assert status == 503 and b"<Code>SlowDown</Code>" in body
    walk.faults({"s3_drop": {"after_bytes": 100, "count": 1}})
    status, _ = walk.curl("-T", str(SAMPLE), url)
    assert status < 0  # curl itself failed: the connection was cut
    status, body = walk.api("POST", f"/jobs/{created['uid']}/start", token)
    assert status == 400 and b"Some expected files were not found" in body
    assert walk.curl("-T", str(SAMPLE), url)[0] == 200
    assert walk.api("POST", f"/jobs/{created['uid']}/start", token)[0] == 202
